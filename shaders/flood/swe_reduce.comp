#version 450
// After each clocked step: the new state's largest wave speed max(|u|, |v|) + sqrt(g h) (sqrt(g h) for the inertial
// scheme) and its water, and the
// step's ledger terms (outflow, infiltration, rain, inflow), summed per subgroup into the partials the clock pass
// (swe_clock.comp) reduces. Each invocation first sums a run of consecutive cells, then the subgroup reduces;
// there is no barrier() and no shared memory: llvmpipe runs compute shaders with a barrier several times slower,
// which made a workgroup reduction inside the step cost 2.7x the step itself.
#extension GL_KHR_shader_subgroup_arithmetic : require
#extension GL_KHR_shader_subgroup_basic : require
#include "flood/swe_shared.h"

layout(local_size_x = SWE_REDUCE_LOCAL) in;
layout(std430, binding = 0) readonly buffer State { vec4 s[]; };
layout(std430, binding = 1) readonly buffer Ledger { vec4 ledger[]; };
layout(std430, binding = 2) writeonly buffer Partials { SwePartial part[]; };
layout(push_constant) uniform Push { SweReducePush p; };

void main() {
    const uint first = gl_GlobalInvocationID.x * p.n.y;
    const uint last = min(first + p.n.y, p.n.x);
    float speed = 0.0;
    vec4 sums = vec4(0.0);  // h, outflow, infiltrated, rain
    float inflow = 0.0;
    for (uint k = first; k < last; ++k) {
        const vec4 c = s[k];
        const vec4 l = ledger[k];
        // The inertial scheme's time step goes by sqrt(g h) alone (Bates et al. 2010 eq. 12); its y, z are face
        // discharges.
        const float u = p.n.z != 0u ? 0.0 : max(abs(c.y / c.x), abs(c.z / c.x));
        if (c.x > 1e-6) speed = max(speed, u + sqrt(p.g.x * c.x));
        sums += vec4(c.x, l.x, l.y, l.z);
        inflow += l.w;
    }
    speed = subgroupMax(speed);
    sums = subgroupAdd(sums);
    inflow = subgroupAdd(inflow);
    if (subgroupElect())
        part[gl_WorkGroupID.x * SWE_REDUCE_SLOTS + gl_SubgroupID] =
            SwePartial(vec4(speed, sums.xyz), vec4(sums.w, inflow, 0.0, 0.0));
}
