// Acceptance tests of the flood module's reference shallow-water solver against analytic solutions, for the
// first- and second-order schemes: Ritter and Stoker dam breaks, lake at rest with an island (closed and open
// edges, and a disturbed lake at open edges), Thacker's planar oscillation in a paraboloid. Analytic forms
// follow SWASHES (Delestre et al. 2013, Int. J. Numer. Meth. Fluids 72) secs. 4.1.1, 4.1.2, 4.2.2.
// SWE_VERBOSE=1 prints the numbers.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>

#include "modules/flood/swe_reference.hpp"

using namespace infrascape::flood;

namespace {

constexpr double kG = 9.81;

bool verbose() {
    return std::getenv("SWE_VERBOSE") != nullptr;
}

const char* order_name(bool second) {
    return second ? "2nd order" : "1st order";
}

// The three schemes checked: first order, second order with minmod, second order with van Leer.
struct Scheme {
    bool second_order;
    Limiter limiter;
    const char* name;
};
constexpr Scheme kSchemes[] = {{false, Limiter::Minmod, "1st order"},
                               {true, Limiter::Minmod, "2nd order minmod"},
                               {true, Limiter::VanLeer, "2nd order van Leer"}};

SweGrid channel(uint32_t nx, double length, const Scheme& scheme) {
    SweGrid g;
    g.nx = nx;
    g.ny = 1;
    g.dx = length / nx;
    g.z.assign(nx, 0.0);
    g.second_order = scheme.second_order;
    g.limiter = scheme.limiter;
    return g;  // all edges closed
}

// Runs to t_end with CFL steps, the last step shortened to land on t_end exactly. Returns the clipped volume.
double run_to(const SweGrid& grid, SweState& s, double t_end) {
    double t = 0.0, clipped = 0.0;
    while (t < t_end) {
        const double dt = std::min(cfl_time_step(grid, s), t_end - t);
        clipped += swe_step(grid, s, dt).clipped_m3;
        t += dt;
    }
    return clipped;
}

double x_centre(const SweGrid& g, uint32_t i) {
    return (i + 0.5) * g.dx;
}

// Relative L1 error of depth along a 1D channel against exact(x).
template <class F>
double rel_l1(const SweGrid& g, const SweState& s, F exact) {
    double num = 0.0, den = 0.0;
    for (uint32_t i = 0; i < g.nx; ++i) {
        const double he = exact(x_centre(g, i));
        num += std::abs(s.h[i] - he);
        den += std::abs(he);
    }
    return num / den;
}

double min_depth(const SweState& s) {
    return *std::min_element(s.h.begin(), s.h.end());
}

// Stoker: c_m solves -8 g hr cm^2 (sqrt(g hl) - cm)^2 + (cm^2 - g hr)^2 (cm^2 + g hr) = 0 on (sqrt(g hr),
// sqrt(g hl)) (SWASHES eq. for the wet dam break); bisection.
double stoker_cm(double hl, double hr) {
    auto f = [&](double cm) {
        const double c2 = cm * cm;
        const double d = std::sqrt(kG * hl) - cm;
        return -8.0 * kG * hr * c2 * d * d + (c2 - kG * hr) * (c2 - kG * hr) * (c2 + kG * hr);
    };
    double a = std::sqrt(kG * hr), b = std::sqrt(kG * hl);
    for (int it = 0; it < 200; ++it) {
        const double m = 0.5 * (a + b);
        if ((f(a) < 0.0) == (f(m) < 0.0))
            a = m;
        else
            b = m;
    }
    return 0.5 * (a + b);
}

// Lake at rest (eta = 1 m) over a bumpy n x n bed (1 m cells, bumps of +-0.4 m) with an island in the middle
// peaking 0.6 m above the surface; returns the number of dry cells.
size_t island_lake(SweGrid& g, SweState& s, uint32_t n) {
    const double c = 0.5 * n;
    g.nx = g.ny = n;
    g.dx = 1.0;
    g.z.resize(g.cells());
    s = SweState::dry(g);
    size_t dry = 0;
    for (uint32_t j = 0; j < n; ++j) {
        for (uint32_t i = 0; i < n; ++i) {
            const double x = i + 0.5, y = j + 0.5;
            const double r2 = (x - c) * (x - c) + (y - c) * (y - c);
            double z = 0.3 * std::sin(0.7 * x) * std::cos(0.4 * y) + 0.1 * std::sin(2.3 * x + 1.1 * y);
            z += 1.6 * std::exp(-r2 / 40.0);  // island peaking above the surface
            const size_t k = g.index(i, j);
            g.z[k] = z;
            s.h[k] = std::max(0.0, 1.0 - z);
            dry += s.h[k] == 0.0;
        }
    }
    return dry;
}

struct LakeStats {
    double vmax = 0.0, eta_min = 1e9, eta_max = -1e9;
    bool dry_stayed_dry = true;
};

LakeStats lake_stats(const SweGrid& g, const SweState& s, const SweState& initial) {
    LakeStats st;
    for (size_t k = 0; k < g.cells(); ++k) {
        if (s.h[k] > kDryDepth) {
            st.vmax = std::max(st.vmax, std::hypot(s.hu[k], s.hv[k]) / s.h[k]);
            st.eta_min = std::min(st.eta_min, s.h[k] + g.z[k]);
            st.eta_max = std::max(st.eta_max, s.h[k] + g.z[k]);
        }
        if (initial.h[k] == 0.0 && s.h[k] != 0.0) st.dry_stayed_dry = false;
    }
    return st;
}

}  // namespace

TEST_CASE("SWE: Ritter dry dam break", "[flood][analytic]") {
    // 1 m of water for x < 50 m, dry bed beyond, compared at t = 6 s (front at 50 + 2 c0 t = 87.6 m). 400
    // cells of 0.25 m. Measured rel. L1: 1st order 0.85%, 2nd order 0.25% (minmod) and 0.16% (van Leer).
    for (const Scheme& scheme : kSchemes) {
        const double length = 100.0, x0 = 50.0, hl = 1.0, t = 6.0;
        const uint32_t nx = 400;
        SweGrid g = channel(nx, length, scheme);
        SweState s = SweState::dry(g);
        for (uint32_t i = 0; i < nx; ++i) s.h[i] = x_centre(g, i) < x0 ? hl : 0.0;
        const double clipped = run_to(g, s, t);
        const double c0 = std::sqrt(kG * hl);
        const double err = rel_l1(g, s, [&](double x) {
            const double xi = (x - x0) / t;
            if (xi <= -c0) return hl;
            if (xi >= 2.0 * c0) return 0.0;
            return (2.0 * c0 - xi) * (2.0 * c0 - xi) / (9.0 * kG);
        });
        if (verbose()) std::printf("Ritter %s nx=%u dx=%g: rel L1 = %.4f\n", scheme.name, nx, g.dx, err);
        CHECK(err < 0.02);
        CHECK(clipped == 0.0);
        CHECK(min_depth(s) >= 0.0);
    }
}

TEST_CASE("SWE: Stoker wet dam break", "[flood][analytic]") {
    // hl = 1 m, hr = 0.1 m at t = 6 s, 400 cells of 0.25 m. Measured rel. L1: 1st order 0.74%, 2nd order
    // 0.25% (minmod) and 0.18% (van Leer).
    for (const Scheme& scheme : kSchemes) {
        const double length = 100.0, x0 = 50.0, hl = 1.0, hr = 0.1, t = 6.0;
        const uint32_t nx = 400;
        SweGrid g = channel(nx, length, scheme);
        SweState s = SweState::dry(g);
        for (uint32_t i = 0; i < nx; ++i) s.h[i] = x_centre(g, i) < x0 ? hl : hr;
        run_to(g, s, t);
        const double cm = stoker_cm(hl, hr), c0 = std::sqrt(kG * hl);
        const double xa = x0 - t * c0, xb = x0 + t * (2.0 * c0 - 3.0 * cm);
        const double xc = x0 + t * (2.0 * cm * cm * (c0 - cm)) / (cm * cm - kG * hr);
        const double err = rel_l1(g, s, [&](double x) {
            if (x <= xa) return hl;
            if (x <= xb) {
                const double w = c0 - (x - x0) / (2.0 * t);
                return 4.0 / (9.0 * kG) * w * w;
            }
            if (x <= xc) return cm * cm / kG;
            return hr;
        });
        if (verbose())
            std::printf("Stoker %s nx=%u: h_m=%.5f shock at %.3f, rel L1 = %.4f\n", scheme.name, nx,
                        cm * cm / kG, xc, err);
        CHECK(cm * cm / kG == Approx(0.3961).epsilon(2e-3));  // SWASHES' intermediate depth for hl=1, hr=0.1
        CHECK(err < 0.02);
    }
}

TEST_CASE("SWE: lake at rest over a bumpy bed with an island, closed and open edges", "[flood][balance]") {
    // 24 x 24 cells, 10,000 steps at the CFL time step of the lake. With open edges the bed is not flat at
    // the edges: this used to grow from round-off to a blow-up (see open_ghost() in swe_reference.cpp).
    for (const Scheme& scheme : kSchemes) {
        for (Boundary b : {Boundary::Closed, Boundary::Open}) {
            SweGrid g;
            SweState s;
            const size_t dry = island_lake(g, s, 24);
            REQUIRE(dry > 20);
            g.second_order = scheme.second_order;
            g.limiter = scheme.limiter;
            g.boundary = {b, b, b, b};
            const SweState initial = s;
            const double dt = cfl_time_step(g, s);
            double outflow = 0.0;
            for (int step = 0; step < 10000; ++step) outflow += swe_step(g, s, dt).outflow_m3;
            const LakeStats st = lake_stats(g, s, initial);
            if (verbose())
                std::printf(
                    "Lake at rest %s %s: %zu dry cells, max speed %.3e m/s, eta in [%.15f, %.15f], outflow "
                    "%.3e m3\n",
                    scheme.name, b == Boundary::Open ? "open" : "closed", dry, st.vmax, st.eta_min,
                    st.eta_max, outflow);
            CHECK(st.vmax < 1e-5);
            CHECK(std::abs(st.eta_min - 1.0) < 1e-9);
            CHECK(std::abs(st.eta_max - 1.0) < 1e-9);
            CHECK(st.dry_stayed_dry);
            CHECK(std::abs(outflow) < 1e-9);
        }
    }
}

TEST_CASE("SWE: disturbed lake touching open edges settles back to rest", "[flood][balance]") {
    // The island lake with all edges open, Manning n = 0.03, and a 3 cm hump of extra water (3% of the depth)
    // 8 m from the West and South edges: the waves leave through the edges and the lake returns to its level
    // within 10 minutes. With the plain zero-gradient ghost this lake blew up from round-off alone. Known
    // limit: a hump that drives the edge flow past kOpenOutflowFroude (3 cm at 4 m from an edge) drains the
    // lake (see open_ghost() in the .cpp). (Shallow shore cells can keep a small velocity against dry banks
    // higher than their surface, which hydrostatic reconstruction does not stop; it carries no water, so the
    // check is on the discharge.)
    for (bool second : {false, true}) {
        SweGrid g;
        SweState s;
        island_lake(g, s, 32);
        g.second_order = second;
        g.manning_n = 0.03;
        g.boundary = {Boundary::Open, Boundary::Open, Boundary::Open, Boundary::Open};
        double hump_m3 = 0.0;
        for (uint32_t j = 0; j < g.ny; ++j) {
            for (uint32_t i = 0; i < g.nx; ++i) {
                const size_t k = g.index(i, j);
                const double r2 = (i + 0.5 - 8.0) * (i + 0.5 - 8.0) + (j + 0.5 - 8.0) * (j + 0.5 - 8.0);
                if (s.h[k] == 0.0) continue;
                const double dh = 0.03 * std::exp(-r2 / 8.0);
                s.h[k] += dh;
                hump_m3 += dh * g.dx * g.dx;
            }
        }
        const double v0 = stored_volume(g, s);
        double outflow = 0.0, t = 0.0;
        while (t < 600.0) {
            const double dt = cfl_time_step(g, s);
            outflow += swe_step(g, s, dt).outflow_m3;
            t += dt;
        }
        // The lake proper (cells deeper than 10 cm; puddles left on the island's slopes may stay above it).
        double qmax = 0.0, eta_min = 1e9, eta_max = -1e9;
        for (size_t k = 0; k < g.cells(); ++k) {
            qmax = std::max(qmax, std::hypot(s.hu[k], s.hv[k]));
            if (s.h[k] < 0.1) continue;
            eta_min = std::min(eta_min, s.h[k] + g.z[k]);
            eta_max = std::max(eta_max, s.h[k] + g.z[k]);
        }
        if (verbose())
            std::printf(
                "Disturbed lake %s: t=%.0f s, hump %.4f m3, outflow %.4f m3, max discharge %.2e m2/s "
                "(initially "
                "~0.15), lake eta in [%.6f, %.6f]\n",
                order_name(second), t, hump_m3, outflow, qmax, eta_min, eta_max);
        CHECK(qmax < 1e-2);
        CHECK(eta_min > 1.0 - 1e-3);
        CHECK(eta_max < 1.0 + 1e-3);
        CHECK(outflow == Approx(hump_m3).epsilon(0.2));
        CHECK(stored_volume(g, s) == Approx(v0 - outflow).epsilon(1e-12));
    }
}

TEST_CASE("SWE: Thacker planar oscillation in a paraboloid", "[flood][analytic]") {
    // SWASHES 4.2.2: z = -h0 (1 - r^2/a^2), h = eta h0/a^2 (2 x' cos wt + 2 y' sin wt - eta) - z,
    // w = sqrt(2 g h0)/a, a = 1 m, h0 = 0.1 m, eta = 0.5, on a 4 m square of 128^2 cells (dx = a / 32),
    // closed edges (never reached). Measured, 2nd order (minmod): period +0.13%, shorelines at t = T off
    // by 1.7% and 1.1% of a, depth rel. L1 1.3%, 2 s. 1st order at the same resolution: period +3.3%,
    // shorelines 3.6% and 6.1%, depth rel. L1 18% (at 200^2 cells still +2.1% and 4%).
    const double a = 1.0, h0 = 0.1, eta = 0.5, length = 4.0;
    const double w = std::sqrt(2.0 * kG * h0) / a, period = 2.0 * std::numbers::pi / w;
    const uint32_t n = 128;
    SweGrid g;
    g.nx = g.ny = n;
    g.dx = length / n;
    g.second_order = true;
    g.z.resize(g.cells());
    SweState s = SweState::dry(g);
    auto exact_h = [&](double xp, double yp, double t) {
        const double z = -h0 * (1.0 - (xp * xp + yp * yp) / (a * a));
        return std::max(
            0.0, eta * h0 / (a * a) * (2.0 * xp * std::cos(w * t) + 2.0 * yp * std::sin(w * t) - eta) - z);
    };
    auto xc = [&](uint32_t i) { return (i + 0.5) * g.dx - 0.5 * length; };
    for (uint32_t j = 0; j < n; ++j) {
        for (uint32_t i = 0; i < n; ++i) {
            const size_t k = g.index(i, j);
            g.z[k] = -h0 * (1.0 - (xc(i) * xc(i) + xc(j) * xc(j)) / (a * a));
            s.h[k] = exact_h(xc(i), xc(j), 0.0);
            s.hv[k] = s.h[k] * eta * w;  // u = -eta w sin(0) = 0, v = eta w cos(0)
        }
    }
    // Period: the total x-momentum is proportional to -sin(wt); find its crossing from + to - near t = T. The
    // state at exactly t = T is kept for the shoreline and the depth error.
    auto total_hu = [&] {
        double m = 0.0;
        for (double q : s.hu) m += q;
        return m;
    };
    double t = 0.0, prev_m = 0.0, prev_t = 0.0, t_cross = -1.0, clipped = 0.0, hmin = 0.0;
    SweState at_period;
    while (t < 1.1 * period && (t_cross < 0.0 || at_period.h.empty())) {
        double dt = cfl_time_step(g, s);
        const bool snap = at_period.h.empty() && t + dt >= period;
        if (snap) dt = period - t;
        clipped += swe_step(g, s, dt).clipped_m3;
        hmin = std::min(hmin, min_depth(s));
        t = snap ? period : t + dt;
        if (snap) at_period = s;
        const double m = total_hu();
        if (t > 0.75 * period && t_cross < 0.0 && prev_m > 0.0 && m <= 0.0)
            t_cross = prev_t + (t - prev_t) * prev_m / (prev_m - m);
        prev_m = m;
        prev_t = t;
    }
    REQUIRE(t_cross > 0.0);
    REQUIRE(!at_period.h.empty());
    const double period_err = std::abs(t_cross - period) / period;
    // Shoreline at t = T on the row through the bowl's centre (exact: x' = eta -+ sqrt(a^2 - y'^2)).
    // Numerical shoreline: from the outermost cell with h > 1 mm, the free surface through it and its inner
    // neighbour is extended until it meets the bed (sub-cell; a cell-face estimate has an error of up to dx =
    // 3% of a).
    const uint32_t jrow = n / 2;
    const double yrow = xc(jrow), half = std::sqrt(a * a - yrow * yrow);
    auto shoreline = [&](uint32_t i, int out) {
        const size_t k1 = g.index(i, jrow), k0 = g.index(i - out, jrow);
        const double e1 = at_period.h[k1] + g.z[k1], e0 = at_period.h[k0] + g.z[k0];
        const double slope = (e1 - e0) / (out * g.dx);
        auto gap = [&](double x) {
            return e1 + slope * (x - xc(i)) + h0 * (1.0 - (x * x + yrow * yrow) / (a * a));
        };
        double lo = xc(i), hi = xc(i) + out * 3.0 * g.dx;  // the surface is above the bed at lo, below at hi
        for (int it = 0; it < 60; ++it) {
            const double m = 0.5 * (lo + hi);
            (gap(m) > 0.0 ? lo : hi) = m;
        }
        return 0.5 * (lo + hi);
    };
    uint32_t i_lo = 0, i_hi = n - 1;
    while (at_period.h[g.index(i_lo, jrow)] <= 1e-3) ++i_lo;
    while (at_period.h[g.index(i_hi, jrow)] <= 1e-3) --i_hi;
    const double x_lo = shoreline(i_lo, -1), x_hi = shoreline(i_hi, +1);
    const double err_lo = std::abs(x_lo - (eta - half)) / a, err_hi = std::abs(x_hi - (eta + half)) / a;
    double num = 0.0, den = 0.0;
    for (uint32_t j = 0; j < n; ++j) {
        for (uint32_t i = 0; i < n; ++i) {
            const double he = exact_h(xc(i), xc(j), period);
            num += std::abs(at_period.h[g.index(i, j)] - he);
            den += he;
        }
    }
    if (verbose())
        std::printf(
            "Thacker 2nd order n=%u dx=%g: period %.4f vs %.4f (err %.4f), shoreline [%.4f, %.4f] vs "
            "[%.4f, %.4f] (err %.4f, %.4f of a), depth rel. L1 %.4f, clipped %.1e m3\n",
            n, g.dx, t_cross, period, period_err, x_lo, x_hi, eta - half, eta + half, err_lo, err_hi,
            num / den, clipped);
    CHECK(period_err < 0.02);
    CHECK(err_lo < 0.02);
    CHECK(err_hi < 0.02);
    CHECK(num / den < 0.03);
    CHECK(clipped == 0.0);
    CHECK(hmin >= 0.0);
}
