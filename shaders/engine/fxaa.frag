#version 450
// Fast approximate anti-aliasing: the console form of FXAA (T. Lottes, "FXAA", NVIDIA white paper, 2009/2011).
// Where the luma of a pixel's four diagonal neighbours spans more than a threshold (an edge), the pixel is blended
// along the edge's direction, estimated from the luma gradient, with two or four bilinear taps; the wider blend
// is kept unless its luma leaves the neighbourhood's range (then it crossed the edge). It reads and writes the
// sRGB-encoded values (UNORM views), as FXAA expects, and every pixel off an edge costs five unfiltered fetches:
// the anti-aliasing a software rasterizer can afford where 4x multisampling costs nearly half a frame.
layout(binding = 0) uniform sampler2D scene;  // the world pass, through a UNORM view
layout(push_constant) uniform Push {
    vec4 texel;  // xy: 1 / size in pixels
} p;
layout(location = 0) out vec4 out_color;

const float kEdgeMin = 1.0 / 24.0;   // darkest contrast treated as an edge
const float kEdgeRel = 1.0 / 8.0;    // contrast relative to the brightest neighbour
const float kReduceMul = 1.0 / 8.0;
const float kReduceMin = 1.0 / 128.0;
const float kSpanMax = 8.0;          // widest blend, pixels

float luma(vec3 c) { return dot(c, vec3(0.299, 0.587, 0.114)); }

void main() {
    const ivec2 q = ivec2(gl_FragCoord.xy);
    const ivec2 last = textureSize(scene, 0) - 1;
    const vec4 m = texelFetch(scene, q, 0);
    const float lm = luma(m.rgb);
    const float nw = luma(texelFetch(scene, clamp(q + ivec2(-1, -1), ivec2(0), last), 0).rgb);
    const float ne = luma(texelFetch(scene, clamp(q + ivec2(1, -1), ivec2(0), last), 0).rgb);
    const float sw = luma(texelFetch(scene, clamp(q + ivec2(-1, 1), ivec2(0), last), 0).rgb);
    const float se = luma(texelFetch(scene, clamp(q + ivec2(1, 1), ivec2(0), last), 0).rgb);
    const float lo = min(lm, min(min(nw, ne), min(sw, se)));
    const float hi = max(lm, max(max(nw, ne), max(sw, se)));
    if (hi - lo < max(kEdgeMin, hi * kEdgeRel)) {
        out_color = m;
        return;
    }
    const vec2 t = p.texel.xy, uv = gl_FragCoord.xy * t;
    vec2 dir = vec2(-((nw + ne) - (sw + se)), (nw + sw) - (ne + se));
    const float reduce = max((nw + ne + sw + se) * 0.25 * kReduceMul, kReduceMin);
    dir = clamp(dir / (min(abs(dir.x), abs(dir.y)) + reduce), vec2(-kSpanMax), vec2(kSpanMax)) * t;
    const vec3 a = 0.5 * (texture(scene, uv + dir * (1.0 / 3.0 - 0.5)).rgb + texture(scene, uv + dir * (2.0 / 3.0 - 0.5)).rgb);
    const vec3 b = 0.5 * a + 0.25 * (texture(scene, uv - dir * 0.5).rgb + texture(scene, uv + dir * 0.5).rgb);
    const float lb = luma(b);
    out_color = vec4((lb < lo || lb > hi) ? a : b, m.a);
}
