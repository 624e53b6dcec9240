// The FXAA blend of fxaa.frag: the console form of FXAA (T. Lottes, "FXAA", NVIDIA white paper, 2009/2011). Where the luma of a pixel's four
// diagonal neighbours spans more than a threshold (an edge), the pixel is blended along the edge's direction,
// estimated from the luma gradient, with two or four bilinear taps; the wider blend is kept unless its luma
// leaves the neighbourhood's range (then it crossed the edge). It works on the sRGB-encoded values (UNORM
// views), as FXAA expects.
const float kEdgeMin = 1.0 / 24.0;   // darkest contrast treated as an edge
const float kEdgeRel = 1.0 / 8.0;    // contrast relative to the brightest neighbour
const float kReduceMul = 1.0 / 8.0;
const float kReduceMin = 1.0 / 128.0;
const float kSpanMax = 8.0;          // widest blend, scene pixels

float luma(vec3 c) { return dot(c, vec3(0.299, 0.587, 0.114)); }

// m: the pixel; nw..se: its diagonal neighbours' luma; uv: where it is in the scene texture; t: one scene texel
// in uv; uv_lo, uv_hi: the drawn part of the scene, which the blend taps stay inside.
vec4 fxaa_blend(sampler2D scene, vec4 m, float nw, float ne, float sw, float se, vec2 uv, vec2 t, vec2 uv_lo,
                vec2 uv_hi) {
    const float lm = luma(m.rgb);
    const float lo = min(lm, min(min(nw, ne), min(sw, se)));
    const float hi = max(lm, max(max(nw, ne), max(sw, se)));
    if (hi - lo < max(kEdgeMin, hi * kEdgeRel)) return m;
    vec2 dir = vec2(-((nw + ne) - (sw + se)), (nw + sw) - (ne + se));
    const float reduce = max((nw + ne + sw + se) * 0.25 * kReduceMul, kReduceMin);
    dir = clamp(dir / (min(abs(dir.x), abs(dir.y)) + reduce), vec2(-kSpanMax), vec2(kSpanMax)) * t;
    const vec3 a = 0.5 * (texture(scene, clamp(uv + dir * (1.0 / 3.0 - 0.5), uv_lo, uv_hi)).rgb +
                          texture(scene, clamp(uv + dir * (2.0 / 3.0 - 0.5), uv_lo, uv_hi)).rgb);
    const vec3 b = 0.5 * a + 0.25 * (texture(scene, clamp(uv - dir * 0.5, uv_lo, uv_hi)).rgb +
                                     texture(scene, clamp(uv + dir * 0.5, uv_lo, uv_hi)).rgb);
    const float lb = luma(b);
    return vec4((lb < lo || lb > hi) ? a : b, m.a);
}
