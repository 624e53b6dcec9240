#version 450
// The air temperature on the vertical slice, nearest cell, through the inferno table (frame.extra: x, y the
// colour range (C), w opacity); solid cells (racks, units, doors) are left out.
#include "common/frame.glsl"
#include "datacenter/lbm_shared.h"

layout(std430, binding = 0) readonly buffer Geometry { vec4 origin; vec4 size; uvec4 dims; } geo;
layout(std430, binding = 1) readonly buffer Moments { vec4 moments[]; };
layout(std430, binding = 2) readonly buffer Mask { uint mask[]; };
layout(std430, binding = 3) readonly buffer Patches { LbmPatch patches[]; };
layout(std430, binding = 4) readonly buffer Lut { vec4 lut[256]; };
layout(location = 0) in vec3 v_world;
layout(location = 0) out vec4 out_color;

void main() {
    const vec3 g = clamp((v_world - geo.origin.xyz) / geo.origin.w, vec3(0.0), vec3(geo.dims.xyz) - 0.001);
    const uvec3 c3 = uvec3(g);
    const uint c = (c3.z * geo.dims.y + c3.y) * geo.dims.x + c3.x;
    const uint kind = patches[(mask[c >> 2] >> (8u * (c & 3u))) & 0xffu].kind.x;
    if (kind == LBM_WALL || kind == LBM_INLET) discard;
    const float x = clamp((moments[c].w - frame.extra.x) / max(frame.extra.y - frame.extra.x, 1e-3), 0.0, 1.0) * 255.0;
    const int i = min(int(x), 254);
    out_color = vec4(mix(lut[i].rgb, lut[i + 1].rgb, x - float(i)), frame.extra.w);
}
