#version 450
// One Fruchterman-Reingold iteration (Fruchterman and Reingold 1991, "Graph drawing by force-directed
// placement", Softw. Pract. Exper. 21(11), fig. 1): every bus is pushed away from every other by k^2/d and
// pulled toward its neighbours by d^2/k; the move is limited by the temperature; anchored buses (placed from
// a gazetteer or a generator) are then pulled back inside their tether circle. Gather form, one invocation per bus, other buses read in tiles
// through shared memory. Mirrored by layout_iteration() in src/modules/grid/layout.cpp.
#include "grid/grid_shared.h"

layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer PosIn { vec4 pos_in[]; };    // xy m, z unused, w: 1 tethered
layout(std430, binding = 1) writeonly buffer PosOut { vec4 pos_out[]; };
layout(std430, binding = 2) readonly buffer AdjOffset { uint adj_offset[]; };  // buses + 1
layout(std430, binding = 3) readonly buffer Adj { uint adj[]; };
layout(std430, binding = 4) readonly buffer Anchors { vec4 anchors[]; };  // xy centre, z radius (m)
layout(push_constant) uniform Push { LayoutPush p; };

shared vec2 tile[64];

void main() {
    const uint n = p.counts.x;
    const uint i = gl_GlobalInvocationID.x + gl_NumWorkGroups.x * gl_WorkGroupSize.x * gl_GlobalInvocationID.y;
    const float k = p.params.x, k2 = k * k;
    // Below this distance two buses count as this close (coincident buses get no infinite push).
    const float min_d2 = 1e-4 * k2;
    vec4 me = i < n ? pos_in[i] : vec4(0.0);
    vec2 disp = vec2(0.0);
    for (uint base = 0; base < n; base += 64) {
        const uint j = base + gl_LocalInvocationIndex;
        tile[gl_LocalInvocationIndex] = j < n ? pos_in[j].xy : vec2(0.0);
        barrier();
        const uint count = min(64u, n - base);
        for (uint t = 0; t < count; ++t) {
            if (base + t == i) continue;
            const vec2 d = me.xy - tile[t];
            const float d2 = max(dot(d, d), min_d2);
            disp += d * (k2 / d2);
        }
        barrier();
    }
    if (i >= n) return;
    for (uint e = adj_offset[i]; e < adj_offset[i + 1]; ++e) {
        const vec2 d = pos_in[adj[e]].xy - me.xy;
        disp += d * (length(d) / k);
    }
    // Gravity toward the map's centre, like an attraction d^2/k scaled by params.w: it balances the repulsion
    // of all the others at about the map's size, instead of the map's edge holding free buses in a pile.
    disp -= me.xy * (p.params.w * length(me.xy) / k);
    // A tethered bus is also drawn toward its place like along an edge, so a city's substations fill its disc
    // instead of being pressed against the rim by the rest of the grid.
    if (me.w != 0.0) {
        const vec2 d = anchors[i].xy - me.xy;
        disp += d * (length(d) / k);
    }
    vec2 next = me.xy;
    const float len = length(disp);
    if (len > 0.0) next += disp * (min(len, p.params.y) / len);
    if (me.w != 0.0) {  // tethered: back inside the anchor circle
        const vec4 a = anchors[i];
        const vec2 e = next - a.xy;
        const float d = length(e), r = max(a.z, 0.0);
        if (d > r) next = a.xy + e * (d > 0.0 ? r / d : 0.0);
    }
    next = clamp(next, vec2(-p.params.z), vec2(p.params.z));
    pos_out[i] = vec4(next, me.z, me.w);
}
