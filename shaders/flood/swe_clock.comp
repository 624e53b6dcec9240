#version 450
// The adaptive time step on the GPU (swe_shared.h SweClock): one workgroup reduces the per-subgroup partials
// swe_reduce.comp wrote after the last step (largest wave speed of the new state, its water, the step's ledger terms), logs that step for
// the host, and sets the next step's dt from the CFL condition, dt = C dx / max(|u|, |v|) + sqrt(g h) (Toro
// 2001, eq. 10.34, the 2D form used with the dimensional split bound), capped by the largest dt and by the time
// left in the window. The host never waits for the wave speed: it only reads the log a frame later.
#include "flood/swe_shared.h"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Partials { SwePartial part[]; };
layout(std430, binding = 1) buffer Clock { SweClock clock; };
layout(std430, binding = 2) writeonly buffer Log { SweLogEntry log_entries[]; };
layout(std430, binding = 3) readonly buffer Forcing { vec4 table[]; };  // swe_shared.h SWE_FORCING_*
layout(push_constant) uniform Push { SweClockPush p; };

// hydrograph.hpp StormCell::centre_at: constant speed along the path between its start and end.
vec2 storm_centre(float t) {
    const uint n = floatBitsToUint(table[SWE_FORCING_HEADER].x);
    const vec4 times = table[SWE_FORCING_STORM];
    if (n == 1u || times.z <= 0.0) return table[SWE_FORCING_PATH].xy;
    const float f = clamp((t - times.x) / max(times.y - times.x, 1e-9), 0.0, 1.0);
    const float d = f * times.z;
    for (uint k = 1u; k < n; ++k) {
        const vec4 a = table[SWE_FORCING_PATH + k - 1u], b = table[SWE_FORCING_PATH + k];
        if (d <= b.z || k + 1u == n) return mix(a.xy, b.xy, clamp((d - a.z) / max(b.z - a.z, 1e-9), 0.0, 1.0));
    }
    return table[SWE_FORCING_PATH + n - 1u].xy;
}

// hydrograph.hpp Hydrograph::at: linear between rows, the end values outside.
float discharge(uint first, uint rows, float t) {
    if (t <= table[first].x) return table[first].y;
    for (uint r = 1u; r < rows; ++r) {
        const vec4 a = table[first + r - 1u], b = table[first + r];
        if (t <= b.x) return mix(a.y, b.y, (t - a.x) / max(b.x - a.x, 1e-9));
    }
    return table[first + rows - 1u].y;
}

shared vec4 sa[256];
shared vec2 sb[256];

void main() {
    const uint l = gl_LocalInvocationIndex;
    vec4 a = vec4(0.0);
    vec2 b = vec2(0.0);
    for (uint k = l; k < p.n.x; k += 256u) {
        const SwePartial q = part[k];
        a = vec4(max(a.x, q.a.x), a.yzw + q.a.yzw);
        b += q.b.xy;
    }
    sa[l] = a;
    sb[l] = b;
    barrier();
    for (uint stride = 128u; stride > 0u; stride >>= 1u) {
        if (l < stride) {
            const vec4 o = sa[l + stride];
            sa[l] = vec4(max(sa[l].x, o.x), sa[l].yzw + o.yzw);
            sb[l] += sb[l + stride];
        }
        barrier();
    }
    if (l != 0u) return;
    const vec4 total = sa[0];
    const vec2 added = sb[0];
    SweClock c = clock;
    if (c.u.x == 1u)
        log_entries[c.u.y] = SweLogEntry(vec4(c.t.x, c.t.z, total.y, total.z), vec4(total.w, added.x, added.y, c.t.y));
    c.u.x = 0u;
    if (p.n.z == 1u) c.t.y += p.w.x;  // a window starts (a window with no steps only adds its time)
    if (p.n.w == 0u) {
        const float speed = total.x;
        const float dt_cfl = speed > 0.0 ? p.w.z * p.w.y / speed : p.w.w;
        const float dt = max(0.0, min(min(dt_cfl, p.w.w), c.t.y));
        c.t.x = dt;
        c.t.y = dt >= c.t.y ? 0.0 : c.t.y - dt;  // the window's last step ends it exactly
        c.t.z = speed;
        c.u.x = 1u;
        c.u.y = p.n.y;
        // The step's forcing at its middle on the flood clock (the window ends at f.x with c.t.y still to go).
        const float t_mid = p.f.x - c.t.y - 0.5 * dt;
        c.t.w = t_mid;
        const uint paths = floatBitsToUint(table[SWE_FORCING_HEADER].x);
        const uint inflows = floatBitsToUint(table[SWE_FORCING_HEADER].y);
        const vec4 times = table[SWE_FORCING_STORM];
        c.storm = vec4(0.0);
        if (paths > 0u && p.f.z > 0.0 && t_mid >= times.x && t_mid <= times.y)
            c.storm = vec4(storm_centre(t_mid), p.f.y, p.f.z);
        c.inflow_cells = uvec4(0xffffffffu);
        c.inflow_rates = vec4(0.0);
        for (uint e = 0u; e < min(inflows, 4u); ++e) {
            const vec4 d = table[SWE_FORCING_PATH + paths + e];
            c.inflow_cells[e] = floatBitsToUint(d.x);
            c.inflow_rates[e] = discharge(floatBitsToUint(d.y), floatBitsToUint(d.z), t_mid) / p.f.w;
        }
    }
    clock = c;
}
