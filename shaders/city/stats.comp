#version 450
// City statistics for one frame, in integers so the result does not depend on the order of atomics:
// built cells, street cells (roads inside the built area), and the sum of quantized centrality weights that share out the population.
#include "city/ca_shared.h"

layout(local_size_x = 16, local_size_y = 16) in;
layout(std430, binding = 0) readonly buffer State { uint state[]; };
layout(std430, binding = 1) buffer Stats { uint built; uint roads; uint weight_sum; uint pad; } stats;

layout(push_constant) uniform Push {
    vec4 origin_cell;  // x0, y0 of cell (0,0) centre, cell size, unused
    vec4 centre;       // x, y of the historic centre, density decay length (m), unused
    uint nx, ny, pad0, pad1;
} pc;

// Share of the population a built cell houses: denser toward the historic centre (Clark 1951's
// negative-exponential density profile), quantized to 1/256.
uint centrality(uint i, uint j) {
    vec2 p = pc.origin_cell.xy + vec2(i, j) * pc.origin_cell.z;
    float d = length(p - pc.centre.xy);
    return uint(exp(-d / pc.centre.z) * 256.0) + 1u;
}

shared uint group_built, group_roads, group_weight;

void main() {
    // Sum in shared memory first, then one global atomic per workgroup: far less contention.
    if (gl_LocalInvocationIndex == 0u) {
        group_built = 0u;
        group_roads = 0u;
        group_weight = 0u;
    }
    barrier();
    uint i = gl_GlobalInvocationID.x, j = gl_GlobalInvocationID.y;
    if (i < pc.nx && j < pc.ny) {
        uint s = state[j * pc.nx + i];
        if ((s & CA_URBAN) != 0u) {
            atomicAdd(group_built, 1u);
            if ((s & CA_ROAD) == 0u) atomicAdd(group_weight, centrality(i, j));
        }
        // City streets: road cells inside the built area (the rural highways of year 0 are not the city's).
        if ((s & CA_ROAD) != 0u && (s & CA_URBAN) != 0u) atomicAdd(group_roads, 1u);
    }
    barrier();
    if (gl_LocalInvocationIndex == 0u) {
        if (group_built != 0u) atomicAdd(stats.built, group_built);
        if (group_roads != 0u) atomicAdd(stats.roads, group_roads);
        if (group_weight != 0u) atomicAdd(stats.weight_sum, group_weight);
    }
}
