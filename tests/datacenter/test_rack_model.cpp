// Rack compact thermal model (modules/datacenter/rack_model): a two-server rack worked by hand, the energy
// balance, GPU throttling at the slowdown temperature, and the liquid share of the heat.
#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>

#include "modules/datacenter/rack_model.hpp"

using namespace infrascape::datacenter;

namespace {

// A small server for hand arithmetic: stage 0 a 300 W CPU (R 0.1 K/W), stage 1 two 600 W GPUs (R 0.05 K/W),
// stage 2 300 W of other parts (no heat sink). Air with rho cp = 1.2 * 1000 = 1200 J/(m^3 K).
RackConfig small_rack() {
    RackConfig c;
    c.server.name = "hand";
    c.server.components = {
        {"cpu", ComponentKind::Cpu, 0, 300, 0.1, 0},
        {"gpu0", ComponentKind::Gpu, 1, 600, 0.05, 0},
        {"gpu1", ComponentKind::Gpu, 1, 600, 0.05, 0},
        {"other", ComponentKind::Other, 2, 300, 0, 0},
    };
    c.servers = 2;
    c.air = {1.2, 1000};
    return c;
}

}  // namespace

TEST_CASE("rack: two-server rack matches the hand computation", "[datacenter][rack]") {
    const RackConfig c = small_rack();
    // Server 0 (bottom): inlet 20 C, Q = 0.1 m^3/s -> rho cp Q = 120 W/K, no liquid.
    //   cpu  T = 20 + 300 * 0.1 = 50;           air after stage 0 = 20 + 300 / 120 = 22.5
    //   gpus T = 22.5 + 600 * 0.05 = 52.5;      air after stage 1 = 22.5 + 1200 / 120 = 32.5
    //   other T = 32.5 (no heat sink);          outlet = 32.5 + 300 / 120 = 35 (= 20 + 1800 / 120)
    // Server 1 (top): inlet 30 C, Q = 0.05 m^3/s -> 60 W/K, liquid fraction 0.5 (no cold plates, so the
    // component temperatures still refer to the air; the air carries half of each stage's heat):
    //   cpu  T = 30 + 30 = 60;                  air after stage 0 = 30 + 0.5 * 300 / 60 = 32.5
    //   gpus T = 32.5 + 30 = 62.5;              air after stage 1 = 32.5 + 0.5 * 1200 / 60 = 42.5
    //   outlet = 42.5 + 0.5 * 300 / 60 = 45
    // Rack outlet (flow weighted) = (0.1 * 35 + 0.05 * 45) / 0.15 = 5.75 / 0.15 = 38.333...
    // Heat: air 1800 + 900 = 2700 W, liquid 900 W, IT 3600 W.
    const RackResult r = solve_rack(c, {{20, 0.1, 0, 35}, {30, 0.05, 0.5, 35}});
    const auto exact = [](double v) { return Approx(v).epsilon(1e-12); };
    const ServerResult& s0 = r.servers[0];
    CHECK(s0.components[0].temperature_c == exact(50));
    CHECK(s0.components[1].air_in_c == exact(22.5));
    CHECK(s0.components[1].temperature_c == exact(52.5));
    CHECK(s0.components[2].temperature_c == exact(52.5));
    CHECK(s0.components[3].temperature_c == exact(32.5));
    CHECK(s0.outlet_c == exact(35));
    const ServerResult& s1 = r.servers[1];
    CHECK(s1.components[0].temperature_c == exact(60));
    CHECK(s1.components[1].temperature_c == exact(62.5));
    CHECK(s1.components[3].air_in_c == exact(42.5));
    CHECK(s1.outlet_c == exact(45));
    CHECK(r.outlet_c == exact(5.75 / 0.15));
    CHECK(r.hottest_gpu_c == exact(62.5));
    CHECK(r.gpus == 4);
    CHECK(r.throttled_gpus == 0);
    CHECK(r.lost_compute_fraction == 0.0);
    CHECK(r.it_power_w == exact(3600));
    CHECK(r.heat_to_air_w == exact(2700));
    CHECK(r.heat_to_liquid_w == exact(900));

    // A cold-plated GPU of a liquid-cooled server refers to the coolant: with r_liquid 0.02 K/W and coolant
    // 40 C, T = 40 + 600 * 0.02 = 52 whatever the air.
    RackConfig cl = c;
    cl.server.components[1].r_liquid_k_per_w = 0.02;
    const ServerResult sl = solve_server(cl, {30, 0.05, 0.5, 40});
    CHECK(sl.components[1].temperature_c == exact(52));
    CHECK(sl.components[2].temperature_c == exact(62.5));
}

TEST_CASE("rack: default HGX server: design airflow, heights, energy balance", "[datacenter][rack]") {
    RackConfig c;  // 4 x 10 kW HGX H100 class servers, dT_design 15 K
    CHECK(c.server.nominal_power_w() == 10000.0);
    // Q = 10000 / (1.164 * 1007 * 15) = 0.5688 m^3/s (about 1205 CFM)
    const double q = design_airflow_m3_per_s(10000, 15, c.air);
    CHECK(q == Approx(10000.0 / (1.164 * 1007 * 15)));
    CHECK(q == Approx(0.5688).epsilon(1e-3));
    // Server 1 (second from the bottom) centre: 0.10 + 1.5 * 8 * 0.04445 = 0.6334 m
    CHECK(server_centre_height_m(c, 1) == Approx(0.6334));

    // Mixed inlets, liquid shares and one hot server that throttles: heat to air + liquid = IT power, and
    // the air's enthalpy rise rho cp Q (T_out - T_in) equals the heat given to it.
    const RackResult r =
        solve_rack(c, {{22, 0, 0, 35}, {35, 0, 0.3, 35}, {48, 0, 0, 35}, {27, 0.4, 0.6, 35}});
    CHECK(r.throttled_gpus > 0);
    CHECK(r.it_power_w < r.nominal_power_w);
    CHECK(r.heat_to_air_w + r.heat_to_liquid_w == Approx(r.it_power_w).epsilon(1e-12));
    double enthalpy_w = 0, flow_out = 0;
    for (const ServerResult& s : r.servers) {
        const double cap = c.air.density_kg_per_m3 * c.air.cp_j_per_kg_k * s.airflow_m3_per_s;
        CHECK(cap * (s.outlet_c - s.inlet_c) == Approx(s.heat_to_air_w).epsilon(1e-12));
        double p = 0;
        for (const ComponentResult& k : s.components) p += k.power_w;
        CHECK(p == Approx(s.it_power_w).epsilon(1e-12));
        enthalpy_w += cap * (s.outlet_c - s.inlet_c);
        flow_out += s.airflow_m3_per_s * s.outlet_c;
    }
    CHECK(enthalpy_w == Approx(r.heat_to_air_w).epsilon(1e-12));
    CHECK(r.outlet_c == Approx(flow_out / r.airflow_m3_per_s));
}

TEST_CASE("rack: GPUs throttle above the slowdown temperature and are held at it", "[datacenter][rack]") {
    RackConfig c;
    c.servers = 1;
    // Design airflow: rho cp Q = 10000 / 15 = 666.67 W/K. Stage 0 (2 x 350 + 800 W) heats the air by
    // 1500 / 666.67 = 2.25 K; an unthrottled GPU sits at T_in + 2.25 + 700 * 0.06 = T_in + 44.25, so
    // throttling starts at an inlet of 87 - 44.25 = 42.75 C.
    const ServerResult cool = solve_server(c, {42.7, 0, 0, 35});
    CHECK(cool.throttled_gpus == 0);
    CHECK(cool.hottest_gpu_c == Approx(86.95));
    const ServerResult warm = solve_server(c, {42.8, 0, 0, 35});
    CHECK(warm.throttled_gpus == 8);

    // Inlet 50 C: GPU air 52.25 C, cap P = (87 - 52.25) / 0.06 = 579.1667 W, T = 87 exactly,
    // compute = 579.1667 / 700 = 0.82738 (linear rule), lost compute 0.17262.
    const RackResult hot = solve_rack(c, {{50, 0, 0, 35}});
    const ServerResult& s = hot.servers[0];
    CHECK(s.components[3].power_w == Approx(34.75 / 0.06));
    CHECK(s.components[3].temperature_c == Approx(87.0));
    CHECK(s.components[3].throttled);
    CHECK(hot.throttled_gpus == 8);
    CHECK(hot.lost_compute_fraction == Approx(1 - 34.75 / 0.06 / 700));
    CHECK(hot.it_power_w == Approx(10000 - 8 * (700 - 34.75 / 0.06)));

    // Sweep the inlet: while the cap stays above the floor (0.3 * 700 W -> inlet below 87 - 2.25 - 12.6
    // = 72.15 C) every GPU stays at or below 87 C; the power falls and lost compute grows monotonically.
    double last_lost = -1;
    for (double t_in = 20; t_in <= 72; t_in += 0.5) {
        const RackResult r = solve_rack(c, {{t_in, 0, 0, 35}});
        CHECK(r.hottest_gpu_c <= 87.0 + 1e-9);
        CHECK(r.lost_compute_fraction >= last_lost);
        last_lost = r.lost_compute_fraction;
    }
    // Beyond the floor the GPUs run at 210 W and exceed T_slow; they are still reported as throttled.
    const ServerResult floor = solve_server(c, {80, 0, 0, 35});
    CHECK(floor.components[3].power_w == Approx(210));
    CHECK(floor.hottest_gpu_c == Approx(80 + 2.25 + 210 * 0.06));
    CHECK(floor.throttled_gpus == 8);

    // A cube-law compute rule loses less compute for the same power cap.
    RackConfig cube = c;
    cube.throttle_compute_exponent = 1.0 / 3.0;
    CHECK(solve_rack(cube, {{50, 0, 0, 35}}).lost_compute_fraction ==
          Approx(1 - std::cbrt(34.75 / 0.06 / 700)));
}

TEST_CASE("rack: the liquid fraction scales the air's heating", "[datacenter][rack]") {
    RackConfig c;
    c.servers = 1;
    // Fixed design airflow: the outlet rise is (1 - f) * 15 K and every stage's rise scales the same way.
    const ServerResult air = solve_server(c, {25, 0, 0, 35});
    CHECK(air.outlet_c - air.inlet_c == Approx(15));
    for (double f : {0.25, 0.5, 0.8, 1.0}) {
        const ServerResult s = solve_server(c, {25, 0, f, 35});
        CHECK(s.outlet_c - s.inlet_c == Approx((1 - f) * 15));
        CHECK(s.components.back().air_in_c - 25 == Approx((1 - f) * (air.components.back().air_in_c - 25)));
        CHECK(s.heat_to_liquid_w == Approx(f * 10000));
        CHECK(s.heat_to_air_w + s.heat_to_liquid_w == Approx(10000));
    }
    // The GB200 NVL72 class tray: 18 trays of 6.8 kW = 122.4 kW; with f = 0.85 and 35 C coolant the
    // cold-plated GPUs sit at 35 + 1200 * 0.02 = 59 C whatever the inlet air.
    RackConfig nvl;
    nvl.server = gb200_nvl72_tray();
    nvl.servers = 18;
    CHECK(nvl.server.nominal_power_w() * 18 == Approx(122400));
    const RackResult r = solve_rack(nvl, std::vector<ServerInput>(18, {30, 0, 0.85, 35}));
    CHECK(r.hottest_gpu_c == Approx(59));
    CHECK(r.heat_to_liquid_w == Approx(0.85 * 122400));

    CHECK_THROWS_AS(solve_server(c, {25, 0, 1.5, 35}), std::invalid_argument);
    CHECK_THROWS_AS(solve_rack(c, {}), std::invalid_argument);
}
