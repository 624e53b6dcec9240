// Datacenter module: plain C++ reference of the lattice Boltzmann air-flow and heat solver (summary in
// lbm_reference.hpp). Written per cell as one fused pull step so that the compute shader mirrors it one invocation
// per cell, in single precision and in the same operation order.
#include "modules/datacenter/lbm_reference.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace infrascape::datacenter {

namespace {

// [SECTION] Lattices
// D3Q19 weights (Qian, d'Humieres & Lallemand 1992): 1/3 rest, 1/18 axis, 1/36 diagonal; c_s^2 = 1/3.
constexpr std::array<float, kQ> kW{1.f / 3,  1.f / 18, 1.f / 18, 1.f / 18, 1.f / 18, 1.f / 18, 1.f / 18,
                                   1.f / 36, 1.f / 36, 1.f / 36, 1.f / 36, 1.f / 36, 1.f / 36, 1.f / 36,
                                   1.f / 36, 1.f / 36, 1.f / 36, 1.f / 36, 1.f / 36};
// D3Q7 weights for advection-diffusion: 1/4 rest, 1/8 axis, c_s^2 = 1/4, so alpha = (tau_g - 1/2) / 4
// (e.g. Krueger et al. 2017, "The Lattice Boltzmann Method", sec. 8.3). D3Q7 rather than a finite-volume upwind
// scheme: it has the same gather/collide/write structure as the flow kernel (one fused pass, no extra stencil
// code), it conserves heat exactly (sum of g), and its numerical diffusion is far below first-order upwind's
// u dx / 2 at the cell Peclet numbers of a data hall.
constexpr std::array<float, kQT> kWT{1.f / 4, 1.f / 8, 1.f / 8, 1.f / 8, 1.f / 8, 1.f / 8, 1.f / 8};

// Shifted equilibrium f_eq - w (second order in u, Qian et al. 1992): w (drho + rho (3 cu + 4.5 cu^2 - 1.5 u^2)),
// with drho = rho - 1, so a fluid at rest has all zeros (Lehmann et al. 2022 on "DDF shifting" in FP32).
inline float feq_shifted(int q, float drho, float rho, float ux, float uy, float uz, float usq) {
    const float cu = kCx[q] * ux + kCy[q] * uy + kCz[q] * uz;
    return kW[q] * (drho + rho * (3.0f * cu + 4.5f * cu * cu - 1.5f * usq));
}

// Linear D3Q7 equilibrium g_eq = w T (1 + c.u / c_s^2), c_s^2 = 1/4: advection-diffusion with velocity u.
// Stored shifted by w T_offset like the flow populations: g_eq - w T_offset = w (theta + 4 (c.u) T), with
// theta = T - T_offset, so that small heat increments are not lost against 20 degC in single precision.
inline float geq_shifted(int q, float theta, float t, float ux, float uy, float uz) {
    const float cu = kCx[q] * ux + kCy[q] * uy + kCz[q] * uz;
    return kWT[q] * (theta + 4.0f * cu * t);
}

bool valid_tau(float tau) { return std::isfinite(tau) && tau > 0.5f; }

}  // namespace

StepReport& StepReport::operator+=(const StepReport& r) {
    mass_boundary += r.mass_boundary;
    heat_boundary += r.heat_boundary;
    heat_source += r.heat_source;
    heat_inlet += r.heat_inlet;
    steps += r.steps;
    return *this;
}

// Hou, Sterling, Chen & Doolen (1996), "A lattice Boltzmann subgrid model for high Reynolds number flows",
// Fields Inst. Commun. 6, eqs. 11-13: nu_t = (Cs dx)^2 |S|, with the strain rate obtained locally from the
// non-equilibrium momentum flux, S = -Pi_neq / (2 rho c_s^2 tau). Solving tau = tau0 + 3 nu_t for tau gives the
// root below (lattice units, dx = dt = 1, |S| = sqrt(2 S:S)).
float smagorinsky_tau(float tau0, float pi_neq_norm, float rho, float cs) {
    if (cs <= 0.0f) return tau0;
    const float k = 18.0f * std::sqrt(2.0f) * cs * cs * pi_neq_norm / rho;
    return 0.5f * (tau0 + std::sqrt(tau0 * tau0 + k));
}

// [SECTION] Construction and geometry

LbmReference::LbmReference(uint32_t nx, uint32_t ny, uint32_t nz, const LbmParams& params)
    : nx_(nx), ny_(ny), nz_(nz), params_(params), t_offset_c_(params.reference_c) {
    if (nx == 0 || ny == 0 || nz == 0) throw std::invalid_argument("LbmReference: every dimension must be >= 1");
    validate();
    patches_.push_back(Patch{CellKind::Fluid, {0, 0, 0}, params.reference_c});
    patches_.push_back(Patch{CellKind::Wall, {0, 0, 0}, params.reference_c});
    const std::size_t n = cells();
    mask_.assign(n, 0);
    heat_k_.assign(n, 0.0f);
    f_.assign(n * kQ, 0.0f);
    f_next_.assign(n * kQ, 0.0f);
    g_.assign(n * kQT, 0.0f);
    g_next_.assign(n * kQT, 0.0f);
    rho_.assign(n, 1.0f);
    ux_.assign(n, 0.0f);
    uy_.assign(n, 0.0f);
    uz_.assign(n, 0.0f);
    temp_.assign(n, params.reference_c);
    initialise(1.0f, {0, 0, 0}, params.reference_c);
}

void LbmReference::validate() const {
    const LbmParams& p = params_;
    if (!valid_tau(p.tau)) throw std::invalid_argument("LbmReference: tau must be > 0.5");
    if (p.thermal && !valid_tau(p.tau_thermal)) throw std::invalid_argument("LbmReference: tau_thermal must be > 0.5");
    if (!(p.magic > 0.0f) || !std::isfinite(p.magic)) throw std::invalid_argument("LbmReference: magic must be > 0");
    if (!(p.smagorinsky_cs >= 0.0f && p.smagorinsky_cs <= 0.5f))
        throw std::invalid_argument("LbmReference: smagorinsky_cs must be in [0, 0.5] (typical 0.1-0.17)");
    if (!(p.prandtl_turbulent > 0.0f)) throw std::invalid_argument("LbmReference: prandtl_turbulent must be > 0");
}

uint8_t LbmReference::add_patch(const Patch& patch) {
    if (patches_.size() >= 256) throw std::invalid_argument("LbmReference: at most 256 patches");
    patches_.push_back(patch);
    return static_cast<uint8_t>(patches_.size() - 1);
}

Patch& LbmReference::patch(uint8_t mask_value) {
    if (mask_value >= patches_.size()) throw std::invalid_argument("LbmReference: no such patch");
    return patches_[mask_value];
}

void LbmReference::set_cell(uint32_t x, uint32_t y, uint32_t z, uint8_t mask_value) {
    if (x >= nx_ || y >= ny_ || z >= nz_) throw std::invalid_argument("LbmReference: cell outside the grid");
    if (mask_value >= patches_.size()) throw std::invalid_argument("LbmReference: no such patch");
    mask_[cell(x, y, z)] = mask_value;
}

void LbmReference::fill_box(uint32_t x0, uint32_t x1, uint32_t y0, uint32_t y1, uint32_t z0, uint32_t z1,
                            uint8_t mask_value) {
    if (mask_value >= patches_.size()) throw std::invalid_argument("LbmReference: no such patch");
    for (uint32_t z = z0; z < std::min(z1, nz_); ++z)
        for (uint32_t y = y0; y < std::min(y1, ny_); ++y)
            for (uint32_t x = x0; x < std::min(x1, nx_); ++x) mask_[cell(x, y, z)] = mask_value;
}

void LbmReference::set_heat_source(uint32_t x, uint32_t y, uint32_t z, float k_per_step) {
    if (x >= nx_ || y >= ny_ || z >= nz_) throw std::invalid_argument("LbmReference: cell outside the grid");
    heat_k_[cell(x, y, z)] = k_per_step;
}

// [SECTION] Initial state

void LbmReference::write_equilibrium(std::size_t c, float rho, const std::array<float, 3>& u, float t) {
    const std::size_t n = cells();
    const float usq = u[0] * u[0] + u[1] * u[1] + u[2] * u[2];
    for (int q = 0; q < kQ; ++q) f_[q * n + c] = feq_shifted(q, rho - 1.0f, rho, u[0], u[1], u[2], usq);
    for (int q = 0; q < kQT; ++q) g_[q * n + c] = geq_shifted(q, t - t_offset_c_, t, u[0], u[1], u[2]);
    rho_[c] = rho;
    ux_[c] = u[0];
    uy_[c] = u[1];
    uz_[c] = u[2];
    temp_[c] = t;
}

void LbmReference::set_equilibrium(uint32_t x, uint32_t y, uint32_t z, float rho, std::array<float, 3> u,
                                   float temperature_c) {
    if (x >= nx_ || y >= ny_ || z >= nz_) throw std::invalid_argument("LbmReference: cell outside the grid");
    const std::size_t c = cell(x, y, z);
    const Patch& p = patches_[mask_[c]];
    switch (p.kind) {
        case CellKind::Wall:
        case CellKind::Inlet: {  // solid: nothing stored; the moments report the wall (or fan face) itself
            const std::size_t n = cells();
            for (int q = 0; q < kQ; ++q) f_[q * n + c] = 0.0f;
            for (int q = 0; q < kQT; ++q) g_[q * n + c] = 0.0f;
            rho_[c] = 1.0f;
            ux_[c] = p.u[0];
            uy_[c] = p.u[1];
            uz_[c] = p.u[2];
            temp_[c] = p.kind == CellKind::Inlet ? p.temperature_c : params_.reference_c;
            break;
        }
        case CellKind::Equilibrium: write_equilibrium(c, 1.0f, p.u, p.temperature_c); break;
        case CellKind::Outlet: write_equilibrium(c, 1.0f, u, temperature_c); break;
        case CellKind::Fluid: write_equilibrium(c, rho, u, temperature_c); break;
    }
}

void LbmReference::initialise(float rho, std::array<float, 3> u, float temperature_c) {
    for (uint32_t z = 0; z < nz_; ++z)
        for (uint32_t y = 0; y < ny_; ++y)
            for (uint32_t x = 0; x < nx_; ++x) set_equilibrium(x, y, z, rho, u, temperature_c);
}

// [SECTION] The fused stream + collide step

StepReport LbmReference::step() {
    validate();
    const LbmParams& p = params_;
    const std::size_t n = cells();
    const int dims[3] = {static_cast<int>(nx_), static_cast<int>(ny_), static_cast<int>(nz_)};
    StepReport report;
    report.steps = 1;

    // Neighbour along -c (the pull source) of (x, y, z), or -1 outside a non-periodic edge.
    auto neighbour = [&](int x, int y, int z, int dx, int dy, int dz) -> long long {
        int s[3] = {x + dx, y + dy, z + dz};
        for (int a = 0; a < 3; ++a) {
            if (s[a] < 0 || s[a] >= dims[a]) {
                if (!p.periodic[a]) return -1;
                s[a] = (s[a] + dims[a]) % dims[a];
            }
        }
        return static_cast<long long>(cell(s[0], s[1], s[2]));
    };

    for (int z = 0; z < dims[2]; ++z) {
        for (int y = 0; y < dims[1]; ++y) {
            for (int x = 0; x < dims[0]; ++x) {
                const std::size_t c = cell(x, y, z);
                const Patch& self = patches_[mask_[c]];
                if (self.kind == CellKind::Wall || self.kind == CellKind::Inlet) {
                    rho_[c] = 1.0f;
                    ux_[c] = self.u[0];
                    uy_[c] = self.u[1];
                    uz_[c] = self.u[2];
                    temp_[c] = self.kind == CellKind::Inlet ? self.temperature_c : p.reference_c;
                    continue;
                }

                // Streaming by gathering (pull). A link whose source is solid (Wall or Inlet cell, or a non-periodic
                // edge) is half-way bounce-back (e.g. Krueger et al. 2017, sec. 5.2.3, eq. 5.26): the population
                // that left this cell towards the solid last step, f*_{opp(q)}(x), returns reversed. A moving solid
                // adds Ladd's (1994, J. Fluid Mech. 271, eq. 3.2) term 2 w_q rho_w (c_q . u_w) / c_s^2
                // = 6 w_q (c_q . u_w), with rho_w = rho0 = 1 (Krueger et al. eq. 5.27): tangential for the lid,
                // normal for an Inlet, where it injects exactly rho0 u_n per boundary face (sum over the five links
                // of 6 w_q c_n = 1). D3Q7 heat populations bounce back (adiabatic walls); across an Inlet face each
                // D3Q19 link's mass dm brings the heat T dm (the advective flux T u_n per face, no diffusive flux),
                // with T the patch temperature where air enters the fluid and this cell's own where it leaves (a
                // rack front sucking room air). Every term is booked in the report, so balances close to round-off.
                // The links of g are gathered first (q < 7), so the diagonal links' heat can be added to them.
                float f[kQ], g[kQT];
                float t_self = 0.0f;  // this cell's temperature from last step, for heat leaving through an Inlet
                bool t_self_known = false;
                for (int q = 0; q < kQ; ++q) {
                    const long long s = neighbour(x, y, z, -kCx[q], -kCy[q], -kCz[q]);
                    const Patch* wall = nullptr;
                    bool solid = s < 0;
                    if (!solid) {
                        const Patch& np = patches_[mask_[s]];
                        if (np.kind == CellKind::Wall || np.kind == CellKind::Inlet) {
                            solid = true;
                            wall = &np;
                        }
                    }
                    if (solid) {
                        const int o = opposite(q);
                        f[q] = f_[o * n + c];
                        if (q < kQT) g[q] = g_[o * n + c];
                        if (wall) {
                            const float cu = kCx[q] * wall->u[0] + kCy[q] * wall->u[1] + kCz[q] * wall->u[2];
                            if (cu != 0.0f) {
                                const float dm = 6.0f * kW[q] * cu;
                                f[q] += dm;
                                report.mass_boundary += dm;
                                if (p.thermal && wall->kind == CellKind::Inlet) {
                                    float t_link = wall->temperature_c;
                                    if (cu < 0.0f) {
                                        if (!t_self_known) {
                                            float theta = 0.0f;
                                            for (int r = 0; r < kQT; ++r) theta += g_[r * n + c];
                                            t_self = t_offset_c_ + theta;
                                            t_self_known = true;
                                        }
                                        t_link = t_self;
                                    }
                                    // Heat T dm rides on the D3Q7 populations along the link's axes (half each
                                    // for a diagonal), so it enters exactly with the mass, link by link.
                                    const float dh = t_link * dm;
                                    if (q < kQT) {
                                        g[q] += dh;
                                    } else {
                                        const int c3[3] = {kCx[q], kCy[q], kCz[q]};
                                        for (int a = 0; a < 3; ++a)
                                            if (c3[a] != 0) g[1 + 2 * a + (c3[a] < 0 ? 1 : 0)] += 0.5f * dh;
                                    }
                                    report.heat_boundary += dh;
                                    report.heat_inlet += dh;
                                }
                            }
                        }
                    } else {
                        f[q] = f_[q * n + s];
                        if (q < kQT) g[q] = g_[q * n + s];
                    }
                }

                // Moments of what arrived. drho = rho - 1 and theta = T - T_offset from the shifted populations.
                float drho = 0.0f, jx = 0.0f, jy = 0.0f, jz = 0.0f;
                for (int q = 0; q < kQ; ++q) {
                    drho += f[q];
                    jx += kCx[q] * f[q];
                    jy += kCy[q] * f[q];
                    jz += kCz[q] * f[q];
                }
                const float rho = 1.0f + drho;
                float theta = 0.0f;
                if (p.thermal)
                    for (int q = 0; q < kQT; ++q) theta += g[q];
                const float t = t_offset_c_ + theta;

                float* fo = f_next_.data();
                float* go = g_next_.data();

                if (self.kind == CellKind::Equilibrium || self.kind == CellKind::Outlet) {
                    // Equilibrium cell (equilibrium re-initialisation, e.g. Krueger et al. 2017 sec. 5.3.4): reset
                    // each step to f_eq(rho0 = 1, u_patch) and g_eq(T_patch, u_patch); neighbours pull from it like
                    // from fluid. A fixed-temperature, fixed-pressure node: cold plates, supply plenums.
                    // Pressure outflow: reset to the equilibrium at rho0 = 1 with the mean velocity and temperature
                    // of its fluid face neighbours (post-collision moments of the source buffer): zero-gradient u
                    // and T, fixed density (pressure c_s^2 rho0). The mass and heat the reset adds or removes are
                    // booked in the report.
                    float bu[3] = {self.u[0], self.u[1], self.u[2]};
                    float bt = self.temperature_c;
                    if (self.kind == CellKind::Outlet) {
                        float su[3] = {0, 0, 0}, stheta = 0.0f;
                        int count = 0;
                        for (int q = 1; q < kQT; ++q) {
                            const long long s = neighbour(x, y, z, kCx[q], kCy[q], kCz[q]);
                            if (s < 0 || patches_[mask_[s]].kind != CellKind::Fluid) continue;
                            float nd = 0.0f, nj[3] = {0, 0, 0}, nt = 0.0f;
                            for (int r = 0; r < kQ; ++r) {
                                const float fr = f_[r * n + s];
                                nd += fr;
                                nj[0] += kCx[r] * fr;
                                nj[1] += kCy[r] * fr;
                                nj[2] += kCz[r] * fr;
                            }
                            for (int r = 0; r < kQT; ++r) nt += g_[r * n + s];
                            for (int a = 0; a < 3; ++a) su[a] += nj[a] / (1.0f + nd);
                            stheta += nt;
                            ++count;
                        }
                        if (count > 0) {
                            for (int a = 0; a < 3; ++a) bu[a] = su[a] / count;
                            bt = t_offset_c_ + stheta / count;
                        } else {  // no fluid neighbour: keep what arrived
                            bu[0] = jx / rho;
                            bu[1] = jy / rho;
                            bu[2] = jz / rho;
                            bt = t;
                        }
                    }
                    const float usq = bu[0] * bu[0] + bu[1] * bu[1] + bu[2] * bu[2];
                    for (int q = 0; q < kQ; ++q) fo[q * n + c] = feq_shifted(q, 0.0f, 1.0f, bu[0], bu[1], bu[2], usq);
                    report.mass_boundary += -static_cast<double>(drho);
                    if (p.thermal) {
                        const float btheta = bt - t_offset_c_;
                        for (int q = 0; q < kQT; ++q) go[q * n + c] = geq_shifted(q, btheta, bt, bu[0], bu[1], bu[2]);
                        report.heat_boundary += static_cast<double>(btheta) - theta;
                    }
                    rho_[c] = 1.0f;
                    ux_[c] = bu[0];
                    uy_[c] = bu[1];
                    uz_[c] = bu[2];
                    temp_[c] = p.thermal ? bt : p.reference_c;
                    continue;
                }

                // Body force: the uniform one plus Boussinesq buoyancy F = -rho0 beta (T - T0) g (rho0 = 1).
                float force[3] = {p.body_force[0], p.body_force[1], p.body_force[2]};
                if (p.thermal && p.beta_per_k != 0.0f) {
                    const float b = -p.beta_per_k * (t - p.reference_c);
                    for (int a = 0; a < 3; ++a) force[a] += b * p.gravity[a];
                }
                // Guo, Zheng & Shi (2002), Phys. Rev. E 65, 046308, eq. 19: u = (sum f c + F / 2) / rho.
                const float ux = (jx + 0.5f * force[0]) / rho;
                const float uy = (jy + 0.5f * force[1]) / rho;
                const float uz = (jz + 0.5f * force[2]) / rho;
                const float usq = ux * ux + uy * uy + uz * uz;

                float feq[kQ];
                for (int q = 0; q < kQ; ++q) feq[q] = feq_shifted(q, drho, rho, ux, uy, uz, usq);

                // Smagorinsky (Hou et al. 1996): |Pi_neq| from f - f_eq, with the Guo forcing correction
                // Pi_neq += (F u + u F) / 2 (the Guo-forced viscous stress, Krueger et al. 2017, ch. 6).
                float tau_plus = p.tau;
                if (p.smagorinsky_cs > 0.0f) {
                    float pxx = 0, pyy = 0, pzz = 0, pxy = 0, pxz = 0, pyz = 0;
                    for (int q = 1; q < kQ; ++q) {
                        const float d = f[q] - feq[q];
                        pxx += kCx[q] * kCx[q] * d;
                        pyy += kCy[q] * kCy[q] * d;
                        pzz += kCz[q] * kCz[q] * d;
                        pxy += kCx[q] * kCy[q] * d;
                        pxz += kCx[q] * kCz[q] * d;
                        pyz += kCy[q] * kCz[q] * d;
                    }
                    pxx += force[0] * ux;
                    pyy += force[1] * uy;
                    pzz += force[2] * uz;
                    pxy += 0.5f * (force[0] * uy + force[1] * ux);
                    pxz += 0.5f * (force[0] * uz + force[2] * ux);
                    pyz += 0.5f * (force[1] * uz + force[2] * uy);
                    const float norm = std::sqrt(pxx * pxx + pyy * pyy + pzz * pzz +
                                                 2.0f * (pxy * pxy + pxz * pxz + pyz * pyz));
                    tau_plus = smagorinsky_tau(p.tau, norm, rho, p.smagorinsky_cs);
                }
                // TRT (Ginzburg, Verhaeghe & d'Humieres 2008, Commun. Comput. Phys. 3, eqs. 8-11): the symmetric
                // part relaxes with tau+ (viscosity), the antisymmetric part with tau- from the magic parameter
                // Lambda = (tau+ - 1/2)(tau- - 1/2); Lambda = 3/16 puts bounce-back walls exactly half-way for
                // Poiseuille flow. BGK: tau- = tau+.
                const float tau_minus =
                    p.collision == Collision::Trt ? 0.5f + p.magic / (tau_plus - 0.5f) : tau_plus;
                const float wp = 1.0f / tau_plus, wm = 1.0f / tau_minus;
                // Guo source S_q = w_q [3 (c - u) . F + 9 (c . u)(c . F)] split into symmetric and antisymmetric
                // parts, each scaled by (1 - omega / 2) of its own relaxation (Guo et al. 2002 eq. 20; TRT split as
                // in Seta 2013, Phys. Rev. E 87, 063304).
                const float uf = ux * force[0] + uy * force[1] + uz * force[2];
                const float kp = 1.0f - 0.5f * wp, km = 1.0f - 0.5f * wm;
                fo[c] = f[0] - wp * (f[0] - feq[0]) + kp * kW[0] * (-3.0f * uf);
                for (int q = 1; q < kQ; q += 2) {
                    const int o = q + 1;
                    const float cu = kCx[q] * ux + kCy[q] * uy + kCz[q] * uz;
                    const float cf = kCx[q] * force[0] + kCy[q] * force[1] + kCz[q] * force[2];
                    const float s_plus = kW[q] * (-3.0f * uf + 9.0f * cu * cf);
                    const float s_minus = kW[q] * 3.0f * cf;
                    const float fp = 0.5f * (f[q] + f[o]), fm = 0.5f * (f[q] - f[o]);
                    const float ep = 0.5f * (feq[q] + feq[o]), em = 0.5f * (feq[q] - feq[o]);
                    const float relax_p = wp * (fp - ep), relax_m = wm * (fm - em);
                    fo[q * n + c] = f[q] - relax_p - relax_m + kp * s_plus + km * s_minus;
                    fo[o * n + c] = f[o] - relax_p + relax_m + kp * s_plus - km * s_minus;
                }

                // Heat: D3Q7 BGK advection-diffusion with the fluid velocity; the eddy diffusivity nu_t / Pr_t of
                // the Smagorinsky model adds 4 alpha_t to tau_g. The source is released isotropically after the
                // collision (w_q Q, sum Q), so the heat added per step is exactly Q.
                if (p.thermal) {
                    const float nu_t = (tau_plus - p.tau) / 3.0f;
                    const float tau_g = p.tau_thermal + 4.0f * nu_t / p.prandtl_turbulent;
                    const float wg = 1.0f / tau_g;
                    const float src = heat_k_[c];
                    for (int q = 0; q < kQT; ++q)
                        go[q * n + c] = g[q] - wg * (g[q] - geq_shifted(q, theta, t, ux, uy, uz)) + kWT[q] * src;
                    report.heat_source += src;
                }
                rho_[c] = rho;
                ux_[c] = ux;
                uy_[c] = uy;
                uz_[c] = uz;
                temp_[c] = p.thermal ? t : p.reference_c;
            }
        }
    }
    f_.swap(f_next_);
    if (p.thermal) g_.swap(g_next_);
    return report;
}

double face_flow_per_speed(const LbmReference& lbm, uint8_t patch, std::array<float, 3> dir, bool into_fluid) {
    double flow = 0;
    const int dims[3] = {int(lbm.nx()), int(lbm.ny()), int(lbm.nz())};
    for (uint32_t z = 0; z < lbm.nz(); ++z)
        for (uint32_t y = 0; y < lbm.ny(); ++y)
            for (uint32_t x = 0; x < lbm.nx(); ++x) {
                if (lbm.mask()[lbm.cell(x, y, z)] != patch) continue;
                for (int q = 1; q < kQ; ++q) {
                    const float cd = kCx[q] * dir[0] + kCy[q] * dir[1] + kCz[q] * dir[2];
                    if (into_fluid ? cd <= 0.0f : cd >= 0.0f) continue;
                    int n[3] = {int(x) + kCx[q], int(y) + kCy[q], int(z) + kCz[q]};
                    bool inside = true;
                    for (int a = 0; a < 3; ++a) {
                        if (n[a] >= 0 && n[a] < dims[a]) continue;
                        if (!lbm.params().periodic[a]) inside = false;
                        n[a] = (n[a] + dims[a]) % dims[a];
                    }
                    if (!inside) continue;
                    const CellKind k = lbm.patches()[lbm.mask()[lbm.cell(n[0], n[1], n[2])]].kind;
                    if (k == CellKind::Wall || k == CellKind::Inlet) continue;
                    flow += 6.0 * kW[q] * std::abs(cd);
                }
            }
    return flow;
}

StepReport LbmReference::run(uint32_t steps) {
    StepReport total;
    for (uint32_t i = 0; i < steps; ++i) total += step();
    return total;
}

// [SECTION] Readback

CellSample LbmReference::sample(uint32_t x, uint32_t y, uint32_t z) const {
    if (x >= nx_ || y >= ny_ || z >= nz_) throw std::invalid_argument("LbmReference: cell outside the grid");
    const std::size_t c = cell(x, y, z);
    return CellSample{rho_[c], {ux_[c], uy_[c], uz_[c]}, temp_[c]};
}

double LbmReference::total_mass() const {
    const std::size_t n = cells();
    double m = 0.0;
    for (std::size_t c = 0; c < n; ++c) {
        const CellKind k = patches_[mask_[c]].kind;
        if (k == CellKind::Wall || k == CellKind::Inlet) continue;
        m += 1.0;
        for (int q = 0; q < kQ; ++q) m += f_[q * n + c];
    }
    return m;
}

double LbmReference::total_heat() const {
    const std::size_t n = cells();
    double h = 0.0;
    for (std::size_t c = 0; c < n; ++c) {
        const CellKind k = patches_[mask_[c]].kind;
        if (k == CellKind::Wall || k == CellKind::Inlet) continue;
        h += t_offset_c_;
        for (int q = 0; q < kQT; ++q) h += g_[q * n + c];
    }
    return h;
}

// [SECTION] Units

LbmUnits LbmUnits::from_velocity(double dx_m, double u_max_m_s, double u_max_lattice) {
    if (!(dx_m > 0.0) || !(u_max_m_s > 0.0) || !(u_max_lattice > 0.0))
        throw std::invalid_argument("LbmUnits::from_velocity: dx, u_max and u_max_lattice must be > 0");
    LbmUnits u;
    u.dx_m = dx_m;
    u.dt_s = u_max_lattice * dx_m / u_max_m_s;
    return u;
}

StabilityReport stability_report(const LbmUnits& units, double u_max_m_s, double nu_m2_s, double alpha_m2_s) {
    StabilityReport r;
    r.u_max_lattice = units.velocity_to_lattice(u_max_m_s);
    r.mach = r.u_max_lattice * std::sqrt(3.0);
    r.tau = units.tau_for_viscosity(nu_m2_s);
    r.tau_thermal = units.tau_for_diffusivity(alpha_m2_s);
    auto line = [&](const std::string& s) { r.warning += (r.warning.empty() ? "" : "\n") + s; };
    char buf[256];
    if (r.mach > kMaxMach) {
        std::snprintf(buf, sizeof buf,
                      "Mach %.3f > %.1f (lattice velocity %.3f): compressibility error; lower u_max_lattice", r.mach,
                      kMaxMach, r.u_max_lattice);
        line(buf);
    }
    if (r.tau - 0.5 < kMinTauMargin) {
        std::snprintf(buf, sizeof buf,
                      "tau %.6f is within %.3f of 1/2: under-resolved flow, unstable without a subgrid model; "
                      "enable Smagorinsky (Cs 0.1-0.17) or refine dx",
                      r.tau, kMinTauMargin);
        line(buf);
    }
    if (r.tau_thermal - 0.5 < kMinTauMargin) {
        std::snprintf(buf, sizeof buf,
                      "tau_thermal %.6f is within %.3f of 1/2: heat transport relies on the eddy diffusivity",
                      r.tau_thermal, kMinTauMargin);
        line(buf);
    }
    return r;
}

}  // namespace infrascape::datacenter
