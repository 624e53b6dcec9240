// Power flow against MATPOWER: DC and AC results for case9, case14 and case30 equal MATPOWER's own
// (../shared/data/reference), AC converges on every shipped case, DC tracks AC on case118, LODF and PTDF
// equal DC re-solves; small cases built in code check analytic answers, MATPOWER's bus-type rules,
// out-of-service elements and islanding outages without any data files.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "grid_test_support.hpp"
#include "modules/grid/case.hpp"
#include "modules/grid/power_flow.hpp"

using namespace infrascape::grid;

namespace {

using grid_test::kData;
using grid_test::shipped_case;

// Rows of a reference CSV (header skipped), every field a number.
std::vector<std::vector<double>> read_reference(const std::string& file) {
    std::ifstream in(kData + "reference/" + file);
    if (!in) throw std::runtime_error("cannot open reference " + file);
    std::vector<std::vector<double>> rows;
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::vector<double> row;
        std::stringstream fields(line);
        std::string field;
        while (std::getline(fields, field, ',')) row.push_back(std::stod(field));
        rows.push_back(row);
    }
    return rows;
}

struct Worst {
    double va_deg = 0, vm_pu = 0, pf_mw = 0, qf_mvar = 0;
};

// Largest differences from MATPOWER's reference files; also checks the bus and branch ids row by row.
Worst compare_with_reference(const Case& c, const PowerFlowResult& r, const std::string& kind) {
    Worst w;
    const auto bus = read_reference(c.name + "_" + kind + "_bus.csv");
    const auto branch = read_reference(c.name + "_" + kind + "_branch.csv");
    REQUIRE(bus.size() == c.buses.size());
    REQUIRE(branch.size() == c.branches.size());
    const bool ac = kind == "ac";
    for (size_t k = 0; k < bus.size(); ++k) {
        REQUIRE(int(bus[k][0]) == c.buses[k].id);
        if (ac) w.vm_pu = std::max(w.vm_pu, std::abs(r.vm_pu[k] - bus[k][1]));
        w.va_deg = std::max(w.va_deg, std::abs(r.va_deg[k] - bus[k][ac ? 2 : 1]));
    }
    for (size_t k = 0; k < branch.size(); ++k) {
        REQUIRE(int(branch[k][0]) == c.branches[k].from);
        REQUIRE(int(branch[k][1]) == c.branches[k].to);
        w.pf_mw = std::max(w.pf_mw, std::abs(r.pf_mw[k] - branch[k][2]));
        if (ac) w.qf_mvar = std::max(w.qf_mvar, std::abs(r.qf_mvar[k] - branch[k][3]));
    }
    return w;
}

// Sum of in-service generation less load and shunt losses equals the sum of branch losses.
double ac_balance_error_mw(const Case& c, const PowerFlowResult& r) {
    double balance = 0;
    for (size_t g = 0; g < c.gens.size(); ++g) balance += r.pg_mw[g];
    for (size_t k = 0; k < c.buses.size(); ++k)
        if (c.buses[k].type != BusType::Isolated) balance -= c.buses[k].pd_mw + c.buses[k].gs_mw * r.vm_pu[k] * r.vm_pu[k];
    for (size_t l = 0; l < c.branches.size(); ++l) balance -= r.pf_mw[l] + r.pt_mw[l];
    return std::abs(balance);
}

Bus make_bus(int id, BusType type, double pd = 0, double qd = 0) {
    Bus b;
    b.id = id;
    b.type = type;
    b.pd_mw = pd;
    b.qd_mvar = qd;
    return b;
}

Gen make_gen(int bus, double pg, double vg = 1.0, int status = 1) {
    Gen g;
    g.bus = bus;
    g.pg_mw = pg;
    g.vg_pu = vg;
    g.status = status;
    g.qmax_mvar = 100;
    g.qmin_mvar = -100;
    return g;
}

Branch make_branch(int from, int to, double x, double r = 0, double b = 0, double rate = 0) {
    Branch l;
    l.from = from;
    l.to = to;
    l.x_pu = x;
    l.r_pu = r;
    l.b_pu = b;
    l.rate_a_mva = rate;
    return l;
}

// Net injection at every bus (MW) from the DC result: generation - load - Gs, and the flows out of it.
void check_dc_balance(const Case& c, const PowerFlowResult& r) {
    for (size_t k = 0; k < c.buses.size(); ++k) {
        if (c.buses[k].type == BusType::Isolated) continue;
        double injection = -c.buses[k].pd_mw - c.buses[k].gs_mw, out = 0;
        for (size_t g = 0; g < c.gens.size(); ++g)
            if (c.gens[g].bus == c.buses[k].id) injection += r.pg_mw[g];
        for (size_t l = 0; l < c.branches.size(); ++l) {
            if (c.branches[l].from == c.buses[k].id) out += r.pf_mw[l];
            if (c.branches[l].to == c.buses[k].id) out += r.pt_mw[l];
        }
        CHECK(out == Approx(injection).margin(1e-9));
    }
}

}  // namespace

// [SECTION] Against MATPOWER's own results

TEST_CASE("DC and AC power flow equal MATPOWER's results on case9, case14 and case30", "[grid]") {
    for (const char* name : {"case9", "case14", "case30"}) {
        const auto c = shipped_case(name);
        if (!c) return;
        INFO(name);
        const PowerFlowResult dc = dc_power_flow(*c);
        const Worst wd = compare_with_reference(*c, dc, "dc");
        INFO("DC worst: va " << wd.va_deg << " deg, pf " << wd.pf_mw << " MW");
        CHECK(wd.va_deg <= 1e-6);
        CHECK(wd.pf_mw <= 1e-4);
        check_dc_balance(*c, dc);

        const PowerFlowResult ac = ac_power_flow(*c);
        REQUIRE(ac.converged);
        CHECK(ac.max_mismatch < 1e-8);
        const Worst wa = compare_with_reference(*c, ac, "ac");
        INFO("AC worst: vm " << wa.vm_pu << " p.u., va " << wa.va_deg << " deg, pf " << wa.pf_mw << " MW, qf "
                             << wa.qf_mvar << " MVAr");
        CHECK(wa.vm_pu <= 1e-6);
        CHECK(wa.va_deg <= 1e-6);
        CHECK(wa.pf_mw <= 1e-4);
        CHECK(wa.qf_mvar <= 1e-4);
        CHECK(ac_balance_error_mw(*c, ac) < 1e-6);
    }
}

TEST_CASE("AC power flow converges on every shipped case", "[grid]") {
    for (const char* name : {"case9", "case14", "case30", "case118", "case300", "case_ACTIVSg200", "case_ACTIVSg2000",
                             "case_ACTIVSg10k"}) {
        const auto c = shipped_case(name);
        if (!c) return;
        INFO(name);
        const PowerFlowResult r = ac_power_flow(*c);
        CHECK(r.converged);
        CHECK(r.iterations <= 10);
        CHECK(r.max_mismatch < 1e-8);
        CHECK(ac_balance_error_mw(*c, r) < 1e-5);
        for (double vm : r.vm_pu) CHECK((vm > 0.8 && vm < 1.2));
    }
}

TEST_CASE("DC power flow tracks AC flows on case118", "[grid]") {
    const auto c = shipped_case("case118");
    if (!c) return;
    const PowerFlowResult dc = dc_power_flow(*c), ac = ac_power_flow(*c);
    REQUIRE(ac.converged);
    // The DC model has no losses (133 MW in AC on case118, all of it left to the slack at bus 69 by DC),
    // no reactive flows and flat voltages. Plain DC: correlation with AC above 0.99 and RMS error below
    // 2.5 % of the largest flow (measured 0.9960 and 1.7 %; the worst branch, 68-69 beside the slack, is
    // 60 MW off). With each branch's AC loss added as load, half at each end (the usual loss-compensated
    // DC), every flow is within 4 % of the largest flow of AC's loss-free mid-line flow (measured 3.0 %).
    const size_t nl = c->branches.size();
    double largest = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, sq = 0;
    for (size_t l = 0; l < nl; ++l) {
        const double x = ac.pf_mw[l], y = dc.pf_mw[l];
        largest = std::max(largest, std::abs(x));
        sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y, sq += (x - y) * (x - y);
    }
    const double n = double(nl);
    const double corr = (n * sxy - sx * sy) / std::sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
    const double rms = std::sqrt(sq / n);
    Case compensated = *c;
    for (size_t l = 0; l < nl; ++l) {
        const double loss = ac.pf_mw[l] + ac.pt_mw[l];
        compensated.buses[size_t(c->bus_index(c->branches[l].from))].pd_mw += loss / 2;
        compensated.buses[size_t(c->bus_index(c->branches[l].to))].pd_mw += loss / 2;
    }
    for (size_t k = 0; k < c->buses.size(); ++k) compensated.buses[k].gs_mw *= ac.vm_pu[k] * ac.vm_pu[k];
    const PowerFlowResult dcc = dc_power_flow(compensated);
    double worst_compensated = 0;
    for (size_t l = 0; l < nl; ++l)
        worst_compensated = std::max(worst_compensated, std::abs(dcc.pf_mw[l] - (ac.pf_mw[l] - ac.pt_mw[l]) / 2));
    INFO("largest |Pac| " << largest << " MW; correlation " << corr << "; RMS |Pdc - Pac| " << rms
                          << " MW; loss-compensated worst " << worst_compensated << " MW");
    CHECK(corr > 0.99);
    CHECK(rms / largest < 0.025);
    CHECK(worst_compensated / largest < 0.04);
}

// [SECTION] Sensitivities against DC re-solves

TEST_CASE("LODF-predicted post-outage flows equal a DC re-solve for every outage on case30", "[grid]") {
    const auto c = shipped_case("case30");
    if (!c) return;
    const PowerFlowResult base = dc_power_flow(*c);
    const auto H = ptdf(*c);
    const auto L = lodf(*c, H);
    const std::vector<OutageResult> n1 = n_minus_1(*c);
    REQUIRE(n1.size() == c->branches.size());
    double worst = 0;
    int islanding = 0;
    for (size_t k = 0; k < c->branches.size(); ++k) {
        INFO("outage of branch " << k);
        CHECK(L[k][k] == -1.0);
        CHECK(n1[k].outaged == int(k));
        Case out = *c;
        out.branches[k].status = 0;
        const size_t other = k == 0 ? 1 : 0;
        if (std::isnan(L[other][k])) {  // an islanding outage: the re-solve has an island without a reference
            ++islanding;
            CHECK(n1[k].islands);
            CHECK_THROWS_AS(dc_power_flow(out), std::runtime_error);
            continue;
        }
        CHECK_FALSE(n1[k].islands);
        const PowerFlowResult post = dc_power_flow(out);
        double worst_pct = 0;
        for (size_t l = 0; l < c->branches.size(); ++l) {
            if (l == k) continue;
            const double predicted = base.pf_mw[l] + L[l][k] * base.pf_mw[k];
            worst = std::max(worst, std::abs(predicted - post.pf_mw[l]));
            if (c->branches[l].rate_a_mva > 0)
                worst_pct = std::max(worst_pct, std::abs(post.pf_mw[l]) / c->branches[l].rate_a_mva * 100);
        }
        CHECK(n1[k].worst_loading_pct == Approx(worst_pct).margin(1e-6));
    }
    INFO("worst LODF error " << worst << " MW; " << islanding << " islanding outages");
    CHECK(worst <= 1e-6);
    CHECK(islanding > 0);  // case30 has radial branches (e.g. to bus 26)
}

TEST_CASE("a PTDF column is the flow change of 1 MW injected at the bus and withdrawn at the reference", "[grid]") {
    for (const char* name : {"case14", "case30"}) {
        const auto c = shipped_case(name);
        if (!c) return;
        INFO(name);
        const PowerFlowResult base = dc_power_flow(*c);
        const auto H = ptdf(*c);
        REQUIRE(H.size() == c->branches.size());
        double worst = 0;
        for (size_t i = 0; i < c->buses.size(); ++i) {
            Case injected = *c;
            injected.buses[i].pd_mw -= 1.0;  // +1 MW at bus i; the reference bus takes it back
            const PowerFlowResult r = dc_power_flow(injected);
            for (size_t l = 0; l < c->branches.size(); ++l)
                worst = std::max(worst, std::abs((r.pf_mw[l] - base.pf_mw[l]) - H[l][i]));
        }
        INFO("worst PTDF error " << worst << " MW per MW");
        CHECK(worst < 1e-9);
    }
}

// [SECTION] Small cases built in code (no data files)

TEST_CASE("DC power flow with a phase shifter matches the closed form", "[grid]") {
    // Two parallel branches of x = 0.1 from bus 1 (reference) to bus 2 (100 MW load); the second shifts
    // the phase by 10 degrees. With b = 10 and phi in radians: Pa = (1 + b phi) / 2, Pb = (1 - b phi) / 2 p.u.
    Case c;
    c.name = "shifter";
    c.buses = {make_bus(1, BusType::Ref), make_bus(2, BusType::PQ, 100)};
    c.gens = {make_gen(1, 0)};
    c.branches = {make_branch(1, 2, 0.1), make_branch(1, 2, 0.1)};
    c.branches[1].angle_deg = 10;
    const double bphi = 10 * 10 * std::numbers::pi / 180;
    const PowerFlowResult r = dc_power_flow(c);
    CHECK(r.pf_mw[0] == Approx((1 + bphi) / 2 * 100).epsilon(1e-12));
    CHECK(r.pf_mw[1] == Approx((1 - bphi) / 2 * 100).epsilon(1e-12));
    CHECK(r.pt_mw[1] == Approx(-r.pf_mw[1]));
    CHECK(r.pg_mw[0] == Approx(100).epsilon(1e-12));
    CHECK(r.va_deg[1] == Approx(-(1 + bphi) / 20 * 180 / std::numbers::pi).epsilon(1e-12));
}

TEST_CASE("AC power flow on a lossless line matches the closed form", "[grid]") {
    // Bus 2 generates 50 MW at 1 p.u. into a line of x = 0.5 to the reference bus at 1 p.u.:
    // P = sin(delta) / x gives delta = asin(0.25); each end absorbs Q = (1 - cos delta) / x.
    Case c;
    c.name = "line";
    c.buses = {make_bus(1, BusType::Ref), make_bus(2, BusType::PV)};
    c.gens = {make_gen(1, 0), make_gen(2, 50)};
    c.branches = {make_branch(1, 2, 0.5)};
    const PowerFlowResult r = ac_power_flow(c);
    REQUIRE(r.converged);
    const double delta = std::asin(0.25);
    CHECK(r.va_deg[1] == Approx(delta * 180 / std::numbers::pi).epsilon(1e-10));
    CHECK(r.vm_pu[1] == Approx(1.0));
    CHECK(r.pf_mw[0] == Approx(-50).epsilon(1e-10));
    CHECK(r.pt_mw[0] == Approx(50).epsilon(1e-10));
    CHECK(r.qf_mvar[0] == Approx((1 - std::cos(delta)) / 0.5 * 100).epsilon(1e-9));
    CHECK(r.qt_mvar[0] == Approx((1 - std::cos(delta)) / 0.5 * 100).epsilon(1e-9));
    CHECK(r.pg_mw[0] == Approx(-50).epsilon(1e-10));
    CHECK(r.qg_mvar[0] == Approx(r.qf_mvar[0]).epsilon(1e-10));
    CHECK(r.qg_mvar[1] == Approx(r.qt_mvar[0]).epsilon(1e-10));
}

TEST_CASE("MATPOWER's bus-type rules and out-of-service elements", "[grid]") {
    // Bus 1 is the reference but its only generator is off, so the first PV bus with a generator (3)
    // becomes the reference; bus 2 is PV without a generator, so PQ; bus 5 is isolated; branch 3 is out.
    Case c;
    c.name = "rules";
    c.buses = {make_bus(1, BusType::Ref, 20, 5), make_bus(2, BusType::PV, 30, 10), make_bus(3, BusType::PV),
               make_bus(4, BusType::PQ, 40, 10), make_bus(5, BusType::Isolated, 10)};
    c.buses[2].va_deg = 7;  // the new reference keeps its case angle
    c.buses[4].vm_pu = 0.97;
    c.buses[4].va_deg = -3;
    c.gens = {make_gen(1, 50, 1.05, 0), make_gen(3, 60, 1.02), make_gen(5, 10)};
    c.branches = {make_branch(1, 2, 0.1, 0.01, 0.02), make_branch(2, 3, 0.2, 0.02), make_branch(3, 4, 0.1, 0.01),
                  make_branch(1, 4, 0.3, 0.03), make_branch(4, 5, 0.1)};
    c.branches[2].status = 0;

    const PowerFlowResult dc = dc_power_flow(c);
    CHECK(dc.va_deg[2] == Approx(7.0));
    CHECK(dc.pg_mw[0] == 0.0);                       // off
    CHECK(dc.pg_mw[1] == Approx(90).epsilon(1e-12));  // the reference generator takes the whole load
    CHECK(dc.pg_mw[2] == 0.0);                       // a generator at an isolated bus is out (ext2int.m)
    CHECK(dc.pf_mw[2] == 0.0);
    CHECK(dc.pf_mw[4] == 0.0);  // a branch to an isolated bus is left out
    CHECK(dc.va_deg[4] == -3.0);
    check_dc_balance(c, dc);

    const PowerFlowResult ac = ac_power_flow(c);
    REQUIRE(ac.converged);
    CHECK(ac.va_deg[2] == Approx(7.0));
    CHECK(ac.vm_pu[2] == Approx(1.02));  // the new reference holds its generator's set point
    CHECK(ac.vm_pu[1] != Approx(1.0));   // bus 2 is a PQ bus: its voltage floats
    CHECK(ac.vm_pu[4] == 0.97);
    CHECK(ac.pf_mw[2] == 0.0);
    CHECK(ac.qf_mvar[2] == 0.0);
    CHECK(ac.pg_mw[0] == 0.0);
    CHECK(ac.qg_mvar[0] == 0.0);
    CHECK(ac.pg_mw[1] > 90);  // load plus losses
    CHECK(ac_balance_error_mw(c, ac) < 1e-6);
}

TEST_CASE("generators sharing a bus split Q in proportion to their reactive ranges", "[grid]") {
    Case c;
    c.name = "shared";
    c.buses = {make_bus(1, BusType::Ref), make_bus(2, BusType::PV, 100, 60)};
    c.gens = {make_gen(1, 0), make_gen(2, 30, 1.0), make_gen(2, 30, 1.0)};
    c.gens[1].qmin_mvar = 0, c.gens[1].qmax_mvar = 30;
    c.gens[2].qmin_mvar = 0, c.gens[2].qmax_mvar = 90;
    c.branches = {make_branch(1, 2, 0.05, 0.01)};
    const PowerFlowResult r = ac_power_flow(c);
    REQUIRE(r.converged);
    const double total = r.qg_mvar[1] + r.qg_mvar[2];
    CHECK(total == Approx(60 + r.qt_mvar[0]).epsilon(1e-10));
    CHECK(r.qg_mvar[2] == Approx(3 * r.qg_mvar[1]).epsilon(1e-10));
}

TEST_CASE("an outage that islands the grid gives NaN LODFs and is flagged in N-1", "[grid]") {
    // A triangle 1-2-3 with a radial branch 3-4.
    Case c;
    c.name = "radial";
    c.buses = {make_bus(1, BusType::Ref), make_bus(2, BusType::PQ, 50), make_bus(3, BusType::PQ, 20),
               make_bus(4, BusType::PQ, 30)};
    c.gens = {make_gen(1, 100)};
    c.branches = {make_branch(1, 2, 0.1, 0, 0, 60), make_branch(2, 3, 0.1, 0, 0, 60), make_branch(1, 3, 0.2, 0, 0, 60),
                  make_branch(3, 4, 0.1, 0, 0, 40)};
    const auto H = ptdf(c);
    CHECK(H[3][3] == Approx(-1.0));  // all of bus 4's injection runs through the radial branch (towards bus 3)
    const auto L = lodf(c, H);
    CHECK(L[3][3] == -1.0);
    for (size_t l = 0; l < 3; ++l) CHECK(std::isnan(L[l][3]));
    CHECK_FALSE(std::isnan(L[3][0]));
    const auto n1 = n_minus_1(c);
    REQUIRE(n1.size() == 4);
    CHECK(n1[3].islands);
    CHECK(n1[3].worst_branch == -1);
    CHECK_FALSE(n1[0].islands);
    // Losing 1-2 sends all 100 MW over 1-3 (60 MW rating) and 50 MW over 2-3.
    CHECK(n1[0].worst_branch == 2);
    CHECK(n1[0].worst_loading_pct == Approx(100.0 / 60 * 100).epsilon(1e-12));
}

TEST_CASE("a case without a reference bus or with an unreachable island is refused", "[grid]") {
    Case c;
    c.name = "bad";
    c.buses = {make_bus(1, BusType::PQ, 10), make_bus(2, BusType::PQ, 10)};
    c.branches = {make_branch(1, 2, 0.1)};
    CHECK_THROWS_AS(dc_power_flow(c), std::runtime_error);
    CHECK_THROWS_AS(ac_power_flow(c), std::runtime_error);
    c.buses[0].type = BusType::Ref;
    c.gens = {make_gen(1, 20)};
    c.branches[0].status = 0;
    CHECK_THROWS_WITH(dc_power_flow(c), Catch::Contains("island without a reference bus"));
    CHECK_THROWS_AS(ptdf(c), std::runtime_error);
}

// [SECTION] Timing (hidden: run with `test_grid "[bench]"` on a release build)

TEST_CASE("timing of the power flows and sensitivities on the large cases", "[.][grid][bench]") {
    const auto c10k = shipped_case("case_ACTIVSg10k");
    const auto c2k = shipped_case("case_ACTIVSg2000");
    if (!c10k || !c2k) return;
    auto best_of = [](int runs, auto&& f) {
        double best = 1e30;
        for (int i = 0; i < runs; ++i) {
            const auto t0 = std::chrono::steady_clock::now();
            f();
            best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        }
        return best;
    };
    const double dc = best_of(5, [&] { dc_power_flow(*c10k); });
    const double ac = best_of(5, [&] { ac_power_flow(*c10k); });
    const double sens = best_of(3, [&] { lodf(*c2k, ptdf(*c2k)); });
    WARN("ACTIVSg10k DC " << dc << " s, AC " << ac << " s; ACTIVSg2000 PTDF+LODF " << sens << " s");
    SUCCEED();
}
