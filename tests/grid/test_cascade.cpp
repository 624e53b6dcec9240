// Island-aware DC power flow and cascading line failures: without outages the island solve equals
// dc_power_flow; hand-built cases check islanding, dark buses, balancing and shedding against flows worked out
// by hand; the cascade's dwell timers, instantaneous trips, stages and events; ACTIVSg2000 outages run through.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "modules/grid/cascade.hpp"
#include "grid_test_support.hpp"
#include "modules/grid/case.hpp"
#include "modules/grid/power_flow.hpp"

using namespace infrascape::grid;

namespace {

using grid_test::kData;
using grid_test::shipped_case;

Bus make_bus(int id, BusType type, double pd = 0) {
    Bus b;
    b.id = id;
    b.type = type;
    b.pd_mw = pd;
    return b;
}

Gen make_gen(int bus, double pg, double pmax, double pmin = 0) {
    Gen g;
    g.bus = bus;
    g.pg_mw = pg;
    g.pmax_mw = pmax;
    g.pmin_mw = pmin;
    return g;
}

Branch make_branch(int from, int to, double x, double rate = 0) {
    Branch l;
    l.from = from;
    l.to = to;
    l.x_pu = x;
    l.rate_a_mva = rate;
    return l;
}

// The caller's dispatch for a balanced operating point: dc_power_flow's slack takes up the mismatch, and that
// generation becomes the requested pg (so island balancing has nothing to move).
Case balanced(Case c) {
    const PowerFlowResult r = dc_power_flow(c);
    for (size_t g = 0; g < c.gens.size(); ++g)
        if (c.gens[g].status > 0) c.gens[g].pg_mw = r.pg_mw[g];
    return c;
}

// Every island balanced (generation = served demand = its gens' sum, shed = demand - served, dark islands carry
// nothing) and Kirchhoff's current law at every bus: flows out = generation - served demand.
void check_balance(const Case& c, const FlowState& f) {
    std::vector<double> out_mw(c.buses.size(), 0.0), inj_mw(c.buses.size(), 0.0);
    for (size_t l = 0; l < c.branches.size(); ++l) {
        out_mw[size_t(c.bus_index(c.branches[l].from))] += f.pf_mw[l];
        out_mw[size_t(c.bus_index(c.branches[l].to))] -= f.pf_mw[l];
    }
    for (size_t g = 0; g < c.gens.size(); ++g) inj_mw[size_t(c.bus_index(c.gens[g].bus))] += f.gen_pg_mw[g];
    double shed = 0;
    for (size_t s = 0; s < f.islands.size(); ++s) {
        const Island& is = f.islands[s];
        double served = 0, gen = 0, scale = 1;
        for (int i : is.buses) {
            REQUIRE(f.island_of_bus[size_t(i)] == int(s));
            served += f.served_pd_mw[size_t(i)];
            scale += std::abs(c.buses[size_t(i)].pd_mw);
        }
        for (size_t g = 0; g < c.gens.size(); ++g)
            if (f.island_of_bus[size_t(c.bus_index(c.gens[g].bus))] == int(s)) gen += f.gen_pg_mw[g];
        const double tol = 1e-9 * scale;
        CHECK(gen == Approx(is.generation_mw).margin(tol));
        CHECK(served == Approx(is.generation_mw).margin(tol));
        CHECK(is.shed_mw == Approx(is.demand_mw - served).margin(tol));
        CHECK(is.shed_mw >= -tol);
        if (!is.energised) {
            CHECK(served == 0);
            CHECK(gen == 0);
        }
        shed += is.shed_mw;
    }
    CHECK(f.shed_mw == Approx(shed).margin(1e-6));
    for (size_t k = 0; k < c.buses.size(); ++k)
        CHECK(out_mw[k] == Approx(inj_mw[k] - f.served_pd_mw[k]).margin(1e-7));
}

// Four buses: gens at 1 (reference) and 2, loads at 1, 2, 3 and 4; a triangle 1-2-3 and a spur 3-4 to the
// load-only bus 4. Base case 9 on 100 MVA: b = 1/x = 10, 5, 10, 20 p.u.
Case four_bus() {
    Case c;
    c.name = "four_bus";
    c.buses = {make_bus(1, BusType::Ref, 50), make_bus(2, BusType::PV, 30), make_bus(3, BusType::PQ, 60),
               make_bus(4, BusType::PQ, 20)};
    c.gens = {make_gen(1, 100, 200), make_gen(2, 60, 100)};  // 160 MW = demand
    c.branches = {make_branch(1, 2, 0.1, 100), make_branch(1, 3, 0.2, 100), make_branch(2, 3, 0.1, 100),
                  make_branch(3, 4, 0.05, 100)};
    return c;
}

// Three buses for the cascade: a big gen at 1, load at 2, load with a small gen at 3; a triangle whose 2-3
// side is rated `rate_23`. Intact flows (b = 10 p.u. each, injections 1.5, -0.5, -1.0 p.u.): 1-2 66.7 MW,
// 1-3 83.3 MW, 2-3 16.7 MW; with 1-3 out the grid is radial: 1-2 150 MW, 2-3 100 MW.
Case three_bus(double rate_23) {
    Case c;
    c.name = "three_bus";
    c.buses = {make_bus(1, BusType::Ref, 0), make_bus(2, BusType::PQ, 50), make_bus(3, BusType::PV, 150)};
    c.gens = {make_gen(1, 150, 300), make_gen(3, 50, 60)};
    c.branches = {make_branch(1, 2, 0.1, 200), make_branch(1, 3, 0.1, 100), make_branch(2, 3, 0.1, rate_23)};
    return c;
}

// Two buses, a gen at 1 and a load at 2 over one branch rated 100 MVA: the load sets the branch loading.
Case two_bus(double load_mw) {
    Case c;
    c.name = "two_bus";
    c.buses = {make_bus(1, BusType::Ref, 0), make_bus(2, BusType::PQ, load_mw)};
    c.gens = {make_gen(1, load_mw, 1000)};
    c.branches = {make_branch(1, 2, 0.1, 100)};
    return c;
}

}  // namespace

// [SECTION] Against dc_power_flow

TEST_CASE("island_dc_flow equals dc_power_flow on a connected case without outages", "[grid][cascade]") {
    // Built in code: a ring with a tap-changing transformer, a phase shifter, a shunt conductance and a
    // reference angle of 5 degrees.
    Case small;
    small.name = "ring";
    small.buses = {make_bus(1, BusType::Ref, 10), make_bus(2, BusType::PV, 40), make_bus(3, BusType::PQ, 70),
                   make_bus(4, BusType::PQ, 30)};
    small.buses[0].va_deg = 5;
    small.buses[2].gs_mw = 4;
    small.gens = {make_gen(1, 80, 200), make_gen(2, 60, 100)};
    small.branches = {make_branch(1, 2, 0.1), make_branch(2, 3, 0.15), make_branch(3, 4, 0.1),
                      make_branch(4, 1, 0.2)};
    small.branches[1].ratio = 1.05;
    small.branches[2].angle_deg = -3;

    std::vector<Case> cases = {small};
    for (const char* name : {"case9", "case30"})
        if (auto c = shipped_case(name)) cases.push_back(*c);
    for (const Case& raw : cases) {
        INFO(raw.name);
        const Case c = balanced(raw);
        const PowerFlowResult dc = dc_power_flow(c);
        const FlowState f = island_dc_flow(c, {});
        REQUIRE(f.islands.size() == 1);
        CHECK(f.islands[0].energised);
        CHECK(f.shed_mw == Approx(0).margin(1e-9));
        double worst_pf = 0, worst_va = 0, worst_pg = 0, worst_pct = 0;
        for (size_t l = 0; l < c.branches.size(); ++l) {
            worst_pf = std::max(worst_pf, std::abs(f.pf_mw[l] - dc.pf_mw[l]));
            const double rate = c.branches[l].rate_a_mva;
            if (rate > 0)
                worst_pct = std::max(worst_pct, std::abs(f.loading_pct[l] - std::abs(dc.pf_mw[l]) / rate * 100));
        }
        for (size_t k = 0; k < c.buses.size(); ++k) worst_va = std::max(worst_va, std::abs(f.va_deg[k] - dc.va_deg[k]));
        for (size_t g = 0; g < c.gens.size(); ++g)
            worst_pg = std::max(worst_pg, std::abs(f.gen_pg_mw[g] - dc.pg_mw[g]));
        INFO("worst differences: pf " << worst_pf << " MW, va " << worst_va << " deg, pg " << worst_pg << " MW");
        CHECK(worst_pf <= 1e-9);
        CHECK(worst_va <= 1e-9);
        CHECK(worst_pg <= 1e-9);
        CHECK(worst_pct <= 1e-9);
        check_balance(c, f);

        // As dispatched in the file (generation above the DC demand: MATPOWER's slack would absorb it, here
        // every gen gives way in proportion to its headroom down, staying within its limits).
        const FlowState u = island_dc_flow(raw, {});
        double demand = 0;
        for (const Bus& b : raw.buses) demand += b.pd_mw + b.gs_mw;
        CHECK(u.islands[0].generation_mw == Approx(demand).epsilon(1e-12));
        for (size_t g = 0; g < raw.gens.size(); ++g) {
            CHECK(u.gen_pg_mw[g] <= std::max(raw.gens[g].pmax_mw, raw.gens[g].pg_mw) + 1e-9);
            CHECK(u.gen_pg_mw[g] >= std::min(raw.gens[g].pmin_mw, raw.gens[g].pg_mw) - 1e-9);
        }
        check_balance(raw, u);
    }
}

// [SECTION] Islands, dark buses, balancing and shedding

TEST_CASE("a load-only bus cut off goes dark; a split into two islands balances each", "[grid][cascade]") {
    const Case c = four_bus();
    const double base = 100;

    SECTION("tripping the only tie to bus 4") {
        const FlowState f = island_dc_flow(c, {0, 0, 0, 1});
        REQUIRE(f.islands.size() == 2);
        const Island& dark = f.islands[size_t(f.island_of_bus[3])];
        CHECK(dark.buses == std::vector<int>{3});
        CHECK_FALSE(dark.energised);
        CHECK(dark.demand_mw == 20);
        CHECK(dark.shed_mw == 20);
        CHECK(f.served_pd_mw[3] == 0);
        CHECK(f.pf_mw[3] == 0);
        CHECK(f.loading_pct[3] == 0);
        CHECK(f.shed_mw == Approx(20));
        // The rest (demand 140) sheds 20 MW of generation in proportion to headroom down (pg - pmin = 100, 60):
        const double g1 = 100 - 20 * 100.0 / 160, g2 = 60 - 20 * 60.0 / 160;  // 87.5, 52.5
        CHECK(f.gen_pg_mw[0] == Approx(g1));
        CHECK(f.gen_pg_mw[1] == Approx(g2));
        // Triangle with theta1 = 0, b12 = 10, b13 = 5, b23 = 10, P2 = (g2 - 30)/100, P3 = -60/100:
        //   [b12 + b23, -b23; -b23, b13 + b23] [theta2; theta3] = [P2; P3]   (Cramer's rule)
        const double b12 = 10, b13 = 5, b23 = 10, p2 = (g2 - 30) / base, p3 = -60 / base;
        const double det = (b12 + b23) * (b13 + b23) - b23 * b23;
        const double th2 = (p2 * (b13 + b23) + b23 * p3) / det, th3 = ((b12 + b23) * p3 + b23 * p2) / det;
        CHECK(f.pf_mw[0] == Approx(b12 * (0 - th2) * base).epsilon(1e-12));  // 13.125 MW
        CHECK(f.pf_mw[1] == Approx(b13 * (0 - th3) * base).epsilon(1e-12));  // 24.375 MW
        CHECK(f.pf_mw[2] == Approx(b23 * (th2 - th3) * base).epsilon(1e-12));  // 35.625 MW
        CHECK(f.pf_mw[0] == Approx(13.125));
        CHECK(f.pf_mw[1] == Approx(24.375));
        CHECK(f.pf_mw[2] == Approx(35.625));
        check_balance(c, f);
    }
    SECTION("tripping 1-2 and 2-3 leaves {1, 3, 4} on gen 1 and {2} on gen 2") {
        const FlowState f = island_dc_flow(c, {1, 0, 1, 0});
        REQUIRE(f.islands.size() == 2);
        CHECK(f.islands[0].buses == std::vector<int>{0, 2, 3});
        CHECK(f.islands[1].buses == std::vector<int>{1});
        for (const Island& is : f.islands) {
            CHECK(is.energised);
            CHECK(is.shed_mw == 0);
            CHECK(is.generation_mw == Approx(is.demand_mw));
        }
        CHECK(f.gen_pg_mw[0] == Approx(130));  // 50 + 60 + 20
        CHECK(f.gen_pg_mw[1] == Approx(30));
        // Radial: 1-3 carries the loads of 3 and 4, 3-4 the load of 4.
        CHECK(f.pf_mw[1] == Approx(80));
        CHECK(f.pf_mw[3] == Approx(20));
        CHECK(f.pf_mw[0] == 0);
        CHECK(f.pf_mw[2] == 0);
        CHECK(f.loading_pct[1] == Approx(80));
        CHECK(f.va_deg[1] == 0);  // bus 2 is its island's reference (its gen), at its case angle
        check_balance(c, f);
    }
    SECTION("out-of-service status and isolated buses") {
        Case d = c;
        d.branches[3].status = 0;
        const FlowState f = island_dc_flow(d, {});
        CHECK_FALSE(f.islands[size_t(f.island_of_bus[3])].energised);
        CHECK(f.shed_mw == Approx(20));
        d = c;
        d.buses[3].type = BusType::Isolated;  // MATPOWER drops it and its branch
        const FlowState g = island_dc_flow(d, {});
        CHECK(g.pf_mw[3] == 0);
        CHECK(g.served_pd_mw[3] == 0);
        check_balance(d, g);
    }
}

TEST_CASE("a capacity shortfall sheds exactly the shortfall pro rata; surplus and deficit follow headroom",
          "[grid][cascade]") {
    Case c = four_bus();
    c.gens[0].pmax_mw = 110;
    const std::vector<char> split = {1, 0, 1, 0};  // {1, 3, 4} on gen 1, {2} on gen 2

    SECTION("shortfall") {
        const FlowState f = island_dc_flow(c, split);
        const Island& is = f.islands[0];
        CHECK(is.demand_mw == Approx(130));
        CHECK(is.generation_mw == Approx(110));
        CHECK(is.shed_mw == Approx(20));
        CHECK(f.shed_mw == Approx(20));
        CHECK(f.gen_pg_mw[0] == Approx(110));
        const double kept = 110.0 / 130.0;  // every load bus keeps the same fraction
        CHECK(f.served_pd_mw[0] == Approx(50 * kept));
        CHECK(f.served_pd_mw[2] == Approx(60 * kept));
        CHECK(f.served_pd_mw[3] == Approx(20 * kept));
        CHECK(f.served_pd_mw[1] == Approx(30));
        CHECK(f.pf_mw[3] == Approx(20 * kept));
        CHECK(f.pf_mw[1] == Approx(80 * kept));
        check_balance(c, f);
    }
    SECTION("minimum generation above demand: curtailed below pmin") {
        c.gens[1].pmin_mw = 40;  // island {2} needs 30 MW
        const FlowState f = island_dc_flow(c, split);
        CHECK(f.gen_pg_mw[1] == Approx(30));
        CHECK(f.islands[1].shed_mw == 0);
        check_balance(c, f);
    }
    SECTION("deficit in a connected grid: gens rise in proportion to headroom up") {
        c = four_bus();
        c.buses[2].pd_mw += 40;  // requested 160 MW against 200 MW of demand
        const FlowState f = island_dc_flow(c, {});
        CHECK(f.gen_pg_mw[0] == Approx(100 + 40 * 100.0 / 140));  // headroom 100 and 40
        CHECK(f.gen_pg_mw[1] == Approx(60 + 40 * 40.0 / 140));
        CHECK(f.shed_mw == Approx(0).margin(1e-9));
        check_balance(c, f);
    }
    SECTION("an island without generation is dark") {
        c.gens[0].status = 0;
        const FlowState f = island_dc_flow(c, split);
        CHECK_FALSE(f.islands[0].energised);
        CHECK(f.islands[0].shed_mw == Approx(130));
        CHECK(f.pf_mw[1] == 0);
        CHECK(f.pf_mw[3] == 0);
        check_balance(c, f);
    }
}

TEST_CASE("island_dc_flow rejects misuse and bad branches", "[grid][cascade]") {
    Case c = four_bus();
    CHECK_THROWS_AS(island_dc_flow(c, {0, 1}), std::invalid_argument);
    CHECK_THROWS_AS(island_dc_flow(c, {}, 0.0), std::invalid_argument);
    c.branches[2].x_pu = 0;
    CHECK_THROWS_WITH(island_dc_flow(c, {}), Catch::Contains("branch 3 (2-3) has x * tap = 0"));
    CHECK_NOTHROW(island_dc_flow(c, {0, 0, 1, 0}));  // the bad branch is out
    c = four_bus();
    c.branches[0].to = 7;
    CHECK_THROWS_WITH(island_dc_flow(c, {}), Catch::Contains("refers to bus 7"));
}

TEST_CASE("the topology and its factorisation are cached while the topology is unchanged", "[grid][cascade]") {
    Case c = four_bus();
    IslandDcFlow solver;
    solver.solve(c, {});
    for (int k = 0; k < 5; ++k) {
        c.buses[2].pd_mw = 60 + k;  // a new operating point
        c.gens[0].pg_mw = 100 + k;
        const FlowState& f = solver.solve(c, {}, 1.0 + 0.1 * k);
        const FlowState fresh = island_dc_flow(c, {}, 1.0 + 0.1 * k);
        CHECK(f.pf_mw == fresh.pf_mw);
        CHECK(f.loading_pct == fresh.loading_pct);
    }
    c.gens[0].pmax_mw = 150;  // the reference stays at bus 1
    c.gens[1].status = 0;
    CHECK(solver.solve(c, {}).pf_mw == island_dc_flow(c, {}).pf_mw);
    CHECK(solver.factorisations() == 1);
    c.gens[1].status = 1;
    solver.solve(c, {0, 0, 0, 1});
    CHECK(solver.factorisations() == 2);
    c.branches[1].x_pu = 0.3;
    solver.solve(c, {0, 0, 0, 1});
    CHECK(solver.factorisations() == 3);
    // Split {1, 3, 4} | {2}: island {2}'s reference is its gen's bus; a second gen there with a larger pmax
    // moves nothing (same bus), so only the split itself refactors.
    c.gens.push_back(make_gen(2, 0, 500));
    solver.solve(c, {1, 0, 1, 0});
    CHECK(solver.factorisations() == 4);
    c.gens[2].pmax_mw = 50;
    const FlowState& f = solver.solve(c, {1, 0, 1, 0});
    CHECK(solver.factorisations() == 4);
    CHECK(f.pf_mw == island_dc_flow(c, {1, 0, 1, 0}).pf_mw);
}

// [SECTION] Cascade: dwell, instantaneous trips, stages

TEST_CASE("a branch trips after dwell_s above its rating, at once above instant_trip_pct, and not after a dip",
          "[grid][cascade]") {
    const CascadeParams p{600, 100, 150};
    const double dt = 100;
    Cascade cascade(two_bus(110), p);

    SECTION("110% for longer than the dwell") {
        const Case op = two_bus(110);
        for (int k = 0; k < 6; ++k) {
            const FlowState& f = cascade.step(op, k * dt, dt, 1.0);
            CHECK(f.loading_pct[0] == Approx(110));
            CHECK(cascade.out()[0] == 0);
            CHECK(cascade.overload_timer_s()[0] == (k + 1) * dt);
        }
        CHECK(cascade.events().empty());  // 600 s over: not yet longer than the dwell
        const FlowState& f = cascade.step(op, 6 * dt, dt, 1.0);
        CHECK(cascade.out()[0] == 1);
        REQUIRE(cascade.events().size() == 1);
        const TripEvent& e = cascade.events()[0];
        CHECK(e.cause == "overload");
        CHECK(e.branch == 0);
        CHECK(e.t_s == 6 * dt);
        CHECK(e.loading_pct == Approx(110));
        CHECK(e.stage == 1);
        CHECK(cascade.stages().size() == 2);
        CHECK(f.pf_mw[0] == 0);
        CHECK(f.shed_mw == Approx(110));  // bus 2 is dark
        CHECK(cascade.overload_timer_s()[0] == 0);
    }
    SECTION("160% trips at once") {
        cascade.step(two_bus(160), 0, dt, 1.0);
        CHECK(cascade.out()[0] == 1);
        REQUIRE(cascade.events().size() == 1);
        CHECK(cascade.events()[0].cause == "instant");
        CHECK(cascade.events()[0].loading_pct == Approx(160));
    }
    SECTION("a dip to 90% before the dwell resets the timer") {
        double t = 0;
        for (int k = 0; k < 5; ++k, t += dt) cascade.step(two_bus(110), t, dt, 1.0);
        CHECK(cascade.overload_timer_s()[0] == 500);
        cascade.step(two_bus(90), t, dt, 1.0);
        t += dt;
        CHECK(cascade.overload_timer_s()[0] == 0);
        for (int k = 0; k < 6; ++k, t += dt) cascade.step(two_bus(110), t, dt, 1.0);
        CHECK(cascade.overload_timer_s()[0] == 600);
        CHECK(cascade.out()[0] == 0);
        CHECK(cascade.events().empty());
        CHECK(cascade.stages().size() == 1);  // no topology change: only stage 0
        cascade.step(two_bus(110), t, dt, 1.0);
        CHECK(cascade.out()[0] == 1);
    }
    SECTION("the rating factor derates the branch") {
        const FlowState& f = cascade.step(two_bus(55), 0, dt, 0.5);
        CHECK(f.loading_pct[0] == Approx(110));
        CHECK(cascade.overload_timer_s()[0] == dt);
    }
    SECTION("restore clears everything") {
        cascade.step(two_bus(160), 0, dt, 1.0);
        cascade.restore();
        CHECK(cascade.out()[0] == 0);
        CHECK(cascade.events().empty());
        CHECK(cascade.stages().empty());
        cascade.step(two_bus(50), 0, dt, 1.0);
        CHECK(cascade.flows().pf_mw[0] == Approx(50));
    }
    SECTION("misuse") {
        CHECK_THROWS_AS(cascade.trip(1, 0), std::invalid_argument);
        CHECK_THROWS_AS(cascade.step(four_bus(), 0, dt, 1.0), std::invalid_argument);
        CHECK_THROWS_AS(cascade.set_params({600, 100, 90}), std::invalid_argument);
    }
}

TEST_CASE("a manual trip overloads a neighbour that trips after the dwell and islands the grid", "[grid][cascade]") {
    const CascadeParams p{300, 100, 150};
    const double dt = 100;

    SECTION("overload after the dwell") {
        const Case c = three_bus(90);  // 2-3 at 100/90 = 111% once 1-3 is out
        Cascade cascade(c, p);
        const FlowState& f0 = cascade.step(c, 0, dt, 1.0);
        CHECK(f0.pf_mw[0] == Approx(200.0 / 3));
        CHECK(f0.pf_mw[1] == Approx(250.0 / 3));
        CHECK(f0.pf_mw[2] == Approx(50.0 / 3));
        cascade.trip(1, 50);
        CHECK(cascade.out()[1] == 0);  // takes effect in the next step
        for (double t = 100; t <= 1000; t += dt) cascade.step(c, t, dt, 1.0);

        const auto& ev = cascade.events();
        REQUIRE(ev.size() == 2);
        CHECK(ev[0].cause == "manual");
        CHECK(ev[0].branch == 1);
        CHECK(ev[0].t_s == 50);
        CHECK(ev[0].stage == 1);
        CHECK(ev[0].loading_pct == Approx(250.0 / 3));
        CHECK(ev[1].cause == "overload");
        CHECK(ev[1].branch == 2);
        CHECK(ev[1].t_s == 400);  // over the rating from t = 100: 400 s > 300 s at the step of t = 400
        CHECK(ev[1].stage == 2);
        CHECK(ev[1].loading_pct == Approx(100.0 / 90 * 100));

        const auto& st = cascade.stages();
        REQUIRE(st.size() == 3);
        CHECK(st[0].tripped.empty());
        CHECK(st[0].t_s == 0);
        CHECK(st[1].tripped == std::vector<int>{1});
        CHECK(st[1].t_s == 100);
        CHECK(st[1].flows.pf_mw[0] == Approx(150));
        CHECK(st[1].flows.pf_mw[2] == Approx(100));
        CHECK(st[2].tripped == std::vector<int>{2});
        CHECK(st[2].t_s == 400);
        // Islands {1, 2} (gen 1 falls to the 50 MW load) and {3} (60 MW of capacity for 150 MW: 90 MW shed).
        const FlowState& last = st[2].flows;
        REQUIRE(last.islands.size() == 2);
        CHECK(last.islands[1].buses == std::vector<int>{2});
        CHECK(last.islands[1].shed_mw == Approx(90));
        CHECK(last.gen_pg_mw[0] == Approx(50));
        CHECK(last.gen_pg_mw[1] == Approx(60));
        CHECK(last.pf_mw[0] == Approx(50));
        CHECK(last.shed_mw == Approx(90));
        for (const Stage& s : st) check_balance(c, s.flows);
        CHECK(cascade.flows().pf_mw == last.pf_mw);
    }
    SECTION("instantaneous trip in the same step as the manual one") {
        const Case c = three_bus(60);  // 2-3 at 100/60 = 167% once 1-3 is out
        Cascade cascade(c, p);
        cascade.step(c, 0, dt, 1.0);
        cascade.trip(1, 0);
        cascade.step(c, 100, dt, 1.0);
        const auto& ev = cascade.events();
        REQUIRE(ev.size() == 2);
        CHECK(ev[0].cause == "manual");
        CHECK(ev[1].cause == "instant");
        CHECK(ev[1].branch == 2);
        CHECK(ev[1].stage == 2);
        CHECK(ev[1].loading_pct == Approx(100.0 / 60 * 100));
        REQUIRE(cascade.stages().size() == 3);
        CHECK(cascade.stages()[2].t_s == 100);
        CHECK(cascade.stages()[2].flows.islands.size() == 2);
        for (const Stage& s : cascade.stages()) check_balance(c, s.flows);
        for (int k = 2; k < 20; ++k) cascade.step(c, k * dt, dt, 1.0);
        CHECK(cascade.stages().size() == 3);  // no growth without topology changes
        CHECK(cascade.solver().factorisations() == 3);
    }
}

// [SECTION] ACTIVSg2000

TEST_CASE("ACTIVSg2000: outages of the 50 most loaded branches, and a cascade step without outages",
          "[grid][cascade]") {
    const auto c = shipped_case("case_ACTIVSg2000");
    if (!c) return;
    const FlowState base = island_dc_flow(*c, {});
    CHECK(base.islands.size() == 1);
    check_balance(*c, base);

    std::vector<int> order(c->branches.size());
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + 50, order.end(),
                      [&](int a, int b) { return base.loading_pct[size_t(a)] > base.loading_pct[size_t(b)]; });
    std::vector<char> out(c->branches.size(), 0);
    double total_s = 0;
    size_t islanded = 0;
    for (int k = 0; k < 50; ++k) {
        const int l = order[size_t(k)];
        INFO("outage of branch " << l + 1);
        out[size_t(l)] = 1;
        const auto t0 = std::chrono::steady_clock::now();
        FlowState f;
        REQUIRE_NOTHROW(f = island_dc_flow(*c, out));
        total_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        out[size_t(l)] = 0;
        CHECK(f.pf_mw[size_t(l)] == 0);
        islanded += f.islands.size() > 1;
        check_balance(*c, f);
    }
    WARN("ACTIVSg2000: island_dc_flow (no cache) " << total_s / 50 * 1e3 << " ms mean over 50 outages ("
                                                  << islanded << " island the grid)");

    Cascade cascade(*c, CascadeParams{});
    const FlowState& f = cascade.step(*c, 0, 60, 1.0);
    CHECK(std::none_of(cascade.out().begin(), cascade.out().end(), [](char o) { return o != 0; }));
    CHECK(cascade.events().empty());
    CHECK(cascade.stages().size() == 1);
    double worst = 0;
    for (size_t l = 0; l < c->branches.size(); ++l) worst = std::max(worst, std::abs(f.pf_mw[l] - base.pf_mw[l]));
    CHECK(worst <= 1e-9);
    const auto t0 = std::chrono::steady_clock::now();
    for (int k = 1; k <= 20; ++k) cascade.step(*c, 60.0 * k, 60, 1.0);
    const double step_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / 20;
    CHECK(cascade.stages().size() == 1);
    CHECK(cascade.solver().factorisations() == 1);
    WARN("ACTIVSg2000: Cascade::step with a cached factorisation " << step_s * 1e3 << " ms");
}
