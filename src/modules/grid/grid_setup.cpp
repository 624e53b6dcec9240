// The grid module's set-up: the case or the generator, the layout, the scenario and the cascade.
#include "modules/grid/grid_module_impl.hpp"

namespace infrascape::grid {

void GridModule::attach(AttachContext& ctx) {
    gpu_ = &ctx.gpu;
    ctx_world_ = &ctx.world;
    info_ = ctx.info;
    draws_ = ctx.draws;
    async_sced_ = ctx.interactive;
    colormaps_ = &ctx.colormaps;
    const ParamStore& p = ctx.params;
    const double half = ctx.info.extent_m / 2;

    // The network and where its buses are.
    const std::string& case_path = p.text("grid.case");
    std::vector<std::array<double, 2>> xy;
    std::vector<Tether> tethers;
    if (!case_path.empty()) {
        base_ = load_matpower(case_path, std::filesystem::proximate(case_path).string());
        source_ = std::filesystem::path(case_path).filename().string();
        // The layout places substations (buses joined by transformers stand together), each tethered
        // around the place its first bus is named after.
        site_of_ = substation_sites(base_, site_count_);
        tethers.assign(site_count_, Tether{});
        if (const std::string& places_path = p.text("grid.places"); !places_path.empty()) {
            std::map<std::string, std::array<double, 2>> at;
            for (const Place& pl : load_places(places_path, std::filesystem::proximate(places_path).string()))
                at[pl.name] = info_.lonlat(pl.lat_deg, pl.lon_deg);
            std::vector<std::string> site_place(site_count_);
            std::vector<char> named(site_count_, 0);
            for (size_t b = 0; b < base_.buses.size(); ++b)
                if (!named[site_of_[b]]) {
                    site_place[site_of_[b]] = place_of_bus(base_.buses[b].name);
                    named[site_of_[b]] = 1;
                }
            std::map<std::string, int> sites_at;
            for (const std::string& place : site_place) ++sites_at[place];
            // A place's substations spread over a disc that grows with their number.
            const double spread_m = p.number("grid.place_spread_m");
            for (size_t k = 0; k < site_count_; ++k) {
                auto it = at.find(site_place[k]);
                if (it == at.end() || std::abs(it->second[0]) > half || std::abs(it->second[1]) > half) continue;
                tethers[k] = {it->second[0], it->second[1], spread_m * std::sqrt(double(sites_at[site_place[k]]))};
            }
            for (size_t b = 0; b < base_.buses.size(); ++b) anchored_count_ += tethers[site_of_[b]].radius_m >= 0;
        }
    } else {
        GeneratorParams g;
        g.seed = ctx.info.seed;
        g.extent_m = ctx.info.extent_m * 0.9;
        g.towns = int(p.number("grid.towns"));
        g.substations = int(p.number("grid.substations"));
        g.peak_load_mw = p.number("grid.peak_load_mw");
        g.wind_mw = p.number("grid.wind_mw");
        g.solar_mw = p.number("grid.pv_capacity_mw");
        g.battery_mw = p.number("grid.battery_mw");
        if (ctx.info.terrain) {
            const engine::Heightfield* t = ctx.info.terrain;
            g.terrain_height_m = [t](double x, double y) { return t->sample(x, y); };
        }
        try {
            GeneratedGrid gen = generate_grid(g);
            base_ = std::move(gen.grid);
            xy = std::move(gen.bus_xy_m);
        } catch (const std::exception& e) {  // impossible parameters, or a grid that would not solve
            throw ParamError("grid.substations", std::string("the grid generator cannot build this grid: ") + e.what());
        }
        for (const auto& q : xy) tethers.push_back({q[0], q[1], 0.0});  // pinned where the generator put them
        anchored_count_ = base_.buses.size();
        site_count_ = base_.buses.size();
        site_of_.resize(site_count_);
        std::iota(site_of_.begin(), site_of_.end(), 0);
        source_ = "generated (" + std::to_string(base_.buses.size()) + " buses)";
    }
    const size_t nb = base_.buses.size(), nl = base_.branches.size();

    bool all_pinned = true;
    for (const Tether& t : tethers) all_pinned = all_pinned && t.radius_m == 0;
    if (!all_pinned) {
        const Adjacency sites = site_adjacency(base_, site_of_, site_count_);
        // The layout is all-pairs: on very large grids fewer iterations keep the start-up to seconds on a CPU
        // device (at most 3e9 site-pair interactions, at least 50 iterations).
        const double pairs = double(site_count_) * double(site_count_);
        const uint32_t iterations = uint32_t(std::min(p.number("grid.layout_iterations"), std::max(50.0, 3e9 / pairs)));
        const LayoutSchedule schedule = layout_schedule(site_count_, half * 0.95, std::max(iterations, 1u));
        std::vector<std::array<float, 4>> anchors;
        std::vector<std::array<float, 4>> pos = initial_layout(sites, tethers, half * 0.95, ctx.info.seed, anchors);
        if (iterations > 0) pos = run_layout_gpu(*gpu_, sites, pos, anchors, schedule, iterations);
        xy.resize(nb);
        for (size_t b = 0; b < nb; ++b) xy[b] = {pos[site_of_[b]][0], pos[site_of_[b]][1]};
    }
    bus_xy_ = xy;
    bus_z_.resize(nb);
    for (size_t b = 0; b < nb; ++b) bus_z_[b] = ctx.info.terrain ? ctx.info.terrain->sample(xy[b][0], xy[b][1]) : 0.0;

    // The operating model.
    scenario_ = scenario_params(p, info_);
    prepared_ = base_;
    prepare_case(prepared_, scenario_);
    battery_ = BatteryState{scenario_.battery_mwh * 0.5};
    cascade_ = std::make_unique<Cascade>(prepared_, cascade_params(p));
    step_s_ = p.number("grid.step_s");
    flood_wall_m_ = p.number("grid.flood_wall_m");
    next_t_s_ = 0;
    max_loading_pct_.assign(nl, 0.0);
    overload_s_.assign(nl, 0.0);
    trip_playback_s_.assign(nl, -1.0f);
    last_trip_request_ = int(p.number("grid.trip_branch"));
    states_host_.assign(std::max<size_t>(nl, 1), gpu::BranchState{glm::vec4(0, 0, 1, -1)});

    sync_visual_params(p);
    build_drawing(p);
    grid_step(0.0, p);  // the first operating point, so the first frame shows flows
    next_t_s_ = step_s_;
}

void GridModule::publish(OutputBus& bus) {
    bus.publish_scalar("grid.demand_mw", "MW", "customer demand incl. cooling", [this] { return cond_.demand_mw; });
    bus.publish_scalar("grid.net_load_mw", "MW", "demand minus PV and wind", [this] { return cond_.net_load_mw; });
    bus.publish_scalar("grid.pv_mw", "MW", "utility plus rooftop PV output",
                       [this] { return cond_.utility_pv_mw + cond_.rooftop_pv_mw; });
    bus.publish_scalar("grid.shed_mw", "MW", "load not served", [this] { return shed_mw(); });
    bus.publish_scalar("grid.ambient_c", "C", "air temperature", [this] { return cond_.ambient_c; });
    bus.publish_scalar("grid.price_mwh", "$/MWh", "load-weighted mean locational marginal price (sced)",
                       [this] { return mean_price_; });
    bus.publish_scalar("grid.flooded_substations", "", "substations tripped by the flood", [this] {
        return double(std::count(ports_.site_flooded.begin(), ports_.site_flooded.end(), char(1)));
    });
    bus.publish_field("grid.lmp_mwh", "$/MWh", "locational marginal price at the nearest bus (sced); NaN beyond the grid",
                      [this](double x, double y) {
                          const int b = nearest_bus(x, y);
                          return b >= 0 && !lmp_.empty() ? lmp_[size_t(b)] : std::nan("");
                      });
    bus.publish_field("grid.serving_bus", "", "the case's number of the nearest bus, which serves that point; NaN beyond the grid",
                      [this](double x, double y) {
                          const int b = nearest_bus(x, y);
                          return b >= 0 ? double(base_.buses[size_t(b)].id) : std::nan("");
                      });
    bus.publish_field("grid.served_fraction", "",
                      "share of demand served at the nearest bus (1 lit, 0 dark); NaN beyond the grid",
                      [this](double x, double y) { return served_fraction_at(x, y); });
}

}  // namespace infrascape::grid
