// The example module's CPU reference against the analytic solution of the heat equation: a Gaussian of
// variance s0^2 spreads to variance s0^2 + 2 D t in each direction, its peak falling as s0^2/(s0^2 + 2 D t)
// (e.g. Crank, The Mathematics of Diffusion, 1975, eq. 3.5, in two dimensions).
#include <catch2/catch.hpp>

#include <cmath>

#include "modules/example/diffusion_reference.hpp"

using namespace infrascape::example;

TEST_CASE("FTCS reference reproduces Gaussian spreading", "[example][physics]") {
    DiffusionGrid g{257, 257, 10.0};  // +-1280 m: five final sigmas, so the walls do not matter
    const double d = 50.0, s0 = 60.0, t_end = 600.0;
    std::vector<float> t(g.nx * g.ny), src(g.nx * g.ny, 0.0f), out;
    const double cx = 128 * g.dx_m, cy = 128 * g.dx_m;
    for (uint32_t j = 0; j < g.ny; ++j)
        for (uint32_t i = 0; i < g.nx; ++i) {
            double r2 = std::pow(i * g.dx_m - cx, 2) + std::pow(j * g.dx_m - cy, 2);
            t[j * g.nx + i] = float(std::exp(-r2 / (2 * s0 * s0)));
        }
    const uint32_t steps = stable_substeps(t_end, g.dx_m, d);
    const float dt = float(t_end / steps);
    for (uint32_t s = 0; s < steps; ++s) {
        diffusion_step(g, t, src, dt, float(d), 0.0f, out);
        t.swap(out);
    }
    const double s2 = s0 * s0 + 2 * d * t_end;
    double max_err = 0;
    for (uint32_t j = 0; j < g.ny; ++j)
        for (uint32_t i = 0; i < g.nx; ++i) {
            double r2 = std::pow(i * g.dx_m - cx, 2) + std::pow(j * g.dx_m - cy, 2);
            double exact = s0 * s0 / s2 * std::exp(-r2 / (2 * s2));
            max_err = std::max(max_err, std::abs(t[j * g.nx + i] - exact));
        }
    INFO("max abs error " << max_err << " against a peak of " << s0 * s0 / s2);
    CHECK(max_err < 0.01 * s0 * s0 / s2);  // second order: under 1% of the peak at six cells per initial sigma
}

TEST_CASE("zero-flux boundaries conserve heat without sources or cooling", "[example][physics]") {
    DiffusionGrid g{32, 20, 5.0};
    std::vector<float> t(g.nx * g.ny, 0.0f), src(g.nx * g.ny, 0.0f), out;
    t[3 * g.nx + 2] = 100.0f;  // next to a corner
    double before = 100.0;
    for (int s = 0; s < 40000; ++s) {  // 20,000 s: several times L^2 / D for the 160 m side
        diffusion_step(g, t, src, 0.5f, 10.0f, 0.0f, out);
        t.swap(out);
    }
    double after = 0;
    for (float v : t) after += v;
    CHECK(after == Approx(before).epsilon(1e-4));
    // Long after, the field is uniform.
    CHECK(t[0] == Approx(before / (g.nx * g.ny)).epsilon(0.05));
}

TEST_CASE("Newtonian cooling decays as exp(-k t)", "[example][physics]") {
    DiffusionGrid g{4, 4, 1.0};
    std::vector<float> t(16, 1.0f), src(16, 0.0f), out;
    const float k = 1e-3f, dt = 1.0f;
    for (int s = 0; s < 1000; ++s) {
        diffusion_step(g, t, src, dt, 0.0f, k, out);
        t.swap(out);
    }
    CHECK(t[5] == Approx(std::pow(1.0 - k * dt, 1000)).epsilon(1e-4));
    CHECK(t[5] == Approx(std::exp(-1.0)).epsilon(2e-3));
}

TEST_CASE("stable substeps keep D dt / dx^2 under the 1/4 limit", "[example]") {
    for (double d : {1.0, 60.0, 800.0, 1e4})
        for (double dt : {0.1, 1.0, 10.0, 600.0}) {
            uint32_t n = stable_substeps(dt, 10.0, d);
            CHECK(d * (dt / n) / 100.0 <= 0.25);
        }
    CHECK(stable_substeps(10, 10, 0) == 1);
}
