#version 450
// What the temperature volume's rays read (volume.frag), made once a frame: per cell, the temperature's place in
// the colour range (0 to 1), or -1 in a solid cell (where a ray ends); per brick of 4 x 4 x 4 cells, 1 where a
// ray through the brick can see something or must stop (a cell hot enough to be opaque, t above 0.55 of the
// colour range, where volume.frag's opacity starts; or a solid cell), 0 where every cell is clear air, so a ray
// crosses the brick in one jump with the same image.
#include "datacenter/lbm_shared.h"

layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer Moments { vec4 moments[]; };
layout(std430, binding = 1) readonly buffer Mask { uint mask[]; };
layout(std430, binding = 2) readonly buffer Patches { LbmPatch patches[]; };
layout(std430, binding = 3) writeonly buffer Bricks { uint bricks[]; };
layout(std430, binding = 4) writeonly buffer Cells { float cells[]; };
layout(push_constant) uniform Push {
    uvec4 dims;   // xyz: cells
    vec4 range;   // x: bottom of the colour range (C), y: top
} p;

void main() {
    const uvec3 nb = (p.dims.xyz + 3u) / 4u;
    const uint b = gl_GlobalInvocationID.x;
    if (b >= nb.x * nb.y * nb.z) return;
    const uvec3 b3 = uvec3(b % nb.x, (b / nb.x) % nb.y, b / (nb.x * nb.y));
    const uvec3 lo = b3 * 4u, hi = min(lo + 4u, p.dims.xyz);
    const float t_lo = p.range.x, t_span = max(p.range.y - p.range.x, 1e-3);
    uint seen = 0u;
    for (uint z = lo.z; z < hi.z; ++z)
        for (uint y = lo.y; y < hi.y; ++y)
            for (uint x = lo.x; x < hi.x; ++x) {
                const uint c = (z * p.dims.y + y) * p.dims.x + x;
                const uint kind = patches[(mask[c >> 2] >> (8u * (c & 3u))) & 0xffu].kind.x;
                const float t = clamp((moments[c].w - t_lo) / t_span, 0.0, 1.0);
                const bool solid = kind == LBM_WALL || kind == LBM_INLET;
                cells[c] = solid ? -1.0 : t;
                if (solid || t > 0.55) seen = 1u;
            }
    bricks[b] = seen;
}
