#version 450
// Volume rendering of the hall's air temperature: a ray from the box's front face marched through the lattice
// (nearest cell, a step of 0.7 cells), front-to-back emission-absorption through the inferno colormap. Cool air
// is transparent; opacity grows with temperature over the upper part of the colour range, so hot plumes and
// recirculation stand out. A ray stops at a solid cell (racks, units, containment), which the lattice knows.
// frame.extra: x bottom of the colour range (C), y top (C), z opacity scale, w: 0.
#include "common/frame.glsl"
#include "datacenter/lbm_shared.h"

layout(std430, binding = 0) readonly buffer Geometry { vec4 origin; vec4 size; uvec4 dims; } geo;  // origin xyz, w: cell (m)
layout(std430, binding = 1) readonly buffer Moments { vec4 moments[]; };
layout(std430, binding = 2) readonly buffer Mask { uint mask[]; };
layout(std430, binding = 3) readonly buffer Patches { LbmPatch patches[]; };
layout(std430, binding = 4) readonly buffer Lut { vec4 lut[256]; };
layout(location = 0) in vec3 v_world;
layout(location = 0) out vec4 out_color;

vec3 inferno(float t) {
    const float x = clamp(t, 0.0, 1.0) * 255.0;
    const int a = min(int(x), 254);
    return mix(lut[a].rgb, lut[a + 1].rgb, x - float(a));
}

void main() {
    const vec3 dir = normalize(v_world - frame.camera_pos.xyz);
    const float cell = geo.origin.w;
    const float step_m = 0.7 * cell;
    const int steps = int(min(400.0, length(geo.size.xyz) / step_m + 1.0));
    vec3 p = v_world + dir * (0.5 * step_m);
    vec3 colour = vec3(0.0);
    float alpha = 0.0;
    const float lo = frame.extra.x, hi = frame.extra.y;
    for (int s = 0; s < steps && alpha < 0.97; ++s, p += dir * step_m) {
        const vec3 g = (p - geo.origin.xyz) / cell;
        if (any(lessThan(g, vec3(0.0))) || any(greaterThanEqual(g, vec3(geo.dims.xyz)))) break;
        const uvec3 c3 = uvec3(g);
        const uint c = (c3.z * geo.dims.y + c3.y) * geo.dims.x + c3.x;
        const uint kind = patches[(mask[c >> 2] >> (8u * (c & 3u))) & 0xffu].kind.x;
        if (kind == LBM_WALL || kind == LBM_INLET) break;
        const float t = clamp((moments[c].w - lo) / max(hi - lo, 1e-3), 0.0, 1.0);
        const float a = frame.extra.z * 0.3 * smoothstep(0.55, 1.0, t) * (step_m / 0.3);
        colour += (1.0 - alpha) * a * inferno(t);
        alpha += (1.0 - alpha) * a;
    }
    if (alpha < 0.004) discard;
    out_color = vec4(colour / alpha, alpha);
}
