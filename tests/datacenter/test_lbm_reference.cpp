// Acceptance tests of the datacenter module's lattice Boltzmann reference: Ghia et al. (1982) lid-driven cavity,
// Poiseuille flow, conservation of mass and heat, heat balances with boundaries and sources, the Smagorinsky
// relaxation time, and the unit conversion with its stability report.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "modules/datacenter/lbm_reference.hpp"

using namespace infrascape::datacenter;

namespace {

bool verbose() { return std::getenv("LBM_VERBOSE") != nullptr; }

float max_speed(const LbmReference& lbm) {
    float m = 0.0f;
    for (uint32_t z = 0; z < lbm.nz(); ++z)
        for (uint32_t y = 0; y < lbm.ny(); ++y)
            for (uint32_t x = 0; x < lbm.nx(); ++x) {
                const CellSample s = lbm.sample(x, y, z);
                m = std::max(m, std::sqrt(s.u[0] * s.u[0] + s.u[1] * s.u[1] + s.u[2] * s.u[2]));
            }
    return m;
}

// Piecewise-linear interpolation of (pos, val) pairs sorted by pos.
double interpolate(const std::vector<double>& pos, const std::vector<double>& val, double p) {
    for (std::size_t i = 1; i < pos.size(); ++i)
        if (p <= pos[i]) {
            const double t = (p - pos[i - 1]) / (pos[i] - pos[i - 1]);
            return val[i - 1] + t * (val[i] - val[i - 1]);
        }
    return val.back();
}

}  // namespace

// [SECTION] Lid-driven cavity, Ghia, Ghia & Shin (1982), J. Comput. Phys. 48, 387-411.
TEST_CASE("Lid-driven cavity at Re = 100 matches Ghia et al. (1982) Tables I and II", "[datacenter][lbm]") {
    // Table I: u along the vertical centreline x = 0.5; Table II: v along the horizontal centreline y = 0.5,
    // Re = 100 columns, velocities scaled by the lid speed.
    const double ghia_y[] = {1.0000, 0.9766, 0.9688, 0.9609, 0.9531, 0.8516, 0.7344, 0.6172, 0.5000,
                             0.4531, 0.2813, 0.1719, 0.1016, 0.0703, 0.0625, 0.0547, 0.0000};
    const double ghia_u[] = {1.00000,  0.84123,  0.78871,  0.73722,  0.68717,  0.23151,  0.00332,  -0.13641, -0.20581,
                             -0.21090, -0.15662, -0.10150, -0.06434, -0.04775, -0.04192, -0.03717, 0.00000};
    const double ghia_x[] = {1.0000, 0.9688, 0.9609, 0.9531, 0.9453, 0.9063, 0.8594, 0.8047, 0.5000,
                             0.2344, 0.2266, 0.1563, 0.0938, 0.0781, 0.0703, 0.0625, 0.0000};
    const double ghia_v[] = {0.00000, -0.05906, -0.07391, -0.08864, -0.10313, -0.16914, -0.22445, -0.24533, 0.05454,
                             0.17527, 0.17507,  0.16077,  0.12317,  0.10890,  0.10091,  0.09233,  0.00000};

    // A 2D slice of the 3D lattice: nz = 1, periodic in z. N x N fluid cells; the walls lie half-way outside them
    // (the non-periodic domain edges at x = 0, x = N and y = 0), the lid is a row of moving-wall cells at y = N.
    constexpr uint32_t kN = 48;  // 64 gives the same errors (0.5% / 0.7%) in 3x the time
    constexpr float kLid = 0.1f, kRe = 100.0f;
    LbmParams p;
    p.tau = 3.0f * kLid * kN / kRe + 0.5f;
    p.periodic = {false, false, true};
    p.thermal = false;
    LbmReference lbm(kN, kN + 1, 1, p);
    const uint8_t lid = lbm.add_patch(Patch{CellKind::Wall, {kLid, 0, 0}, 20.0f});
    lbm.fill_box(0, kN, kN, kN + 1, 0, 1, lid);
    lbm.initialise(1.0f, {0, 0, 0}, 20.0f);

    // Run to a steady state: max change of u / U over 500 steps below 1e-4 (1e-5 changes the errors by < 1e-4),
    // at most 60 lid travel times.
    std::vector<float> previous(kN * kN, 0.0f);
    uint32_t steps = 0;
    for (; steps < 60 * kN * 10; steps += 500) {
        lbm.run(500);
        float change = 0.0f;
        for (uint32_t y = 0; y < kN; ++y)
            for (uint32_t x = 0; x < kN; ++x) {
                const float u = lbm.sample(x, y, 0).u[0];
                change = std::max(change, std::abs(u - previous[y * kN + x]));
                previous[y * kN + x] = u;
            }
        if (change / kLid < 1e-4f) break;
    }

    // Centreline profiles: N even, so x = 0.5 lies between cells N/2 - 1 and N/2 (average them); the wall
    // values close each profile at 0 and 1.
    std::vector<double> pos{0.0}, u_line{0.0}, v_line{0.0};
    for (uint32_t i = 0; i < kN; ++i) {
        pos.push_back((i + 0.5) / kN);
        u_line.push_back(0.5 * (lbm.sample(kN / 2 - 1, i, 0).u[0] + lbm.sample(kN / 2, i, 0).u[0]) / kLid);
        v_line.push_back(0.5 * (lbm.sample(i, kN / 2 - 1, 0).u[1] + lbm.sample(i, kN / 2, 0).u[1]) / kLid);
    }
    pos.push_back(1.0);
    u_line.push_back(1.0);
    v_line.push_back(0.0);

    // Norm: the largest absolute difference at Ghia's 17 points of each table, in units of the lid speed.
    double worst_u = 0.0, worst_v = 0.0;
    for (int k = 0; k < 17; ++k) {
        worst_u = std::max(worst_u, std::abs(interpolate(pos, u_line, ghia_y[k]) - ghia_u[k]));
        worst_v = std::max(worst_v, std::abs(interpolate(pos, v_line, ghia_x[k]) - ghia_v[k]));
    }
    if (verbose()) std::printf("cavity %u steps: max |u - ghia| %.4f, max |v - ghia| %.4f (of U)\n", steps, worst_u,
                               worst_v);
    INFO("steps " << steps << ", worst u " << worst_u << ", worst v " << worst_v);
    CHECK(worst_u < 0.02);
    CHECK(worst_v < 0.02);
}

// [SECTION] Poiseuille flow between plates driven by a body force
namespace {

// Plates normal to `wall_axis`, flow along `flow_axis`, periodic along the others; H fluid cells between the plates
// (half-way bounce-back puts the walls at 0 and H). Returns the max error over the profile relative to u_max.
double poiseuille_error(Collision collision, float tau, uint32_t wall_axis, uint32_t flow_axis, float cs = 0.0f,
                        double* u_centre = nullptr, float u_max = 0.05f) {
    constexpr uint32_t kH = 16;
    LbmParams p;
    p.tau = tau;
    p.collision = collision;
    p.thermal = false;
    p.smagorinsky_cs = cs;
    p.periodic = {true, true, true};
    p.periodic[wall_axis] = false;
    const float nu = (tau - 0.5f) / 3.0f;
    const float force = u_max * 8.0f * nu / (kH * kH);  // u(s) = F / (2 nu) s (H - s)
    p.body_force[flow_axis] = force;
    uint32_t dims[3] = {1, 1, 1};  // a periodic axis of one cell is its own neighbour
    dims[wall_axis] = kH;
    LbmReference lbm(dims[0], dims[1], dims[2], p);
    lbm.run(static_cast<uint32_t>(12.0f * kH * kH / nu / 9.87f) + 200);  // ~ e^-12 of the slowest mode left
    double worst = 0.0;
    for (uint32_t i = 0; i < kH; ++i) {
        uint32_t c[3] = {0, 0, 0};
        c[wall_axis] = i;
        const double s = i + 0.5;
        const double exact = force / (2.0 * nu) * s * (kH - s);
        const double u = lbm.sample(c[0], c[1], c[2]).u[flow_axis];
        worst = std::max(worst, std::abs(u - exact) / u_max);
        if (u_centre && i == kH / 2) *u_centre = u;
    }
    return worst;
}

}  // namespace

TEST_CASE("Poiseuille flow matches the analytic parabola", "[datacenter][lbm]") {
    SECTION("TRT, Lambda = 3/16: exact up to round-off for any tau") {
        const double e1 = poiseuille_error(Collision::Trt, 0.8f, 1, 0);
        const double e2 = poiseuille_error(Collision::Trt, 1.5f, 2, 1);
        const double e3 = poiseuille_error(Collision::Trt, 0.6f, 0, 2);
        if (verbose()) std::printf("poiseuille TRT: %.2e %.2e %.2e\n", e1, e2, e3);
        CHECK(e1 < 0.01);
        CHECK(e2 < 0.01);
        CHECK(e3 < 0.01);
        CHECK(e1 < 1e-3);  // the magic parameter's promise, beyond the 1% asked for
    }
    SECTION("BGK") {
        const double e = poiseuille_error(Collision::Bgk, 0.8f, 1, 0);
        if (verbose()) std::printf("poiseuille BGK: %.2e\n", e);
        CHECK(e < 0.01);
    }
    SECTION("Smagorinsky raises the viscosity in shear as the mixing-length model predicts") {
        constexpr float kCs = 0.17f, kTau = 0.51f, kUmax = 0.05f;
        double laminar = 0.0, les = 0.0;
        poiseuille_error(Collision::Trt, kTau, 1, 0, 0.0f, &laminar, kUmax);
        poiseuille_error(Collision::Trt, kTau, 1, 0, kCs, &les, kUmax);
        // Steady plane Poiseuille with nu = nu0 + Cs^2 |du/dy| (dx = 1): the shear stress F (H/2 - eta) at a
        // distance eta from the wall gives (nu0 + Cs^2 s) s = F (H/2 - eta); u at the sampled cell centre
        // (eta = 7.5 of H = 16) is the integral of s from the wall, by the midpoint rule.
        const double nu0 = (kTau - 0.5) / 3.0, force = kUmax * 8.0 * nu0 / 256.0, c2 = double(kCs) * kCs;
        double expected = 0.0;
        constexpr int kSteps = 20000;
        for (int k = 0; k < kSteps; ++k) {
            const double eta = 7.5 * (k + 0.5) / kSteps, stress = force * (8.0 - eta);
            expected += (-nu0 + std::sqrt(nu0 * nu0 + 4.0 * c2 * stress)) / (2.0 * c2) * 7.5 / kSteps;
        }
        if (verbose())
            std::printf("poiseuille at the centre cell: laminar %.5f, Smagorinsky %.5f (model %.5f)\n", laminar, les,
                        expected);
        CHECK(laminar == Approx(kUmax * (1.0 - 0.25 / 64.0)).epsilon(0.01));
        CHECK(les == Approx(expected).epsilon(0.02));
        CHECK(les < 0.97 * laminar);
    }
}

TEST_CASE("Smagorinsky relaxation time solves tau = tau0 + 3 Cs^2 |S|", "[datacenter][lbm]") {
    CHECK(smagorinsky_tau(0.6f, 0.0f, 1.0f, 0.15f) == 0.6f);
    CHECK(smagorinsky_tau(0.6f, 1e-3f, 1.0f, 0.0f) == 0.6f);
    const float tau0 = 0.52f, pi = 2e-3f, rho = 1.02f, cs = 0.15f;
    const float tau = smagorinsky_tau(tau0, pi, rho, cs);
    // |S| = sqrt(2 S:S), S = -Pi / (2 rho c_s^2 tau)  =>  |S| = 3 sqrt(2) |Pi| / (2 rho tau).
    const double strain = 3.0 * std::sqrt(2.0) * pi / (2.0 * rho * tau);
    CHECK(tau > tau0);
    CHECK(tau == Approx(tau0 + 3.0 * cs * cs * strain).epsilon(1e-5));
}

// [SECTION] Conservation
namespace {

// A closed 14 x 12 x 10 box (non-periodic edges are walls) with a solid block inside and buoyancy on.
LbmParams closed_box_params() {
    LbmParams p;
    p.tau = 0.56f;
    p.smagorinsky_cs = 0.15f;
    p.tau_thermal = 0.7f;
    p.beta_per_k = 3.4e-3f;
    p.gravity = {0.0f, 0.0f, -1e-3f};
    p.reference_c = 20.0f;
    return p;
}

void add_block(LbmReference& lbm) { lbm.fill_box(5, 8, 4, 7, 0, 4, 1); }  // mask value 1: resting wall

}  // namespace

TEST_CASE("A closed box conserves mass to round-off", "[datacenter][lbm]") {
    LbmReference lbm(14, 12, 10, closed_box_params());
    add_block(lbm);
    // A swirling, compressed start with a hot region.
    for (uint32_t z = 0; z < 10; ++z)
        for (uint32_t y = 0; y < 12; ++y)
            for (uint32_t x = 0; x < 14; ++x) {
                const float a = 0.05f * std::sin(0.5f * x) * std::cos(0.4f * y), b = 0.04f * std::sin(0.3f * z + y);
                lbm.set_equilibrium(x, y, z, 1.0f + 0.01f * std::cos(0.7f * x + z), {a, b, -a}, x < 4 ? 35.f : 20.f);
            }
    const double m0 = lbm.total_mass();
    const StepReport r = lbm.run(400);
    const double m1 = lbm.total_mass();
    if (verbose()) std::printf("closed box mass: %.9f -> %.9f (rel %.2e)\n", m0, m1, (m1 - m0) / m0);
    CHECK(r.mass_boundary == 0.0);
    CHECK(std::abs(m1 - m0) / m0 < 1e-6);
    CHECK(max_speed(lbm) > 1e-3f);  // still moving: the test did exercise the flow
}

TEST_CASE("A fluid at rest stays at rest", "[datacenter][lbm]") {
    LbmReference lbm(14, 12, 10, closed_box_params());
    add_block(lbm);
    lbm.initialise(1.0f, {0, 0, 0}, 20.0f);  // T = T0: no buoyancy
    lbm.run(300);
    CHECK(max_speed(lbm) < 1e-7f);
    for (uint32_t x = 0; x < 14; ++x) {
        const CellSample s = lbm.sample(x, 6, 8);
        CHECK(s.rho == Approx(1.0f).margin(1e-7));
        CHECK(s.temperature_c == Approx(20.0f).margin(1e-5));
    }
}

TEST_CASE("An adiabatic closed box conserves heat while a hot blob rises", "[datacenter][lbm]") {
    LbmReference lbm(14, 12, 10, closed_box_params());
    add_block(lbm);
    lbm.initialise(1.0f, {0, 0, 0}, 20.0f);
    for (uint32_t z = 0; z < 3; ++z)
        for (uint32_t y = 0; y < 3; ++y)
            for (uint32_t x = 0; x < 3; ++x) lbm.set_equilibrium(10 + x, 4 + y, 1 + z, 1.0f, {0, 0, 0}, 40.0f);
    auto excess_height = [&] {  // centroid height of T - T0 over the fluid
        double num = 0.0, den = 0.0;
        for (uint32_t z = 0; z < 10; ++z)
            for (uint32_t y = 0; y < 12; ++y)
                for (uint32_t x = 0; x < 14; ++x) {
                    const double e = lbm.sample(x, y, z).temperature_c - 20.0;
                    num += e * z;
                    den += e;
                }
        return num / den;
    };
    const double h0 = lbm.total_heat();
    lbm.step();
    const double z0 = excess_height();
    const StepReport r = lbm.run(600);
    const double h1 = lbm.total_heat();
    const double z1 = excess_height();
    if (verbose()) std::printf("adiabatic box heat: rel %.2e, blob centroid z %.2f -> %.2f\n", (h1 - h0) / h0, z0, z1);
    CHECK(r.heat_boundary == 0.0);
    CHECK(r.heat_source == 0.0);
    CHECK(std::abs(h1 - h0) / h0 < 1e-6);
    CHECK(z1 > z0 + 1.0);  // buoyancy lifted the warm air
}

// [SECTION] Heat balances with sources and fixed-temperature cells
TEST_CASE("A heated box with a cold fixed-temperature wall reaches heat in = heat out", "[datacenter][lbm]") {
    // Plane x = 0 holds cold cells (Equilibrium patch, u = 0: fixed T and rho0); every fluid cell releases Q.
    constexpr uint32_t kNx = 12, kNy = 6, kNz = 6;
    constexpr float kQ_k = 2e-4f, kCold = 18.0f;
    for (const bool convect : {false, true}) {
        LbmParams p = closed_box_params();
        p.tau_thermal = 1.0f;  // alpha = 1/8
        if (!convect) p.beta_per_k = 0.0f;
        p.gravity = {-2e-4f, 0.0f, -1e-3f};  // tilted so the warm air also drifts towards the cold wall
        LbmReference lbm(kNx, kNy, kNz, p);
        const uint8_t cold = lbm.add_patch(Patch{CellKind::Equilibrium, {0, 0, 0}, kCold});
        lbm.fill_box(0, 1, 0, kNy, 0, kNz, cold);
        for (uint32_t z = 0; z < kNz; ++z)
            for (uint32_t y = 0; y < kNy; ++y)
                for (uint32_t x = 1; x < kNx; ++x) lbm.set_heat_source(x, y, z, kQ_k);
        lbm.initialise(1.0f, {0, 0, 0}, kCold);

        const double h0 = lbm.total_heat();
        const StepReport warm_up = lbm.run(9000);
        const double h1 = lbm.total_heat();
        // Bookkeeping: the stored heat changed by exactly what the sources and the cold cells exchanged.
        // (Single-precision collisions do not conserve the sum of g exactly: ~1e-3 of the input over 9000 steps.)
        CHECK(std::abs((h1 - h0) - (warm_up.heat_source + warm_up.heat_boundary)) < 2e-3 * warm_up.heat_source);

        const StepReport r = lbm.run(1000);
        const double in = r.heat_source, out = -r.heat_boundary;
        if (verbose())
            std::printf("heated box (convect %d): in %.6f out %.6f (rel %.2e), T far %.4f\n", convect, in, out,
                        (in - out) / in, lbm.sample(kNx - 1, 3, 3).temperature_c);
        CHECK(in == Approx(1000.0 * kQ_k * (kNx - 1) * kNy * kNz).epsilon(1e-5));
        CHECK(std::abs(in - out) / in < 0.02);

        if (!convect) {
            // Pure conduction along x: alpha T'' = -q with T(0) = T_cold at the cold nodes and zero flux at the
            // half-way wall x = X = kNx - 1/2: T(x) = T_cold + q / alpha (X x - x^2 / 2).
            const double alpha = (p.tau_thermal - 0.5) / 4.0, big_x = kNx - 0.5;
            double worst = 0.0;
            const double rise = kQ_k / alpha * big_x * big_x / 2.0;
            for (uint32_t x = 1; x < kNx; ++x) {
                const double exact = kCold + kQ_k / alpha * (big_x * x - 0.5 * x * x);
                worst = std::max(worst, std::abs(lbm.sample(x, 2, 3).temperature_c - exact) / rise);
            }
            if (verbose()) std::printf("conduction profile: max error %.2e of the rise %.4f K\n", worst, rise);
            CHECK(worst < 0.02);
        }
    }
}

TEST_CASE("A heated duct with a velocity inlet and an outlet balances mass and heat", "[datacenter][lbm]") {
    // Supply air enters through the Inlet plane x = 0 (velocity and temperature fixed) and leaves through the plane
    // x = nx - 1: a pressure Outlet, or a second Inlet patch with the same air velocity (a fan sucking the air out,
    // which takes the heat of the cells it draws from). Periodic in y and z, a 1D duct: with side walls the inlet's
    // diagonal links into the walls are lost and the flow rate falls short (see the header). A block of cells in
    // the middle releases heat (a "rack"); downstream of it the plug flow carries the mixed-cup rise Q / (U ny).
    constexpr uint32_t kNx = 40, kNy = 10;
    constexpr float kU = 0.04f, kSupply = 18.0f, kQ_k = 5e-4f;
    LbmParams p;
    p.tau = 0.6f;
    p.tau_thermal = 0.6f;
    p.periodic = {false, true, true};
    const bool suction = GENERATE(false, true);
    INFO((suction ? "suction Inlet" : "pressure Outlet"));
    LbmReference lbm(kNx, kNy, 1, p);
    const uint8_t inlet = lbm.add_patch(Patch{CellKind::Inlet, {kU, 0, 0}, kSupply});
    const uint8_t outlet = lbm.add_patch(suction ? Patch{CellKind::Inlet, {kU, 0, 0}, 0.0f}
                                                 : Patch{CellKind::Outlet, {0, 0, 0}, 0.0f});
    lbm.fill_box(0, 1, 0, kNy, 0, 1, inlet);
    lbm.fill_box(kNx - 1, kNx, 0, kNy, 0, 1, outlet);
    for (uint32_t y = 3; y < 7; ++y)
        for (uint32_t x = 15; x < 19; ++x) lbm.set_heat_source(x, y, 0, kQ_k);
    lbm.initialise(1.0f, {kU, 0, 0}, kSupply);

    const double m0 = lbm.total_mass(), h0 = lbm.total_heat();
    const StepReport warm_up = lbm.run(8000);
    CHECK(std::abs((lbm.total_mass() - m0) - warm_up.mass_boundary) < 1e-4 * m0);
    CHECK(std::abs((lbm.total_heat() - h0) - (warm_up.heat_source + warm_up.heat_boundary)) <
          1e-3 * warm_up.heat_source);

    const StepReport r = lbm.run(1000);
    const double in = r.heat_source, out = -r.heat_boundary;
    // Mean outlet temperature rise from the advected enthalpy: Q_total = U * ny * (T_out - T_supply) per step.
    double t_out = 0.0, u_out = 0.0;
    for (uint32_t y = 0; y < kNy; ++y) {
        t_out += lbm.sample(kNx - 2, y, 0).temperature_c * lbm.sample(kNx - 2, y, 0).u[0];
        u_out += lbm.sample(kNx - 2, y, 0).u[0];
    }
    t_out /= u_out;
    const double expected_rise = kQ_k * 16 / (kU * kNy);
    if (verbose())
        std::printf("duct (suction %d): heat in %.5f out %.5f, mass exchange %.2e, mixed-cup rise %.4f (model %.4f)\n",
                    suction, in, out, r.mass_boundary, t_out - kSupply, expected_rise);
    CHECK(std::abs(in - out) / in < 0.02);
    CHECK(std::abs(r.mass_boundary) < 1e-3 * m0);
    CHECK((t_out - kSupply) == Approx(expected_rise).epsilon(0.05));
    CHECK(u_out / kNy == Approx(kU).epsilon(0.02));  // the inlet's flow rate reaches the outlet
}

TEST_CASE("A closed room with one rack and one cooling unit: heat removed equals the rack's heat, and its air rises "
          "by P / (rho cp Q)", "[datacenter][lbm]") {
    // A rack (a solid box) draws room air through its front face and blows it out of its back face 10 K warmer
    // (its fans: Inlet patches with the same velocity; the exhaust temperature follows the mean of the air in
    // front, as the module's rack model does); a cooling unit blows 18 C air up through floor tiles (Equilibrium
    // cells) and takes the room's air back through a ceiling grille (Outlet cells). At steady state the heat the
    // unit removes (the resets of its cells) equals the heat the rack adds (its Inlet faces), and the mixed-cup
    // rise of the air across the rack is the rack's heat over its flow, P / (rho cp Q) in lattice units.
    constexpr float kU = 0.05f, kRise = 10.0f, kSupply = 18.0f;
    LbmParams p;
    p.tau = 0.6f;
    p.tau_thermal = 0.6f;
    p.reference_c = kSupply;
    LbmReference lbm(24, 16, 12, p);
    const uint8_t body = lbm.add_patch({CellKind::Wall, {0, 0, 0}, kSupply});
    const uint8_t front = lbm.add_patch({CellKind::Inlet, {0, kU, 0}, kSupply});
    const uint8_t back = lbm.add_patch({CellKind::Inlet, {0, kU, 0}, kSupply + kRise});
    lbm.fill_box(10, 14, 6, 10, 0, 8, body);
    lbm.fill_box(10, 14, 6, 7, 0, 8, front);
    lbm.fill_box(10, 14, 9, 10, 0, 8, back);
    // The fans' design flow: 32 face cells at kU. The faces touch the floor, so their edge links lose flow; their
    // speed is raised so they deliver the design flow (as the module sizes its racks' fans).
    const float flow = kU * 4 * 8;
    const double per_speed_in = face_flow_per_speed(lbm, front, {0, 1, 0}, false);
    const double per_speed_out = face_flow_per_speed(lbm, back, {0, 1, 0}, true);
    CHECK(per_speed_in == Approx(per_speed_out));
    CHECK(per_speed_out < 32.0);  // the floor and the face's sides take links
    lbm.patch(front).u[1] = float(flow / per_speed_in);
    lbm.patch(back).u[1] = float(flow / per_speed_out);
    const uint8_t tiles = lbm.add_patch({CellKind::Equilibrium, {0, 0, flow / 20}, kSupply});
    const uint8_t grille = lbm.add_patch({CellKind::Outlet, {0, 0, 0}, kSupply});
    lbm.fill_box(4, 8, 1, 6, 0, 1, tiles);  // 20 tiles deliver the rack's flow
    lbm.fill_box(16, 20, 10, 14, 11, 12, grille);
    lbm.initialise(1.0f, {0, 0, 0}, kSupply);
    // Mixed-cup temperature of a layer of fluid cells across the flow (weighted by u_y).
    auto mixed = [&](uint32_t y) {
        double tu = 0, u = 0;
        for (uint32_t z = 0; z < 8; ++z)
            for (uint32_t x = 10; x < 14; ++x) {
                const CellSample c = lbm.sample(x, y, z);
                tu += c.temperature_c * c.u[1];
                u += c.u[1];
            }
        return tu / u;
    };
    auto follow = [&] {  // the exhaust: the air in front plus the rack's rise
        double t = 0;
        for (uint32_t z = 0; z < 8; ++z)
            for (uint32_t x = 10; x < 14; ++x) t += lbm.sample(x, 5, z).temperature_c;
        lbm.patch(back).temperature_c = float(t / 32 + kRise);
    };
    for (int k = 0; k < 1500; ++k) {  // about five turnovers of the room's air
        lbm.run(10);
        follow();
    }
    StepReport r;
    for (int k = 0; k < 100; ++k) {
        r += lbm.run(10);
        follow();
    }
    const double rack = r.heat_inlet, removed = -(r.heat_boundary - r.heat_inlet);
    // The rack's outlet minus inlet in the air: the mixed-cup temperatures one cell behind and one in front.
    const double model = rack / r.steps / flow;
    const double air_rise = mixed(10) - mixed(5);
    if (verbose())
        std::printf("room: rack %.5f K cells/step, unit removes %.5f, rise across the rack %.3f K (in the air %.3f K; "
                    "P / (rho cp Q) %.3f K)\n", rack / r.steps, removed / r.steps, lbm.patch(back).temperature_c - mixed(5),
                    air_rise, model);
    CHECK(rack > 0);
    CHECK(std::abs(removed - rack) / rack < 0.02);
    CHECK(air_rise == Approx(model).epsilon(0.05));
}

// [SECTION] Units and stability
TEST_CASE("Unit conversion round trips and the stability report", "[datacenter][lbm]") {
    const LbmUnits u = LbmUnits::from_velocity(0.1, 2.0, 0.1);  // dx 10 cm, 2 m/s at lattice 0.1
    CHECK(u.dt_s == Approx(0.005));
    CHECK(u.velocity_to_m_s(u.velocity_to_lattice(1.7)) == Approx(1.7));
    CHECK(u.velocity_to_lattice(2.0) == Approx(0.1));
    CHECK(u.viscosity_to_m2_s(u.viscosity_to_lattice(1.5e-5)) == Approx(1.5e-5));
    CHECK(u.viscosity_to_lattice(1.5e-5) == Approx(7.5e-6));
    CHECK(u.tau_for_viscosity(1.5e-5) == Approx(0.5000225));
    CHECK(u.time_s(u.steps_for_time(12.5)) == Approx(12.5));
    CHECK(u.acceleration_to_lattice(9.81) == Approx(9.81 * 0.005 * 0.005 / 0.1));
    CHECK(u.force_density_to_lattice(1.2 * 9.81) == Approx(u.acceleration_to_lattice(9.81)));
    // 1 kW in one 1-litre cell of air: 1000 * 0.005 / (1.2 * 1006 * 1e-3) K per step, and back to watts.
    const double k = u.heat_w_to_k_per_step(1000.0);
    CHECK(k == Approx(1000.0 * 0.005 / (1.2 * 1006.0 * 1e-3)));
    CHECK(u.heat_rate_lattice_to_w(k) == Approx(1000.0));

    // A data hall at dx = 10 cm with molecular viscosity: tau is within 1e-4 of 1/2, so warn.
    const StabilityReport coarse = stability_report(u, 2.0);
    CHECK(coarse.mach == Approx(0.1 * std::sqrt(3.0)));
    CHECK(coarse.tau == Approx(0.5000225));
    CHECK_FALSE(coarse.ok());
    CHECK(coarse.warning.find("tau 0.500023") != std::string::npos);
    CHECK(coarse.warning.find("Smagorinsky") != std::string::npos);
    CHECK(coarse.warning.find("Mach") == std::string::npos);

    // Too fast a lattice velocity: Mach 0.35.
    const StabilityReport fast = stability_report(LbmUnits::from_velocity(0.001, 0.1, 0.2), 0.1);
    CHECK(fast.mach == Approx(0.2 * std::sqrt(3.0)));
    CHECK(fast.warning.find("Mach 0.346 > 0.3") != std::string::npos);

    // Resolved: 1 mm cells at 0.1 m/s and lattice velocity 0.05: tau 0.5225, tau_thermal 0.544, no warning.
    const StabilityReport fine = stability_report(LbmUnits::from_velocity(0.001, 0.1, 0.05), 0.1);
    CHECK(fine.tau == Approx(0.5225));
    CHECK(fine.tau_thermal == Approx(0.544));
    CHECK(fine.ok());

    CHECK_THROWS_AS(LbmUnits::from_velocity(0.0, 1.0), std::invalid_argument);
}

TEST_CASE("Invalid parameters and geometry are rejected", "[datacenter][lbm]") {
    LbmParams p;
    p.tau = 0.5f;
    CHECK_THROWS_AS(LbmReference(4, 4, 4, p), std::invalid_argument);
    p.tau = 0.8f;
    p.smagorinsky_cs = 0.9f;
    CHECK_THROWS_AS(LbmReference(4, 4, 4, p), std::invalid_argument);
    p.smagorinsky_cs = 0.1f;
    CHECK_THROWS_AS(LbmReference(0, 4, 4, p), std::invalid_argument);
    LbmReference lbm(4, 4, 4, p);
    CHECK_THROWS_AS(lbm.set_cell(4, 0, 0, 1), std::invalid_argument);
    CHECK_THROWS_AS(lbm.set_cell(0, 0, 0, 7), std::invalid_argument);
    CHECK_THROWS_AS(lbm.sample(0, 9, 0), std::invalid_argument);
    lbm.params().tau_thermal = 0.4f;
    CHECK_THROWS_AS(lbm.step(), std::invalid_argument);
}
