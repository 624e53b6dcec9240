// After the LBM bulk step (lbm_bulk.glsl), which steps every cell as fluid: the solid cells lbm_links.comp listed
// get their populations back unchanged (as LbmReference leaves them), and their moments (the patch's velocity and,
// for a fan face, its temperature) on the steps that write moments.
#include "datacenter/lbm_storage.glsl"
#include "datacenter/lbm_shared.h"
#include "datacenter/lbm_lattice.glsl"

layout(local_size_x = LBM_LIST_LOCAL) in;
layout(std430, binding = 6) readonly buffer G { float g_in[]; };     // D3Q7 heat, source
layout(std430, binding = 7) writeonly buffer GO { float g_out[]; };  // destination
layout(std430, binding = 9) readonly buffer Patches { LbmPatch patches[]; };
layout(std430, binding = 11) writeonly buffer Moments { vec4 moments[]; };  // ux, uy, uz, T
layout(std430, binding = 12) writeonly buffer Density { float density[]; };
layout(std430, binding = 13) readonly buffer Links { uint links[]; };
layout(std430, binding = 15) readonly buffer Keep { LbmListHeader keep_header; uint keep_list[]; };
layout(push_constant) uniform Push { LbmPush p; };

void main() {
    if (gl_GlobalInvocationID.x >= keep_header.dispatch.w) return;
    const uint c = keep_list[gl_GlobalInvocationID.x];
    const uint n = p.dims.x * p.dims.y * p.dims.z;
    for (uint k = 0u; k < 7u; ++k) oa[k * n + c] = fa[k * n + c];
    for (uint k = 0u; k < 6u; ++k) ob[k * n + c] = fb[k * n + c];
    for (uint k = 0u; k < 6u; ++k) oc[k * n + c] = fc[k * n + c];
    const bool thermal = (p.dims.w & LBM_THERMAL) != 0u;
    if (thermal)
        for (uint k = 0u; k < 7u; ++k) g_out[k * n + c] = g_in[k * n + c];
    if ((p.dims.w & LBM_WRITE_MOMENTS) != 0u) {
        const LbmPatch self = patches[links[c] & 0xffu];
        moments[c] = vec4(self.u_t.xyz, self.kind.x == LBM_INLET ? self.u_t.w : p.temps.x);
        density[c] = 1.0;
    }
}
