// The synthetic grid generator: for several sizes, seeds and town layouts the grid is one meshed island
// whose DC and AC power flows solve, whose fleet covers the peak with the margin, whose ratings are neither
// overloaded nor idle and that survives single outages; line constants match textbook values; the output
// is byte-identical for a seed; impossible parameters are refused by name. No data files are needed.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "modules/grid/generator.hpp"
#include "modules/grid/power_flow.hpp"

using namespace infrascape::grid;

namespace {

bool dispatchable(const Gen& g) {
    return g.fuel == "ng" || g.fuel == "coal" || g.fuel == "nuclear" || g.fuel == "hydro";
}

// Every value of the generated grid, doubles as hexadecimal floats, so equal text means identical bits.
std::string serialise(const GeneratedGrid& g) {
    std::ostringstream out;
    char buf[64];
    auto num = [&](double v) {
        std::snprintf(buf, sizeof buf, "%a ", v);
        out << buf;
    };
    const Case& c = g.grid;
    out << c.name << ' ';
    num(c.base_mva);
    for (const Bus& b : c.buses) {
        out << b.id << ' ' << int(b.type) << ' ' << b.name << ' ' << b.area << ' ' << b.zone << ' ';
        for (double v :
             {b.pd_mw, b.qd_mvar, b.gs_mw, b.bs_mvar, b.vm_pu, b.va_deg, b.base_kv, b.vmax_pu, b.vmin_pu})
            num(v);
    }
    for (const Gen& x : c.gens) {
        out << x.bus << ' ' << x.status << ' ' << x.type << ' ' << x.fuel << ' ';
        for (double v :
             {x.pg_mw, x.qg_mvar, x.qmax_mvar, x.qmin_mvar, x.vg_pu, x.mbase_mva, x.pmax_mw, x.pmin_mw})
            num(v);
    }
    for (const Branch& x : c.branches) {
        out << x.from << ' ' << x.to << ' ' << x.status << ' ';
        for (double v :
             {x.r_pu, x.x_pu, x.b_pu, x.rate_a_mva, x.rate_b_mva, x.rate_c_mva, x.ratio, x.angle_deg})
            num(v);
    }
    for (const auto& xy : g.bus_xy_m) num(xy[0]), num(xy[1]);
    for (const std::string& n : g.town_names) out << n << ' ';
    for (double l : g.branch_length_km) num(l);
    return out.str();
}

struct Checked {
    double worst_n1_pct = 0;
    double over_120_fraction = 0;
};

// The checks every generated grid must pass; returns the N-1 figures for the caller to report.
Checked check_grid(const GeneratorParams& p, const GeneratedGrid& g) {
    const Case& c = g.grid;
    const size_t nb = c.buses.size();
    REQUIRE(nb >= size_t(p.substations) + 2);
    REQUIRE(g.bus_xy_m.size() == nb);
    REQUIRE(g.branch_length_km.size() == c.branches.size());

    // Buses: numbered 1..n, named uniquely "<place> <kV>", two voltage classes, inside the region; the
    // demand adds up to the peak.
    std::set<std::string> names;
    double pd = 0;
    for (size_t i = 0; i < nb; ++i) {
        const Bus& b = c.buses[i];
        CHECK(b.id == int(i) + 1);
        CHECK((b.base_kv == 138 || b.base_kv == 345));
        const std::string suffix = b.base_kv == 138 ? " 138" : " 345";
        CHECK(b.name.size() > suffix.size());
        CHECK(b.name.substr(b.name.size() - suffix.size()) == suffix);
        names.insert(b.name);
        CHECK(std::abs(g.bus_xy_m[i][0]) <= p.extent_m / 2);
        CHECK(std::abs(g.bus_xy_m[i][1]) <= p.extent_m / 2);
        pd += b.pd_mw;
    }
    CHECK(names.size() == nb);
    CHECK(pd == Approx(p.peak_load_mw).epsilon(1e-9));

    // Bus types: exactly one reference bus, at the largest dispatchable plant; PV where generators are.
    std::map<int, double> plant_mw;
    for (const Gen& x : c.gens)
        if (dispatchable(x)) plant_mw[x.bus] += x.pmax_mw;
    int ref = 0, largest = 0;
    for (const auto& [bus, mw] : plant_mw)
        if (largest == 0 || mw > plant_mw[largest]) largest = bus;
    std::set<int> gen_buses;
    for (const Gen& x : c.gens) gen_buses.insert(x.bus);
    for (const Bus& b : c.buses) {
        if (b.type == BusType::Ref) ++ref;
        CHECK((b.type == BusType::PQ) == (gen_buses.count(b.id) == 0));
    }
    CHECK(ref == 1);
    CHECK(c.buses[size_t(largest - 1)].type == BusType::Ref);

    // One island (and, checked with N-1 below, no branch whose outage splits it).
    std::vector<std::vector<int>> adj(nb);
    for (const Branch& br : c.branches) {
        adj[size_t(br.from - 1)].push_back(br.to - 1);
        adj[size_t(br.to - 1)].push_back(br.from - 1);
    }
    std::vector<char> seen(nb, 0);
    std::vector<int> stack{0};
    seen[0] = 1;
    size_t reached = 1;
    while (!stack.empty()) {
        const int i = stack.back();
        stack.pop_back();
        for (int j : adj[size_t(i)])
            if (!seen[size_t(j)]) seen[size_t(j)] = 1, ++reached, stack.push_back(j);
    }
    CHECK(reached == nb);
    const double degree = mean_bus_degree(c);
    INFO("mean degree " << degree);
    CHECK(degree >= 2.2);
    CHECK(degree <= 3.2);

    // Branches: lines within one voltage class, transformers (ratio 1, x 0.01-0.05 p.u.) between the
    // two; ratings by class.
    for (size_t l = 0; l < c.branches.size(); ++l) {
        const Branch& br = c.branches[l];
        const double kv_from = c.buses[size_t(br.from - 1)].base_kv,
                     kv_to = c.buses[size_t(br.to - 1)].base_kv;
        if (br.ratio != 0) {
            CHECK(br.ratio == 1);
            CHECK(kv_from != kv_to);
            CHECK(br.x_pu >= 0.01);
            CHECK(br.x_pu <= 0.05);
            CHECK(g.branch_length_km[l] == 0);
            CHECK(g.bus_xy_m[size_t(br.from - 1)] == g.bus_xy_m[size_t(br.to - 1)]);
        } else {
            CHECK(kv_from == kv_to);
            CHECK(g.branch_length_km[l] >= 0.5);
            if (kv_from == 345) {
                CHECK(br.rate_a_mva >= 1000);
                CHECK(br.rate_a_mva <= 1850);
            } else {
                CHECK(br.rate_a_mva >= 200);
                CHECK(br.rate_a_mva <= 350);
            }
        }
    }

    // Generators: plausible limits and set points, MATPOWER fuels; the dispatchable fleet covers the peak
    // with the margin, and the variable fleet is what was asked for.
    const std::set<std::string> fuels{"ng", "coal", "nuclear", "hydro", "wind", "solar", "battery"};
    double disp_mw = 0, wind_mw = 0, solar_mw = 0, battery_mw = 0;
    for (const Gen& x : c.gens) {
        CHECK(fuels.count(x.fuel) == 1);
        CHECK(x.status == 1);
        CHECK(x.pmax_mw > 0);
        CHECK(x.pmin_mw <= x.pg_mw + 1e-6);
        CHECK(x.pg_mw <= x.pmax_mw + 1e-6);
        CHECK(x.qmin_mvar < 0);
        CHECK(x.qmax_mvar > 0);
        CHECK(x.vg_pu >= 0.95);
        CHECK(x.vg_pu <= 1.05);
        if (dispatchable(x)) {
            disp_mw += x.pmax_mw;
            CHECK(x.pmin_mw >= 0);
        }
        if (x.fuel == "wind") wind_mw += x.pmax_mw;
        if (x.fuel == "solar") solar_mw += x.pmax_mw;
        if (x.fuel == "battery") {
            battery_mw += x.pmax_mw;
            CHECK(x.pmin_mw == -x.pmax_mw);
        }
    }
    CHECK(disp_mw >= p.peak_load_mw * (1 + p.reserve_margin) * (1 - 1e-9));
    CHECK(wind_mw == Approx(p.wind_mw).margin(1e-6));
    CHECK(solar_mw == Approx(p.solar_mw).margin(1e-6));
    CHECK(battery_mw == Approx(p.battery_mw).margin(1e-6));

    // DC and AC power flow: the stored solution is the AC one (it converges at once) and a flat start
    // converges too; voltages, reactive outputs and losses are in normal ranges.
    const PowerFlowResult dc = dc_power_flow(c);
    CHECK(dc.converged);
    const PowerFlowResult ac = ac_power_flow(c);
    REQUIRE(ac.converged);
    CHECK(ac.iterations <= 1);
    Case flat = c;
    for (Bus& b : flat.buses) b.vm_pu = 1, b.va_deg = 0;
    const PowerFlowResult ac_flat = ac_power_flow(flat);
    CHECK(ac_flat.converged);
    double pg = 0;
    for (size_t k = 0; k < c.gens.size(); ++k) {
        pg += ac.pg_mw[k];
        CHECK(ac.pg_mw[k] <= c.gens[k].pmax_mw + 1e-6);
        CHECK(ac.qg_mvar[k] <= c.gens[k].qmax_mvar + 1e-3);
        CHECK(ac.qg_mvar[k] >= c.gens[k].qmin_mvar - 1e-3);
    }
    const double loss_pct = (pg - pd) / pd * 100;
    CHECK(loss_pct > 0.2);
    CHECK(loss_pct < 4);
    for (double v : ac.vm_pu) {
        CHECK(v >= 0.95);
        CHECK(v <= 1.05);
    }

    // Base case: the most loaded branch (AC, MVA at either end; and DC, MW) between 40 and 95 % of RATE_A.
    double ac_max = 0, dc_max = 0;
    for (size_t l = 0; l < c.branches.size(); ++l) {
        const double rate = c.branches[l].rate_a_mva;
        const double s =
            std::max(std::hypot(ac.pf_mw[l], ac.qf_mvar[l]), std::hypot(ac.pt_mw[l], ac.qt_mvar[l]));
        ac_max = std::max(ac_max, s / rate);
        dc_max = std::max(dc_max, std::abs(dc.pf_mw[l]) / rate);
    }
    INFO("base-case loading: AC " << ac_max * 100 << " %, DC " << dc_max * 100 << " %");
    CHECK(ac_max >= 0.40);
    CHECK(ac_max <= 0.95);
    CHECK(dc_max >= 0.40);
    CHECK(dc_max <= 0.95);

    // N-1 (DC, LODF): no outage islands the grid; at most 1 % of outages load a branch above 120 %.
    const std::vector<OutageResult> n1 = n_minus_1(c);
    Checked out;
    int over = 0;
    for (const OutageResult& o : n1) {
        CHECK_FALSE(o.islands);
        out.worst_n1_pct = std::max(out.worst_n1_pct, o.worst_loading_pct);
        over += o.worst_loading_pct > 120;
    }
    out.over_120_fraction = double(over) / double(n1.size());
    INFO("N-1 worst " << out.worst_n1_pct << " %, outages above 120 %: " << over << " of " << n1.size());
    CHECK(out.over_120_fraction <= 0.01);
    CHECK(out.worst_n1_pct <= 130);
    return out;
}

std::vector<LoadCentre> texas_towns(double extent_m) {
    return {{-0.30 * extent_m, 0.20 * extent_m, 5, "Austin"},
            {0.25 * extent_m, -0.10 * extent_m, 3, ""},
            {0.00, -0.35 * extent_m, 1, "San Marcos"},
            {0.40 * extent_m, 0.40 * extent_m, 0.5, ""},
            {0.49 * extent_m, -0.49 * extent_m, 0.3, "Kerrville"}};
}

}  // namespace

TEST_CASE("generated grids are connected, solvable, adequately rated and N-1 secure", "[grid][generator]") {
    // Figures from 30 seeds each of 10, 60 and 200 substations, with and without given towns and with wind,
    // solar and batteries (270 grids, 8000 MW peak): worst N-1 loading 85-96 %, no outage above 100 %;
    // base-case maximum 52-88 % (AC); mean degree 2.26-2.99; losses 0.6-2.8 %; load-bus voltages >= 0.975.
    struct Setup {
        int substations;
        uint64_t seed;
        bool centres;
        double wind_mw, solar_mw, battery_mw;
    };
    const Setup setups[] = {
        {10, 1, false, 0, 0, 0}, {10, 2, true, 0, 0, 0},           {60, 1, false, 0, 0, 0},
        {60, 7, true, 0, 0, 0},  {60, 3, false, 1000, 800, 200},   {200, 1, false, 0, 0, 0},
        {200, 4, true, 0, 0, 0}, {200, 5, false, 3000, 2000, 600},
    };
    for (const Setup& s : setups) {
        GeneratorParams p;
        p.seed = s.seed;
        p.substations = s.substations;
        if (s.centres) p.centres = texas_towns(p.extent_m);
        p.wind_mw = s.wind_mw;
        p.solar_mw = s.solar_mw;
        p.battery_mw = s.battery_mw;
        DYNAMIC_SECTION("substations " << s.substations << ", seed " << s.seed
                                       << (s.centres ? ", given towns" : "")
                                       << (s.wind_mw > 0 ? ", with wind, solar and batteries" : "")) {
            const GeneratedGrid g = generate_grid(p);
            const Checked r = check_grid(p, g);
            CHECK(r.worst_n1_pct > 50);  // the ratings are not idle either
            if (s.centres) {
                // Only given towns, by their names where given; the largest gets the most substations.
                std::map<int, int> per_town;
                for (size_t i = 0; i < g.grid.buses.size(); ++i)
                    if (g.grid.buses[i].pd_mw > 0) ++per_town[g.bus_town[i]];
                REQUIRE(g.town_names.size() <= 5);
                CHECK(g.town_names[0] == "Austin");
                for (const auto& [town, n] : per_town) CHECK(per_town.at(0) >= n);
            } else {
                CHECK(g.town_names.size() <= size_t(p.towns));
            }
        }
    }
}

TEST_CASE("generated grids suit small regions, few substations and other mixes", "[grid][generator]") {
    SECTION("two substations and a small peak") {
        GeneratorParams p;
        p.substations = 2;
        p.peak_load_mw = 600;
        p.seed = 3;
        check_grid(p, generate_grid(p));
    }
    SECTION("a 20 km region") {
        GeneratorParams p;
        p.extent_m = 20000;
        p.substations = 30;
        p.peak_load_mw = 3000;
        check_grid(p, generate_grid(p));
    }
    SECTION("a fleet without nuclear or coal, on hilly terrain") {
        GeneratorParams p;
        p.share_gas = 0.7;
        p.share_coal = 0;
        p.share_nuclear = 0;
        p.share_hydro = 0.3;
        p.wind_mw = 1500;
        p.terrain_height_m = [](double x, double y) {
            return 300 + 250 * std::sin(x / 30000) * std::cos(y / 23000);
        };
        const GeneratedGrid g = generate_grid(p);
        check_grid(p, g);
        // Hydro and wind go high: their sites stand above the average load substation.
        double high = 0, low = 0;
        int n_high = 0, n_low = 0;
        for (const Gen& x : g.grid.gens) {
            const auto& xy = g.bus_xy_m[size_t(x.bus - 1)];
            if (x.fuel == "hydro" || x.fuel == "wind") high += p.terrain_height_m(xy[0], xy[1]), ++n_high;
        }
        for (size_t i = 0; i < g.grid.buses.size(); ++i)
            if (g.grid.buses[i].pd_mw > 0)
                low += p.terrain_height_m(g.bus_xy_m[i][0], g.bus_xy_m[i][1]), ++n_low;
        REQUIRE(n_high > 0);
        CHECK(high / n_high > low / n_low + 100);
    }
}

TEST_CASE("line constants per kilometre match typical overhead-line values", "[grid][generator]") {
    // 138 kV single ACSR and 345 kV bundled lines: about 0.44-0.47 and 0.33-0.38 ohm/km, 3.5 and 4.3-4.9
    // microsiemens/km; surge impedance loading about 50 and 400 MW (Glover, Overbye, Sarma, Power System
    // Analysis and Design, Table 5.2, and the EPRI Transmission Line Reference Book).
    GeneratorParams p;
    p.substations = 60;
    const GeneratedGrid g = generate_grid(p);
    int lines = 0;
    for (size_t l = 0; l < g.grid.branches.size(); ++l) {
        const Branch& br = g.grid.branches[l];
        if (br.ratio != 0) continue;
        ++lines;
        const double kv = g.grid.buses[size_t(br.from - 1)].base_kv, z_base = kv * kv / 100;
        const double km = g.branch_length_km[l];
        const double x_ohm_per_km = br.x_pu * z_base / km, b_us_per_km = br.b_pu / z_base / km * 1e6;
        const double sil_mw = kv * kv / std::sqrt(x_ohm_per_km / (b_us_per_km * 1e-6));
        const double x_over_r = br.x_pu / br.r_pu;
        if (kv == 138) {
            CHECK(x_ohm_per_km == Approx(0.46).epsilon(0.06));
            CHECK(b_us_per_km == Approx(3.6).epsilon(0.08));
            CHECK(sil_mw == Approx(52).epsilon(0.15));
            CHECK(x_over_r >= 5);
            CHECK(x_over_r <= 12);
        } else {
            CHECK(x_ohm_per_km == Approx(0.36).epsilon(0.1));
            CHECK(b_us_per_km == Approx(4.5).epsilon(0.12));
            CHECK(sil_mw == Approx(410).epsilon(0.15));
            CHECK(x_over_r >= 8);
            CHECK(x_over_r <= 20);
        }
    }
    CHECK(lines > 60);
}

TEST_CASE("the generator is deterministic for a seed and varies with it", "[grid][generator]") {
    GeneratorParams p;
    p.substations = 60;
    p.wind_mw = 800;
    p.battery_mw = 300;
    p.seed = 42;
    const std::string first = serialise(generate_grid(p));
    CHECK(serialise(generate_grid(p)) == first);
    p.seed = 43;
    const GeneratedGrid other = generate_grid(p);
    CHECK(serialise(other) != first);
    // Adding capacity moves no town or substation: the parts draw from separate random streams.
    p.solar_mw = 500;
    const GeneratedGrid more = generate_grid(p);
    CHECK(more.town_names == other.town_names);
    for (int i = 0; i < p.substations; ++i) CHECK(more.bus_xy_m[size_t(i)] == other.bus_xy_m[size_t(i)]);
}

TEST_CASE("impossible generator parameters are refused by name", "[grid][generator]") {
    auto refused = [](auto change, const std::string& expected) {
        GeneratorParams p;
        change(p);
        CHECK_THROWS_MATCHES(generate_grid(p), std::invalid_argument,
                             Catch::Message("generate_grid: " + expected));
    };
    refused([](GeneratorParams& p) { p.substations = 1; }, "substations must be at least 2 (got 1)");
    refused([](GeneratorParams& p) { p.substations = 5000; }, "substations must be at most 1000 (got 5000)");
    refused([](GeneratorParams& p) { p.extent_m = 0; }, "extent_m must be positive (got 0)");
    refused([](GeneratorParams& p) { p.extent_m = -5; }, "extent_m must be positive (got -5)");
    refused([](GeneratorParams& p) { p.peak_load_mw = -100; }, "peak_load_mw must be positive (got -100)");
    refused([](GeneratorParams& p) { p.peak_load_mw = 1e5; },
            "peak_load_mw / substations = 1666.67 MW is more than a substation serves (at most 1000 MW)");
    refused([](GeneratorParams& p) { p.wind_mw = -1; }, "wind_mw must not be negative (got -1)");
    refused([](GeneratorParams& p) { p.battery_mw = -50; }, "battery_mw must not be negative (got -50)");
    refused([](GeneratorParams& p) { p.reserve_margin = -0.1; },
            "reserve_margin must be in [0, 3] (got -0.1)");
    refused([](GeneratorParams& p) { p.reserve_margin = 0; },
            "reserve_margin 0 leaves too little capacity for the peak plus losses");
    refused([](GeneratorParams& p) { p.share_coal = -0.2, p.share_gas = 0.75; },
            "share_coal must not be negative (got -0.2)");
    refused([](GeneratorParams& p) { p.share_gas = 0.6; },
            "share_gas + share_coal + share_nuclear + share_hydro must be 1 (got 1.05)");
    refused([](GeneratorParams& p) { p.towns = 0; },
            "towns must be in [1, 1000] when no centres are given (got 0)");
    refused(
        [](GeneratorParams& p) {
            p.centres = {{0, 0, 0, "Nowhere"}};
        },
        "centres[0].weight must be positive (got 0)");
    refused(
        [](GeneratorParams& p) {
            p.centres = {{0, 0, 1, "A"}, {150000, 0, 1, "B"}};
        },
        "centres[1] at (150000, 0) m lies outside the region (|x|, |y| <= 100000 m)");
}
