// Hosting capacity (modules/grid/hosting.hpp): a hand-solved triangle, the exact LP against a bisection over full
// DC OPF solves with N-1 on case30 and case118, the screening bound against the exact value on every bus, and the
// campus load.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "grid_test_support.hpp"
#include "modules/grid/hosting.hpp"
#include "modules/grid/opf.hpp"
#include "modules/grid/power_flow.hpp"

using namespace infrascape::grid;

namespace {

Case triangle() {
    return load_matpower(std::string(INFRASCAPE_SOURCE_DIR) + "/tests/grid/opf_triangle.m", "opf_triangle.m");
}

// The largest load at bus b for which the DC OPF (N-1 as asked, no shedding) is feasible, by bisection to 0.05 MW.
double bisect(const Case& c, int b, bool n1, double hi) {
    OpfOptions o;
    o.n_minus_1 = n1;
    auto feasible = [&](double mw) {
        Case with = c;
        with.buses[size_t(b)].pd_mw += mw;
        return dc_opf(with, o).solved;
    };
    double lo = 0;
    if (feasible(hi)) return hi;
    while (hi - lo > 0.05) {
        const double mid = 0.5 * (lo + hi);
        (feasible(mid) ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

// case118 has no ratings: every branch whose outage would not island the grid is rated at 1.2 times its largest
// flow after any such outage in the uncongested optimum, and at least 50 MW (so the base case is N-1 secure and the
// ratings bind as load is added).
Case rated_case118(const Case& c) {
    const OpfResult base = dc_opf(c);
    const auto l = lodf(c, ptdf(c));
    const size_t n = c.branches.size();
    std::vector<char> bridge(n, 0);
    for (size_t k = 0; k < n; ++k)
        for (size_t m = 0; m < n; ++m) bridge[k] = bridge[k] || std::isnan(l[m][k]);
    Case rated = c;
    for (size_t m = 0; m < n; ++m) {
        double worst = std::abs(base.pf_mw[m]);
        for (size_t k = 0; k < n; ++k)
            if (k != m && !bridge[k]) worst = std::max(worst, std::abs(base.pf_mw[m] + l[m][k] * base.pf_mw[k]));
        rated.branches[m].rate_a_mva = bridge[m] ? 0 : std::max(50.0, 1.2 * worst);
    }
    return rated;
}

void check_against_bisection(const Case& c, const std::vector<int>& buses) {
    HostingOptions o;
    const HostingResult r = hosting_capacity(c, o, buses);
    OpfOptions oo;
    oo.n_minus_1 = true;
    for (int b : buses) {
        const BusHosting& h = r.buses[size_t(b)];
        INFO(c.name << " bus " << c.buses[size_t(b)].id << ": " << h.hosting_mw << " MW, " << hosting_limit_name(h.limit));
        REQUIRE(std::isfinite(h.hosting_mw));
        CHECK(h.bound_mw >= h.hosting_mw - 1e-3);
        const double brute = bisect(c, b, true, h.bound_mw + 1);
        CHECK(h.hosting_mw == Approx(brute).margin(0.5));
        // Exactly that load: the secure dispatch exists, and its post-contingency flows are within ratings.
        Case with = c;
        with.buses[size_t(b)].pd_mw += h.hosting_mw - 1e-3;
        const OpfResult at = dc_opf(with, oo);
        REQUIRE(at.solved);
        const auto l = lodf(with, ptdf(with));
        for (size_t k = 0; k < with.branches.size(); ++k)
            for (size_t m = 0; m < with.branches.size(); ++m) {
                const double rate = with.branches[m].rate_a_mva;
                if (m == k || !(rate > 0) || std::isnan(l[m][k])) continue;
                CHECK(std::abs(at.pf_mw[m] + l[m][k] * at.pf_mw[k]) <= rate + 1e-3);
            }
        // 1% more: no secure dispatch.
        if (h.hosting_mw > 1) {
            with.buses[size_t(b)].pd_mw = c.buses[size_t(b)].pd_mw + 1.01 * h.hosting_mw;
            CHECK_FALSE(dc_opf(with, oo).solved);
        }
    }
}

}  // namespace

TEST_CASE("Hosting capacity of the triangle equals the hand solution", "[hosting]") {
    // Equal reactances, slack bus 1: the PTDF of line 1-3 is 0 at bus 1, -1/3 at bus 2 and -2/3 at bus 3, so its
    // flow is (2 (300 + L3) - P2) / 3 + ... and only it is rated (150 MW); each unit can give 500 MW.
    const Case c = triangle();
    HostingOptions o;
    o.n_minus_1 = false;
    const HostingResult r = hosting_capacity(c, o);
    // Bus 3: (300 + L) / 3 <= 150 with P2 = 300 + L (P1 = 0): L = 150, line 1-3 binding.
    CHECK(r.buses[2].hosting_mw == Approx(150).margin(1e-6));
    CHECK(r.buses[2].limit == HostingLimit::Branch);
    CHECK(r.buses[2].binding_branch == 1);
    CHECK(r.buses[2].binding_contingency == -1);
    // Bus 2: 200 - (P2 - L) / 3 <= 150 needs P2 >= L + 150 <= 500: L = 350 (P1 = 150).
    CHECK(r.buses[1].hosting_mw == Approx(350).margin(1e-6));
    CHECK(r.buses[1].limit == HostingLimit::Branch);
    // Bus 1 (the slack, no line between it and the units' headroom): 1000 - 300 = 700 MW, generation-bound.
    CHECK(r.buses[0].hosting_mw == Approx(700).margin(1e-6));
    CHECK(r.buses[0].limit == HostingLimit::Generation);
    for (const BusHosting& h : r.buses) CHECK(h.bound_mw >= h.hosting_mw - 1e-9);
    // The marginal cost is the LMP of the dispatch before the load (test_opf.cpp: 13, 18, 23 $/MWh).
    CHECK(r.buses[2].marginal_cost == Approx(23).margin(1e-6));

    // Upgrades at bus 3. Reconductoring 1-3 to 225 MW: with P2 = 500, (2 (300 + L) - 500) / 3 <= 225 gives
    // L = 287.5. A parallel circuit (1-3 at x / 2, 300 MW): its flow is 0.8 (300 + L) - 0.4 P2 <= 300: L = 325.
    const std::vector<HostingUpgrade> ups = hosting_upgrades(c, 2, o);
    REQUIRE(ups.size() == 2);
    CHECK(ups[0].kind == "reconductor");
    CHECK(ups[0].hosting_mw == Approx(287.5).margin(1e-6));
    CHECK(ups[0].gain_mw == Approx(137.5).margin(1e-6));
    CHECK(ups[1].kind == "parallel");
    CHECK(ups[1].hosting_mw == Approx(325).margin(1e-6));
}

TEST_CASE("Hosting capacity with N-1 equals a bisection over full OPF solves", "[hosting][shared]") {
    auto c30 = grid_test::shipped_case("case30");
    REQUIRE(c30);
    check_against_bisection(*c30, {0, 6, 14, 20, 29});
    auto c118 = grid_test::shipped_case("case118");
    REQUIRE(c118);
    check_against_bisection(rated_case118(*c118), {0, 10, 44, 75, 116});
}

TEST_CASE("The screening bound is never below the exact hosting capacity", "[hosting][shared]") {
    auto c118 = grid_test::shipped_case("case118");
    REQUIRE(c118);
    const Case c = rated_case118(*c118);
    for (bool n1 : {false, true}) {
        HostingOptions o;
        o.n_minus_1 = n1;
        const HostingResult r = hosting_capacity(c, o);
        int below_headroom = 0;
        for (size_t b = 0; b < c.buses.size(); ++b) {
            const BusHosting& h = r.buses[b];
            INFO("bus " << c.buses[b].id << (n1 ? " N-1" : ""));
            REQUIRE(std::isfinite(h.hosting_mw));
            CHECK(h.bound_mw >= h.hosting_mw - 1e-3);
            below_headroom += h.limit == HostingLimit::Branch;
        }
        CHECK(below_headroom > 10);  // the ratings bind at many buses, so the bound is tested where it matters
        // min_mw skips the buses whose bound is below it, and leaves the others' values as they were.
        o.min_mw = 300;
        const HostingResult some = hosting_capacity(c, o);
        for (size_t b = 0; b < c.buses.size(); ++b) {
            if (r.buses[b].bound_mw < 300) CHECK(some.buses[b].limit == HostingLimit::Skipped);
            else CHECK(some.buses[b].hosting_mw == Approx(r.buses[b].hosting_mw).margin(1e-3));
        }
    }
}

TEST_CASE("A case without ratings or with a load it cannot serve is refused", "[hosting]") {
    Case c = triangle();
    for (Branch& b : c.branches) b.rate_a_mva = 0;
    CHECK_THROWS_WITH(hosting_capacity(c), Catch::Contains("no line ratings"));
    c = triangle();
    c.buses[2].pd_mw = 2000;  // above the units' 1000 MW
    CHECK_THROWS_WITH(hosting_capacity(c), Catch::Contains("cannot be served"));
}

TEST_CASE("The campus load is GPUs x kW x server overhead x PUE", "[hosting]") {
    // By hand: 1,000,000 x 0.7 kW x 1.45 x 1.2 = 1,218,000 kW.
    CHECK(campus_mw(Campus{1e6, 0.7, 1.45, 1.2}) == Approx(1218.0).epsilon(1e-12));
    CHECK_THROWS_WITH(campus_mw(Campus{-1, 0.7, 1.45, 1.2}), Catch::Contains("GPU count"));
    CHECK_THROWS_WITH(campus_mw(Campus{10, 0.7, 1.45, 0.9}), Catch::Contains("PUE"));
}
