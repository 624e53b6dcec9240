#version 450
// One fused pull step of the data hall's air and heat (src/modules/datacenter/lbm_reference.cpp
// LbmReference::step, mirrored statement by statement in float): D3Q19 flow with TRT or BGK collision,
// Smagorinsky subgrid viscosity (Hou et al. 1996), Guo forcing with Boussinesq buoyancy, half-way bounce-back with
// Ladd's moving-wall term (walls, fan faces), equilibrium and pressure-outlet nodes; D3Q7 heat on the same grid.
// Populations are stored shifted by their rest weights, q-major (population q of cell c at q * cells + c); the 19
// flow populations are split over three buffers (q 0-6, 7-12, 13-18) so that no binding exceeds the 128 MiB a
// storage buffer may span on llvmpipe.
#include "datacenter/lbm_shared.h"

layout(local_size_x = LBM_LOCAL_X) in;
layout(std430, binding = 0) readonly buffer FA { float fa[]; };   // q 0..6, source
layout(std430, binding = 1) readonly buffer FB { float fb[]; };   // q 7..12
layout(std430, binding = 2) readonly buffer FC { float fc[]; };   // q 13..18
layout(std430, binding = 3) writeonly buffer OA { float oa[]; };  // destination
layout(std430, binding = 4) writeonly buffer OB { float ob[]; };
layout(std430, binding = 5) writeonly buffer OC { float oc[]; };
layout(std430, binding = 6) readonly buffer G { float g_in[]; };     // D3Q7 heat, source
layout(std430, binding = 7) writeonly buffer GO { float g_out[]; };  // destination
layout(std430, binding = 8) readonly buffer Mask { uint mask[]; };   // one byte per cell: patch index
layout(std430, binding = 9) readonly buffer Patches { LbmPatch patches[]; };
layout(std430, binding = 10) readonly buffer Heat { float heat[]; };  // K per step per cell
layout(std430, binding = 11) writeonly buffer Moments { vec4 moments[]; };  // ux, uy, uz, T
layout(std430, binding = 12) writeonly buffer Density { float density[]; };
layout(push_constant) uniform Push { LbmPush p; };

const int CX[19] = int[19](0, 1, -1, 0, 0, 0, 0, 1, -1, 1, -1, 0, 0, 1, -1, 1, -1, 0, 0);
const int CY[19] = int[19](0, 0, 0, 1, -1, 0, 0, 1, -1, 0, 0, 1, -1, -1, 1, 0, 0, 1, -1);
const int CZ[19] = int[19](0, 0, 0, 0, 0, 1, -1, 0, 0, 1, -1, 1, -1, 0, 0, -1, 1, -1, 1);
const float W[19] = float[19](1.0 / 3.0, 1.0 / 18.0, 1.0 / 18.0, 1.0 / 18.0, 1.0 / 18.0, 1.0 / 18.0, 1.0 / 18.0,
                              1.0 / 36.0, 1.0 / 36.0, 1.0 / 36.0, 1.0 / 36.0, 1.0 / 36.0, 1.0 / 36.0, 1.0 / 36.0,
                              1.0 / 36.0, 1.0 / 36.0, 1.0 / 36.0, 1.0 / 36.0, 1.0 / 36.0);
const float WT[7] = float[7](0.25, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125);

uint n_cells() { return p.dims.x * p.dims.y * p.dims.z; }
int opposite(int q) { return q == 0 ? 0 : ((q & 1) != 0 ? q + 1 : q - 1); }

float read_f(int q, uint c) {
    const uint n = n_cells();
    if (q < 7) return fa[uint(q) * n + c];
    if (q < 13) return fb[uint(q - 7) * n + c];
    return fc[uint(q - 13) * n + c];
}
void write_f(int q, uint c, float v) {
    const uint n = n_cells();
    if (q < 7) oa[uint(q) * n + c] = v;
    else if (q < 13) ob[uint(q - 7) * n + c] = v;
    else oc[uint(q - 13) * n + c] = v;
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

float feq_shifted(int q, float drho, float rho, vec3 u, float usq) {
    const float cu = float(CX[q]) * u.x + float(CY[q]) * u.y + float(CZ[q]) * u.z;
    return W[q] * (drho + rho * (3.0 * cu + 4.5 * cu * cu - 1.5 * usq));
}
float geq_shifted(int q, float theta, float t, vec3 u) {
    const float cu = float(CX[q]) * u.x + float(CY[q]) * u.y + float(CZ[q]) * u.z;
    return WT[q] * (theta + 4.0 * cu * t);
}
float smagorinsky_tau(float tau0, float pi_neq_norm, float rho, float cs) {
    if (cs <= 0.0) return tau0;
    const float k = 18.0 * sqrt(2.0) * cs * cs * pi_neq_norm / rho;
    return 0.5 * (tau0 + sqrt(tau0 * tau0 + k));
}

void main() {
    const uint nx = p.dims.x, ny = p.dims.y, nz = p.dims.z;
    const uint x = gl_GlobalInvocationID.x, y = gl_GlobalInvocationID.y, z = gl_GlobalInvocationID.z;
    if (x >= nx || y >= ny || z >= nz) return;
    const uint c = (z * ny + y) * nx + x;
    const uint n = n_cells();
    const bool thermal = (p.dims.w & LBM_THERMAL) != 0u;
    const float t_offset = p.temps.y;
    const LbmPatch self = patches[patch_of(c)];
    const uint kind = self.kind.x;
    if (solid_kind(kind)) {
        moments[c] = vec4(self.u_t.xyz, kind == LBM_INLET ? self.u_t.w : p.temps.x);
        density[c] = 1.0;
        return;
    }
    const ivec3 xc = ivec3(x, y, z);

    // Streaming by gathering, bounce-back from solids with Ladd's term, heat riding on Inlet links.
    float f[19], g[7];
    float t_self = 0.0;
    bool t_self_known = false;
    for (int q = 0; q < 19; ++q) {
        const int s = neighbour(xc, -ivec3(CX[q], CY[q], CZ[q]));
        bool solid = s < 0;
        bool wall = false;
        LbmPatch np;
        if (!solid) {
            np = patches[patch_of(uint(s))];
            if (solid_kind(np.kind.x)) {
                solid = true;
                wall = true;
            }
        }
        if (solid) {
            const int o = opposite(q);
            f[q] = read_f(o, c);
            if (q < 7) g[q] = g_in[uint(o) * n + c];
            if (wall) {
                const float cu = float(CX[q]) * np.u_t.x + float(CY[q]) * np.u_t.y + float(CZ[q]) * np.u_t.z;
                if (cu != 0.0) {
                    const float dm = 6.0 * W[q] * cu;
                    f[q] += dm;
                    if (thermal && np.kind.x == LBM_INLET) {
                        float t_link = np.u_t.w;
                        if (cu < 0.0) {
                            if (!t_self_known) {
                                float theta = 0.0;
                                for (int r = 0; r < 7; ++r) theta += g_in[uint(r) * n + c];
                                t_self = t_offset + theta;
                                t_self_known = true;
                            }
                            t_link = t_self;
                        }
                        const float dh = t_link * dm;
                        if (q < 7) {
                            g[q] += dh;
                        } else {
                            const int c3[3] = int[3](CX[q], CY[q], CZ[q]);
                            for (int a = 0; a < 3; ++a)
                                if (c3[a] != 0) g[1 + 2 * a + (c3[a] < 0 ? 1 : 0)] += 0.5 * dh;
                        }
                    }
                }
            }
        } else {
            f[q] = read_f(q, uint(s));
            if (q < 7) g[q] = g_in[uint(q) * n + uint(s)];
        }
    }

    float drho = 0.0;
    vec3 j = vec3(0.0);
    for (int q = 0; q < 19; ++q) {
        drho += f[q];
        j += vec3(CX[q], CY[q], CZ[q]) * f[q];
    }
    const float rho = 1.0 + drho;
    float theta = 0.0;
    if (thermal)
        for (int q = 0; q < 7; ++q) theta += g[q];
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
        const float usq = dot(bu, bu);
        for (int q = 0; q < 19; ++q) write_f(q, c, feq_shifted(q, 0.0, 1.0, bu, usq));
        if (thermal) {
            const float btheta = bt - t_offset;
            for (int q = 0; q < 7; ++q) g_out[uint(q) * n + c] = geq_shifted(q, btheta, bt, bu);
        }
        moments[c] = vec4(bu, thermal ? bt : p.temps.x);
        density[c] = 1.0;
        return;
    }

    vec3 force = p.force.xyz;
    if (thermal && p.buoy.w != 0.0) force += -p.buoy.w * (t - p.temps.x) * p.buoy.xyz;
    const vec3 u = (j + 0.5 * force) / rho;
    const float usq = dot(u, u);
    float feq[19];
    for (int q = 0; q < 19; ++q) feq[q] = feq_shifted(q, drho, rho, u, usq);

    float tau_plus = p.relax.x;
    if (p.relax.z > 0.0) {
        float pxx = 0.0, pyy = 0.0, pzz = 0.0, pxy = 0.0, pxz = 0.0, pyz = 0.0;
        for (int q = 1; q < 19; ++q) {
            const float d = f[q] - feq[q];
            pxx += float(CX[q] * CX[q]) * d;
            pyy += float(CY[q] * CY[q]) * d;
            pzz += float(CZ[q] * CZ[q]) * d;
            pxy += float(CX[q] * CY[q]) * d;
            pxz += float(CX[q] * CZ[q]) * d;
            pyz += float(CY[q] * CZ[q]) * d;
        }
        pxx += force.x * u.x;
        pyy += force.y * u.y;
        pzz += force.z * u.z;
        pxy += 0.5 * (force.x * u.y + force.y * u.x);
        pxz += 0.5 * (force.x * u.z + force.z * u.x);
        pyz += 0.5 * (force.y * u.z + force.z * u.y);
        const float norm = sqrt(pxx * pxx + pyy * pyy + pzz * pzz + 2.0 * (pxy * pxy + pxz * pxz + pyz * pyz));
        tau_plus = smagorinsky_tau(p.relax.x, norm, rho, p.relax.z);
    }
    const float tau_minus = (p.dims.w & LBM_TRT) != 0u ? 0.5 + p.relax.y / (tau_plus - 0.5) : tau_plus;
    const float wp = 1.0 / tau_plus, wm = 1.0 / tau_minus;
    const float uf = dot(u, force);
    const float kp = 1.0 - 0.5 * wp, km = 1.0 - 0.5 * wm;
    write_f(0, c, f[0] - wp * (f[0] - feq[0]) + kp * W[0] * (-3.0 * uf));
    for (int q = 1; q < 19; q += 2) {
        const int o = q + 1;
        const vec3 cq = vec3(CX[q], CY[q], CZ[q]);
        const float cu = dot(cq, u), cf = dot(cq, force);
        const float s_plus = W[q] * (-3.0 * uf + 9.0 * cu * cf);
        const float s_minus = W[q] * 3.0 * cf;
        const float fp = 0.5 * (f[q] + f[o]), fm = 0.5 * (f[q] - f[o]);
        const float ep = 0.5 * (feq[q] + feq[o]), em = 0.5 * (feq[q] - feq[o]);
        const float relax_p = wp * (fp - ep), relax_m = wm * (fm - em);
        write_f(q, c, f[q] - relax_p - relax_m + kp * s_plus + km * s_minus);
        write_f(o, c, f[o] - relax_p + relax_m + kp * s_plus - km * s_minus);
    }
    if (thermal) {
        const float nu_t = (tau_plus - p.relax.x) / 3.0;
        const float tau_g = p.relax.w + 4.0 * nu_t / p.force.w;
        const float wg = 1.0 / tau_g;
        const float src = heat[c];
        for (int q = 0; q < 7; ++q)
            g_out[uint(q) * n + c] = g[q] - wg * (g[q] - geq_shifted(q, theta, t, u)) + WT[q] * src;
    }
    moments[c] = vec4(u, thermal ? t : p.temps.x);
    density[c] = rho;
}
