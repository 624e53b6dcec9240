#version 450
// Limited slopes of the second-order scheme (pass "slopes" of swe_reference.hpp; swe_reference.cpp
// cell_slopes / compute_slopes): per cell, minmod or van Leer slopes of h, eta = h + z, u and v along x and
// along y, zero for dry cells; a dry neighbour whose bed is above this cell's surface counts as a wall for the
// surface; ghosts at the edges copy the cell (normal velocity negated at walls).
#include "flood/swe_shared.h"

layout(local_size_x = SWE_LOCAL, local_size_y = SWE_LOCAL) in;
layout(std430, binding = 0) readonly buffer State { vec4 s[]; };
layout(std430, binding = 1) readonly buffer Bed { float bed[]; };
layout(std430, binding = 2) writeonly buffer Slopes { vec4 slopes[]; };  // [2k]: along x, [2k+1]: along y
layout(push_constant) uniform Push { SwePush p; };

const float kDry = 1e-6;

struct Prim {
    float h, u, v, z;
};

Prim prim_of(uint k) {
    const vec4 c = s[k];
    const bool wet = c.x > kDry;
    return Prim(c.x, wet ? c.y / c.x : 0.0, wet ? c.z / c.x : 0.0, bed[k]);
}

Prim ghost(Prim c, uint e, int dir) {
    Prim g = c;
    if ((p.dims.z & (1u << e)) == 0u) {  // a wall
        if (dir == 0) g.u = -c.u;
        else g.v = -c.v;
    }
    return g;
}

float limit(float a, float b) {
    if (a * b <= 0.0) return 0.0;
    if ((p.dims.w & SWE_VAN_LEER) != 0u) return 2.0 * a * b / (a + b);
    return a > 0.0 ? min(a, b) : max(a, b);
}

vec4 cell_slopes(Prim m, Prim c, Prim q) {
    if (c.h <= kDry) return vec4(0.0);
    const float eta = c.h + c.z;
    const float eta_m = m.h <= kDry && m.z > eta ? eta : m.h + m.z;
    const float eta_p = q.h <= kDry && q.z > eta ? eta : q.h + q.z;
    return vec4(limit(c.h - m.h, q.h - c.h), limit(eta - eta_m, eta_p - eta), limit(c.u - m.u, q.u - c.u),
                limit(c.v - m.v, q.v - c.v));
}

void main() {
    const uint nx = p.dims.x, ny = p.dims.y;
    const uint i = gl_GlobalInvocationID.x, j = gl_GlobalInvocationID.y;
    if (i >= nx || j >= ny) return;
    const uint k = j * nx + i;
    const Prim c = prim_of(k);
    const Prim w = i > 0u ? prim_of(k - 1u) : ghost(c, 0u, 0);
    const Prim e = i + 1u < nx ? prim_of(k + 1u) : ghost(c, 1u, 0);
    const Prim so = j > 0u ? prim_of(k - nx) : ghost(c, 2u, 1);
    const Prim n = j + 1u < ny ? prim_of(k + nx) : ghost(c, 3u, 1);
    slopes[2u * k] = cell_slopes(w, c, e);
    slopes[2u * k + 1u] = cell_slopes(so, c, n);
}
