// The bulk step of the data hall's air and heat: every cell stepped as a fluid cell, branch-free, the same scheme
// as lbm_step.glsl (which then overwrites the cells lbm_links.comp lists; lbm_keep.comp restores solid cells):
// pull streaming with half-way bounce-back off resting walls and closed edges (the cell's link word picks the
// address: the cell's own opposite population instead of the neighbour's), TRT or BGK with Guo forcing,
// and, by compile-time switch, Smagorinsky (LBM_BULK_LES) and D3Q7 heat with Boussinesq buoyancy (LBM_BULK_HEAT),
// so that a feature off costs nothing. The four variants are lbm_bulk_{flow,les,heat,les_heat}.comp.
#include "datacenter/lbm_storage.glsl"
#include "datacenter/lbm_shared.h"
#include "datacenter/lbm_lattice.glsl"

layout(local_size_x = LBM_LOCAL_X, local_size_y = LBM_LOCAL_Y) in;
layout(std430, binding = 6) readonly buffer G { float g_in[]; };     // D3Q7 heat, source
layout(std430, binding = 7) writeonly buffer GO { float g_out[]; };  // destination
layout(std430, binding = 10) readonly buffer Heat { float heat[]; };  // K per step per cell
layout(std430, binding = 11) writeonly buffer Moments { vec4 moments[]; };  // ux, uy, uz, T
layout(std430, binding = 12) writeonly buffer Density { float density[]; };
layout(std430, binding = 13) readonly buffer Links { uint links[]; };  // lbm_links.comp
layout(push_constant) uniform Push { LbmPush p; };

float read_f(int q, uint i) {
    if (q < 7) return POP_LOAD(fa[i]);
    if (q < 13) return POP_LOAD(fb[i]);
    return POP_LOAD(fc[i]);
}
void write_f(int q, uint i, float v) {
    if (q < 7) oa[i] = POP_STORE(v);
    else if (q < 13) ob[i] = POP_STORE(v);
    else oc[i] = POP_STORE(v);
}
// Population q's offset in its buffer.
uint part_offset(int q, uint n) { return uint(q < 7 ? q : q < 13 ? q - 7 : q - 13) * n; }

void main() {
    const uint nx = p.dims.x, ny = p.dims.y, nz = p.dims.z;
    const uint x = gl_GlobalInvocationID.x, y = gl_GlobalInvocationID.y, z = gl_GlobalInvocationID.z;
    if (x >= nx || y >= ny || z >= nz) return;
    const uint plane = nx * ny;
    const uint c = z * plane + y * nx + x;
    const uint n = plane * nz;

    const uint sx_m = x == 0u ? nx - 1u : x - 1u, sx_p = x + 1u == nx ? 0u : x + 1u;
    const uint sy_m = (y == 0u ? ny - 1u : y - 1u) * nx, sy_0 = y * nx, sy_p = (y + 1u == ny ? 0u : y + 1u) * nx;
    const uint sz_m = (z == 0u ? nz - 1u : z - 1u) * plane, sz_0 = z * plane, sz_p = (z + 1u == nz ? 0u : z + 1u) * plane;
#define SRC(cx, cy, cz) (((cz) > 0 ? sz_m : (cz) < 0 ? sz_p : sz_0) + ((cy) > 0 ? sy_m : (cy) < 0 ? sy_p : sy_0) + \
                         ((cx) > 0 ? sx_m : (cx) < 0 ? sx_p : x))
    const uint word = links[c];
#define LINKED(q) ((word & (1u << uint(8 + q))) != 0u)
#define OPP(q) ((q) == 0 ? 0 : ((q) & 1) != 0 ? (q) + 1 : (q) - 1)
    float f[19];
#define PULL(q, cx, cy, cz) f[q] = read_f(q, LINKED(q) ? part_offset(OPP(q), n) + c : part_offset(q, n) + SRC(cx, cy, cz));
    FOR_Q(PULL)
    float drho = 0.0;
    vec3 j = vec3(0.0);
#define MOMENT(q, cx, cy, cz) drho += f[q]; j += vec3(cx, cy, cz) * f[q];
    FOR_Q(MOMENT)
    const float rho = 1.0 + drho;
    vec3 force = p.force.xyz;
#ifdef LBM_BULK_HEAT
    float g[7];
#define PULL_G(q, cx, cy, cz) g[q] = g_in[LINKED(q) ? uint(OPP(q)) * n + c : uint(q) * n + SRC(cx, cy, cz)];
    FOR_G(PULL_G)
    float theta = 0.0;
#define THETA(q, cx, cy, cz) theta += g[q];
    FOR_G(THETA)
    const float t = p.temps.y + theta;
    force += -p.buoy.w * (t - p.temps.x) * p.buoy.xyz;
#endif
    const vec3 u = (j + 0.5 * force) / rho;
    const float usq = dot(u, u);
    float feq[19];
#define FEQ(q, cx, cy, cz) feq[q] = feq_shifted(q, drho, rho, u, usq);
    FOR_Q(FEQ)

    float tau_plus = p.relax.x;
#ifdef LBM_BULK_LES
    SMAGORINSKY_TAU(tau_plus)
#endif
    const float tau_minus = (p.dims.w & LBM_TRT) != 0u ? 0.5 + p.relax.y / (tau_plus - 0.5) : tau_plus;
    const float wp = 1.0 / tau_plus, wm = 1.0 / tau_minus;
    const float uf = dot(u, force);
    const float kp = 1.0 - 0.5 * wp, km = 1.0 - 0.5 * wm;
    write_f(0, c, f[0] - wp * (f[0] - feq[0]) + kp * W[0] * (-3.0 * uf));
#define LBM_STORE(q, v) write_f(q, part_offset(q, n) + c, v);
    FOR_PAIRS(COLLIDE_PAIR)
#ifdef LBM_BULK_HEAT
    const float nu_t = (tau_plus - p.relax.x) / 3.0;
    const float wg = 1.0 / (p.relax.w + 4.0 * nu_t / p.force.w);
    const float src = heat[c];
    FOR_G(COLLIDE_G)
#endif
    if ((p.dims.w & LBM_WRITE_MOMENTS) != 0u) {
#ifdef LBM_BULK_HEAT
        moments[c] = vec4(u, t);
#else
        moments[c] = vec4(u, p.temps.x);
#endif
        density[c] = rho;
    }
}
