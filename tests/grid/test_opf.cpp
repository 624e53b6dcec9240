// DC optimal power flow: a three-bus case solved by hand (economic dispatch, then a binding line with its
// congestion prices), the optimality conditions on case30 and case118 (marginal cost equals LMP for every
// generator between its limits, balance, ratings), N-1 security checked by full DC re-solves of every
// outage (not by the LODF the OPF itself uses), shedding at VOLL, and the errors. Tests tagged [shared]
// read ../shared/data and are registered only when it is present (tests/CMakeLists.txt).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "grid_test_support.hpp"
#include "modules/grid/case.hpp"
#include "modules/grid/opf.hpp"
#include "modules/grid/power_flow.hpp"

using namespace infrascape::grid;

namespace {

// Three buses in a triangle of equal reactances (0.1 p.u. on 100 MVA), 300 MW of load at bus 3; generator
// 1 at bus 1 costs 0.01 P^2 + 10 P, generator 2 at bus 2 costs 0.02 P^2 + 12 P ($/h, P in MW).
Case triangle(double rate_13_mva) {
    Case c;
    c.name = "triangle";
    c.base_mva = 100;
    c.buses.resize(3);
    for (int i = 0; i < 3; ++i) c.buses[size_t(i)].id = i + 1;
    c.buses[0].type = BusType::Ref;
    c.buses[1].type = BusType::PV;
    c.buses[2].pd_mw = 300;
    Gen g1, g2;
    g1.bus = 1;
    g2.bus = 2;
    g1.pmax_mw = g2.pmax_mw = 500;
    c.gens = {g1, g2};
    c.gencost = {GenCost{2, 0, 0, {0.01, 10, 0}}, GenCost{2, 0, 0, {0.02, 12, 0}}};
    auto line = [](int f, int t, double rate) {
        Branch b;
        b.from = f;
        b.to = t;
        b.x_pu = 0.1;
        b.rate_a_mva = rate;
        return b;
    };
    c.branches = {line(1, 2, 0), line(1, 3, rate_13_mva), line(2, 3, 0)};
    return c;
}

double marginal_cost(const GenCost& gc, double p) {
    const size_t n = gc.coeffs.size();
    const double c2 = n >= 3 ? gc.coeffs[n - 3] : 0, c1 = n >= 2 ? gc.coeffs[n - 2] : 0;
    return 2 * c2 * p + c1;
}

// Karush-Kuhn-Tucker conditions of the dispatch: balance, limits, and each generator's marginal cost against
// the LMP at its bus (equal when between its limits, below at PMAX, above at PMIN).
void check_optimality(const Case& c, const OpfResult& r) {
    REQUIRE(r.solved);
    double gen = 0, load = 0;
    for (size_t g = 0; g < c.gens.size(); ++g) gen += r.pg_mw[g];
    for (const Bus& b : c.buses) load += b.pd_mw + b.gs_mw;
    CHECK(gen == Approx(load).epsilon(1e-9));
    for (size_t k = 0; k < c.branches.size(); ++k)
        if (c.branches[k].rate_a_mva > 0 && c.branches[k].status > 0)
            CHECK(std::abs(r.pf_mw[k]) <= c.branches[k].rate_a_mva + 1e-6);
    int interior = 0;
    for (size_t g = 0; g < c.gens.size(); ++g) {
        const Gen& gn = c.gens[g];
        if (gn.status <= 0) continue;
        const double mc = marginal_cost(c.gencost[g], r.pg_mw[g]);
        const double lmp = r.lmp[size_t(c.bus_index(gn.bus))];
        CHECK(r.pg_mw[g] >= gn.pmin_mw - 1e-6);
        CHECK(r.pg_mw[g] <= gn.pmax_mw + 1e-6);
        if (r.pg_mw[g] > gn.pmin_mw + 1e-3 && r.pg_mw[g] < gn.pmax_mw - 1e-3) {
            CHECK(mc == Approx(lmp).margin(1e-5));
            ++interior;
        } else if (r.pg_mw[g] >= gn.pmax_mw - 1e-3) {
            CHECK(mc <= lmp + 1e-5);
        } else {
            CHECK(mc >= lmp - 1e-5);
        }
    }
    CHECK(interior > 0);
}

}  // namespace

TEST_CASE("DC OPF: economic dispatch of the triangle equals the hand solution", "[opf]") {
    // No binding line: equal marginal costs, 0.02 P1 + 10 = 0.04 P2 + 12, P1 + P2 = 300.
    const OpfResult r = dc_opf(triangle(0));
    REQUIRE(r.solved);
    CHECK(r.pg_mw[0] == Approx(700.0 / 3).margin(1e-6));
    CHECK(r.pg_mw[1] == Approx(200.0 / 3).margin(1e-6));
    const double lambda = 0.02 * 700.0 / 3 + 10;
    for (double lmp : r.lmp) CHECK(lmp == Approx(lambda).margin(1e-6));
    CHECK(r.objective == Approx(0.01 * std::pow(700.0 / 3, 2) + 10 * 700.0 / 3 + 0.02 * std::pow(200.0 / 3, 2) +
                                12 * 200.0 / 3)
                             .epsilon(1e-9));
    // Flows of equal-reactance triangle: 2/3 of an injection takes the direct path.
    CHECK(r.pf_mw[1] == Approx((2 * 700.0 / 3 + 200.0 / 3) / 3).margin(1e-6));
    CHECK(r.binding.empty());
}

TEST_CASE("DC OPF: a binding line splits the prices as the hand solution says", "[opf]") {
    // f13 = (2 P1 + P2) / 3 <= 150 with P1 + P2 = 300 gives P1 = P2 = 150; marginal costs 13 and 18 $/MWh
    // are the LMPs at buses 1 and 2, and with the shadow price mu of line 1-3 (PTDF 2/3 and 1/3 toward bus 3),
    // 13 = L3 - 2 mu / 3 and 18 = L3 - mu / 3 give mu = 15 and L3 = 23 $/MWh.
    const OpfResult r = dc_opf(triangle(150));
    REQUIRE(r.solved);
    CHECK(r.pg_mw[0] == Approx(150).margin(1e-6));
    CHECK(r.pg_mw[1] == Approx(150).margin(1e-6));
    CHECK(r.lmp[0] == Approx(13).margin(1e-6));
    CHECK(r.lmp[1] == Approx(18).margin(1e-6));
    CHECK(r.lmp[2] == Approx(23).margin(1e-6));
    CHECK(r.objective == Approx(225 + 1500 + 450 + 1800).epsilon(1e-9));
    REQUIRE(r.binding.size() == 1);
    CHECK(r.binding[0] == 1);
    CHECK(r.pf_mw[1] == Approx(150).margin(1e-6));
}

TEST_CASE("DC OPF: shedding at VOLL serves what the lines let through", "[opf]") {
    // Only line 1-3 and 2-3 reach bus 3, each rated 100 MW: at most 200 of the 300 MW arrive.
    Case c = triangle(100);
    c.branches[2].rate_a_mva = 100;
    c.branches.erase(c.branches.begin());  // no 1-2 line: each generator has its own path
    const OpfResult strict = dc_opf(c);
    CHECK_FALSE(strict.solved);
    CHECK(strict.message.find("infeasible") != std::string::npos);
    OpfOptions o;
    o.allow_shedding = true;
    o.voll_per_mwh = 5000;
    const OpfResult r = dc_opf(c, o);
    REQUIRE(r.solved);
    CHECK(r.total_shed_mw() == Approx(100).margin(1e-6));
    CHECK(r.lmp[2] == Approx(5000).margin(1e-6));  // the last MW at bus 3 is shed
}

TEST_CASE("DC OPF: piecewise linear costs dispatch the cheapest segments first", "[opf]") {
    Case c = triangle(0);
    // Generator 1: 20 $/MWh up to 100 MW, then 40; generator 2: 30 $/MWh flat. 300 MW: 100 from gen 1's
    // cheap segment, then gen 2 (30 < 40) up to its 150 MW limit, then 50 more from gen 1 at 40 $/MWh.
    c.gencost[0] = GenCost{1, 0, 0, {0, 0, 100, 2000, 500, 18000}};
    c.gencost[1] = GenCost{1, 0, 0, {0, 0, 500, 15000}};
    c.gens[1].pmax_mw = 150;
    const OpfResult r = dc_opf(c);
    REQUIRE(r.solved);
    CHECK(r.pg_mw[0] == Approx(150).margin(1e-6));
    CHECK(r.pg_mw[1] == Approx(150).margin(1e-6));
    CHECK(r.objective == Approx(2000 + 50 * 40 + 150 * 30).epsilon(1e-9));
    for (double lmp : r.lmp) CHECK(lmp == Approx(40).margin(1e-6));
}

TEST_CASE("DC OPF: refuses costs it cannot take", "[opf]") {
    Case c = triangle(0);
    c.gencost.clear();
    CHECK_THROWS_WITH(dc_opf(c), Catch::Contains("no generator costs"));
    c = triangle(0);
    c.gencost[1] = GenCost{2, 0, 0, {0.001, 0.02, 12, 0}};
    CHECK_THROWS_WITH(dc_opf(c), Catch::Contains("above quadratic order"));
}

TEST_CASE("DC OPF: case30 and case118 meet the optimality conditions", "[opf][shared]") {
    for (const char* name : {"case30", "case118", "case300"}) {
        auto c = grid_test::shipped_case(name);
        REQUIRE(c);
        INFO(name);
        const OpfResult r = dc_opf(*c);
        check_optimality(*c, r);
        // The flows are the DC power flow of the dispatch.
        Case dispatched = *c;
        for (size_t g = 0; g < c->gens.size(); ++g) dispatched.gens[g].pg_mw = r.pg_mw[g];
        const PowerFlowResult pf = dc_power_flow(dispatched);
        for (size_t k = 0; k < c->branches.size(); ++k) CHECK(r.pf_mw[k] == Approx(pf.pf_mw[k]).margin(1e-6));
    }
}

TEST_CASE("DC OPF with N-1: every non-islanding outage stays within ratings by full re-solves", "[opf][shared]") {
    auto c = grid_test::shipped_case("case30");
    REQUIRE(c);
    OpfOptions o;
    o.n_minus_1 = true;
    const OpfResult base = dc_opf(*c);
    const OpfResult r = dc_opf(*c, o);
    REQUIRE(r.solved);
    CHECK(r.security_rows > 0);
    CHECK(r.objective >= base.objective - 1e-6);
    Case dispatched = *c;
    for (size_t g = 0; g < c->gens.size(); ++g) dispatched.gens[g].pg_mw = r.pg_mw[g];
    const auto lodf_matrix = lodf(*c, ptdf(*c));
    int checked = 0;
    for (size_t k = 0; k < c->branches.size(); ++k) {
        if (c->branches[k].status <= 0 || std::isnan(lodf_matrix[k][k])) continue;
        bool islands = false;
        for (size_t l = 0; l < c->branches.size(); ++l) islands = islands || std::isnan(lodf_matrix[l][k]);
        if (islands) continue;
        Case out = dispatched;
        out.branches[k].status = 0;
        const PowerFlowResult pf = dc_power_flow(out);
        for (size_t l = 0; l < c->branches.size(); ++l)
            if (l != k && c->branches[l].rate_a_mva > 0) CHECK(std::abs(pf.pf_mw[l]) <= c->branches[l].rate_a_mva + 1e-3);
        ++checked;
    }
    CHECK(checked > 30);
}

namespace {

// Both forms on one case with linear costs (each generator's marginal cost at its PMAX/2 as a flat price, so
// that CLP's simplex is exact on both): the same objective, dispatch and prices.
// LMPs are compared only when asked: with linear costs a degenerate optimum can have several valid prices.
void check_forms_agree(Case c, bool n_minus_1, bool shedding = false, bool prices = false) {
    for (size_t g = 0; g < c.gens.size(); ++g) {
        const double mc = marginal_cost(c.gencost[g], c.gens[g].pmax_mw / 2);
        c.gencost[g] = GenCost{2, 0, 0, {mc + 0.01 * double(g % 7), 0}};  // distinct prices: one optimum
    }
    OpfOptions a, p;
    a.form = OpfOptions::Form::Angles;
    p.form = OpfOptions::Form::Ptdf;
    a.n_minus_1 = p.n_minus_1 = n_minus_1;
    a.allow_shedding = p.allow_shedding = shedding;
    const OpfResult ra = dc_opf(c, a), rp = dc_opf(c, p);
    INFO(c.name << ": angle form: " << ra.message << "; PTDF form: " << rp.message);
    REQUIRE(ra.solved);
    REQUIRE(rp.solved);
    CHECK(rp.objective == Approx(ra.objective).epsilon(1e-9));
    for (size_t g = 0; g < c.gens.size(); ++g) CHECK(rp.pg_mw[g] == Approx(ra.pg_mw[g]).margin(1e-3));
    if (prices)
        for (size_t b = 0; b < c.buses.size(); ++b) CHECK(rp.lmp[b] == Approx(ra.lmp[b]).margin(1e-4));
    for (size_t k = 0; k < c.branches.size(); ++k) CHECK(rp.pf_mw[k] == Approx(ra.pf_mw[k]).margin(1e-3));
    for (size_t b = 0; b < c.buses.size(); ++b) CHECK(rp.shed_mw[b] == Approx(ra.shed_mw[b]).margin(1e-3));
}

}  // namespace

TEST_CASE("DC OPF: the PTDF form equals MATPOWER's angle form on the triangle", "[opf]") {
    check_forms_agree(triangle(0), false, false, true);
    check_forms_agree(triangle(150), false, false, true);
    Case limited = triangle(0);
    limited.branches[1].angmin_deg = -8;  // bus 1 to bus 3 at most 8 degrees apart
    limited.branches[1].angmax_deg = 8;
    check_forms_agree(limited, false, false, true);
    const OpfResult r = dc_opf(limited);
    REQUIRE(r.solved);
    CHECK(r.va_deg.size() == 3);
    // b (Va1 - Va3) at the limit: 139.6 MW, so P1 = 3 f13 - 300 = 118.9 MW (f13 = (2 P1 + P2) / 3).
    const double f13 = 100 * 8 * 3.14159265358979 / 180 / 0.1;
    CHECK(r.pf_mw[1] == Approx(f13).margin(1e-6));
    CHECK(r.pg_mw[0] == Approx(3 * f13 - 300).margin(1e-6));
}

// case300 congested this way (with 300 shedding columns and dozens of binding lines) makes CLP's QP crawl past
// its iteration cap; the OPF then says so rather than returning a point short of the optimum.
TEST_CASE("DC OPF: the PTDF form equals the angle form on congested case30/118 and with N-1", "[opf][shared]") {
    for (const char* name : {"case30", "case118"}) {
        auto c = grid_test::shipped_case(name);
        REQUIRE(c);
        INFO(name);
        check_forms_agree(*c, false);
        // Congest it: every branch whose outage would not island the grid (so flow can go around it) rated
        // at 80% of its flow in the uncongested optimum, at least 5 MW.
        const OpfResult base = dc_opf(*c);
        const auto l = lodf(*c, ptdf(*c));
        Case tight = *c;
        for (size_t k = 0; k < tight.branches.size(); ++k) {
            bool bridge = false;
            for (size_t m = 0; m < tight.branches.size(); ++m) bridge = bridge || std::isnan(l[m][k]);
            tight.branches[k].rate_a_mva = bridge ? 0 : std::max(5.0, 0.8 * std::abs(base.pf_mw[k]));
        }
        OpfOptions shed;
        shed.allow_shedding = true;
        const OpfResult congested = dc_opf(tight, shed);
        INFO(congested.message);
        REQUIRE(congested.solved);
        CHECK(congested.binding.size() > 3);
        check_forms_agree(tight, false, true);
    }
    auto c = grid_test::shipped_case("case30");
    check_forms_agree(*c, true);
}
TEST_CASE("DC OPF: warm-started re-solves equal fresh solves", "[opf][shared]") {
    auto c = grid_test::shipped_case("case118");
    REQUIRE(c);
    for (Branch& b : c->branches) b.rate_a_mva = 180;  // a few lines bind as the load grows
    OpfOptions o;
    o.allow_shedding = true;
    DcOpf warm(*c, o);
    for (double f : {0.9, 1.0, 1.1, 0.95, 1.05}) {
        Case op = *c;
        for (Bus& b : op.buses) b.pd_mw *= f;
        const OpfResult a = warm.solve(op), b = dc_opf(op, o);
        REQUIRE(a.solved);
        CHECK(a.objective == Approx(b.objective).epsilon(1e-7));
        for (size_t g = 0; g < op.gens.size(); ++g) CHECK(a.pg_mw[g] == Approx(b.pg_mw[g]).margin(1e-3));
    }
}
