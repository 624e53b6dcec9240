#version 450
// A horizontal slice of the hall's temperature (moments .w) at one layer of cells, as the terrain overlay's field
// (one float per cell of the floor plan; NaN inside racks and units, which hold no air).
#include "datacenter/lbm_shared.h"

layout(local_size_x = 16, local_size_y = 16) in;
layout(std430, binding = 0) readonly buffer Moments { vec4 moments[]; };
layout(std430, binding = 1) readonly buffer Mask { uint mask[]; };
layout(std430, binding = 2) readonly buffer Patches { LbmPatch patches[]; };
layout(std430, binding = 3) writeonly buffer Field { float field[]; };
layout(push_constant) uniform Push { uvec4 dims; } p;  // x, y, z: cells, w: the layer

void main() {
    const uint x = gl_GlobalInvocationID.x, y = gl_GlobalInvocationID.y;
    if (x >= p.dims.x || y >= p.dims.y) return;
    const uint c = (p.dims.w * p.dims.y + y) * p.dims.x + x;
    const uint kind = patches[(mask[c >> 2] >> (8u * (c & 3u))) & 0xffu].kind.x;
    field[y * p.dims.x + x] = (kind == LBM_WALL || kind == LBM_INLET) ? uintBitsToFloat(0x7fc00000u) : moments[c].w;
}
