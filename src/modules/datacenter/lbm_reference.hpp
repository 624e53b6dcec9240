// Datacenter module: the plain C++ reference of the lattice Boltzmann air-flow and heat solver of a data hall.
// Every GPU kernel of the module mirrors this scheme cell by cell; tests/datacenter checks it against published
// and analytic solutions (Ghia et al. 1982 cavity, Poiseuille flow, conservation and energy balances).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace infrascape::datacenter {

// Scheme summary (details and references in lbm_reference.cpp):
//  - flow: D3Q19 lattice, single-precision populations stored shifted by their rest weight (f - w_q, so that a
//    fluid at rest holds zeros and round-off does not swamp small velocities; Skordos 1993, Lehmann et al. 2022),
//    structure of arrays: population q of cell (x, y, z) at index ((q * nz + z) * ny + y) * nx + x;
//  - one fused pull step per time step (each cell gathers its post-collision neighbours, collides, writes its own
//    cell of the other buffer of a ping-pong pair), the form a compute shader uses, one invocation per cell;
//  - collision TRT (Ginzburg 2008, magic Lambda = 3/16 by default) or BGK, Smagorinsky subgrid viscosity from the
//    non-equilibrium momentum flux (Hou et al. 1996), Guo, Zheng & Shi (2002) body force;
//  - heat: D3Q7 advection-diffusion lattice on the same grid and in the same step (BGK), populations shifted by
//    w_q T_offset, heat sources per cell, adiabatic walls, Boussinesq buoyancy F = -rho0 beta (T - T0) g fed back
//    to the flow in the same step;
//  - lattice units: dx = dt = 1, rho0 = 1, c_s^2 = 1/3 (flow), c_s^2 = 1/4 (D3Q7 heat); z is up.
//    Temperatures are in degrees Celsius, unscaled (the heat equation is linear in T).
// Known limitations:
//  - an Inlet cell whose diagonal links point into a Wall or a closed domain edge (a fan face touching a wall)
//    loses those links' share of the flow (1/6 of u_n per lost link): give fan faces a fluid margin, or read the
//    delivered flow from StepReport::mass_boundary;
//  - single-precision collisions do not conserve sum(g) exactly: heat bookkeeping closes to ~1e-3 of the heat
//    input over 10^4 steps (mass to ~1e-8 of the total), both far inside the tests' 2% balances;
//  - Equilibrium and Outlet cells fix rho0 = 1 (pressure); Ladd terms use rho_w = rho0 (not the local density).

inline constexpr int kQ = 19;       // D3Q19 flow populations
inline constexpr int kQT = 7;       // D3Q7 temperature populations
inline constexpr float kMagicTrt = 3.0f / 16.0f;  // Ginzburg's magic parameter: walls exactly half-way for Poiseuille

// D3Q19 velocities; q and opposite(q) are neighbours (1/2, 3/4, ...). The first seven are the D3Q7 set.
inline constexpr std::array<int, kQ> kCx{0, 1, -1, 0, 0, 0, 0, 1, -1, 1, -1, 0, 0, 1, -1, 1, -1, 0, 0};
inline constexpr std::array<int, kQ> kCy{0, 0, 0, 1, -1, 0, 0, 1, -1, 0, 0, 1, -1, -1, 1, 0, 0, 1, -1};
inline constexpr std::array<int, kQ> kCz{0, 0, 0, 0, 0, 1, -1, 0, 0, 1, -1, 1, -1, 0, 0, -1, 1, -1, 1};
constexpr int opposite(int q) { return q == 0 ? 0 : ((q & 1) ? q + 1 : q - 1); }

// What a cell is. The uint8 mask of the lattice holds, per cell, an index into the patch table; entries 0 and 1
// are always Fluid and a resting Wall. Each boundary (the lid, each rack fan face, each cooling unit) is one patch,
// so the GPU needs the byte mask plus a small table, and the panel or timeline can change a patch live.
enum class CellKind : uint8_t {
    Fluid,   // ordinary fluid cell
    Wall,         // solid: half-way bounce-back (Ladd 1994 moving-wall term when the patch velocity is non-zero,
                  // e.g. a cavity lid); adiabatic for heat (bounce-back of the D3Q7 populations)
    Inlet,        // solid face with a prescribed normal velocity (rack fan exhaust or suction, cooling-unit supply):
                  // Ladd's moving-wall term injects exactly rho0 u_n per face, and heat T u_n (T of the patch where
                  // air enters, of the fluid cell where it leaves); adiabatic otherwise. Flux-exact, so the flow
                  // rate and the enthalpy a fan moves are what the patch says.
    Equilibrium,  // fixed-temperature, fixed-pressure node (cold plate, supply plenum): reset every step to the
                  // equilibrium at rho0 = 1 with the patch's u and T (equilibrium re-initialisation)
    Outlet,       // pressure outflow (cooling-unit return): reset every step to the equilibrium at rho0 = 1 with the
                  // mean u and T of its fluid face neighbours (zero-gradient u and T, fixed pressure)
};

struct Patch {
    CellKind kind = CellKind::Fluid;
    std::array<float, 3> u{0, 0, 0};  // lattice velocity of the air at the face: of a moving wall (tangential), of
                                      // an Inlet (air enters the fluid on links with c.u > 0, leaves where c.u < 0),
                                      // of an Equilibrium node
    float temperature_c = 20.0f;      // Inlet air / Equilibrium node temperature (unused by other kinds)
};

enum class Collision : uint8_t { Trt, Bgk };

struct LbmParams {
    float tau = 0.8f;                      // shear relaxation time (tau+), nu = (tau - 1/2) / 3; > 1/2
    Collision collision = Collision::Trt;
    float magic = kMagicTrt;               // TRT Lambda = (tau+ - 1/2)(tau- - 1/2)
    float smagorinsky_cs = 0.0f;           // Smagorinsky constant; 0 = laminar, 0.1-0.17 for resolved LES
    std::array<float, 3> body_force{0, 0, 0};  // uniform body force density (lattice), e.g. a pressure gradient
    std::array<bool, 3> periodic{false, false, false};  // per axis; a non-periodic domain edge is a resting wall
    // Heat (D3Q7). tau_thermal > 1/2; alpha = (tau_thermal - 1/2) / 4.
    bool thermal = true;
    float tau_thermal = 0.8f;
    float prandtl_turbulent = 0.85f;      // alpha_t = nu_t / Pr_t when Smagorinsky is on
    // Boussinesq buoyancy F = -rho0 beta (T - T0) g (lattice g, z up: gravity = {0, 0, -g_lu}).
    float beta_per_k = 0.0f;              // thermal expansion coefficient, 1/K (air: 1 / T_abs ~ 3.4e-3)
    std::array<float, 3> gravity{0, 0, 0};
    float reference_c = 20.0f;            // T0
};

// Moments of one cell as computed in the last step (before collision, with the half-force velocity correction).
struct CellSample {
    float rho = 1.0f;
    std::array<float, 3> u{0, 0, 0};  // lattice velocity
    float temperature_c = 20.0f;
};

// What one step (or a run of steps) exchanged with the outside, for balances. Lattice units: mass in rho0 * cell,
// heat in K * cell (multiply by rho c_p dx^3 for joules, see LbmUnits::heat_lattice_to_j).
struct StepReport {
    double mass_boundary = 0.0;  // mass added through Inlet faces, moving walls and Equilibrium/Outlet resets
    double heat_boundary = 0.0;  // heat added through Inlet faces and Equilibrium/Outlet resets (cold: negative)
    double heat_source = 0.0;    // heat added by the per-cell sources
    double heat_inlet = 0.0;     // the part of heat_boundary that came through Inlet faces (racks' fans)
    uint32_t steps = 0;

    StepReport& operator+=(const StepReport& r);
};

class LbmReference {
public:
    // Throws std::invalid_argument on a zero size or invalid params (tau <= 1/2, Cs outside [0, 0.5], ...).
    LbmReference(uint32_t nx, uint32_t ny, uint32_t nz, const LbmParams& params);

    // [Geometry] Adds a patch and returns its mask value (at most 256 entries in all).
    uint8_t add_patch(const Patch& patch);
    Patch& patch(uint8_t mask_value);  // live edits (fan speed, supply temperature)
    void set_cell(uint32_t x, uint32_t y, uint32_t z, uint8_t mask_value);
    // Half-open box [x0, x1) x [y0, y1) x [z0, z1), clipped to the grid.
    void fill_box(uint32_t x0, uint32_t x1, uint32_t y0, uint32_t y1, uint32_t z0, uint32_t z1, uint8_t mask_value);
    // Heat released in a fluid cell, in K per step (LbmUnits::heat_w_to_k_per_step converts from watts).
    void set_heat_source(uint32_t x, uint32_t y, uint32_t z, float k_per_step);

    // [State] Equilibrium everywhere at (rho, u, T): Equilibrium cells take rho0 = 1 and their patch's u and T,
    // Outlet cells rho0 = 1 and the given u and T; Wall and Inlet cells hold no populations.
    void initialise(float rho, std::array<float, 3> u, float temperature_c);
    void set_equilibrium(uint32_t x, uint32_t y, uint32_t z, float rho, std::array<float, 3> u, float temperature_c);

    // [Time stepping] One fused stream + collide step (ping-pong), and n of them with the reports summed.
    StepReport step();
    StepReport run(uint32_t steps);

    // [Readback] Moments of a cell from the last step (initial values before the first step).
    [[nodiscard]] CellSample sample(uint32_t x, uint32_t y, uint32_t z) const;
    // Sums over the cells that hold populations (Fluid, Equilibrium, Outlet), accumulated in double.
    [[nodiscard]] double total_mass() const;  // sum of rho (rho0 * cell)
    [[nodiscard]] double total_heat() const;  // sum of T (K * cell)

    LbmParams& params() { return params_; }  // live edits; validated again by the next step
    [[nodiscard]] const LbmParams& params() const { return params_; }
    [[nodiscard]] uint32_t nx() const { return nx_; }
    [[nodiscard]] uint32_t ny() const { return ny_; }
    [[nodiscard]] uint32_t nz() const { return nz_; }
    [[nodiscard]] std::size_t cells() const { return static_cast<std::size_t>(nx_) * ny_ * nz_; }
    [[nodiscard]] std::size_t cell(uint32_t x, uint32_t y, uint32_t z) const {
        return (static_cast<std::size_t>(z) * ny_ + y) * nx_ + x;
    }
    // Buffers as the GPU lays them out: f[q * cells() + cell] holds f_q - w_q; g[q * cells() + cell] holds
    // g_q - w_q T_offset, T_offset = params.reference_c at construction (temperature_offset_c()).
    [[nodiscard]] const std::vector<float>& populations() const { return f_; }
    [[nodiscard]] const std::vector<float>& temperature_populations() const { return g_; }
    [[nodiscard]] const std::vector<uint8_t>& mask() const { return mask_; }
    [[nodiscard]] const std::vector<float>& heat_sources() const { return heat_k_; }  // K per step per cell
    [[nodiscard]] const std::vector<Patch>& patches() const { return patches_; }
    [[nodiscard]] float temperature_offset_c() const { return t_offset_c_; }

private:
    void validate() const;
    void write_equilibrium(std::size_t c, float rho, const std::array<float, 3>& u, float t);

    uint32_t nx_, ny_, nz_;
    LbmParams params_;
    float t_offset_c_;                               // shift of the stored D3Q7 populations
    std::vector<Patch> patches_;
    std::vector<uint8_t> mask_;
    std::vector<float> heat_k_;                      // per cell, K per step
    std::vector<float> f_, f_next_, g_, g_next_;     // ping-pong pairs
    std::vector<float> rho_, ux_, uy_, uz_, temp_;   // moments of the last step
};

// The volume flow (lattice cells^3 per step) an Inlet patch moves per unit of lattice speed along the unit vector
// `dir`: the sum over its cells' links to cells holding air of 6 w_q (c_q . dir), over the links on which air
// enters the fluid (`into_fluid`, c_q . dir > 0: an exhaust) or leaves it (c_q . dir < 0: a suction face). An
// infinite flat face moves exactly 1 per face cell; at a face's edges links that end in walls move nothing
// (Ladd's term only acts between the face and air), so a real face moves less: scale its speed by
// cells / face_flow_per_speed to deliver a design flow.
double face_flow_per_speed(const LbmReference& lbm, uint8_t patch, std::array<float, 3> dir, bool into_fluid);

// Smagorinsky relaxation time (Hou et al. 1996, eq. 13 in lattice units with filter width dx):
// tau = (tau0 + sqrt(tau0^2 + 18 sqrt(2) Cs^2 |Pi_neq| / rho)) / 2, |Pi_neq| = sqrt(Pi_neq : Pi_neq).
float smagorinsky_tau(float tau0, float pi_neq_norm, float rho, float cs);

// Physical <-> lattice units. Lattice rho = 1 is the physical air density; temperatures are not scaled.
struct LbmUnits {
    double dx_m = 0.1;
    double dt_s = 0.005;
    double rho_kg_m3 = 1.2;     // air
    double cp_j_per_kgk = 1006.0;

    // dt from the lattice velocity chosen for the largest physical speed: dt = u_lattice * dx / u_max.
    // Throws std::invalid_argument for non-positive arguments.
    static LbmUnits from_velocity(double dx_m, double u_max_m_s, double u_max_lattice = 0.1);

    [[nodiscard]] double velocity_to_lattice(double u_m_s) const { return u_m_s * dt_s / dx_m; }
    [[nodiscard]] double velocity_to_m_s(double u_lattice) const { return u_lattice * dx_m / dt_s; }
    [[nodiscard]] double viscosity_to_lattice(double nu_m2_s) const { return nu_m2_s * dt_s / (dx_m * dx_m); }
    [[nodiscard]] double viscosity_to_m2_s(double nu_lattice) const { return nu_lattice * dx_m * dx_m / dt_s; }
    // tau = 3 nu + 1/2 (D3Q19, c_s^2 = 1/3); D3Q7 heat: tau = 4 alpha + 1/2 (c_s^2 = 1/4).
    [[nodiscard]] double tau_for_viscosity(double nu_m2_s) const { return 3.0 * viscosity_to_lattice(nu_m2_s) + 0.5; }
    [[nodiscard]] double tau_for_diffusivity(double alpha_m2_s) const {
        return 4.0 * viscosity_to_lattice(alpha_m2_s) + 0.5;
    }
    [[nodiscard]] double acceleration_to_lattice(double a_m_s2) const { return a_m_s2 * dt_s * dt_s / dx_m; }
    [[nodiscard]] double force_density_to_lattice(double f_n_m3) const {
        return acceleration_to_lattice(f_n_m3 / rho_kg_m3);
    }
    [[nodiscard]] double steps_for_time(double t_s) const { return t_s / dt_s; }
    [[nodiscard]] double time_s(double steps) const { return steps * dt_s; }
    // A cell releasing power_w heats its air by P dt / (rho c_p dx^3) kelvin per step.
    [[nodiscard]] double heat_w_to_k_per_step(double power_w) const {
        return power_w * dt_s / (rho_kg_m3 * cp_j_per_kgk * dx_m * dx_m * dx_m);
    }
    [[nodiscard]] double heat_lattice_to_j(double k_cells) const {
        return k_cells * rho_kg_m3 * cp_j_per_kgk * dx_m * dx_m * dx_m;
    }
    [[nodiscard]] double heat_rate_lattice_to_w(double k_cells_per_step) const {
        return heat_lattice_to_j(k_cells_per_step) / dt_s;
    }
};

inline constexpr double kMaxMach = 0.3;        // above this the weakly compressible error is no longer small
inline constexpr double kMinTauMargin = 0.005;  // tau - 1/2 below this: under-resolved, BGK/TRT near instability

struct StabilityReport {
    double u_max_lattice = 0.0;
    double mach = 0.0;        // u_max_lattice / c_s, c_s = 1/sqrt(3)
    double tau = 0.0;         // flow
    double tau_thermal = 0.0;  // D3Q7 heat
    std::string warning;      // empty when nothing is wrong; otherwise one line per problem
    [[nodiscard]] bool ok() const { return warning.empty(); }
};

// Mach, tau and tau_thermal for the largest speed and the molecular nu and alpha (air: 1.5e-5 and 2.2e-5 m^2/s),
// with a warning line for Mach > kMaxMach and for each tau closer than kMinTauMargin to 1/2.
StabilityReport stability_report(const LbmUnits& units, double u_max_m_s, double nu_m2_s = 1.5e-5,
                                 double alpha_m2_s = 2.2e-5);

}  // namespace infrascape::datacenter
