#version 450
// Each cell's link word for the LBM boundary step (lbm_step.glsl): bits 0-7 its patch index, bit 8 + q set when
// the population q streams in from a solid cell or from outside a non-periodic edge (the cell at x - c_q), so the
// step reads one word per cell instead of every neighbour's patch; and the list of the cells that step must take
// (any cell not a fluid cell with 18 fluid links), with its indirect dispatch. The header starts as (0, 1, 1, 0).
// Recomputed when a patch changes its kind.
#include "datacenter/lbm_shared.h"

layout(local_size_x = LBM_LOCAL_X, local_size_y = LBM_LOCAL_Y) in;
layout(std430, binding = 0) readonly buffer Mask { uint mask[]; };
layout(std430, binding = 1) readonly buffer Patches { LbmPatch patches[]; };
layout(std430, binding = 2) writeonly buffer Links { uint links[]; };
layout(std430, binding = 3) buffer List { LbmListHeader header; uint list[]; };
layout(push_constant) uniform Push { LbmPush p; };

const int CX[19] = int[19](0, 1, -1, 0, 0, 0, 0, 1, -1, 1, -1, 0, 0, 1, -1, 1, -1, 0, 0);
const int CY[19] = int[19](0, 0, 0, 1, -1, 0, 0, 1, -1, 0, 0, 1, -1, -1, 1, 0, 0, 1, -1);
const int CZ[19] = int[19](0, 0, 0, 0, 0, 1, -1, 0, 0, 1, -1, 1, -1, 0, 0, -1, 1, -1, 1);

uint patch_of(uint c) { return (mask[c >> 2] >> (8u * (c & 3u))) & 0xffu; }

void main() {
    const uvec3 dims = p.dims.xyz;
    const uvec3 x = gl_GlobalInvocationID;
    if (any(greaterThanEqual(x, dims))) return;
    const uint c = (x.z * dims.y + x.y) * dims.x + x.x;
    uint word = patch_of(c);
    for (int q = 1; q < 19; ++q) {
        ivec3 s = ivec3(x) - ivec3(CX[q], CY[q], CZ[q]);
        bool outside = false;
        for (int a = 0; a < 3; ++a) {
            if (s[a] < 0 || s[a] >= int(dims[a])) {
                if ((p.dims.w & (1u << uint(a))) == 0u) outside = true;
                s[a] = (s[a] + int(dims[a])) % int(dims[a]);
            }
        }
        bool solid = outside;
        if (!outside) {
            const uint k = patches[patch_of((uint(s.z) * dims.y + uint(s.y)) * dims.x + uint(s.x))].kind.x;
            solid = k == LBM_WALL || k == LBM_INLET;
        }
        if (solid) word |= 1u << uint(8 + q);
    }
    links[c] = word;
    if (word > 0xffu || patches[word & 0xffu].kind.x != LBM_FLUID) {
        const uint i = atomicAdd(header.dispatch.w, 1u);
        list[i] = c;
        atomicMax(header.dispatch.x, i / uint(LBM_LIST_LOCAL) + 1u);
    }
}
