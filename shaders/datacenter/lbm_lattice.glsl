// The D3Q19 / D3Q7 lattices, their equilibria and the Smagorinsky relaxation time, shared by the LBM steps
// (lbm_step.glsl for boundary cells, lbm_bulk.glsl for the rest). Mirrors src/modules/datacenter/lbm_reference.cpp.
#ifndef DATACENTER_LBM_LATTICE_GLSL
#define DATACENTER_LBM_LATTICE_GLSL

const int CX[19] = int[19](0, 1, -1, 0, 0, 0, 0, 1, -1, 1, -1, 0, 0, 1, -1, 1, -1, 0, 0);
const int CY[19] = int[19](0, 0, 0, 1, -1, 0, 0, 1, -1, 0, 0, 1, -1, -1, 1, 0, 0, 1, -1);
const int CZ[19] = int[19](0, 0, 0, 0, 0, 1, -1, 0, 0, 1, -1, 1, -1, 0, 0, -1, 1, -1, 1);
const float W[19] = float[19](1.0 / 3.0, 1.0 / 18.0, 1.0 / 18.0, 1.0 / 18.0, 1.0 / 18.0, 1.0 / 18.0, 1.0 / 18.0,
                              1.0 / 36.0, 1.0 / 36.0, 1.0 / 36.0, 1.0 / 36.0, 1.0 / 36.0, 1.0 / 36.0, 1.0 / 36.0,
                              1.0 / 36.0, 1.0 / 36.0, 1.0 / 36.0, 1.0 / 36.0, 1.0 / 36.0);
const float WT[7] = float[7](0.25, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125);

// M(q, cx, cy, cz) for each of the 19 directions (the CX/CY/CZ tables), and for the 7 of D3Q7.
#define FOR_Q(M) M(0, 0, 0, 0) M(1, 1, 0, 0) M(2, -1, 0, 0) M(3, 0, 1, 0) M(4, 0, -1, 0) M(5, 0, 0, 1) \
    M(6, 0, 0, -1) M(7, 1, 1, 0) M(8, -1, -1, 0) M(9, 1, 0, 1) M(10, -1, 0, -1) M(11, 0, 1, 1) M(12, 0, -1, -1) \
    M(13, 1, -1, 0) M(14, -1, 1, 0) M(15, 1, 0, -1) M(16, -1, 0, 1) M(17, 0, 1, -1) M(18, 0, -1, 1)
#define FOR_G(M) M(0, 0, 0, 0) M(1, 1, 0, 0) M(2, -1, 0, 0) M(3, 0, 1, 0) M(4, 0, -1, 0) M(5, 0, 0, 1) M(6, 0, 0, -1)
#define FOR_PAIRS(M) M(1) M(3) M(5) M(7) M(9) M(11) M(13) M(15) M(17)

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

// [SECTION] The collision, as macros over the caller's local names (both steps use the same ones): f[19] and
// feq[19] (incoming populations and their equilibria), u, force, rho; wp, wm, kp, km, uf as set before
// FOR_PAIRS(COLLIDE_PAIR); g[7], theta, t, wg, src for COLLIDE_G. The caller defines LBM_STORE(q, value) (where
// population q of this cell goes) and declares g_out, n and c.

// Adds population q's share of the non-equilibrium momentum flux Pi_neq to pxx ... pyz (Smagorinsky).
#define PI_NEQ(q, cx, cy, cz)               \
    {                                       \
        const float d = f[q] - feq[q];      \
        pxx += float(cx * cx) * d;          \
        pyy += float(cy * cy) * d;          \
        pzz += float(cz * cz) * d;          \
        pxy += float(cx * cy) * d;          \
        pxz += float(cx * cz) * d;          \
        pyz += float(cy * cz) * d;          \
    }
// tau+ with the Smagorinsky eddy viscosity (Hou et al. 1996), from Pi_neq with Guo's forcing correction.
#define SMAGORINSKY_TAU(tau_plus)                                                                                 \
    {                                                                                                            \
        float pxx = 0.0, pyy = 0.0, pzz = 0.0, pxy = 0.0, pxz = 0.0, pyz = 0.0;                                   \
        FOR_Q(PI_NEQ)                                                                                            \
        pxx += force.x * u.x;                                                                                    \
        pyy += force.y * u.y;                                                                                    \
        pzz += force.z * u.z;                                                                                    \
        pxy += 0.5 * (force.x * u.y + force.y * u.x);                                                            \
        pxz += 0.5 * (force.x * u.z + force.z * u.x);                                                            \
        pyz += 0.5 * (force.y * u.z + force.z * u.y);                                                            \
        const float norm = sqrt(pxx * pxx + pyy * pyy + pzz * pzz + 2.0 * (pxy * pxy + pxz * pxz + pyz * pyz));  \
        tau_plus = smagorinsky_tau(p.relax.x, norm, rho, p.relax.z);                                             \
    }
// TRT (or BGK) collision with Guo forcing of the pair (q, q + 1), opposite directions.
#define COLLIDE_PAIR(q)                                                                       \
    {                                                                                         \
        const vec3 cq = vec3(CX[q], CY[q], CZ[q]);                                            \
        const float cu = dot(cq, u), cf = dot(cq, force);                                     \
        const float s_plus = W[q] * (-3.0 * uf + 9.0 * cu * cf);                              \
        const float s_minus = W[q] * 3.0 * cf;                                                \
        const float fp = 0.5 * (f[q] + f[q + 1]), fm = 0.5 * (f[q] - f[q + 1]);               \
        const float ep = 0.5 * (feq[q] + feq[q + 1]), em = 0.5 * (feq[q] - feq[q + 1]);       \
        const float relax_p = wp * (fp - ep), relax_m = wm * (fm - em);                       \
        LBM_STORE(q, f[q] - relax_p - relax_m + kp * s_plus + km * s_minus);                  \
        LBM_STORE(q + 1, f[q + 1] - relax_p + relax_m + kp * s_plus - km * s_minus);          \
    }
// BGK collision of the D3Q7 heat population q with the source term.
#define COLLIDE_G(q, cx, cy, cz) g_out[uint(q) * n + c] = g[q] - wg * (g[q] - geq_shifted(q, theta, t, u)) + WT[q] * src;

#endif
