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
layout(push_constant) uniform Push { SweClockPush p; };

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
    }
    clock = c;
}
