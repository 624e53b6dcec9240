// Urban scaling maths: the default laws (Bettencourt et al. 2007, table 1), per-capita change per doubling, the
// log-log power-law fit on exact, noisy and degenerate data, and Oke's (1973) heat-island regressions.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "modules/city/scaling.hpp"

using namespace infrascape::city;

namespace {

const ScalingLaw* find(const std::vector<ScalingLaw>& laws, const std::string& name) {
    for (const auto& l : laws)
        if (l.name == name) return &l;
    return nullptr;
}

std::vector<double> log_spaced(double lo, double hi, int count) {
    std::vector<double> v;
    for (int i = 0; i < count; ++i) v.push_back(lo * std::pow(hi / lo, i / double(count - 1)));
    return v;
}

}  // namespace

TEST_CASE("default scaling laws carry the published exponents", "[city]") {
    const auto laws = default_scaling_laws();
    REQUIRE(laws.size() == 11);
    struct Want {
        const char* name;
        double beta;
        const char* kind;
    };
    const Want want[] = {
        {"GDP", 1.15, "socio-economic"},       {"Total wages", 1.12, "socio-economic"},
        {"New patents", 1.27, "socio-economic"}, {"Violent crime", 1.16, "socio-economic"},
        {"Road surface", 0.83, "infrastructure"}, {"Cable length", 0.87, "infrastructure"},
        {"Petrol stations", 0.77, "infrastructure"}, {"Housing", 1.00, "individual"},
        {"Water use", 1.01, "individual"},     {"Jobs", 1.01, "individual"},
        {"Metabolic comparison", 0.75, "metabolic"},
    };
    for (const auto& w : want) {
        INFO(w.name);
        const ScalingLaw* l = find(laws, w.name);
        REQUIRE(l != nullptr);
        CHECK(l->beta == w.beta);
        CHECK(l->kind == w.kind);
        CHECK_FALSE(l->unit.empty());
        CHECK(l->y0 > 0.0);
        // Classes: increasing returns above 1, economies of scale below, individual needs at ~1.
        if (l->kind == std::string("socio-economic")) CHECK(l->beta > 1.0);
        if (l->kind == std::string("infrastructure")) CHECK(l->beta < 1.0);
        if (l->kind == std::string("individual")) CHECK(std::fabs(l->beta - 1.0) < 0.0100001);
    }
    const ScalingLaw& gdp = *find(laws, "GDP");
    CHECK(gdp.unit == "USD/year");
    CHECK(evaluate(gdp, 1e6) == Approx(5e10).epsilon(1e-12));
    CHECK(find(laws, "Road surface")->unit == "km^2");
    CHECK(find(laws, "Cable length")->unit == "km");
    CHECK(find(laws, "Housing")->unit == "dwellings");
    CHECK(find(laws, "Water use")->unit == "m^3/day");
}

TEST_CASE("evaluate is Y0 N^beta", "[city]") {
    const ScalingLaw l{"x", "u", 3.5, 1.15, "socio-economic"};
    CHECK(evaluate(l, 1.0) == 3.5);
    CHECK(evaluate(l, 1e6) == Approx(3.5 * std::pow(1e6, 1.15)).epsilon(1e-15));
    // Doubling N multiplies Y by 2^beta.
    CHECK(evaluate(l, 2e5) / evaluate(l, 1e5) == Approx(std::pow(2.0, 1.15)).epsilon(1e-14));
    CHECK(evaluate(l, 0.0) == 0.0);
}

TEST_CASE("per-capita change per doubling is 2^(beta-1) - 1", "[city]") {
    CHECK(per_capita_change_per_doubling(1.0) == 0.0);
    CHECK(per_capita_change_per_doubling(2.0) == 1.0);
    CHECK(per_capita_change_per_doubling(0.0) == -0.5);
    CHECK(per_capita_change_per_doubling(0.85) == Approx(-0.0987495373891698).epsilon(1e-14));  // 9.9% saving
    CHECK(per_capita_change_per_doubling(0.75) == Approx(-0.1591035847462855).epsilon(1e-14));  // 15.9%
    CHECK(per_capita_change_per_doubling(1.15) == Approx(0.10956947206784484).epsilon(1e-14));  // +11.0%
    CHECK(per_capita_change_per_doubling(1.27) == Approx(0.20580782769076045).epsilon(1e-14));
    for (double beta : {0.75, 0.83, 0.85, 1.12, 1.15, 1.27})
        CHECK(per_capita_change_per_doubling(beta) == Approx(std::pow(2.0, beta) / 2.0 - 1.0).epsilon(1e-14));
    // West's popular "15%" / "25%" are the elasticities, beta - 1, not the per-doubling changes.
    CHECK(per_capita_elasticity(0.85) == Approx(-0.15).epsilon(1e-14));
    CHECK(per_capita_elasticity(0.75) == -0.25);
    CHECK(per_capita_elasticity(1.15) == Approx(0.15).epsilon(1e-14));
    CHECK(std::fabs(per_capita_change_per_doubling(0.85)) < std::fabs(per_capita_elasticity(0.85)));
}

TEST_CASE("power-law fit recovers exact exponents and prefactors", "[city]") {
    const auto n = log_spaced(1e3, 2e7, 25);
    for (double beta : {0.75, 0.83, 0.85, 1.0, 1.12, 1.15, 1.27, 2.0, -0.5}) {
        for (double y0 : {1e-3, 1.0, 6294.6, 3e7}) {
            std::vector<double> y;
            for (double x : n) y.push_back(y0 * std::pow(x, beta));
            const Fit f = fit_power_law(n, y);
            INFO("beta " << beta << " y0 " << y0);
            CHECK(std::fabs(f.beta - beta) < 1e-9);
            CHECK(f.y0 == Approx(y0).epsilon(1e-6));
            CHECK(std::fabs(f.r2 - 1.0) < 1e-12);
            CHECK(f.points == n.size());
        }
    }
    // Two points are enough.
    const Fit two = fit_power_law({10.0, 1000.0}, {5.0, 5.0 * std::pow(100.0, 1.2)});
    CHECK(two.beta == Approx(1.2).epsilon(1e-12));
    CHECK(two.y0 == Approx(5.0 / std::pow(10.0, 1.2)).epsilon(1e-12));
    CHECK(two.r2 == Approx(1.0).epsilon(1e-12));
    // Constant Y: beta 0, r2 = 1 by definition (nothing left to explain).
    const Fit flat = fit_power_law({1.0, 10.0, 100.0}, {7.0, 7.0, 7.0});
    CHECK(std::fabs(flat.beta) < 1e-15);
    CHECK(flat.y0 == Approx(7.0).epsilon(1e-14));
    CHECK(flat.r2 == 1.0);
}

TEST_CASE("power-law fit skips non-positive points and reports a lower r2 with noise", "[city]") {
    auto n = log_spaced(1e4, 1e7, 12);
    std::vector<double> y;
    for (double x : n) y.push_back(2.0 * std::pow(x, 0.83));
    n.insert(n.end(), {0.0, -5.0, 3e5, 4e5, std::numeric_limits<double>::quiet_NaN()});
    y.insert(y.end(), {1.0, 3.0, 0.0, -2.0, 1.0});
    const Fit f = fit_power_law(n, y);
    CHECK(f.points == 12);
    CHECK(f.beta == Approx(0.83).epsilon(1e-10));
    CHECK(f.y0 == Approx(2.0).epsilon(1e-8));

    // Log-normal noise (fixed seed): r2 below 1 but the exponent still close.
    std::mt19937 rng(1234);
    std::normal_distribution<double> noise(0.0, 0.1);
    const auto nn = log_spaced(1e4, 1e7, 200);
    std::vector<double> yn;
    for (double x : nn) yn.push_back(5.0 * std::pow(x, 1.15) * std::exp(noise(rng)));
    const Fit g = fit_power_law(nn, yn);
    CHECK(g.r2 < 1.0 - 1e-6);
    CHECK(g.r2 > 0.9);
    CHECK(g.beta == Approx(1.15).margin(0.02));
    CHECK(g.points == 200);
    // r2 is 1 - SS_res / SS_tot in log space: check it against a direct computation.
    double mean = 0.0;
    for (double v : yn) mean += std::log(v);
    mean /= static_cast<double>(yn.size());
    double ss_tot = 0.0, ss_res = 0.0;
    for (size_t i = 0; i < nn.size(); ++i) {
        ss_tot += std::pow(std::log(yn[i]) - mean, 2);
        ss_res += std::pow(std::log(yn[i]) - std::log(g.y0) - g.beta * std::log(nn[i]), 2);
    }
    CHECK(g.r2 == Approx(1.0 - ss_res / ss_tot).epsilon(1e-12));
}

TEST_CASE("power-law fit rejects degenerate input", "[city]") {
    CHECK_THROWS_AS(fit_power_law({}, {}), std::invalid_argument);
    CHECK_THROWS_AS(fit_power_law({1e5}, {3.0}), std::invalid_argument);
    CHECK_THROWS_AS(fit_power_law({1e5, 1e5, 1e5}, {3.0, 4.0, 5.0}), std::invalid_argument);  // one distinct N
    CHECK_THROWS_AS(fit_power_law({1e5, 2e5}, {3.0}), std::invalid_argument);                 // sizes differ
    CHECK_THROWS_AS(fit_power_law({1e5, 2e5, 3e5}, {3.0, 0.0, -1.0}), std::invalid_argument);  // one usable point
    CHECK_THROWS_AS(fit_power_law({0.0, -1.0, 1e5}, {1.0, 2.0, 3.0}), std::invalid_argument);
    CHECK_NOTHROW(fit_power_law({1e5, 1e5, 2e5}, {3.0, 4.0, 5.0}));
}

TEST_CASE("Oke (1973) heat island against population", "[city]") {
    // At one million: 2.96 * 6 - 6.41 = 11.35 K (North America), 2.01 * 6 - 4.06 = 8.00 K (Europe).
    CHECK(heat_island_max_k(1e6, HeatIslandRegion::NorthAmerica) == Approx(11.35).epsilon(1e-12));
    CHECK(heat_island_max_k(1e6, HeatIslandRegion::Europe) == Approx(8.00).epsilon(1e-12));
    CHECK(heat_island_max_k(1e4, HeatIslandRegion::NorthAmerica) == Approx(2.96 * 4 - 6.41).epsilon(1e-12));
    CHECK(heat_island_max_k(1e4, HeatIslandRegion::Europe) == Approx(2.01 * 4 - 4.06).epsilon(1e-12));
    // Each tenfold population adds the slope.
    CHECK(heat_island_max_k(1e7, HeatIslandRegion::NorthAmerica) - heat_island_max_k(1e6, HeatIslandRegion::NorthAmerica) ==
          Approx(2.96).epsilon(1e-12));
    // Clamped at zero below the intercepts (N = 10^(6.41/2.96) ~ 146 and 10^(4.06/2.01) ~ 105).
    CHECK(heat_island_max_k(100.0, HeatIslandRegion::NorthAmerica) == 0.0);
    CHECK(heat_island_max_k(100.0, HeatIslandRegion::Europe) == 0.0);
    CHECK(heat_island_max_k(150.0, HeatIslandRegion::NorthAmerica) > 0.0);
    CHECK(heat_island_max_k(110.0, HeatIslandRegion::Europe) > 0.0);
    CHECK(heat_island_max_k(0.0, HeatIslandRegion::Europe) == 0.0);
    CHECK(heat_island_max_k(-5.0, HeatIslandRegion::NorthAmerica) == 0.0);
    // North American cities run warmer than European ones of the same size above ~300 people.
    for (double n : {1e3, 1e5, 1e6, 1e7}) {
        CHECK(heat_island_max_k(n, HeatIslandRegion::NorthAmerica) > heat_island_max_k(n, HeatIslandRegion::Europe));
    }
}
