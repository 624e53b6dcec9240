// The world's couplings without a GPU: the city's demand model against a hand-computed value, the campus's
// IT and facility load against its definition and the facility model, its backup ride-through by hand, the
// coupling context's switches and log, and the flood-to-grid coupling: a known depth at one substation trips
// exactly its branches, and the served load drops by what its buses carried.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/coupling.hpp"
#include "core/load_shape.hpp"
#include "core/world.hpp"
#include "modules/campus/campus_model.hpp"
#include "modules/city/city_ports.hpp"
#include "modules/datacenter/facility.hpp"
#include "modules/grid/cascade.hpp"
#include "modules/grid/grid_ports.hpp"

using namespace infrascape;

TEST_CASE("city demand: base load shape plus lagged air conditioning, by hand", "[world]") {
    city::DemandParams p;  // 1.6 kW and 0.075 kW/C per resident above 24 C
    // 14:00 is on the RTS shape's plateau (1.0): 1e6 x 1.6 kW = 1600 MW, plus 1e6 x 0.075 x (34 - 24) = 750 MW.
    CHECK(rts_summer_load_shape(14.0) == 1.0);
    double cooling = 0;
    CHECK(city::demand_mw(1e6, 14.0, 34.0, p, &cooling) == Approx(2350).epsilon(1e-12));
    CHECK(cooling == Approx(750).epsilon(1e-12));
    // 04:00 (shape 0.56) in cool air: the base load alone, 0.56 x 1600 = 896 MW.
    CHECK(city::demand_mw(1e6, 4.0, 20.0, p, &cooling) == Approx(896).epsilon(1e-12));
    CHECK(cooling == 0);
    // 30 million Texans on a 40 C afternoon (lagged air at 40): the ERCOT-scale peak, 30e6 x (1.6 + 0.075 x 16).
    CHECK(city::demand_mw(30e6, 14.5, 40.0, p) == Approx(84000).epsilon(1e-12));
}

TEST_CASE("campus load: GPUs x GPU kW x overhead x utilization, and the facility model's PUE", "[world]") {
    campus::CampusSpec s;
    s.gpus = 250000;
    s.gpu_kw = 1.0;
    s.server_overhead = 1.5;
    s.liquid_fraction = 0.7;
    // 250,000 x 1.0 kW x 1.5 x 0.8 = 300 MW of IT.
    CHECK(campus::it_mw(s, 0.8) == Approx(300).epsilon(1e-12));
    const campus::CampusPower hot = campus::campus_power(s, 0.8, 40), mild = campus::campus_power(s, 0.8, 15);
    CHECK(hot.it_mw == Approx(300).epsilon(1e-9));
    CHECK(hot.facility_mw == Approx(hot.it_mw * hot.pue).epsilon(1e-9));
    // The datacenter module's facility model for the same hall (its own tests check its physics).
    datacenter::FacilityConfig config;
    config.design_it_kw = 375000;
    datacenter::FacilityLoad load;
    load.it_kw = 300000;
    load.liquid_fraction = 0.7;
    load.outdoor_c = 40;
    CHECK(hot.pue == Approx(datacenter::facility_power(load, config).pue).epsilon(1e-12));
    // Cooling costs more in the heat: the PUE rises from a mild day to a hot one.
    CHECK(hot.pue > mild.pue);
}

TEST_CASE("campus backup: UPS, then generators, then dark, by hand", "[world]") {
    campus::CampusSpec s;
    s.gpus = 1000;
    s.gpu_kw = 1.0;
    s.server_overhead = 1.0;
    s.ups_minutes = 5;
    s.generator_start_s = 60;
    s.fuel_hours = 1;
    const campus::CampusPower p = campus::campus_power(s, 1.0, 35);  // at full load: the generators' size
    campus::Backup b = campus::backup_start(s);
    CHECK(campus::advance_backup(b, s, p, 1.0, 300) == Approx(p.facility_mw));
    CHECK(b.source == campus::Backup::Source::Grid);
    CHECK(campus::advance_backup(b, s, p, 0.0, 30) == 0);  // 30 s into the outage: on the UPS
    CHECK(b.source == campus::Backup::Source::Ups);
    campus::advance_backup(b, s, p, 0.0, 30);  // 60 s: the generators carry it
    CHECK(b.source == campus::Backup::Source::Generators);
    campus::advance_backup(b, s, p, 0.0, 3600);  // the hour of fuel at full load runs out in this step
    // The generators ran 30 s + 3600 s (whole steps: the last one is not cut where the fuel ends).
    CHECK(b.generator_mwh == Approx(p.facility_mw * 3630 / 3600).epsilon(1e-9));
    CHECK(b.co2_t == Approx(p.facility_mw * 3630 / 3600 * 0.7).epsilon(1e-9));
    CHECK(b.fuel_left_h == Approx(0).margin(1e-12));
    campus::advance_backup(b, s, p, 0.0, 270);  // no fuel: what the UPS kept (5 min less the first 30 s)
    CHECK(b.source == campus::Backup::Source::Ups);
    CHECK(b.ups_left_s == Approx(0).margin(1e-9));
    campus::advance_backup(b, s, p, 0.0, 1800);  // then dark for half an hour
    CHECK(b.source == campus::Backup::Source::Dark);
    CHECK(b.gpu_hours_lost == Approx(500));
    CHECK(campus::advance_backup(b, s, p, 1.0, 300) == Approx(p.facility_mw));  // the grid is back
}

TEST_CASE("coupling context: switches, logged columns, and nothing when switched off", "[world]") {
    ParamStore params;
    params.declare(world_block());
    OutputBus bus;
    bus.publish_scalar("a.x", "MW", "", [] { return 5.0; });
    bus.publish_field("b.depth_m", "m", "", [](double x, double) { return x > 0 ? 2.0 : std::nan(""); });
    CouplingLog log;
    log.begin_step(0);
    CouplingContext on(bus, params, log, 0);
    CHECK(on.scalar("demand", "a.x") == 5.0);
    CHECK(on.sample("flood_grid", "b.depth_m", 1, 0, "substation_7") == 2.0);
    CHECK_FALSE(on.sample("flood_grid", "b.depth_m", -1, 0, "substation_8"));  // NaN: nothing, not logged
    params.set("world.couple_demand", false);
    CHECK_FALSE(on.scalar("demand", "a.x"));
    CHECK(log.columns() == std::vector<std::string>{"a.x", "b.depth_m@substation_7"});
    log.begin_step(300);  // a step with nothing exchanged leaves no row
    CHECK(log.rows() == 1);
    CHECK(log.value(0, "a.x") == 5.0);
}

TEST_CASE("flood to grid: a known depth at one substation trips exactly its branches", "[world]") {
    // A four-bus ring with a spur: 1 (generator, reference) - 2 - 3 - 4 - 2, loads 50 MW at 3 and 30 MW at 4.
    grid::Case c;
    c.name = "ring";
    c.buses.resize(4);
    for (int i = 0; i < 4; ++i) c.buses[size_t(i)].id = i + 1;
    c.buses[0].type = grid::BusType::Ref;
    c.buses[2].pd_mw = 50;
    c.buses[3].pd_mw = 30;
    grid::Gen g;
    g.bus = 1;
    g.pg_mw = 80;
    g.pmax_mw = 200;
    c.gens = {g};
    auto line = [](int f, int t) {
        grid::Branch b;
        b.from = f;
        b.to = t;
        b.x_pu = 0.1;
        return b;
    };
    c.branches = {line(1, 2), line(2, 3), line(3, 4), line(4, 2)};
    const std::vector<std::array<double, 2>> xy = {{0, 0}, {10000, 0}, {20000, 5000}, {20000, -5000}};
    const std::vector<int> site_of = {0, 1, 2, 3};
    // The flood: 1.2 m of water within 2 km of bus 4, dry (0 m) elsewhere on its grid.
    ParamStore params;
    params.declare(world_block());
    OutputBus bus;
    bus.publish_field("flood.depth_m", "m", "", [](double x, double y) {
        return std::hypot(x - 20000, y + 5000) < 2000 ? 1.2 : 0.0;
    });
    CouplingLog log;
    log.begin_step(0);
    CouplingContext ctx(bus, params, log, 0);
    grid::GridPorts ports;
    ports.couple(ctx, c, xy, site_of, 4, 0.6);
    CHECK(ports.site_flooded == std::vector<char>{0, 0, 0, 1});
    CHECK(log.value(0, "flood.depth_m@substation_4") == 1.2);
    CHECK(log.value(0, "flood.depth_m@substation_3") == 0);
    // Trip every branch with an end at a flooded site, as the grid module does, and solve.
    grid::Cascade cascade(c, grid::CascadeParams{});
    std::vector<int> tripped;
    for (size_t l = 0; l < c.branches.size(); ++l)
        if (ports.site_flooded[size_t(c.bus_index(c.branches[l].from))] || ports.site_flooded[size_t(c.bus_index(c.branches[l].to))]) {
            cascade.trip(int(l), 0);
            tripped.push_back(int(l));
        }
    CHECK(tripped == std::vector<int>{2, 3});
    const grid::FlowState& f = cascade.step(c, 0, 300, 1.0);
    // Bus 4 is dark and its 30 MW are lost; buses 1-3 are served: the served fraction falls from 1 to 50/80.
    CHECK(f.shed_mw == Approx(30));
    CHECK(f.served_pd_mw[3] == 0);
    CHECK(f.served_pd_mw[2] == Approx(50));
    double served = 0;
    for (double s : f.served_pd_mw) served += s;
    CHECK(served / 80 == Approx(50.0 / 80));
    // With the coupling switched off nothing floods.
    params.set("world.couple_flood_grid", false);
    grid::GridPorts off;
    off.couple(ctx, c, xy, site_of, 4, 0.6);
    CHECK(off.site_flooded == std::vector<char>{0, 0, 0, 0});
}

TEST_CASE("flood to city: built cells under water and people in the hazard zone, by hand", "[world]") {
    ParamStore params;
    params.declare(world_block());
    // A river along y = 0 (1.5 m deep before the storm), a house at y = 100 and one at y = 200 outside the flood.
    double river = 1.5, house = 0.0, house_speed = 0.0;
    OutputBus bus;
    bus.publish_field("flood.depth_m", "m", "", [&](double, double y) {
        if (y > 150) return std::nan("");  // outside the flood's grid
        return y < 50 ? river : house;
    });
    bus.publish_field("flood.hazard", "", "", [&](double, double y) {
        if (y > 150) return std::nan("");
        return y < 50 ? river * 1.5 : house * (house_speed + 0.5);
    });
    const std::vector<std::array<double, 2>> cells = {{0, 0}, {0, 100}, {0, 200}, {50, 100}};
    const std::vector<size_t> ids = {0, 1, 2, 3};
    city::CityPorts ports;
    CouplingLog log;
    log.begin_step(0);
    {
        CouplingContext ctx(bus, params, log, 0);
        ports.flood(ctx, "city:town", cells, ids, 4000);
    }
    // Before the storm: the river is deep and fast, yet it is where the town was built around, not a flood.
    CHECK(ports.flood_impact().exposed_cells == 3);
    CHECK(ports.flood_impact().flooded_cells == 0);
    CHECK(ports.flood_impact().people_in_hazard == 0);
    // The storm: the river rises 0.2 m (not a flood of a built cell), the houses stand in 0.6 m of water at 1 m/s:
    // HR = 0.6 (1 + 0.5) = 0.9 > 0.75, a danger for some; 2 of 4 built cells: 2000 of 4000 people.
    river = 1.7;
    house = 0.6;
    house_speed = 1.0;
    log.begin_step(300);
    {
        CouplingContext ctx(bus, params, log, 300);
        ports.flood(ctx, "city:town", cells, ids, 4000);
    }
    CHECK(ports.flood_impact().flooded_cells == 2);
    CHECK(ports.flood_impact().hazard_cells == 2);
    CHECK(ports.flood_impact().people_in_hazard == Approx(2000));
    CHECK(log.value(1, "city:town.flooded_cells") == 2);
    CHECK(log.value(1, "city:town.people_in_hazard") == Approx(2000));
    // Still water as deep is under water but below the hazard rating: 0.6 * 0.5 = 0.3.
    house_speed = 0.0;
    log.begin_step(600);
    {
        CouplingContext ctx(bus, params, log, 600);
        ports.flood(ctx, "city:town", cells, ids, 4000);
    }
    CHECK(ports.flood_impact().flooded_cells == 2);
    CHECK(ports.flood_impact().people_in_hazard == 0);
    CHECK(ports.flood_impact().worst_people == Approx(2000));
    // With the coupling switched off the city sees no flood at all.
    params.set("world.couple_flood_city", false);
    city::CityPorts off;
    log.begin_step(900);
    CouplingContext ctx(bus, params, log, 900);
    off.flood(ctx, "city:other", cells, ids, 4000);
    CHECK_FALSE(off.flood_seen());
}

TEST_CASE("grid to city: each block of the city takes the service of its nearest bus, by hand", "[world]") {
    // A city of 64 x 64 cells of 100 m centred on x = 0; the grid serves x < 0 from bus 101, which is dark, and
    // x > 0 from bus 202, which is lit. Blocks are 4 cells wide: the eight western blocks are bus 101's and dark,
    // the eight eastern ones bus 202's and lit, in every row.
    ParamStore params;
    params.declare(world_block());
    OutputBus bus;
    bus.publish_field("grid.serving_bus", "", "", [](double x, double) { return x < 0 ? 101.0 : 202.0; });
    bus.publish_field("grid.served_fraction", "", "", [](double x, double) { return x < 0 ? 0.0 : 1.0; });
    CouplingLog log;
    log.begin_step(0);
    CouplingContext ctx(bus, params, log, 0);
    city::CityPorts ports;
    ports.service(ctx, "city:test", -3150, -3150, 100, 64);
    const uint32_t b = city::CityPorts::kServiceBlocks;
    REQUIRE(ports.block_bus().size() == size_t(b) * b);
    for (uint32_t j = 0; j < b; ++j)
        for (uint32_t i = 0; i < b; ++i) {
            INFO("block " << i << ", " << j);
            CHECK(ports.block_bus()[j * b + i] == (i < b / 2 ? 101 : 202));
            CHECK(ports.block_served()[j * b + i] == (i < b / 2 ? 0.0f : 1.0f));
        }
    CHECK(log.value(0, "city.serving_buses@city:test") == 2);
    // With the outages coupling off every block is lit; the map of who serves what stays.
    params.set("world.couple_outages", false);
    city::CityPorts off;
    off.service(ctx, "city:test", -3150, -3150, 100, 64);
    for (float s : off.block_served()) CHECK(s == 1.0f);
    CHECK(off.block_bus()[0] == 101);
    // Without a grid: lit, and no bus.
    OutputBus empty;
    CouplingContext alone(empty, params, log, 0);
    city::CityPorts none;
    none.service(alone, "city:test", -3150, -3150, 100, 64);
    for (size_t k = 0; k < none.block_bus().size(); ++k) CHECK((none.block_bus()[k] == -1 && none.block_served()[k] == 1.0f));
}
