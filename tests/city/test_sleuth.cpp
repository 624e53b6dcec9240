// The city automaton's C++ reference: each rule does what SLEUTH's rule does, deterministically.
#include <catch2/catch.hpp>

#include "city/ca_shared.h"
#include "modules/city/sleuth.hpp"

using namespace infrascape::city;

namespace {
CaGrid empty_grid(uint32_t n) {
    CaGrid g;
    g.nx = g.ny = n;
    g.state.assign(size_t(n) * n, 0);
    g.slope_weight.assign(size_t(n) * n, 1.0f);
    return g;
}
}  // namespace

TEST_CASE("random numbers are uniform, deterministic and distinct per stream", "[city]") {
    CHECK(ca_random(1, 2, 3, 4) == ca_random(1, 2, 3, 4));
    CHECK(ca_random(1, 2, 3, 4) != ca_random(1, 2, 3, 5));
    CHECK(ca_random(1, 2, 3, 4) != ca_random(2, 2, 3, 4));
    double sum = 0;
    int below = 0;
    const int n = 200000;
    for (int k = 0; k < n; ++k) {
        float u = ca_random(9, 1, uint32_t(k), 0);
        REQUIRE(u >= 0.0f);
        REQUIRE(u < 1.0f);
        sum += u;
        below += u < 0.1f;
    }
    CHECK(sum / n == Approx(0.5).margin(0.005));
    CHECK(below / double(n) == Approx(0.1).margin(0.005));
}

TEST_CASE("spontaneous growth urbanizes free cells at the SLEUTH rate and never water", "[city]") {
    CaGrid g = empty_grid(200);
    for (uint32_t i = 0; i < 200; ++i) g.state[100 * 200 + i] = CA_WATER;
    SleuthCoefficients c;
    c.diffusion = 100;
    CaRates r = ca_rates(c, 200, 200, 8);
    // 0.005 * 100 * sqrt(2) * 200 picks per generation over 40,000 cells.
    CHECK(r.p_spont == Approx(0.005 * 100 * std::sqrt(2.0) * 200 / 40000.0).epsilon(1e-6));
    r.p_spont = 0.05f;
    CaGrid out = ca_pass_spontaneous(g, r, 5, 0, 0);
    const CaCounts counts = ca_counts(out);
    CHECK(double(counts.built) / (200 * 199) == Approx(0.05).margin(0.005));
    for (uint32_t i = 0; i < 200; ++i) CHECK(out.state[100 * 200 + i] == CA_WATER);
    for (uint32_t s : out.state)
        if (s & CA_URBAN) CHECK((s & (CA_NEW | CA_NEW_SPONT)) == (CA_NEW | CA_NEW_SPONT));
    // The slope weight gates growth: a zero weight forbids it.
    g.slope_weight.assign(g.slope_weight.size(), 0.0f);
    CHECK(ca_counts(ca_pass_spontaneous(g, r, 5, 0, 0)).built == 0);
}

TEST_CASE("a new spontaneous cell that breeds urbanizes up to two neighbours", "[city]") {
    CaGrid g = empty_grid(9);
    g.state[4 * 9 + 4] = CA_URBAN | CA_NEW | CA_NEW_SPONT;
    CaRates r;
    r.p_breed = 1.0f;
    CaGrid out = ca_pass_spread(g, r, 3, 7, 0);
    const auto built = ca_counts(out).built;
    CHECK(built >= 2);
    CHECK(built <= 3);
    for (int j = 0; j < 9; ++j)
        for (int i = 0; i < 9; ++i)
            if ((out.at(i, j) & CA_URBAN) && !(i == 4 && j == 4)) {
                CHECK(std::abs(i - 4) <= 1);
                CHECK(std::abs(j - 4) <= 1);
            }
}

TEST_CASE("edge growth needs a built cell with at least two built neighbours", "[city]") {
    CaRates r;
    r.p_spread = 1.0f;
    CaGrid lone = empty_grid(7);
    lone.state[3 * 7 + 3] = CA_URBAN;
    CHECK(ca_counts(ca_pass_spread(lone, r, 1, 0, 0)).built == 1);  // a lone cell does not spread
    CaGrid cluster = empty_grid(7);
    for (int i = 2; i <= 4; ++i) cluster.state[3 * 7 + i] = CA_URBAN;
    uint64_t grown = 0;
    for (uint32_t gen = 0; gen < 20; ++gen) grown += ca_counts(ca_pass_spread(cluster, r, 1, gen, 0)).built - 3;
    CHECK(grown > 0);  // the middle cell has two built neighbours and spreads
}

TEST_CASE("road-influenced growth happens only beside roads near new growth", "[city]") {
    CaGrid g = empty_grid(15);
    for (int i = 0; i < 15; ++i) g.state[7 * 15 + i] = CA_ROAD;
    CaRates r;
    r.p_road = 1.0f;
    r.road_radius = 2;
    CHECK(ca_counts(ca_pass_spread(g, r, 1, 0, 0)).built == 0);  // no new growth anywhere: nothing happens
    g.state[5 * 15 + 3] = CA_URBAN | CA_NEW;  // new growth two rows above the road
    CaGrid out = ca_pass_spread(g, r, 1, 0, 0);
    for (int j = 0; j < 15; ++j)
        for (int i = 0; i < 15; ++i) {
            if (!(out.at(i, j) & CA_URBAN) || (g.at(i, j) & CA_URBAN)) continue;
            CHECK(std::abs(j - 7) == 1);      // beside the road
            CHECK(std::abs(i - 3) <= 2);      // within the radius of the new cell
            CHECK(std::abs(j - 5) <= 2);
        }
    CHECK(ca_counts(out).built > 1);
}

TEST_CASE("arterial roads extend into built cells along their lines", "[city]") {
    CaGrid g = empty_grid(12);
    CaRates r;
    r.road_spacing = 4;
    g.state[4 * 12 + 0] = CA_ROAD;
    for (int i = 1; i < 12; ++i) g.state[4 * 12 + i] = CA_URBAN;  // built along row 4, an arterial line
    g.state[5 * 12 + 1] = CA_URBAN;                               // row 5 is not
    CaGrid out = g;
    for (int gen = 0; gen < 5; ++gen) out = ca_pass_roads(out, r);
    for (int i = 0; i <= 5; ++i) CHECK((out.at(i, 4) & CA_ROAD) != 0);  // one cell per generation
    CHECK((out.at(6, 4) & CA_ROAD) == 0);
    CHECK((out.at(1, 5) & CA_ROAD) == 0);
}

TEST_CASE("a generation is deterministic for a seed and differs between seeds", "[city]") {
    CaGrid g = empty_grid(64);
    for (int i = 28; i < 36; ++i)
        for (int j = 28; j < 36; ++j) g.state[j * 64 + i] = CA_URBAN;
    CaRates r = ca_rates(SleuthCoefficients{}, 64, 64, 8);
    CaGrid a = g, b = g, c = g;
    for (uint32_t gen = 0; gen < 10; ++gen) {
        a = ca_generation(a, r, 42, gen);
        b = ca_generation(b, r, 42, gen);
        c = ca_generation(c, r, 43, gen);
    }
    CHECK(a.state == b.state);
    CHECK(a.state != c.state);
    CHECK(ca_counts(a).built > 64);
}

TEST_CASE("slope weights follow SLEUTH's lookup", "[city]") {
    CHECK(slope_weight(0, 30, 21) == Approx(1.0));
    CHECK(slope_weight(21, 30, 21) == 0.0f);
    CHECK(slope_weight(30, 30, 21) == 0.0f);
    CHECK(slope_weight(10.5, 50, 21) == Approx(0.5));  // exponent 1 at resistance 50
    CHECK(slope_weight(10.5, 100, 21) < slope_weight(10.5, 10, 21));  // more resistance, less growth
}

TEST_CASE("housing demand scales every rule and stops growth once met", "[city]") {
    CaRates r;
    r.target_built = 1000;
    r.ramp = 100;
    CHECK(ca_pressure(0, r) == 1.0f);
    CHECK(ca_pressure(900, r) == 1.0f);
    CHECK(ca_pressure(950, r) == 0.5f);
    CHECK(ca_pressure(1000, r) == 0.0f);
    CHECK(ca_pressure(5000, r) == 0.0f);
    CaGrid g = empty_grid(64);
    for (int i = 28; i < 36; ++i)
        for (int j = 28; j < 36; ++j) g.state[j * 64 + i] = CA_URBAN;
    CaRates full = ca_rates(SleuthCoefficients{}, 64, 64, 8, 200, 16);
    CaGrid a = g;
    for (uint32_t gen = 0; gen < 200; ++gen) a = ca_generation(a, full, 1, gen);
    const auto built = ca_counts(a).built;
    CHECK(built >= 200);      // the demand is met...
    CHECK(built < 200 + 64);  // ...and growth stops soon after (one generation's overshoot at most)
}
