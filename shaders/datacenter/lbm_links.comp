#version 450
// Each cell's link word for the LBM steps: bits 0-7 its patch index, bit 8 + q set when the population q streams in
// from a solid cell or from outside a non-periodic edge (the cell at x - c_q), so a step reads one word per cell
// instead of every neighbour's patch. And two lists, each with its indirect dispatch (headers start as (0, 1, 1, 0)):
// the solid cells, whose populations lbm_keep.comp puts back after the bulk step; and the cells the bulk step
// (lbm_bulk.glsl, which bounces populations off resting walls itself) cannot take, for the boundary step
// (lbm_step.glsl): supplies, returns, and fluid cells next to a fan face (an Inlet) or a moving wall.
// Remade when a patch changes its kind or a wall starts or stops moving.
#include "datacenter/lbm_shared.h"

layout(local_size_x = LBM_LOCAL_X, local_size_y = LBM_LOCAL_Y) in;
layout(std430, binding = 0) readonly buffer Mask { uint mask[]; };
layout(std430, binding = 1) readonly buffer Patches { LbmPatch patches[]; };
layout(std430, binding = 2) writeonly buffer Links { uint links[]; };
layout(std430, binding = 3) buffer List { LbmListHeader header; uint list[]; };
layout(std430, binding = 4) buffer Keep { LbmListHeader keep_header; uint keep_list[]; };
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
    bool moving = false;  // a link to a fan face or a moving wall
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
            const LbmPatch np = patches[patch_of((uint(s.z) * dims.y + uint(s.y)) * dims.x + uint(s.x))];
            const uint k = np.kind.x;
            solid = k == LBM_WALL || k == LBM_INLET;
            if (k == LBM_INLET || (k == LBM_WALL && any(notEqual(np.u_t.xyz, vec3(0.0))))) moving = true;
        }
        if (solid) word |= 1u << uint(8 + q);
    }
    links[c] = word;
    const uint kind = patches[word & 0xffu].kind.x;
    if (kind == LBM_WALL || kind == LBM_INLET) {
        const uint i = atomicAdd(keep_header.dispatch.w, 1u);
        keep_list[i] = c;
        atomicMax(keep_header.dispatch.x, i / uint(LBM_LIST_LOCAL) + 1u);
    } else if (kind != LBM_FLUID || moving) {
        const uint i = atomicAdd(header.dispatch.w, 1u);
        list[i] = c;
        atomicMax(header.dispatch.x, i / uint(LBM_LIST_LOCAL) + 1u);
    }
}
