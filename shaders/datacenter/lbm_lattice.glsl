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

#endif
