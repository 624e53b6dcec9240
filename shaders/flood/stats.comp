#version 450
// Per window: the running maxima of depth, speed and hazard and the arrival time of each cell (what the
// exports max_depth.asc, max_speed.asc, hazard.asc and arrival_time.asc hold), and the field the terrain
// overlay shows. Hazard rating HR = d (v + 0.5) (Environment Agency / Defra FD2321/TR2, 2006, eq. 2, without
// the debris factor); classes at 0.75, 1.25 and 2.0 ("low", "danger for some", "for most", "for all").
#include "flood/flood_shared.h"

layout(local_size_x = 16, local_size_y = 16) in;
layout(std430, binding = 0) readonly buffer State { vec4 s[]; };
layout(std430, binding = 1) buffer Stats { vec4 stats[]; };  // max depth, max speed, arrival (s, -1: none), max HR
layout(std430, binding = 2) writeonly buffer Shown { float shown[]; };
layout(push_constant) uniform Push { FloodStatsPush p; };

void main() {
    const uint i = gl_GlobalInvocationID.x, j = gl_GlobalInvocationID.y;
    if (i >= p.dims.x || j >= p.dims.y) return;
    const uint k = j * p.dims.x + i;
    vec4 st = stats[k];
    if (p.dims.w == 1u) {
        const vec4 c = s[k];
        const float h = c.x;
        const float speed = h > p.t.z ? length(c.yz) / h : 0.0;
        st.x = max(st.x, h);
        st.y = max(st.y, speed);
        if (st.z < 0.0 && h > p.t.y) st.z = p.t.x;
        st.w = max(st.w, h * (speed + 0.5));
        stats[k] = st;
    }
    const float nan = uintBitsToFloat(0x7fc00000u);
    float v = nan;
    if (p.dims.z == FLOOD_SHOW_MAX_DEPTH) v = st.x > 0.01 ? st.x : nan;
    else if (p.dims.z == FLOOD_SHOW_ARRIVAL) v = st.z >= 0.0 ? st.z / 60.0 : nan;
    else if (p.dims.z == FLOOD_SHOW_HAZARD) v = st.w < 0.01 ? nan : st.w < 0.75 ? 0.5 : st.w < 1.25 ? 1.5 : st.w < 2.0 ? 2.5 : 3.5;
    if (p.dims.z != FLOOD_SHOW_NONE) shown[k] = v;
}
