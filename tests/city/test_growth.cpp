// The city growth maths against hand-derived results: the closed form of dN/dt = a N^beta - b N (Bettencourt et
// al. 2007, PNAS 104(17)) checked against the ODE and textbook forms, the adaptive integrator against the closed
// form up to 0.9999 of the singularity time, and West's innovation cycles against counts worked out by hand.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "modules/city/growth.hpp"

using namespace infrascape::city;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double rel_err(double got, double want) { return std::fabs(got / want - 1.0); }

// The textbook form of the solution, u = N^(1-beta): u(t) = a/b + (u0 - a/b) e^(-(1-beta) b t), N = u^(1/(1-beta)).
double textbook_population(const GrowthParams& p, double n0, double t) {
    const double u0 = std::pow(n0, 1.0 - p.beta);
    const double u = p.b == 0.0 ? u0 + (1.0 - p.beta) * p.a * t
                                : p.a / p.b + (u0 - p.a / p.b) * std::exp(-(1.0 - p.beta) * p.b * t);
    return std::pow(u, 1.0 / (1.0 - p.beta));
}

// The singularity time as written in the header (and the paper): ln(a / (a - b u0)) / ((beta-1) b), or
// u0 / ((beta-1) a) for b = 0.
double textbook_singularity(const GrowthParams& p, double n0) {
    const double u0 = std::pow(n0, 1.0 - p.beta);
    if (p.b == 0.0) return u0 / ((p.beta - 1.0) * p.a);
    return std::log(p.a / (p.a - p.b * u0)) / ((p.beta - 1.0) * p.b);
}

struct Case {
    GrowthParams p;
    double n0;
};

// Super-linear cases, beta 1.1, 1.15, 1.3, with and without the maintenance term.
const std::vector<Case> kSuperLinear = {
    {{0.05, 0.0, 1.1}, 1e4},  {{0.05, 0.01, 1.1}, 1e4},  {{0.05, 0.01, 1.15}, 1e4},
    {{0.3, 0.0, 1.15}, 1e6},  {{0.02, 0.005, 1.3}, 1e3}, {{0.1, 0.0, 1.3}, 1e5},
    {{0.004, 0.02, 1.3}, 5e5},
};

}  // namespace

TEST_CASE("closed form solves the growth equation and agrees with the textbook form", "[city]") {
    const std::vector<Case> cases = {
        {{0.5, 0.02, 0.75}, 1e3}, {{0.3, 0.05, 0.85}, 1e2}, {{0.1, 0.0, 0.75}, 1.0},  {{0.05, 0.01, 1.15}, 1e4},
        {{0.1, 0.0, 1.3}, 1e5},   {{0.02, 0.005, 1.3}, 1e3}, {{0.01, 0.2, 1.2}, 1e4},  // the last one shrinks
    };
    for (const auto& c : cases) {
        const double tc = singularity_time(c.p, c.n0);
        const double horizon = std::isfinite(tc) ? 0.99 * tc : 300.0;
        for (int i = 1; i <= 20; ++i) {
            const double t = horizon * i / 20.0;
            const double n = closed_form_population(c.p, c.n0, t);
            INFO("beta " << c.p.beta << " b " << c.p.b << " t " << t);
            CHECK(rel_err(n, textbook_population(c.p, c.n0, t)) < 1e-10);
            // dN/dt by a central difference matches a N^beta - b N.
            const double h = std::min(1e-4 * (std::isfinite(tc) ? tc - t : t), 1e-3);
            const double dndt = (closed_form_population(c.p, c.n0, t + h) - closed_form_population(c.p, c.n0, t - h)) /
                                (2.0 * h);
            CHECK(rel_err(dndt, growth_rate(c.p, n)) < 1e-6);
        }
        CHECK(closed_form_population(c.p, c.n0, 0.0) == c.n0);
    }
}

TEST_CASE("closed form: beta = 1 is exponential and the limits beta -> 1, b -> 0 are continuous", "[city]") {
    const double n0 = 2500.0;
    for (double a : {0.03, 0.01}) {
        for (double b : {0.0, 0.01, 0.02}) {
            const GrowthParams p{a, b, 1.0};
            for (double t : {0.5, 10.0, 100.0, 1000.0})
                CHECK(rel_err(closed_form_population(p, n0, t), n0 * std::exp((a - b) * t)) < 1e-13);
            // Just off beta = 1, on both sides: the rearranged form has no cancellation, so it stays on the
            // exponential to within the true (tiny) difference of the solutions.
            for (double eps : {1e-7, -1e-7, 1e-12, -1e-12}) {
                const GrowthParams q{a, b, 1.0 + eps};
                const double t = 100.0;
                const double n = closed_form_population(q, n0, t);
                CHECK(rel_err(n, n0 * std::exp((a - b) * t)) < std::fabs(eps) * 1e4);
                CHECK(std::isfinite(n));
            }
        }
    }
    // b -> 0 approaches the b = 0 formula u = u0 + (1-beta) a t.
    for (double beta : {0.75, 1.15}) {
        const GrowthParams p0{0.05, 0.0, beta}, p1{0.05, 1e-12, beta};
        const double t = 10.0;
        CHECK(rel_err(closed_form_population(p1, 1e3, t), closed_form_population(p0, 1e3, t)) < 1e-9);
        CHECK(rel_err(closed_form_population(p0, 1e3, t), textbook_population(p0, 1e3, t)) < 1e-12);
    }
}

TEST_CASE("sub-linear growth approaches the carrying capacity (a/b)^(1/(1-beta))", "[city]") {
    for (const auto& c : std::vector<Case>{{{0.5, 0.02, 0.75}, 1e3}, {{0.3, 0.05, 0.85}, 1e2}, {{2.0, 0.1, 0.85}, 1e7}}) {
        const double k = std::pow(c.p.a / c.p.b, 1.0 / (1.0 - c.p.beta));
        INFO("beta " << c.p.beta << " K " << k);
        CHECK(rel_err(closed_form_population(c.p, c.n0, 1e5), k) < 1e-12);
        CHECK(rel_err(integrate_population(c.p, c.n0, 1e5), k) < 1e-9);
        CHECK(singularity_time(c.p, c.n0) == kInf);
        // Monotone toward K from either side.
        double prev = c.n0;
        for (int i = 1; i <= 50; ++i) {
            const double n = closed_form_population(c.p, c.n0, 10.0 * i);
            CHECK((c.n0 < k ? n >= prev : n <= prev));
            prev = n;
        }
    }
}

TEST_CASE("integrator equals the closed form for beta < 1", "[city]") {
    const std::vector<Case> cases = {
        {{0.5, 0.02, 0.75}, 1e3}, {{0.3, 0.05, 0.85}, 1e2}, {{0.1, 0.0, 0.75}, 1.0},
        {{0.2, 0.0, 0.85}, 5e4},  {{2.0, 0.1, 0.85}, 1e7},  // starts above its carrying capacity: shrinks to it
    };
    for (const auto& c : cases) {
        for (double t : {0.01, 0.3, 1.0, 7.0, 25.0, 100.0, 400.0, 1500.0, 5000.0}) {
            INFO("beta " << c.p.beta << " b " << c.p.b << " n0 " << c.n0 << " t " << t);
            const double want = closed_form_population(c.p, c.n0, t);
            CHECK(rel_err(integrate_population(c.p, c.n0, t), want) < 1e-9);
            CHECK(rel_err(integrate_population(c.p, c.n0, t, 1e-6), want) < 1e-6);
        }
    }
}

TEST_CASE("integrator equals the closed form for beta = 1 (exponential)", "[city]") {
    for (const auto& p : {GrowthParams{0.02, 0.0, 1.0}, GrowthParams{0.03, 0.01, 1.0}, GrowthParams{0.01, 0.03, 1.0}}) {
        for (double t : {0.1, 1.0, 50.0, 500.0, 2000.0}) {
            const double want = 1e3 * std::exp((p.a - p.b) * t);
            CHECK(rel_err(closed_form_population(p, 1e3, t), want) < 1e-13);
            CHECK(rel_err(integrate_population(p, 1e3, t), want) < 1e-9);
        }
    }
}

TEST_CASE("integrator equals the closed form for beta > 1 up to 0.9999 of the singularity time", "[city]") {
    const std::vector<double> fractions = {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999};
    for (const auto& c : kSuperLinear) {
        const double tc = singularity_time(c.p, c.n0);
        REQUIRE(std::isfinite(tc));
        for (double f : fractions) {
            const double t = f * tc;
            const double want = closed_form_population(c.p, c.n0, t);
            INFO("beta " << c.p.beta << " b " << c.p.b << " t/tc " << f << " N " << want);
            REQUIRE(std::isfinite(want));
            // The acceptance bound, and the stated accuracy of the default and of a looser tolerance.
            const double got = integrate_population(c.p, c.n0, t);
            CHECK(rel_err(got, want) < 1e-6);
            CHECK(rel_err(got, want) < 1e-9);
            CHECK(rel_err(integrate_population(c.p, c.n0, t, 1e-6), want) < 1e-6);
        }
        // 0.99999: within the documented conditioning limit for rel_tol 1e-9 (beta >= 1.1).
        CHECK(rel_err(integrate_population(c.p, c.n0, 0.99999 * tc), closed_form_population(c.p, c.n0, 0.99999 * tc)) <
              1e-9);
    }
}

TEST_CASE("integrator splits into pieces consistently and honours rel_tol", "[city]") {
    const GrowthParams p{0.05, 0.01, 1.15};
    const double n0 = 1e4, tc = singularity_time(p, n0);
    // Chained steps land on the one-shot value.
    double n = n0;
    const int steps = 200;
    for (int i = 0; i < steps; ++i) n = integrate_population(p, n, 0.99 * tc / steps);
    CHECK(rel_err(n, closed_form_population(p, n0, 0.99 * tc)) < 1e-8);
    for (double tol : {1e-3, 1e-5, 1e-7, 1e-9, 1e-11}) {
        for (double f : {0.3, 0.9, 0.999}) {
            INFO("tol " << tol << " f " << f);
            CHECK(rel_err(integrate_population(p, n0, f * tc, tol), closed_form_population(p, n0, f * tc)) <= tol);
        }
    }
    CHECK_THROWS_AS(integrate_population(p, n0, -1.0), std::invalid_argument);
    CHECK_THROWS_AS(integrate_population(p, n0, 1.0, 0.0), std::invalid_argument);
    CHECK(integrate_population(p, n0, 0.0) == n0);
    CHECK(integrate_population(p, 0.0, 5.0) == 0.0);
    CHECK(std::isnan(integrate_population(p, -1.0, 5.0)));
    // A stationary city (a N^(beta-1) = b) stays put.
    const GrowthParams s{0.01 / std::pow(1e4, 0.15), 0.01, 1.15};
    CHECK(rel_err(integrate_population(s, 1e4, 100.0), 1e4) < 1e-12);
}

TEST_CASE("singularity time: closed form, blow-up, and none for beta <= 1 or shrinking cities", "[city]") {
    for (const auto& c : kSuperLinear) {
        const double tc = singularity_time(c.p, c.n0);
        INFO("beta " << c.p.beta << " b " << c.p.b << " tc " << tc);
        CHECK(rel_err(tc, textbook_singularity(c.p, c.n0)) < 1e-12);
        // Large just before, +inf at and after.
        const double n_before = closed_form_population(c.p, c.n0, tc * (1.0 - 1e-6));
        CHECK(std::isfinite(n_before));
        CHECK(n_before > c.n0 * std::pow(1e5, 1.0 / (c.p.beta - 1.0)));
        CHECK(closed_form_population(c.p, c.n0, tc * (1.0 - 1e-3)) < n_before);
        CHECK(closed_form_population(c.p, c.n0, tc) == kInf);
        CHECK(closed_form_population(c.p, c.n0, tc * (1.0 + 1e-9)) == kInf);
        CHECK(closed_form_population(c.p, c.n0, 2.0 * tc) == kInf);
        CHECK(closed_form_population(c.p, c.n0, 1e6) == kInf);
        CHECK(integrate_population(c.p, c.n0, tc) == kInf);
        CHECK(integrate_population(c.p, c.n0, 3.0 * tc) == kInf);
        // Near t_c, N ~ (t_c - t)^(-1/(beta-1)) (b = 0 exactly: N = N0 (1 - t/t_c)^(-1/(beta-1))).
        if (c.p.b == 0.0) {
            for (double f : {0.5, 0.9, 0.999})
                CHECK(rel_err(closed_form_population(c.p, c.n0, f * tc), c.n0 * std::pow(1.0 - f, -1.0 / (c.p.beta - 1.0))) <
                      1e-9);
        }
        // The singularity is the same seen from any point of the trajectory.
        const double t1 = 0.7 * tc;
        CHECK(rel_err(t1 + singularity_time(c.p, closed_form_population(c.p, c.n0, t1)), tc) < 1e-9);
    }
    // Hand values: beta 1.5, b = 0, a = 4e-4, N0 = 1e4: u0 = 0.01, t_c = 0.01 / (0.5 * 4e-4) = 50 years.
    CHECK(singularity_time({4e-4, 0.0, 1.5}, 1e4) == Approx(50.0).epsilon(1e-14));
    // beta 2, a = 0.1, b = 0.05, N0 = 1: t_c = ln(0.1 / 0.05) / 0.05 = 20 ln 2.
    CHECK(singularity_time({0.1, 0.05, 2.0}, 1.0) == Approx(20.0 * std::log(2.0)).epsilon(1e-14));
    // None: beta <= 1, however fast the growth.
    CHECK(singularity_time({1.0, 0.0, 1.0}, 1e6) == kInf);
    CHECK(singularity_time({1.0, 0.0, 0.99}, 1e6) == kInf);
    CHECK(singularity_time({0.5, 0.02, 0.75}, 1e3) == kInf);
    // None: shrinking (a N0^(beta-1) < b) or stationary (=) cities with beta > 1.
    const GrowthParams shrink{0.01, 0.2, 1.2};
    CHECK(singularity_time(shrink, 1e4) == kInf);
    CHECK(singularity_time({0.01 / std::pow(1e4, 0.2), 0.01, 1.2}, 1e4) == kInf);
    CHECK(singularity_time({0.0, 0.0, 1.2}, 1e4) == kInf);
    // A shrinking super-linear city decays toward 0, finitely, and the integrator follows it.
    for (double t : {1.0, 10.0, 50.0, 200.0}) {
        const double n = closed_form_population(shrink, 1e4, t);
        CHECK(n < 1e4);
        CHECK(n > 0.0);
        CHECK(rel_err(integrate_population(shrink, 1e4, t), n) < 1e-9);
    }
}

TEST_CASE("closed form never returns NaN for valid input", "[city]") {
    int checked = 0;
    for (double beta : {0.5, 0.75, 0.85, 0.999999, 1.0, 1.000001, 1.1, 1.15, 1.3, 2.0}) {
        for (double a : {0.0, 1e-4, 0.05, 3.0}) {
            for (double b : {0.0, 1e-9, 0.01, 0.5}) {
                for (double n0 : {1e-3, 1.0, 1e4, 1e9}) {
                    const GrowthParams p{a, b, beta};
                    for (double t : {0.0, 1e-9, 0.5, 10.0, 1e3, 1e6}) {
                        const double n = closed_form_population(p, n0, t);
                        CHECK_FALSE(std::isnan(n));
                        CHECK(n >= 0.0);
                        ++checked;
                    }
                    CHECK_FALSE(std::isnan(singularity_time(p, n0)));
                    CHECK(singularity_time(p, n0) > 0.0);
                }
            }
        }
    }
    CHECK(checked == 10 * 4 * 4 * 4 * 6);
    CHECK(closed_form_population({0.1, 0.0, 1.2}, 0.0, 3.0) == 0.0);
    CHECK(std::isnan(closed_form_population({0.1, 0.0, 1.2}, -1.0, 3.0)));
}

// --- GrowthModel ---------------------------------------------------------------------------------------

TEST_CASE("GrowthModel follows the closed form when no innovation happens", "[city]") {
    // beta < 1: no singularity, so never an innovation; uneven steps of a frame-like clock.
    {
        const GrowthParams p{0.5, 0.02, 0.75};
        GrowthModel m(p, 1e3, 5.0, 0.5);
        const std::vector<double> steps = {0.37, 1.1, 0.016, 3.0, 12.5, 0.25, 40.0, 60.0, 82.754};
        double t = 0.0;
        for (double dt : steps) {
            m.advance(dt);
            t += dt;
            CHECK(m.t_years() == Approx(t).epsilon(1e-14));
            CHECK(rel_err(m.population(), closed_form_population(p, 1e3, t)) < 1e-8);
        }
        CHECK(m.innovations().empty());
        CHECK(m.next_singularity_years() == kInf);
        CHECK(rel_err(m.growth_rate(), growth_rate(p, m.population())) < 1e-15);
    }
    // beta > 1 but stopping before the margin is reached.
    {
        const GrowthParams p{0.05, 0.01, 1.15};
        const double n0 = 1e4, tc = singularity_time(p, n0), margin = 3.0;
        GrowthModel m(p, n0, margin, 0.5);
        for (int i = 0; i < 100; ++i) m.advance((tc - margin - 0.01) / 100.0);
        CHECK(m.innovations().empty());
        CHECK(rel_err(m.population(), closed_form_population(p, n0, tc - margin - 0.01)) < 1e-8);
        CHECK(m.next_singularity_years() == Approx(tc).epsilon(1e-9));
    }
}

TEST_CASE("GrowthModel innovation cycles, b = 0: counts, times and populations worked out by hand", "[city]") {
    // beta 1.5, a0 = 4e-4, N0 = 1e4, margin 10 y, a_gain 0.5. u = N^(-1/2) falls linearly: du/dt = -a/2.
    // Cycle 0: u0 = 0.01, t_c = 50, innovation at 40 where u = 0.01 - 0.5 * 4e-4 * 40 = 0.002, N = 2.5e5.
    // After innovation k the new a = a0 0.5^(k+1) gives t_c' = margin / a_gain = 20 years from the innovation,
    // so the next comes 10 years later, at u halved (N x 4). Innovations at 40, 50, ..., 190: 16 in 195 years,
    // N_k = 2.5e5 4^k, each averting the singularity at t_k + 10.
    const GrowthParams p0{4e-4, 0.0, 1.5};
    const double margin = 10.0, gain = 0.5;
    GrowthModel once(p0, 1e4, margin, gain);
    once.advance(195.0);
    GrowthModel framed(p0, 1e4, margin, gain);
    for (int i = 0; i < 195 * 24; ++i) framed.advance(1.0 / 24.0);

    for (const GrowthModel* m : {&once, &framed}) {
        const auto& inn = m->innovations();
        REQUIRE(inn.size() == 16);
        for (size_t k = 0; k < inn.size(); ++k) {
            INFO("innovation " << k);
            CHECK(inn[k].t_years == Approx(40.0 + 10.0 * static_cast<double>(k)).epsilon(1e-9));
            CHECK(rel_err(inn[k].n, 2.5e5 * std::pow(4.0, static_cast<double>(k))) < 1e-8);
            CHECK(inn[k].singularity_t_years == Approx(inn[k].t_years + margin).epsilon(1e-9));
            // Each new cycle's singularity lies after the innovation time plus the margin (here t_k + 20).
            if (k + 1 < inn.size()) CHECK(inn[k + 1].singularity_t_years > inn[k].t_years + margin);
        }
        CHECK(m->params().a == Approx(4e-4 * std::pow(0.5, 16)).epsilon(1e-15));
        CHECK(m->params().beta == 1.5);
        CHECK(m->params().b == 0.0);
        CHECK(m->next_singularity_years() == Approx(190.0 + 20.0).epsilon(1e-9));
        CHECK(m->next_singularity_years() > inn.back().t_years + margin);
        // 5 years into the cycle that started at 190 from N_15.
        const GrowthParams last{4e-4 * std::pow(0.5, 16), 0.0, 1.5};
        CHECK(rel_err(m->population(), closed_form_population(last, 2.5e5 * std::pow(4.0, 15.0), 5.0)) < 1e-7);
        CHECK(std::isfinite(m->population()));
    }
    // Innovation right at the first margin crossing, and not before.
    GrowthModel m(p0, 1e4, margin, gain);
    m.advance(39.999);
    CHECK(m.innovations().empty());
    m.advance(0.002);
    REQUIRE(m.innovations().size() == 1);
    CHECK(m.next_singularity_years() == Approx(60.0).epsilon(1e-9));
}

TEST_CASE("GrowthModel cycles: the same length each, but sooner and sooner in relative terms", "[city]") {
    // What is true in this formulation (a multiplied by a fixed a_gain): the cycles are self-similar. Each lasts
    // margin (1/a_gain - 1) and multiplies N by a_gain^(-1/(beta-1)). West's acceleration shows (1) against the
    // original economy: the time to the singularity that a0 would have from the population reached at innovation
    // k, t_c(a0, N_k), shrinks as N_k^(1-beta) (= margin a_gain^k for b = 0), and (2) against the city's age: each
    // cycle is a smaller fraction of the time elapsed.
    const GrowthParams p0{4e-4, 0.0, 1.5};
    GrowthModel m(p0, 1e4, 10.0, 0.5);
    m.advance(200.0);
    const auto& inn = m.innovations();
    REQUIRE(inn.size() >= 10);
    for (size_t k = 0; k + 1 < inn.size(); ++k) {
        INFO("cycle " << k);
        const double length = inn[k + 1].t_years - inn[k].t_years;
        CHECK(length == Approx(10.0 * (1.0 / 0.5 - 1.0)).epsilon(1e-9));
        CHECK(rel_err(inn[k + 1].n / inn[k].n, std::pow(0.5, -1.0 / 0.5)) < 1e-8);
        CHECK(singularity_time(p0, inn[k].n) == Approx(10.0 * std::pow(0.5, static_cast<double>(k))).epsilon(1e-8));
        CHECK(singularity_time(p0, inn[k + 1].n) < singularity_time(p0, inn[k].n));
        if (k > 0) {
            const double prev = inn[k].t_years - inn[k - 1].t_years;
            CHECK(length / inn[k + 1].t_years < prev / inn[k].t_years);
        }
    }
}

TEST_CASE("GrowthModel innovation cycles with maintenance (b > 0): hand formula for the period", "[city]") {
    // After an innovation at N (a -> g a) the new singularity is ln(g / (g - (1 - e^(-k m)))) / k away,
    // k = (beta-1) b, whatever a and N: cycles of constant period P = that - m. At the innovation,
    // u = N^(1-beta) = (a/b)(1 - e^(-k m)).
    const GrowthParams p0{0.01, 0.02, 1.2};
    const double n0 = 1e4, margin = 20.0, gain = 0.5, horizon = 200.0;
    const double k = (p0.beta - 1.0) * p0.b;
    const double first = singularity_time(p0, n0) - margin;
    const double period = std::log(gain / (gain - (1.0 - std::exp(-k * margin)))) / k - margin;
    REQUIRE(first > 0.0);
    REQUIRE(period > margin / 2.0);
    const size_t expected = static_cast<size_t>(std::floor((horizon - first) / period)) + 1;
    REQUIRE(std::fabs((horizon - first) / period - std::round((horizon - first) / period)) > 0.05);  // not on an edge
    CHECK(expected == 6);  // first = 75.3, period = 21.76: innovations at 75.3, 97.1, ..., 184.1

    GrowthModel m(p0, n0, margin, gain);
    for (int i = 0; i < 400; ++i) m.advance(horizon / 400.0);
    const auto& inn = m.innovations();
    REQUIRE(inn.size() == expected);
    for (size_t i = 0; i < inn.size(); ++i) {
        INFO("innovation " << i);
        CHECK(inn[i].t_years == Approx(first + period * static_cast<double>(i)).epsilon(1e-8));
        const double a_i = p0.a * std::pow(gain, static_cast<double>(i));
        const double u = a_i / p0.b * (1.0 - std::exp(-k * margin));
        CHECK(rel_err(inn[i].n, std::pow(u, -1.0 / (p0.beta - 1.0))) < 1e-7);
        CHECK(inn[i].singularity_t_years == Approx(inn[i].t_years + margin).epsilon(1e-9));
        if (i + 1 < inn.size()) CHECK(inn[i + 1].singularity_t_years > inn[i].t_years + margin);
        if (i > 0) CHECK(singularity_time(p0, inn[i].n) < singularity_time(p0, inn[i - 1].n));
    }
    CHECK(m.next_singularity_years() > inn.back().t_years + margin);
    CHECK(std::isfinite(m.population()));
    CHECK(m.t_years() == Approx(horizon).epsilon(1e-12));
}

TEST_CASE("GrowthModel stays finite over 200 years for any a_gain (loop guard)", "[city]") {
    const GrowthParams p{0.05, 0.01, 1.15};
    const double n0 = 1e4, margin = 4.0;
    for (double gain : {0.1, 0.5, 0.8, 0.9, 0.99, 1.0, 1.5, 3.0}) {
        INFO("a_gain " << gain);
        GrowthModel m(p, n0, margin, gain);
        for (int i = 0; i < 2000; ++i) {
            m.advance(0.1);
            REQUIRE(std::isfinite(m.population()));
            REQUIRE(m.population() > 0.0);
        }
        CHECK(m.t_years() == Approx(200.0).epsilon(1e-12));
        const auto& inn = m.innovations();
        REQUIRE_FALSE(inn.empty());
        for (size_t k = 1; k < inn.size(); ++k) CHECK(inn[k].t_years - inn[k - 1].t_years >= 0.5 * margin - 1e-9);
        // Never past a singularity: the averted one is always ahead of its innovation.
        // (>=: with a_gain > 1 the averted singularity can be closer than one ulp of t.)
        for (const auto& i : inn) CHECK(i.singularity_t_years >= i.t_years);
    }
    // a_gain = 1: the new cycle is as close to its singularity as the old one, so after the first innovation the
    // population is held and innovations repeat every margin/2.
    GrowthModel m(p, n0, margin, 1.0);
    const double first = singularity_time(p, n0) - margin;
    m.advance(first + 0.5 * margin * 10 + 0.1);
    REQUIRE(m.innovations().size() == 11);
    for (size_t k = 0; k < 11; ++k) CHECK(m.innovations()[k].t_years == Approx(first + 0.5 * margin * static_cast<double>(k)).epsilon(1e-9));
    CHECK(m.held());
    CHECK(m.growth_rate() == 0.0);
    CHECK(rel_err(m.population(), m.innovations()[0].n) < 1e-9);

    // A margin below what double precision resolves neither hangs nor piles up innovations: the population
    // simply reaches the singularity, as with no margin.
    GrowthModel tiny(p, n0, 1e-30, 1.0);
    tiny.advance(200.0);
    CHECK(tiny.population() == kInf);
    CHECK(tiny.innovations().empty());
    CHECK(tiny.t_years() == Approx(200.0).epsilon(1e-12));
    // A small but resolvable one (1e-6 of t_c) still works: N ~ 1e44 there, held, innovations every margin/2.
    const double small_margin = 1e-6 * singularity_time(p, n0);
    GrowthModel small(p, n0, small_margin, 1.0);
    small.advance(singularity_time(p, n0) + 9.9 * small_margin);
    CHECK(std::isfinite(small.population()));
    CHECK(small.population() > 1e40);
    CHECK(small.innovations().size() == 22);  // at t_c - m + k m/2 for k = 0..21
}

TEST_CASE("GrowthModel starting inside the margin innovates at once", "[city]") {
    const GrowthParams p{4e-4, 0.0, 1.5};  // t_c = 50 years from 1e4
    GrowthModel m(p, 1e4, 60.0, 0.5);
    m.advance(1e-6);
    REQUIRE(m.innovations().size() == 1);
    CHECK(m.innovations()[0].t_years == 0.0);
    CHECK(m.innovations()[0].n == 1e4);
    CHECK(m.innovations()[0].singularity_t_years == Approx(50.0).epsilon(1e-12));
    // The new cycle (a halved) has its singularity 100 years out, 40 past the margin: next innovation at 40.
    CHECK(m.next_singularity_years() == Approx(100.0).epsilon(1e-9));
    m.advance(45.0);
    REQUIRE(m.innovations().size() == 2);
    CHECK(m.innovations()[1].t_years == Approx(40.0).epsilon(1e-9));
    CHECK_THROWS_AS(m.set_margin(std::numeric_limits<double>::infinity(), 0.5), std::invalid_argument);
    CHECK_THROWS_AS(m.set_margin(5.0, -1.0), std::invalid_argument);
}

TEST_CASE("GrowthModel forced innovations, live parameter changes, and margin 0", "[city]") {
    const GrowthParams p{0.05, 0.01, 1.15};
    const double n0 = 1e4;
    GrowthModel m(p, n0, 2.0, 0.5);
    m.advance(5.0);
    const double n5 = m.population(), ts = m.next_singularity_years();
    m.innovate();
    REQUIRE(m.innovations().size() == 1);
    CHECK(m.innovations()[0].t_years == 5.0);
    CHECK(m.innovations()[0].n == n5);
    CHECK(m.innovations()[0].singularity_t_years == ts);
    CHECK(m.params().a == 0.025);
    CHECK(m.next_singularity_years() > ts);  // a lowered: the singularity moves later
    CHECK(m.population() == n5);

    // Live change: a sub-linear economy from here on, continuing from the current N.
    const GrowthParams q{0.5, 0.02, 0.75};
    m.set_params(q);
    m.advance(30.0);
    CHECK(rel_err(m.population(), closed_form_population(q, n5, 30.0)) < 1e-8);
    CHECK(m.next_singularity_years() == kInf);
    m.innovate();  // forced with no singularity ahead: recorded with +inf
    CHECK(m.innovations().back().singularity_t_years == kInf);

    // margin 0: automatic innovations off, the plain equation reaches its singularity and stays there.
    GrowthModel raw(p, n0, 0.0, 0.5);
    const double tc = singularity_time(p, n0);
    raw.advance(0.5 * tc);
    CHECK(rel_err(raw.population(), closed_form_population(p, n0, 0.5 * tc)) < 1e-8);
    raw.advance(tc);
    CHECK(raw.population() == kInf);
    CHECK(raw.innovations().empty());
    raw.advance(1.0);
    CHECK(raw.t_years() == Approx(1.5 * tc + 1.0).epsilon(1e-12));

    CHECK_THROWS_AS(GrowthModel(p, 0.0, 1.0, 0.5), std::invalid_argument);
    CHECK_THROWS_AS(GrowthModel(p, 1e4, 1.0, -0.5), std::invalid_argument);
    m.advance(-3.0);  // ignored
    m.advance(0.0);
    CHECK(m.t_years() == Approx(35.0).epsilon(1e-14));
}
