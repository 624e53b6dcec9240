#version 450
// FXAA on the world pass at its own resolution (the blend: fxaa.glsl): every pixel off an edge costs five
// unfiltered fetches, the anti-aliasing a software rasterizer can afford where 4x multisampling costs nearly half
// a frame. Below the output's resolution it writes an image that upscale.frag then stretches.
#include "engine/fxaa.glsl"

layout(binding = 0) uniform sampler2D scene;  // the world pass, through a UNORM view
layout(push_constant) uniform Push {
    vec4 texel;  // xy: 1 / the scene image's size in pixels; zw: the last pixel drawn (the world pass's size - 1)
} p;
layout(location = 0) out vec4 out_color;

void main() {
    const ivec2 q = ivec2(gl_FragCoord.xy);
    const ivec2 last = ivec2(p.texel.zw);
    const vec4 m = texelFetch(scene, q, 0);
    const float nw = luma(texelFetch(scene, clamp(q + ivec2(-1, -1), ivec2(0), last), 0).rgb);
    const float ne = luma(texelFetch(scene, clamp(q + ivec2(1, -1), ivec2(0), last), 0).rgb);
    const float sw = luma(texelFetch(scene, clamp(q + ivec2(-1, 1), ivec2(0), last), 0).rgb);
    const float se = luma(texelFetch(scene, clamp(q + ivec2(1, 1), ivec2(0), last), 0).rgb);
    const vec2 t = p.texel.xy;
    out_color = fxaa_blend(scene, m, nw, ne, sw, se, gl_FragCoord.xy * t, t, 0.5 * t, (vec2(last) + 0.5) * t);
}
