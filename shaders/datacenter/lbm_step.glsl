// The boundary cells' step of the data hall's air and heat (src/modules/datacenter/lbm_reference.cpp
// LbmReference::step, mirrored statement by statement in float): D3Q19 flow with TRT or BGK collision,
// Smagorinsky subgrid viscosity (Hou et al. 1996), Guo forcing with Boussinesq buoyancy, half-way bounce-back with
// Ladd's moving-wall term (walls, fan faces), equilibrium and pressure-outlet nodes; D3Q7 heat on the same grid.
// Populations are stored shifted by their rest weights, q-major (population q of cell c at q * cells + c); the 19
// flow populations are split over three buffers (q 0-6, 7-12, 13-18) so that no binding exceeds the 128 MiB a
// storage buffer may span on llvmpipe.
//
// It runs over the list lbm_links.comp makes: supplies, returns, and fluid cells next to a fan face or a moving
// wall. The bulk step (lbm_bulk.glsl) has already stepped every cell as fluid with resting walls; this pass
// overwrites the listed cells with the full scheme. Splitting the two matters on a SIMD CPU device (llvmpipe),
// which executes every branch of a shader for every cell, taken or not.
#include "datacenter/lbm_storage.glsl"
#include "datacenter/lbm_shared.h"
#include "datacenter/lbm_lattice.glsl"

layout(local_size_x = LBM_LIST_LOCAL) in;
layout(std430, binding = 6) readonly buffer G { float g_in[]; };     // D3Q7 heat, source
layout(std430, binding = 7) writeonly buffer GO { float g_out[]; };  // destination
layout(std430, binding = 8) readonly buffer Mask { uint mask[]; };   // one byte per cell: patch index
layout(std430, binding = 9) readonly buffer Patches { LbmPatch patches[]; };
layout(std430, binding = 10) readonly buffer Heat { float heat[]; };  // K per step per cell
layout(std430, binding = 11) writeonly buffer Moments { vec4 moments[]; };  // ux, uy, uz, T
layout(std430, binding = 12) writeonly buffer Density { float density[]; };
layout(std430, binding = 13) readonly buffer Links { uint links[]; };  // lbm_links.comp
layout(std430, binding = 14) readonly buffer List { LbmListHeader header; uint list[]; };
layout(push_constant) uniform Push { LbmPush p; };

uint n_cells() { return p.dims.x * p.dims.y * p.dims.z; }
int opposite(int q) { return q == 0 ? 0 : ((q & 1) != 0 ? q + 1 : q - 1); }

float read_f(int q, uint c) {
    const uint n = n_cells();
    if (q < 7) return POP_LOAD(fa[uint(q) * n + c]);
    if (q < 13) return POP_LOAD(fb[uint(q - 7) * n + c]);
    return POP_LOAD(fc[uint(q - 13) * n + c]);
}
void write_f(int q, uint c, float v) {
    const uint n = n_cells();
    if (q < 7) oa[uint(q) * n + c] = POP_STORE(v);
    else if (q < 13) ob[uint(q - 7) * n + c] = POP_STORE(v);
    else oc[uint(q - 13) * n + c] = POP_STORE(v);
}
uint patch_of(uint c) { return (mask[c >> 2] >> (8u * (c & 3u))) & 0xffu; }
bool solid_kind(uint k) { return k == LBM_WALL || k == LBM_INLET; }

// The cell at (x, y, z) + d, or -1 outside a non-periodic edge.
int neighbour(ivec3 x, ivec3 d) {
    ivec3 s = x + d;
    const ivec3 dims = ivec3(p.dims.xyz);
    for (int a = 0; a < 3; ++a) {
        if (s[a] < 0 || s[a] >= dims[a]) {
            if ((p.dims.w & (1u << uint(a))) == 0u) return -1;
            s[a] = (s[a] + dims[a]) % dims[a];
        }
    }
    return (s.z * dims.y + s.y) * dims.x + s.x;
}

// The cell's incoming populations (invocation-private, indexed by constants only after unrolling).
float f[19], g[7];
bool thermal;
uint c, n;
float t_self;
bool t_self_known;

// Population q comes from a solid cell or from outside a non-periodic edge: half-way bounce-back, plus Ladd's term
// for a moving wall (a fan face), which also carries the heat of an Inlet's air (or takes this cell's).
void bounce(int q, ivec3 xc) {
    const int o = opposite(q);
    f[q] = read_f(o, c);
    if (!thermal) {
        if (q < 7) g[q] = 0.0;
    } else if (q < 7) {
        g[q] = g_in[uint(o) * n + c];
    }
    const int s = neighbour(xc, -ivec3(CX[q], CY[q], CZ[q]));
    if (s < 0) return;  // outside the box: a plain wall
    const LbmPatch np = patches[patch_of(uint(s))];
    const float cu = float(CX[q]) * np.u_t.x + float(CY[q]) * np.u_t.y + float(CZ[q]) * np.u_t.z;
    if (cu == 0.0) return;
    const float dm = 6.0 * W[q] * cu;
    f[q] += dm;
    if (!thermal || np.kind.x != LBM_INLET) return;
    float t_link = np.u_t.w;
    if (cu < 0.0) {
        if (!t_self_known) {
            float theta = 0.0;
            for (int r = 0; r < 7; ++r) theta += g_in[uint(r) * n + c];
            t_self = p.temps.y + theta;
            t_self_known = true;
        }
        t_link = t_self;
    }
    const float dh = t_link * dm;
    if (q < 7) {
        g[q] += dh;
    } else {
        if (CX[q] != 0) g[CX[q] > 0 ? 1 : 2] += 0.5 * dh;
        if (CY[q] != 0) g[CY[q] > 0 ? 3 : 4] += 0.5 * dh;
        if (CZ[q] != 0) g[CZ[q] > 0 ? 5 : 6] += 0.5 * dh;
    }
}

void main() {
    const uint nx = p.dims.x, ny = p.dims.y, nz = p.dims.z;
    if (gl_GlobalInvocationID.x >= header.dispatch.w) return;
    c = list[gl_GlobalInvocationID.x];
    const uint x = c % nx, y = (c / nx) % ny, z = c / (nx * ny);
    n = nx * ny * nz;
    thermal = (p.dims.w & LBM_THERMAL) != 0u;
    const bool write_moments = (p.dims.w & LBM_WRITE_MOMENTS) != 0u;
    const float t_offset = p.temps.y;
    const uint word = links[c];
    const LbmPatch self = patches[word & 0xffu];
    const uint kind = self.kind.x;
    const ivec3 xc = ivec3(x, y, z);
    t_self_known = false;

    // Streaming by gathering from x - c_q; a flagged link bounces back. The neighbours' offsets wrap on a periodic
    // edge; on a non-periodic one the link is flagged and the offset never read.
    const uint sx_m = x == 0u ? nx - 1u : x - 1u, sx_p = x + 1u == nx ? 0u : x + 1u;
    const uint sy_m = (y == 0u ? ny - 1u : y - 1u) * nx, sy_0 = y * nx, sy_p = (y + 1u == ny ? 0u : y + 1u) * nx;
    const uint plane = nx * ny;
    const uint sz_m = (z == 0u ? nz - 1u : z - 1u) * plane, sz_0 = z * plane, sz_p = (z + 1u == nz ? 0u : z + 1u) * plane;
#define SRC_X(cx) ((cx) > 0 ? sx_m : (cx) < 0 ? sx_p : x)
#define SRC_Y(cy) ((cy) > 0 ? sy_m : (cy) < 0 ? sy_p : sy_0)
#define SRC_Z(cz) ((cz) > 0 ? sz_m : (cz) < 0 ? sz_p : sz_0)
#define LINKED(q) ((word & (1u << uint(8 + q))) != 0u)
    // Heat first: a diagonal link's bounce below adds half its heat to two of the axis populations.
#define STREAM_G(q, cx, cy, cz) \
    if (!LINKED(q)) g[q] = g_in[uint(q) * n + SRC_Z(cz) + SRC_Y(cy) + SRC_X(cx)];
    if (thermal) { FOR_G(STREAM_G) }
#define STREAM(q, cx, cy, cz) \
    if (LINKED(q)) bounce(q, xc); else f[q] = read_f(q, SRC_Z(cz) + SRC_Y(cy) + SRC_X(cx));
    FOR_Q(STREAM)

    float drho = 0.0;
    vec3 j = vec3(0.0);
#define MOMENT(q, cx, cy, cz) drho += f[q]; j += vec3(cx, cy, cz) * f[q];
    FOR_Q(MOMENT)
    const float rho = 1.0 + drho;
    float theta = 0.0;
#define THETA(q, cx, cy, cz) theta += g[q];
    if (thermal) { FOR_G(THETA) }
    const float t = t_offset + theta;

    if (kind == LBM_EQUILIBRIUM || kind == LBM_OUTLET) {
        vec3 bu = self.u_t.xyz;
        float bt = self.u_t.w;
        if (kind == LBM_OUTLET) {
            vec3 su = vec3(0.0);
            float stheta = 0.0;
            int count = 0;
            for (int q = 1; q < 7; ++q) {
                const int s = neighbour(xc, ivec3(CX[q], CY[q], CZ[q]));
                if (s < 0 || patches[patch_of(uint(s))].kind.x != LBM_FLUID) continue;
                float nd = 0.0, nt = 0.0;
                vec3 nj = vec3(0.0);
                for (int r = 0; r < 19; ++r) {
                    const float fr = read_f(r, uint(s));
                    nd += fr;
                    nj += vec3(CX[r], CY[r], CZ[r]) * fr;
                }
                for (int r = 0; r < 7; ++r) nt += g_in[uint(r) * n + uint(s)];
                su += nj / (1.0 + nd);
                stheta += nt;
                ++count;
            }
            if (count > 0) {
                bu = su / float(count);
                bt = t_offset + stheta / float(count);
            } else {
                bu = j / rho;
                bt = t;
            }
        }
        const float busq = dot(bu, bu);
#define WRITE_EQ(q, cx, cy, cz) write_f(q, c, feq_shifted(q, 0.0, 1.0, bu, busq));
        FOR_Q(WRITE_EQ)
        if (thermal) {
            const float btheta = bt - t_offset;
#define WRITE_GEQ(q, cx, cy, cz) g_out[uint(q) * n + c] = geq_shifted(q, btheta, bt, bu);
            FOR_G(WRITE_GEQ)
        }
        if (write_moments) {
            moments[c] = vec4(bu, thermal ? bt : p.temps.x);
            density[c] = 1.0;
        }
        return;
    }

    vec3 force = p.force.xyz;
    if (thermal && p.buoy.w != 0.0) force += -p.buoy.w * (t - p.temps.x) * p.buoy.xyz;
    const vec3 u = (j + 0.5 * force) / rho;
    const float usq = dot(u, u);
    float feq[19];
#define FEQ(q, cx, cy, cz) feq[q] = feq_shifted(q, drho, rho, u, usq);
    FOR_Q(FEQ)

    float tau_plus = p.relax.x;
    if (p.relax.z > 0.0) SMAGORINSKY_TAU(tau_plus)
    const float tau_minus = (p.dims.w & LBM_TRT) != 0u ? 0.5 + p.relax.y / (tau_plus - 0.5) : tau_plus;
    const float wp = 1.0 / tau_plus, wm = 1.0 / tau_minus;
    const float uf = dot(u, force);
    const float kp = 1.0 - 0.5 * wp, km = 1.0 - 0.5 * wm;
    write_f(0, c, f[0] - wp * (f[0] - feq[0]) + kp * W[0] * (-3.0 * uf));
#define LBM_STORE(q, v) write_f(q, c, v);
    FOR_PAIRS(COLLIDE_PAIR)
    if (thermal) {
        const float nu_t = (tau_plus - p.relax.x) / 3.0;
        const float tau_g = p.relax.w + 4.0 * nu_t / p.force.w;
        const float wg = 1.0 / tau_g;
        const float src = heat[c];
        FOR_G(COLLIDE_G)
    }
    if (write_moments) {
        moments[c] = vec4(u, thermal ? t : p.temps.x);
        density[c] = rho;
    }
}
