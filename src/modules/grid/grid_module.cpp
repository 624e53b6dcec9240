// The Grid module; see grid_module.hpp and src/modules/README.md.
#include "modules/grid/grid_module.hpp"

#include <imgui.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <map>
#include <deque>
#include <numeric>
#include <set>
#include <sstream>

#include "context.hpp"
#include "core/world.hpp"
#include "gpu_timer.hpp"
#include "grid/grid_shared.h"
#include "mesh.hpp"
#include "modules/grid/cascade.hpp"
#include "modules/grid/case.hpp"
#include "modules/grid/generator.hpp"
#include "modules/grid/grid_ports.hpp"
#include "modules/grid/opf.hpp"
#include "modules/grid/layout.hpp"
#include "modules/grid/layout_gpu.hpp"
#include "modules/grid/scenario.hpp"
#include "pipeline.hpp"
#include "resources.hpp"
#include "scene/scene.hpp"
#include "shader_types.hpp"
#include "ui_widgets.hpp"
#include "world_renderer.hpp"

namespace infrascape::grid {

namespace {

static_assert(sizeof(gpu::Span) == 32, "Span must match shaders/grid/grid_shared.h");
static_assert(sizeof(gpu::BranchPath) == 32, "BranchPath must match shaders/grid/grid_shared.h");
static_assert(sizeof(gpu::BranchState) == 16, "BranchState must match shaders/grid/grid_shared.h");
static_assert(sizeof(gpu::Particle) == 32, "Particle must match shaders/grid/grid_shared.h");
static_assert(sizeof(gpu::ParticlePush) == 32, "ParticlePush must match shaders/grid/grid_shared.h");

struct CullPush {  // shaders/grid/towers_cull.comp
    glm::mat4 view_proj;
    glm::vec4 camera;
    glm::uvec4 counts;
};
static_assert(sizeof(CullPush) == 96, "CullPush must match shaders/grid/towers_cull.comp");

constexpr uint32_t kMaxTowers = 400000;

// [SECTION] Parameters

// A branch counts as overloaded above this loading: an operator's dispatch holds binding lines at exactly 100%,
// which rounding must not count.
constexpr double kOverloadPct = 100.01;

BlockSpec grid_block() {
    BlockSpec b{"grid", "A transmission grid through heatwave days: power flow, the solar cliff, cascading failures", {}};
    auto& p = b.params;
    p.push_back(path_param("case", "MATPOWER case file (version 2); empty: a synthetic grid from the generator"));
    p.push_back(path_param("places", "gazetteer CSV (name,lat_deg,lon_deg) that places buses named after places"));
    // The generator (used when no case is given).
    p.push_back(integer_param("substations", 2, 1000, 40, "generator: load substations"));
    p.push_back(integer_param("towns", 1, 500, 10, "generator: towns the load centres sit in"));
    p.push_back(number_param("peak_load_mw", "MW", 1, 1e6, 6000, "generator: design peak demand", false));
    p.push_back(number_param("wind_mw", "MW", 0, 1e6, 800, "generator: installed wind", false));
    // Weather and load.
    p.push_back(number_param("t_ambient_c", "C", -30, 55, 40, "afternoon peak air temperature of the day (the heatwave)"));
    p.push_back(number_param("diurnal_range_c", "C", 0, 30, 12, "peak minus the dawn minimum temperature"));
    p.push_back(number_param("cooling_threshold_c", "C", -10, 40, 24, "air conditioning adds load above this temperature"));
    p.push_back(number_param("cooling_pct_per_c", "%/C", 0, 10, 2, "added demand per degree above the threshold, % of base"));
    p.push_back(number_param("cloud_factor", "", 0, 1, 0, "fraction of clear-sky sunshine lost to clouds"));
    p.push_back(number_param("pv_capacity_mw", "MW", 0, 1e6, 1500, "installed utility-scale PV"));
    p.push_back(number_param("rooftop_pv_mw", "MW", 0, 1e6, 500, "installed rooftop PV (behind the meter)"));
    p.push_back(number_param("battery_mw", "MW", 0, 1e6, 0, "battery power (peak shaving)"));
    p.push_back(number_param("battery_mwh", "MWh", 0, 1e7, 0, "battery energy"));
    p.push_back(number_param("utc_offset_h", "h", -12, 14, -5, "local clock for the load and temperature cycles", false));
    p.push_back(number_param("conductor_max_c", "C", 40, 250, 75, "conductor temperature limit (ratings fall as air warms)"));
    p.push_back(number_param("rating_ref_c", "C", -30, 50, 25, "air temperature at which the case's ratings hold"));
    p.push_back(number_param("step_s", "s", 10, 3600, 300, "time step of the grid's operating points (5 minutes)", false));
    // Cascades.
    p.push_back(bool_param("cascades", true, "overloaded lines trip after the dwell time"));
    p.push_back(number_param("trip_dwell_s", "s", 0, 86400, 900, "a line above trip_pct for this long trips"));
    p.push_back(number_param("trip_pct", "%", 50, 1000, 120,
                             "loading (% of the temperature-adjusted rating) that starts the dwell (120%: a typical "
                             "15-minute emergency rating)"));
    p.push_back(number_param("instant_trip_pct", "%", 50, 10000, 150, "loading at which protection trips a line at once"));
    p.push_back(integer_param("trip_branch", 0, 1e7, 0, "trip this branch (1-based, case order) when set; 0: none", true));
    // Drawing.
    p.push_back(integer_param("layout_iterations", 0, 20000, 300,
                              "force-directed layout iterations for unplaced buses (fewer on grids of thousands of "
                              "substations: at most 3e9 pair interactions)"));
    p.push_back(number_param("place_spread_m", "m", 0, 1e5, 2000,
                             "a place's substations spread over a disc of this radius times sqrt(their number)", false));
    p.push_back(number_param("tower_spacing_m", "m", 50, 1e6, 400, "distance between towers along a line", false));
    p.push_back(number_param("tower_scale", "", 0.1, 1000, 1, "drawn size of towers and substations (1: true size)", false));
    p.push_back(number_param("wire_px", "px", 0.5, 20, 1.6, "smallest drawn width of a line"));
    p.push_back(integer_param("particles", 0, 2000000, 20000, "flow particles"));
    p.push_back(number_param("flow_speed_m_s_per_mw", "m/s/MW", 0, 1e6, 10, "particle speed per MW of flow (playback time)"));
    p.push_back(choice_param("colormap", {"turbo", "viridis", "inferno", "cividis"}, "turbo", "colormap of line loading"));
    // The operator and the couplings.
    p.push_back(choice_param("dispatch", {"pro_rata", "sced"}, "pro_rata",
                             "pro_rata: dispatchable units share the load by headroom, no operator; sced: a security-"
                             "constrained economic dispatch (DC OPF, CLP) every step keeps lines within their heat-"
                             "derated ratings at least cost, shedding at voll_per_mwh as the last resort"));
    p.push_back(bool_param("sced_n_1", false, "sced: also keep every line within its rating after any single line outage"));
    p.push_back(number_param("voll_per_mwh", "$/MWh", 100, 1e6, 10000, "value of lost load: the price of shedding in the dispatch"));
    p.push_back(number_param("price_max_mwh", "$/MWh", 10, 1e5, 200, "top of the price colour scale of the substations"));
    p.push_back(number_param("flood_wall_m", "m", 0, 20, 0.6, "water deeper than this at a substation trips it (flood coupling)"));
    return b;
}

ScenarioParams scenario_params(const ParamStore& p, const WorldInfo& info) {
    ScenarioParams s;
    s.latitude_deg = info.latitude_deg;
    s.longitude_deg = info.longitude_deg;
    s.utc_offset_h = p.number("grid.utc_offset_h");
    s.t_peak_c = p.number("grid.t_ambient_c");
    s.diurnal_range_c = p.number("grid.diurnal_range_c");
    s.cooling_threshold_c = p.number("grid.cooling_threshold_c");
    s.cooling_frac_per_c = p.number("grid.cooling_pct_per_c") / 100;
    s.cloud_factor = p.number("grid.cloud_factor");
    s.utility_pv_mw = p.number("grid.pv_capacity_mw");
    s.rooftop_pv_mw = p.number("grid.rooftop_pv_mw");
    s.battery_mw = p.number("grid.battery_mw");
    s.battery_mwh = p.number("grid.battery_mwh");
    s.conductor_max_c = p.number("grid.conductor_max_c");
    s.rating_ref_c = p.number("grid.rating_ref_c");
    return s;
}

CascadeParams cascade_params(const ParamStore& p) {
    CascadeParams c;
    const bool on = p.flag("grid.cascades");
    c.dwell_s = p.number("grid.trip_dwell_s");
    c.trip_pct = on ? p.number("grid.trip_pct") : 1e300;
    c.instant_trip_pct = on ? p.number("grid.instant_trip_pct") : 1e300;
    return c;
}

// Substation colours by voltage class (linear rgb).
glm::vec3 kv_colour(double kv) {
    if (kv >= 450) return {0.45f, 0.20f, 0.75f};
    if (kv >= 300) return {0.80f, 0.15f, 0.12f};
    if (kv >= 200) return {0.90f, 0.45f, 0.10f};
    if (kv >= 100) return {0.85f, 0.75f, 0.15f};
    return {0.25f, 0.65f, 0.30f};
}

}  // namespace

// [SECTION] The module

class GridModule final : public Module {
public:
    std::string name() const override { return "grid"; }
    std::string title() const override { return "Power grid"; }
    BlockSpec block() const override { return grid_block(); }
    std::optional<double> natural_step_s(const ParamStore& p) const override { return p.number("grid.step_s"); }

    void attach(AttachContext& ctx) override {
        gpu_ = &ctx.gpu;
        ctx_world_ = &ctx.world;
        info_ = ctx.info;
        draws_ = ctx.draws;
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
                    at[pl.name] = project(pl.lat_deg, pl.lon_deg, info_.latitude_deg, info_.longitude_deg);
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

    void publish(OutputBus& bus) override {
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
        bus.publish_field("grid.served_fraction", "",
                          "share of demand served at the nearest bus (1 lit, 0 dark); NaN beyond the grid",
                          [this](double x, double y) { return served_fraction_at(x, y); });
    }

    // [SECTION] Ports (grid_ports.cpp reads them)
    std::vector<InputPort> inputs() const override { return GridPorts::inputs(); }
    void couple(CouplingContext& ctx) override {
        ports_.couple(ctx, base_, bus_xy_, site_of_, site_count_, flood_wall_m_);
        if (ports_.air_temp_c) {
            temp_history_.emplace_back(ctx.t_s(), *ports_.air_temp_c);
            while (temp_history_.size() > 2 && temp_history_[1].first <= ctx.t_s() - scenario_.cooling_lag_h * 3600)
                temp_history_.pop_front();
        }
        // Substations the water reached trip now (every branch with an end there), once.
        for (size_t l = 0; l < base_.branches.size(); ++l) {
            const int a = base_.bus_index(base_.branches[l].from), c = base_.bus_index(base_.branches[l].to);
            if (a < 0 || c < 0 || flood_tripped_.count(l)) continue;
            if (ports_.site_flooded[size_t(site_of_[size_t(a)])] || ports_.site_flooded[size_t(site_of_[size_t(c)])]) {
                cascade_->trip(int(l), ctx.t_s());
                flood_tripped_.insert(l);
            }
        }
    }

    // The bus nearest a map point, within a tenth of the world's width; -1 beyond the grid.
    int nearest_bus(double x, double y) const {
        int best = -1;
        double best_d2 = std::pow(info_.extent_m * 0.1, 2);
        for (size_t b = 0; b < bus_xy_.size(); ++b) {
            const double dx = bus_xy_[b][0] - x, dy = bus_xy_[b][1] - y, d2 = dx * dx + dy * dy;
            if (d2 < best_d2) best_d2 = d2, best = int(b);
        }
        return best;
    }

    // [SECTION] Stepping

    void step(StepContext& ctx) override {
        const ParamStore& p = ctx.params;
        const int request = int(p.number("grid.trip_branch"));
        if (request != last_trip_request_) {
            last_trip_request_ = request;
            if (request >= 1 && size_t(request) <= base_.branches.size()) cascade_->trip(request - 1, ctx.t_s);
        }
        while (next_t_s_ <= ctx.t_s + ctx.dt_s + 1e-9) {
            grid_step(next_t_s_, p);
            next_t_s_ += step_s_;
        }
    }

    // One operating point at simulation time t: weather and load, dispatch, flows and trips.
    void grid_step(double t_s, const ParamStore& p) {
        const ScenarioParams sp = scenario_params(p, info_);
        if (sp.utility_pv_mw != scenario_.utility_pv_mw || sp.battery_mw != scenario_.battery_mw ||
            sp.battery_mwh != scenario_.battery_mwh) {
            prepared_ = base_;
            prepare_case(prepared_, sp);
            battery_.soc_mwh = std::clamp(battery_.soc_mwh, 0.0, sp.battery_mwh);
        }
        scenario_ = sp;
        cascade_->set_params(cascade_params(p));
        const double epoch = info_.start_epoch_s + t_s;
        // The weather coupling's temperature (now and cooling_lag_h ago) and sunshine, else the scenario's day.
        WeatherOverride weather;
        if (ports_.air_temp_c && ports_.ghi_w_m2) {
            weather.ambient_c = *ports_.air_temp_c;
            weather.lagged_ambient_c = temp_history_.empty() ? weather.ambient_c : temp_history_.front().second;
            weather.ghi_w_m2 = *ports_.ghi_w_m2;
        }
        cond_ = conditions_at(scenario_, prepared_, epoch, ports_.air_temp_c && ports_.ghi_w_m2 ? &weather : nullptr);
        // The demand coupling: cities set the demand at their buses, campuses add theirs.
        BusLoads loads;
        ports_.bus_loads(prepared_.buses.size(), loads.fixed_mw, loads.added_mw);
        double fixed_base = 0, coupled_mw = 0;
        for (size_t b = 0; b < prepared_.buses.size(); ++b) {
            if (!std::isnan(loads.fixed_mw[b])) fixed_base += prepared_.buses[b].pd_mw, coupled_mw += loads.fixed_mw[b];
            coupled_mw += loads.added_mw[b];
        }
        const double base_total = total_demand_mw(prepared_);
        if (base_total > 0 && (coupled_mw > 0 || fixed_base > 0)) {
            // The scenario's demand model keeps the buses no city has taken.
            const double outside = (base_total - fixed_base) / base_total;
            const double modelled = cond_.demand_mw * outside;
            cond_.cooling_mw *= outside;
            cond_.demand_mw = modelled + coupled_mw;
            cond_.net_load_mw = cond_.demand_mw - cond_.utility_pv_mw - cond_.rooftop_pv_mw - cond_.wind_mw;
        }
        inj_ = dispatch(prepared_, scenario_, cond_, battery_, step_s_, &loads);
        Case op = prepared_;
        apply(op, inj_);
        if (p.text("grid.dispatch") == "sced") operate(op, p);
        const size_t events_before = cascade_->events().size();
        flows_ = cascade_->step(op, t_s, step_s_, cond_.rating_factor);
        Injections recorded = inj_;
        recorded.shed_mw = inj_.shed_mw + flows_.shed_mw;
        record_.add(t_s, cond_, recorded);
        const auto& events = cascade_->events();
        for (size_t e = events_before; e < events.size(); ++e) trip_playback_s_[events[e].branch] = float(playback_s_);
        for (size_t l = 0; l < flows_.loading_pct.size(); ++l) {
            max_loading_pct_[l] = std::max(max_loading_pct_[l], flows_.loading_pct[l]);
            if (flows_.loading_pct[l] > kOverloadPct) overload_s_[l] += step_s_;
        }
        last_t_s_ = t_s;
        update_states();
    }

    // The operator: a security-constrained economic dispatch on the network as it stands (tripped lines out),
    // with the lines' ratings derated by the heat; the renewables, batteries and loads stay as the scenario
    // set them, the dispatchable units move within their limits, and load is shed at VOLL where the network
    // cannot carry it. The solver is rebuilt when the topology changes; on an islanded network (after trips)
    // the pro-rata dispatch stands and the cascade model balances each island.
    void operate(Case& op, const ParamStore& p) {
        sced_ok_ = false;
        std::vector<char> out = cascade_->out();
        if (!opf_ || out != opf_out_ || p.flag("grid.sced_n_1") != opf_n_1_ || p.number("grid.voll_per_mwh") != opf_voll_) {
            opf_.reset();
            opf_out_ = out;
            opf_n_1_ = p.flag("grid.sced_n_1");
            opf_voll_ = p.number("grid.voll_per_mwh");
            Case topo = op;
            for (size_t l = 0; l < out.size(); ++l)
                if (out[l]) topo.branches[l].status = 0;
            pad_costs(topo);
            isolate_islands(topo);
            island_types_.clear();
            for (const Bus& b : topo.buses) island_types_.push_back(b.type);
            OpfOptions o;
            o.allow_shedding = true;
            o.voll_per_mwh = opf_voll_;
            o.n_minus_1 = opf_n_1_;
            try {
                opf_ = std::make_unique<DcOpf>(topo, o);
            } catch (const std::exception& e) {
                sced_note_ = e.what();
                return;
            }
        }
        // Renewables and batteries at the scenario's output (fixed); dispatchable units free within limits.
        Case point = op;
        for (size_t l = 0; l < out.size(); ++l)
            if (out[l]) point.branches[l].status = 0;
        pad_costs(point);
        for (size_t b = 0; b < point.buses.size() && b < island_types_.size(); ++b) point.buses[b].type = island_types_[b];
        // PV and wind may be curtailed down to 0 and batteries may do less than their schedule; dispatchable
        // units may go down to 0 (there is no unit commitment: a unit below its PMIN stands for one turned off).
        for (Gen& g : point.gens) {
            if (g.status <= 0) continue;
            if (dispatchable(g)) g.pmin_mw = 0;
            else if (g.pmin_mw >= 0) g.pmin_mw = 0, g.pmax_mw = std::max(0.0, g.pg_mw);
            else g.pmin_mw = std::min(0.0, g.pg_mw), g.pmax_mw = std::max(0.0, g.pg_mw);
        }
        const OpfResult r = opf_->solve(point, cond_.rating_factor);
        if (!r.solved) {
            sced_note_ = r.message;
            return;
        }
        sced_ok_ = true;
        substations_dirty_ = true;  // the yards' price colours
        price_max_ = p.number("grid.price_max_mwh");
        ++sced_steps_;
        sced_note_.clear();
        double shed = 0, weighted = 0, load = 0;
        for (size_t g = 0; g < op.gens.size(); ++g) inj_.gen_pg_mw[g] = r.pg_mw[g];
        for (size_t b = 0; b < op.buses.size(); ++b) {
            inj_.bus_pd_mw[b] -= r.shed_mw[b];
            shed += r.shed_mw[b];
            weighted += r.lmp[b] * std::max(0.0, inj_.bus_pd_mw[b]);
            load += std::max(0.0, inj_.bus_pd_mw[b]);
        }
        inj_.shed_mw += shed;
        inj_.served_mw -= shed;
        lmp_ = r.lmp;
        mean_price_ = load > 0 ? weighted / load : 0;
        sced_cost_ = r.objective;
        apply(op, inj_);
    }

    // Buses cut off from the reference bus's island by trips are left out of the dispatch (type 4, as MATPOWER
    // marks isolated buses); the cascade model balances or darkens those islands on its own.
    static void isolate_islands(Case& c) {
        std::vector<std::vector<int>> adj(c.buses.size());
        for (const Branch& br : c.branches) {
            if (br.status <= 0) continue;
            const int a = c.bus_index(br.from), b = c.bus_index(br.to);
            if (a >= 0 && b >= 0) adj[size_t(a)].push_back(b), adj[size_t(b)].push_back(a);
        }
        std::vector<char> seen(c.buses.size(), 0);
        std::vector<int> stack;
        for (size_t b = 0; b < c.buses.size(); ++b)
            if (c.buses[b].type == BusType::Ref) stack.push_back(int(b)), seen[b] = 1;
        while (!stack.empty()) {
            const int b = stack.back();
            stack.pop_back();
            for (int n : adj[size_t(b)])
                if (!seen[size_t(n)]) seen[size_t(n)] = 1, stack.push_back(n);
        }
        for (size_t b = 0; b < c.buses.size(); ++b)
            if (!seen[b]) c.buses[b].type = BusType::Isolated;
    }

    // Units the scenario added (utility PV, batteries) cost nothing to run; a case without costs gets a flat
    // 30 $/MWh for every unit, so that the dispatch still respects the network.
    // Quadratic costs become piecewise linear (10 equal segments from 0 to PMAX, through the curve's points):
    // the dispatch is then a linear program, which CLP's simplex solves in milliseconds from the last basis
    // whatever the state, where its QP can crawl on a congested network of hundreds of units. The dispatch is
    // within one segment of the quadratic optimum and the prices are the segments' slopes.
    static void pad_costs(Case& c) {
        const bool none = c.gencost.empty();
        while (c.gencost.size() < c.gens.size()) c.gencost.push_back(GenCost{2, 0, 0, {none ? 30.0 : 0.0, 0}});
        for (size_t g = 0; g < c.gens.size(); ++g) {
            GenCost& gc = c.gencost[g];
            const size_t n = gc.coeffs.size();
            if (gc.model != 2 || n < 3 || gc.coeffs[n - 3] == 0 || !(c.gens[g].pmax_mw > 0)) continue;
            const double c2 = gc.coeffs[n - 3], c1 = gc.coeffs[n - 2], c0 = gc.coeffs[n - 1];
            constexpr int kSegments = 10;
            std::vector<double> pts;
            for (int k = 0; k <= kSegments; ++k) {
                const double x = c.gens[g].pmax_mw * k / kSegments;
                pts.push_back(x);
                pts.push_back(c2 * x * x + c1 * x + c0);
            }
            gc = GenCost{1, gc.startup, gc.shutdown, pts};
        }
    }

    double shed_mw() const { return inj_.shed_mw + flows_.shed_mw; }

    double served_fraction_at(double x, double y) const {
        const int b = nearest_bus(x, y);
        return b >= 0 ? bus_served_fraction(size_t(b)) : std::nan("");
    }

    double bus_served_fraction(size_t b) const {
        if (flows_.island_of_bus.empty()) return 1.0;
        const int island = flows_.island_of_bus[b];
        if (island < 0 || size_t(island) >= flows_.islands.size()) return 1.0;
        const Island& is = flows_.islands[island];
        if (!is.energised) return 0.0;
        return is.demand_mw > 0 ? std::clamp(1.0 - is.shed_mw / is.demand_mw, 0.0, 1.0) : 1.0;
    }

    // The per-branch state the shaders read, from the current flows (or a replayed stage's).
    void update_states() {
        const FlowState& f = replay_stage_ >= 0 && size_t(replay_stage_) < cascade_->stages().size()
                                 ? cascade_->stages()[replay_stage_].flows
                                 : flows_;
        const std::vector<char> out = replay_stage_ >= 0 ? out_at_stage(replay_stage_) : cascade_->out();
        for (size_t l = 0; l < base_.branches.size(); ++l) {
            const Branch& br = base_.branches[l];
            const bool in = br.status > 0 && !(l < out.size() && out[l]);
            float energised = 1.0f;
            if (in && !f.island_of_bus.empty()) {
                const int a = base_.bus_index(br.from);
                const int island = a >= 0 ? f.island_of_bus[a] : -1;
                if (island >= 0 && size_t(island) < f.islands.size() && !f.islands[island].energised) energised = 0.5f;
            }
            const float pf = l < f.pf_mw.size() ? float(f.pf_mw[l]) : 0.0f;
            const float loading = l < f.loading_pct.size() ? float(f.loading_pct[l] / 100.0) : 0.0f;
            states_host_[l].flow = glm::vec4(pf, loading, in ? energised : 0.0f, trip_playback_s_[l]);
        }
        states_dirty_ = true;
        substations_dirty_ = true;
    }

    std::vector<char> out_at_stage(int stage) const {
        std::vector<char> out(base_.branches.size(), 0);
        const auto& stages = cascade_->stages();
        for (int s = 0; s <= stage && size_t(s) < stages.size(); ++s)
            for (int b : stages[s].tripped) out[b] = 1;
        return out;
    }

    // [SECTION] Drawing: geometry built once at attach

    void build_drawing(const ParamStore& p) {
        const size_t nl = base_.branches.size();
        tower_mesh_ = std::make_unique<engine::GpuMesh>(*gpu_, engine::load_model(info_.asset_dir / "models/tower.gltf"),
                                                        "tower");
        marker_mesh_ = std::make_unique<engine::GpuMesh>(*gpu_, engine::load_model(info_.asset_dir / "models/building.obj"),
                                                         "substation yard");
        const double scale = p.number("grid.tower_scale");
        tower_height_m_ = tower_mesh_->bounds_max().z;
        const double attach_h = tower_height_m_ * 0.93 * scale;
        const double spacing = p.number("grid.tower_spacing_m");

        // Parallel circuits between the same two buses sit side by side.
        std::map<std::pair<int, int>, int> circuits_seen, circuits_total;
        for (const Branch& br : base_.branches) ++circuits_total[{std::min(br.from, br.to), std::max(br.from, br.to)}];

        double total_towers = 0;
        for (const Branch& br : base_.branches) {
            const int a = base_.bus_index(br.from), c = base_.bus_index(br.to);
            if (a < 0 || c < 0) continue;
            total_towers += std::hypot(bus_xy_[c][0] - bus_xy_[a][0], bus_xy_[c][1] - bus_xy_[a][1]) / spacing;
        }
        if (total_towers > kMaxTowers)
            throw ParamError("grid.tower_spacing_m",
                             "'grid.tower_spacing_m' = " + std::to_string(int(spacing)) + " m puts about " +
                                 std::to_string(int64_t(total_towers)) + " towers on this grid's lines; the limit is " +
                                 std::to_string(kMaxTowers) + ": use at least " +
                                 std::to_string(int64_t(std::ceil(spacing * total_towers / kMaxTowers))) + " m");

        std::vector<gpu::Span> spans;
        std::vector<gpu::BranchPath> paths(std::max<size_t>(nl, 1), gpu::BranchPath{glm::uvec4(0), glm::vec4(0)});
        std::vector<engine::Instance> towers;
        const double min_len = info_.extent_m * 1e-4;
        auto ground = [&](double x, double y) { return info_.terrain ? info_.terrain->sample(x, y) : 0.0; };
        for (size_t l = 0; l < nl; ++l) {
            const Branch& br = base_.branches[l];
            const int a = base_.bus_index(br.from), c = base_.bus_index(br.to);
            if (a < 0 || c < 0) continue;
            glm::dvec2 pa(bus_xy_[a][0], bus_xy_[a][1]), pc(bus_xy_[c][0], bus_xy_[c][1]);
            const double len = glm::length(pc - pa);
            paths[l].spans = glm::uvec4(uint32_t(spans.size()), 0, uint32_t(a), uint32_t(c));
            if (len < min_len) continue;  // a transformer inside its substation: nothing to draw
            const glm::dvec2 dir = (pc - pa) / len, perp(-dir.y, dir.x);
            const auto key = std::make_pair(std::min(br.from, br.to), std::max(br.from, br.to));
            const int k = circuits_seen[key]++, m = circuits_total[key];
            const glm::dvec2 shift = perp * ((k - (m - 1) * 0.5) * attach_h * 0.8);
            const int n = std::max(1, int(std::lround(len / spacing)));
            std::vector<glm::dvec3> tops;
            for (int t = 0; t <= n; ++t) {
                const glm::dvec2 q = pa + (pc - pa) * (double(t) / n) + (t == 0 || t == n ? glm::dvec2(0) : shift);
                tops.push_back({q.x, q.y, ground(q.x, q.y) + attach_h});
                if (t > 0 && t < n)
                    towers.push_back({glm::vec4(float(q.x), float(q.y), float(ground(q.x, q.y)),
                                                float(std::atan2(dir.y, dir.x) + 1.5707963)),
                                      glm::vec4(float(scale)), glm::vec4(0.55f, 0.57f, 0.60f, 0.0f)});
            }
            const double span_len = len / n;
            const float sag = float(std::min(0.03 * span_len, 0.5 * attach_h));
            for (int t = 0; t < n; ++t)
                spans.push_back({glm::vec4(glm::vec3(tops[t]), float(l)), glm::vec4(glm::vec3(tops[t + 1]), sag)});
            paths[l].spans.y = uint32_t(n);
            paths[l].len = glm::vec4(float(len), 0, 0, 0);
        }
        span_count_ = uint32_t(spans.size());
        tower_count_ = uint32_t(towers.size());
        const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
        if (spans.empty()) spans.push_back({glm::vec4(0), glm::vec4(0)});
        spans_ = engine::Buffer(*gpu_, spans.size() * sizeof(gpu::Span), storage, engine::MemoryKind::Device, "grid spans");
        spans_.upload(spans.data(), spans.size() * sizeof(gpu::Span));
        paths_ = engine::Buffer(*gpu_, paths.size() * sizeof(gpu::BranchPath), storage, engine::MemoryKind::Device,
                                "grid branch paths");
        paths_.upload(paths.data(), paths.size() * sizeof(gpu::BranchPath));
        states_ = engine::Buffer(*gpu_, states_host_.size() * sizeof(gpu::BranchState),
                                 storage | VK_BUFFER_USAGE_TRANSFER_DST_BIT, engine::MemoryKind::Device, "grid branch states");
        states_.upload(states_host_.data(), states_host_.size() * sizeof(gpu::BranchState));
        lut_ = engine::Buffer(*gpu_, 256 * 16, storage | VK_BUFFER_USAGE_TRANSFER_DST_BIT, engine::MemoryKind::Device,
                              "grid loading colormap");
        upload_lut(p.text("grid.colormap"));

        // Particles, shared among branches by length (a branch too short to draw gets none).
        std::vector<gpu::Particle> particles;
        const uint32_t wanted = uint32_t(p.number("grid.particles"));
        double total_len = 0;
        for (size_t l = 0; l < nl; ++l)
            if (paths[l].spans.y > 0) total_len += paths[l].len.x;
        uint64_t h = 0x853c49e6748fea9bull ^ info_.seed;
        auto rnd = [&h] {
            h ^= h << 13, h ^= h >> 7, h ^= h << 17;  // xorshift64 (Marsaglia 2003)
            return float(double(h >> 11) * (1.0 / 9007199254740992.0));
        };
        if (total_len > 0)
            for (size_t l = 0; l < nl; ++l) {
                if (paths[l].spans.y == 0) continue;
                const int count = std::max(1, int(std::lround(wanted * paths[l].len.x / total_len)));
                for (int k = 0; k < count; ++k)
                    particles.push_back({glm::vec4(float(l), (k + rnd()) / count, rnd(), 0), glm::vec4(0)});
            }
        particle_count_ = uint32_t(particles.size());
        if (particles.empty()) particles.push_back({glm::vec4(0), glm::vec4(0)});
        particles_ = engine::Buffer(*gpu_, particles.size() * sizeof(gpu::Particle), storage, engine::MemoryKind::Device,
                                    "grid particles");
        particles_.upload(particles.data(), particles.size() * sizeof(gpu::Particle));

        // Towers (culled on the GPU each frame) and substations.
        if (towers.empty()) towers.push_back({glm::vec4(0), glm::vec4(0), glm::vec4(0)});
        all_towers_ = engine::Buffer(*gpu_, towers.size() * sizeof(engine::Instance), storage, engine::MemoryKind::Device,
                                     "grid towers");
        all_towers_.upload(towers.data(), towers.size() * sizeof(engine::Instance));
        visible_towers_ = engine::Buffer(*gpu_, towers.size() * sizeof(engine::Instance),
                                         storage | VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, engine::MemoryKind::Device,
                                         "grid visible towers");
        tower_draw_ = {tower_mesh_->index_count(), 0, 0, 0, 0};
        indirect_ = engine::Buffer(*gpu_, sizeof(VkDrawIndexedIndirectCommand),
                                   VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT | storage | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                   engine::MemoryKind::Device, "grid tower draw");
        indirect_.upload(&tower_draw_, sizeof(tower_draw_));
        substation_size_m_ = std::max(attach_h * 1.6, 12.0);
        substations_.mesh = marker_mesh_.get();
        upload_substations();

        if (!draws_) return;
        descriptors_ = std::make_unique<engine::DescriptorAllocator>(*gpu_);
        const auto cs = VK_SHADER_STAGE_COMPUTE_BIT;
        particle_pipe_ = engine::Pipeline::compute(*gpu_, "grid/particles.comp",
                                                   {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                                    {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                                    {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                                    {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}},
                                                   sizeof(gpu::ParticlePush), "grid particles");
        particle_set_ = descriptors_->allocate(particle_pipe_.set_layout());
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, particles_)
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, paths_)
            .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, states_)
            .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, spans_)
            .write(gpu_->device(), particle_set_);
        cull_pipe_ = engine::Pipeline::compute(*gpu_, "grid/towers_cull.comp",
                                               {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                                {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                                {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}},
                                               sizeof(CullPush), "grid tower culling");
        cull_set_ = descriptors_->allocate(cull_pipe_.set_layout());
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, all_towers_)
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, visible_towers_)
            .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, indirect_)
            .write(gpu_->device(), cull_set_);

        const auto vs = VK_SHADER_STAGE_VERTEX_BIT;
        engine::GraphicsDesc wires = ctx_world_->pass_desc();
        wires.vertex = "grid/wires.vert";
        wires.fragment = "grid/wires.frag";
        wires.bindings = {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, vs},
                          {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, vs},
                          {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, vs}};
        wires.push_constant_bytes = sizeof(engine::FramePush);
        wires.cull = VK_CULL_MODE_NONE;
        wire_pipe_ = engine::Pipeline::graphics(*gpu_, wires, "grid wires");
        wire_set_ = descriptors_->allocate(wire_pipe_.set_layout());
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, spans_)
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, states_)
            .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, lut_)
            .write(gpu_->device(), wire_set_);
        engine::GraphicsDesc sprites = ctx_world_->pass_desc();
        sprites.vertex = "grid/particles.vert";
        sprites.fragment = "grid/particles.frag";
        sprites.bindings = {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, vs}};
        sprites.push_constant_bytes = sizeof(engine::FramePush);
        sprites.cull = VK_CULL_MODE_NONE;
        sprites.depth_write = false;
        sprites.blend = engine::Blend::Additive;
        sprite_pipe_ = engine::Pipeline::graphics(*gpu_, sprites, "grid particles");
        sprite_set_ = descriptors_->allocate(sprite_pipe_.set_layout());
        engine::DescriptorWriter().buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, particles_).write(gpu_->device(), sprite_set_);
    }

    void upload_lut(const std::string& name) {
        engine::Colormap cm = engine::Colormap::Turbo;
        engine::colormap_from_name(name, cm);
        std::array<glm::vec4, 256> lut;
        for (int i = 0; i < 256; ++i) lut[i] = glm::vec4(glm::vec3(colormaps_->sample(cm, i / 255.0)), 1);
        lut_.upload(lut.data(), sizeof(lut));
        lut_name_ = name;
    }

    // One marker per substation site: coloured by its highest voltage, dimmed when it is not served, red when
    // a transformer inside it is overloaded (transformers have no length to draw), dark grey when one tripped.
    void upload_substations() {
        const size_t ns = std::max<size_t>(site_count_, 1);
        std::vector<double> kv(ns, 0), served(ns, 1), worst(ns, 0);
        std::vector<char> tripped(ns, 0), seen(ns, 0);
        std::vector<size_t> first(ns, 0);
        for (size_t b = 0; b < base_.buses.size(); ++b) {
            const int k = site_of_[b];
            if (!seen[k]) first[k] = b, seen[k] = 1;
            kv[k] = std::max(kv[k], base_.buses[b].base_kv);
            served[k] = std::min(served[k], bus_served_fraction(b));
        }
        for (size_t l = 0; l < base_.branches.size(); ++l) {
            const int a = base_.bus_index(base_.branches[l].from), c = base_.bus_index(base_.branches[l].to);
            if (a < 0 || c < 0 || site_of_[a] != site_of_[c]) continue;
            const gpu::BranchState& st = states_host_[l];
            if (st.flow.z <= 0.0f && base_.branches[l].status > 0) tripped[site_of_[a]] = 1;
            worst[site_of_[a]] = std::max(worst[site_of_[a]], double(st.flow.y));
        }
        std::vector<engine::Instance> inst;
        const float size = float(substation_size_m_);
        // Under the operator, yards show the locational marginal price (the highest of their buses') instead.
        std::vector<double> price(ns, -1);
        if (sced_ok_ && lmp_.size() == base_.buses.size())
            for (size_t b = 0; b < base_.buses.size(); ++b) price[size_t(site_of_[b])] = std::max(price[size_t(site_of_[b])], lmp_[b]);
        for (size_t k = 0; k < site_count_; ++k) {
            glm::vec3 c = kv_colour(kv[k]) * float(0.25 + 0.75 * served[k]);
            if (price[k] >= 0 && colormaps_)
                c = engine::srgb_to_linear(colormaps_->sample(engine::Colormap::Turbo, std::clamp(price[k] / price_max_, 0.0, 1.0))) *
                    float(0.25 + 0.75 * served[k]);
            float glow = float(0.6 * served[k]), scale = 1.0f;
            if (worst[k] > 1.0) c = glm::vec3(1.0f, 0.08f, 0.04f), glow = 2.5f, scale = 1.8f;
            if (tripped[k]) c = glm::vec3(0.05f), glow = 0.0f;
            const size_t b = first[k];
            // Exaggerated (tower_scale) to be seen from afar, but never wider than a fixed share of the camera's
            // distance, nor smaller than true size: a yard seen from 10 km does not cover the town around it.
            float fit = 1.0f;
            if (has_camera_) {
                const double d = glm::length(glm::dvec3(bus_xy_[b][0], bus_xy_[b][1], bus_z_[b]) - camera_);
                fit = float(std::clamp(kYardAngle * d / (size * 2.5), 1.0 / std::max(tower_scale_, 1.0), 1.0));
            }
            const float s = size * scale * fit;
            inst.push_back({glm::vec4(float(bus_xy_[b][0]), float(bus_xy_[b][1]), float(bus_z_[b]), 0),
                            glm::vec4(s * 2.5f, s * 2.5f, s * 0.3f, 0), glm::vec4(c, glow)});
        }
        if (inst.empty()) inst.push_back({glm::vec4(0), glm::vec4(0), glm::vec4(0)});
        substations_dirty_ = false;
        // Most operating points change no yard's colour: upload (a blocking copy) only when one changed.
        if (inst.size() == uploaded_yards_.size() &&
            std::memcmp(inst.data(), uploaded_yards_.data(), inst.size() * sizeof(engine::Instance)) == 0)
            return;
        substations_.upload(*gpu_, inst, "grid substations");
        uploaded_yards_ = std::move(inst);
    }

    // [SECTION] Per frame

    void before_draw(FrameInfo& f) override {
        playback_s_ += f.wall_dt_s;
        if (!draws_ || !f.push) return;
        VkCommandBuffer cmd = f.cmd;
        // The yards' drawn sizes follow the camera (upload_substations): redone once it moved a tenth of its distance.
        if (f.push) {
            const glm::dvec3 cam = glm::dvec3(f.push->camera_pos);
            const double height = std::max(1.0, cam.z - (info_.terrain ? info_.terrain->sample(cam.x, cam.y) : 0.0));
            if (!has_camera_ || glm::length(cam - camera_) > 0.1 * height) {
                camera_ = cam;
                has_camera_ = true;
                substations_dirty_ = true;
            }
        }
        if (substations_dirty_) upload_substations();
        if (states_dirty_) {
            states_.use(cmd, engine::Access::TransferDst);
            const size_t bytes = states_host_.size() * sizeof(gpu::BranchState);
            for (size_t off = 0; off < bytes; off += 65536)
                vkCmdUpdateBuffer(cmd, states_.handle(), off, std::min<size_t>(65536, bytes - off),
                                  reinterpret_cast<const char*>(states_host_.data()) + off);
            states_dirty_ = false;
        }
        // Particles.
        if (particle_count_ > 0) {
            particles_.use(cmd, engine::Access::ComputeWrite);
            states_.use(cmd, engine::Access::ComputeRead);
            paths_.use(cmd, engine::Access::ComputeRead);
            spans_.use(cmd, engine::Access::ComputeRead);
            gpu::ParticlePush pp{glm::vec4(float(f.wall_dt_s), float(playback_s_), float(flow_speed_),
                                           float(info_.extent_m * 0.05)),
                                 glm::uvec4(particle_count_, uint32_t(base_.branches.size()), 0, 0)};
            particle_pipe_.bind(cmd, particle_set_);
            particle_pipe_.push(cmd, pp);
            engine::dispatch_2d(cmd, particle_count_, 1, 64, 1);
            particles_.use(cmd, engine::Access::VertexShaderRead);
        }
        // Towers near enough to see.
        if (tower_count_ > 0) {
            indirect_.use(cmd, engine::Access::TransferDst);
            vkCmdUpdateBuffer(cmd, indirect_.handle(), 0, sizeof(tower_draw_), &tower_draw_);
            indirect_.use(cmd, engine::Access::ComputeWrite);
            all_towers_.use(cmd, engine::Access::ComputeRead);
            visible_towers_.use(cmd, engine::Access::ComputeWrite);
            // A tower is drawn while it spans at least ~3 pixels.
            const double px_per_rad = f.viewport_h / (2 * std::tan(f.fov_deg * 3.14159265 / 360));
            const double far = tower_height_m_ * tower_scale_ * px_per_rad / 3.0;
            float h = float(tower_height_m_);
            uint32_t hbits;
            std::memcpy(&hbits, &h, 4);
            CullPush cp{f.push->view_proj, glm::vec4(glm::vec3(f.push->camera_pos), float(far)),
                        glm::uvec4(tower_count_, hbits, 0, 0)};
            cull_pipe_.bind(cmd, cull_set_);
            cull_pipe_.push(cmd, cp);
            engine::dispatch_2d(cmd, tower_count_, 1, 64, 1);
            indirect_.use(cmd, engine::Access::IndirectBuffer);
            visible_towers_.use(cmd, engine::Access::VertexBuffer);
        }
        states_.use(cmd, engine::Access::VertexShaderRead);
        spans_.use(cmd, engine::Access::VertexShaderRead);
        lut_.use(cmd, engine::Access::VertexShaderRead);
        engine::WorldRenderer::prepare_instances(cmd, substations_);
        frame_ready_ = true;
    }

    void draw(DrawContext& ctx) override {
        if (!draws_ || !frame_ready_) return;
        ctx.world.draw_instances(ctx.cmd, ctx.push, substations_);
        if (tower_count_ > 0) ctx.world.draw_instances_indirect(ctx.cmd, ctx.push, *tower_mesh_, visible_towers_, indirect_, 0);
        engine::FramePush push = ctx.push;
        if (span_count_ > 0) {
            push.extra = glm::vec4(0.03f * float(tower_scale_), wire_px_, float(playback_s_), ctx.viewport_h);
            wire_pipe_.bind(ctx.cmd, wire_set_);
            wire_pipe_.push(ctx.cmd, push);
            vkCmdDraw(ctx.cmd, span_count_ * GRID_WIRE_SEGMENTS * 6, 1, 0, 0);
        }
        if (particle_count_ > 0) {
            push.extra = glm::vec4(0.4f * float(tower_scale_), wire_px_ * 1.9f, float(playback_s_), ctx.viewport_h);
            sprite_pipe_.bind(ctx.cmd, sprite_set_);
            sprite_pipe_.push(ctx.cmd, push);
            vkCmdDraw(ctx.cmd, particle_count_ * 6, 1, 0, 0);
        }
    }

    // [SECTION] Legend, panel, metrics, exports

    void overlay(OverlayContext& ctx) override {
        sync_visual_params(ctx.params);
        engine::LegendSpec legend;
        legend.quantity = "Line loading";
        legend.unit = "% of rating";
        legend.min = 0;
        legend.max = 120;
        engine::colormap_from_name(ctx.params.text("grid.colormap"), legend.colormap);
        engine::draw_legend(legend, ctx.colormaps);
        if (sced_ok_) {
            engine::LegendSpec prices;
            prices.quantity = "Substation price";
            prices.unit = "$/MWh";
            prices.min = 0;
            prices.max = price_max_;
            prices.colormap = engine::Colormap::Turbo;
            engine::draw_legend(prices, ctx.colormaps);
        }

        // The system's state, top right.
        char text[200];
        const double hour = cond_.local_hour;
        std::snprintf(text, sizeof text, "%02d:%02d local   %.0f C   demand %s   PV %s   net load %s", int(hour),
                      int(std::fmod(hour, 1.0) * 60), cond_.ambient_c, format_mw(cond_.demand_mw).c_str(),
                      format_mw(cond_.utility_pv_mw + cond_.rooftop_pv_mw).c_str(), format_mw(cond_.net_load_mw).c_str());
        std::vector<engine::StatusLine> lines{{text}};
        if (ctx.params.text("grid.dispatch") == "sced") {
            if (sced_ok_)
                std::snprintf(text, sizeof text, "operator: security-constrained dispatch   mean price %.0f $/MWh   cost %.2f M$/h",
                              mean_price_, sced_cost_ / 1e6);
            else
                std::snprintf(text, sizeof text, "operator: pro-rata (%s)", sced_note_.c_str());
            lines.push_back({text});
        }
        const size_t tripped = std::count(cascade_->out().begin(), cascade_->out().end(), char(1));
        const size_t overloaded =
            std::count_if(flows_.loading_pct.begin(), flows_.loading_pct.end(), [](double v) { return v > kOverloadPct; });
        if (tripped > 0 || overloaded > 0 || shed_mw() > 0.5) {
            std::snprintf(text, sizeof text, "%zu lines overloaded   %zu tripped   %s not served", overloaded, tripped,
                          format_mw(shed_mw()).c_str());
            lines.push_back({text, IM_COL32(120, 20, 20, 210), IM_COL32(255, 235, 220, 255)});
        }
        engine::draw_status_lines(lines);
    }

    static std::string format_mw(double mw) {
        char b[32];
        if (std::abs(mw) >= 10000)
            std::snprintf(b, sizeof b, "%.1f GW", mw / 1000);
        else
            std::snprintf(b, sizeof b, "%.0f MW", mw);
        return b;
    }

    void sync_visual_params(const ParamStore& p) {
        wire_px_ = float(p.number("grid.wire_px"));
        flow_speed_ = p.number("grid.flow_speed_m_s_per_mw");
        tower_scale_ = p.number("grid.tower_scale");
        if (lut_ && p.text("grid.colormap") != lut_name_) upload_lut(p.text("grid.colormap"));
    }

    void panel(PanelContext& ctx) override {
        sync_visual_params(ctx.params);
        ImGui::TextWrapped("%s: %zu buses, %zu branches, %zu generators", source_.c_str(), base_.buses.size(),
                    base_.branches.size(), base_.gens.size());
        if (anchored_count_ < base_.buses.size())
            ImGui::TextDisabled("%zu of %zu buses placed by the gazetteer; the rest by the layout", anchored_count_,
                                base_.buses.size());
        ImGui::Text("%s local   %.1f C   ratings x%.3f   reserve %.0f%%", local_clock(last_t_s_).c_str(), cond_.ambient_c,
                    cond_.rating_factor, 100 * inj_.reserve_margin);
        ImGui::Text("Battery %+.0f MW, %.0f of %.0f MWh stored", inj_.battery_mw, battery_.soc_mwh, scenario_.battery_mwh);
        double ramp_at = 0;
        const double ramp = record_.max_ramp_3h_mw(&ramp_at);
        ImGui::Text("Peak demand %s   peak net load %s", format_mw(record_.peak_demand_mw()).c_str(),
                    format_mw(record_.peak_net_load_mw()).c_str());
        ImGui::Text("Largest 3-hour ramp %s, ending %s local   not served %.0f MWh", format_mw(ramp).c_str(),
                    local_clock(ramp_at).c_str(), record_.energy_not_served_mwh());

        // The day: demand, PV, net load (the duck curve) and its 3-hour ramp, reserve margin.
        std::vector<double> hours;
        for (double t : record_.t_s) hours.push_back(t / 3600.0);
        engine::PlotSpec spec;
        spec.title = "Demand, PV and net load (the duck curve)";
        spec.x_label = "hours since start";
        spec.y_label = "power";
        spec.y_unit = "GW";
        spec.size = ImVec2(ImGui::GetContentRegionAvail().x, 190);
        auto gw = [](const std::vector<double>& v) {
            std::vector<double> o(v.size());
            for (size_t i = 0; i < v.size(); ++i) o[i] = v[i] / 1000;
            return o;
        };
        engine::plot_series("grid_duck", spec,
                            {{"demand", IM_COL32(240, 240, 240, 255), hours, gw(record_.demand_mw)},
                             {"PV", IM_COL32(250, 200, 60, 255), hours, gw(record_.pv_mw)},
                             {"net load", IM_COL32(90, 170, 250, 255), hours, gw(record_.net_load_mw)},
                             {"cooling", IM_COL32(240, 110, 90, 255), hours, gw(record_.cooling_mw)}});
        std::vector<double> ramp3, ramp_hours;
        const size_t lag = size_t(std::lround(3 * 3600.0 / step_s_));
        for (size_t i = lag; i < record_.net_load_mw.size(); ++i) {
            ramp3.push_back((record_.net_load_mw[i] - record_.net_load_mw[i - lag]) / 1000);
            ramp_hours.push_back(hours[i]);
        }
        engine::PlotSpec rs = spec;
        rs.title = "Net-load change over the last 3 hours (the solar cliff)";
        rs.size.y = 130;
        engine::plot_series("grid_ramp", rs, {{"3-h ramp", IM_COL32(90, 170, 250, 255), ramp_hours, ramp3}});
        engine::PlotSpec ms = spec;
        ms.title = "Reserve margin";
        ms.y_label = "margin";
        ms.y_unit = "%";
        ms.size.y = 110;
        std::vector<double> margin;
        for (double m : record_.reserve_margin) margin.push_back(100 * m);
        engine::plot_series("grid_reserve", ms, {{"reserve", IM_COL32(120, 220, 120, 255), hours, margin}});

        // Trip a line and watch the cascade.
        ImGui::Separator();
        ImGui::TextUnformatted("Trip a line");
        std::vector<size_t> order(base_.branches.size());
        std::iota(order.begin(), order.end(), 0);
        const auto& lp = flows_.loading_pct;
        std::partial_sort(order.begin(), order.begin() + std::min<size_t>(order.size(), 15), order.end(),
                          [&](size_t a, size_t b) { return (a < lp.size() ? lp[a] : 0) > (b < lp.size() ? lp[b] : 0); });
        order.resize(std::min<size_t>(order.size(), 15));
        if (selected_ < 0 && !order.empty()) selected_ = int(order[0]);
        auto label = [&](size_t l) {
            const Branch& br = base_.branches[l];
            char b[200];
            std::snprintf(b, sizeof b, "#%zu  %s - %s  %.0f%%", l + 1, bus_label(br.from).c_str(), bus_label(br.to).c_str(),
                          l < lp.size() ? lp[l] : 0.0);
            return std::string(b);
        };
        if (ImGui::BeginCombo("branch", selected_ >= 0 ? label(size_t(selected_)).c_str() : "")) {
            for (size_t l : order)
                if (ImGui::Selectable(label(l).c_str(), int(l) == selected_)) selected_ = int(l);
            ImGui::EndCombo();
        }
        if (ImGui::Button("Trip it") && selected_ >= 0) cascade_->trip(selected_, last_t_s_);
        ImGui::SameLine();
        if (ImGui::Button("Restore all")) {
            cascade_->restore();
            replay_stage_ = -1;
            std::fill(trip_playback_s_.begin(), trip_playback_s_.end(), -1.0f);
            update_states();
        }
        const auto& stages = cascade_->stages();
        if (stages.size() > 1) {
            int stage = replay_stage_ < 0 ? int(stages.size()) - 1 : replay_stage_;
            if (ImGui::SliderInt("replay stage", &stage, 0, int(stages.size()) - 1)) {
                replay_stage_ = stage == int(stages.size()) - 1 ? -1 : stage;
                update_states();
            }
        }
        if (!cascade_->events().empty() && ImGui::BeginTable("grid_events", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY,
                                                             ImVec2(0, 150))) {
            ImGui::TableSetupColumn("time");
            ImGui::TableSetupColumn("branch");
            ImGui::TableSetupColumn("loading");
            ImGui::TableSetupColumn("cause");
            ImGui::TableHeadersRow();
            for (const TripEvent& e : cascade_->events()) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(local_clock(e.t_s).c_str());
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(label(size_t(e.branch)).c_str());
                ImGui::TableNextColumn();
                ImGui::Text("%.0f%%", e.loading_pct);
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(e.cause.c_str());
            }
            ImGui::EndTable();
        }
    }

    std::string bus_label(int id) const {
        const int b = base_.bus_index(id);
        if (b >= 0 && !base_.buses[b].name.empty()) return base_.buses[b].name;
        return "bus " + std::to_string(id);
    }

    std::string local_clock(double t_s) const {
        const double h = std::fmod(std::fmod((info_.start_epoch_s + t_s) / 3600.0 + scenario_.utc_offset_h, 24.0) + 24.0, 24.0);
        char b[16];
        std::snprintf(b, sizeof b, "%02d:%02d", int(h), int(std::fmod(h, 1.0) * 60 + 1e-6));
        return b;
    }

    std::vector<Metric> metrics() const override {
        double ramp_at = 0;
        const double ramp = record_.max_ramp_3h_mw(&ramp_at);
        size_t overloaded = 0;
        for (double m : max_loading_pct_) overloaded += m > kOverloadPct;
        return {{"peak demand", "MW", record_.peak_demand_mw()},
                {"peak net load", "MW", record_.peak_net_load_mw()},
                {"largest 3-hour net-load ramp", "MW", ramp},
                {"overloaded branches", "", double(overloaded)},
                {"tripped branches", "", double(std::count(cascade_->out().begin(), cascade_->out().end(), char(1)))},
                {"energy not served", "MWh", record_.energy_not_served_mwh()},
                {"dispatch steps solved by the operator", "", double(sced_steps_)},
                {"flooded substations", "", double(std::count(ports_.site_flooded.begin(), ports_.site_flooded.end(), char(1)))}};
    }

    void export_results(const std::filesystem::path& dir, double t_s, const ParamStore&) override {
        record_.write_csv(dir / "timeseries.csv");
        std::ofstream br(dir / "branches.csv");
        br << std::setprecision(10)
           << "branch,from_bus,to_bus,rate_a_mva,in_service,pf_mw,loading_pct,max_loading_pct,overload_minutes\n";
        for (size_t l = 0; l < base_.branches.size(); ++l) {
            const Branch& b = base_.branches[l];
            const bool in = b.status > 0 && !cascade_->out()[l];
            br << l + 1 << ',' << b.from << ',' << b.to << ',' << b.rate_a_mva << ',' << (in ? 1 : 0) << ','
               << (l < flows_.pf_mw.size() ? flows_.pf_mw[l] : 0.0) << ','
               << (l < flows_.loading_pct.size() ? flows_.loading_pct[l] : 0.0) << ',' << max_loading_pct_[l] << ','
               << overload_s_[l] / 60 << '\n';
        }
        std::ofstream ev(dir / "events.csv");
        ev << std::setprecision(10) << "t_s,utc,branch,from_bus,to_bus,loading_pct,stage,cause\n";
        for (const TripEvent& e : cascade_->events())
            ev << e.t_s << ',' << format_utc(info_.start_epoch_s + e.t_s) << ',' << e.branch + 1 << ','
               << base_.branches[e.branch].from << ',' << base_.branches[e.branch].to << ',' << e.loading_pct << ','
               << e.stage << ',' << e.cause << '\n';
        std::ofstream bu(dir / "buses.csv");
        bu << std::setprecision(10) << "bus,name,x_m,y_m,base_kv,demand_mw,served_fraction\n";
        for (size_t b = 0; b < base_.buses.size(); ++b) {
            std::string name = base_.buses[b].name;
            if (name.find(',') != std::string::npos || name.find('"') != std::string::npos) {
                std::string q = "\"";
                for (char c : name) q += c == '"' ? std::string("\"\"") : std::string(1, c);
                name = q + "\"";
            }
            bu << base_.buses[b].id << ',' << name << ',' << bus_xy_[b][0] << ',' << bus_xy_[b][1] << ','
               << base_.buses[b].base_kv << ',' << (b < inj_.bus_pd_mw.size() ? inj_.bus_pd_mw[b] : 0.0) << ','
               << bus_served_fraction(b) << '\n';
        }
        std::ofstream su(dir / "summary.csv");
        su << std::setprecision(10) << "metric,unit,value\n";
        for (const Metric& m : metrics()) su << m.name << ',' << m.unit << ',' << m.value << '\n';
        (void)t_s;
    }

    std::vector<BenchKernel> bench_kernels(engine::Context& gpu) override;

private:
    engine::Context* gpu_ = nullptr;
    engine::WorldRenderer* ctx_world_ = nullptr;
    WorldInfo info_;
    bool draws_ = true;
    const engine::ColormapTables* colormaps_ = nullptr;
    std::string source_;

    // Network and model.
    Case base_, prepared_;
    ScenarioParams scenario_;
    BatteryState battery_;
    std::unique_ptr<Cascade> cascade_;
    Conditions cond_;
    Injections inj_;
    FlowState flows_;
    DayRecord record_;
    double step_s_ = 300, next_t_s_ = 0, last_t_s_ = 0;
    // Couplings and the operator.
    GridPorts ports_;
    std::deque<std::pair<double, double>> temp_history_;  // (t_s, weather air temperature) for the cooling lag
    std::set<size_t> flood_tripped_;
    double flood_wall_m_ = 0.6;
    std::unique_ptr<DcOpf> opf_;
    std::vector<char> opf_out_;
    bool opf_n_1_ = false, sced_ok_ = false;
    double opf_voll_ = 0, mean_price_ = 0, sced_cost_ = 0;
    size_t sced_steps_ = 0;
    double price_max_ = 200;
    std::vector<BusType> island_types_;
    std::string sced_note_;
    std::vector<double> lmp_;
    std::vector<double> max_loading_pct_, overload_s_;
    std::vector<float> trip_playback_s_;
    int last_trip_request_ = 0, selected_ = -1, replay_stage_ = -1;

    // Placement and drawing.
    std::vector<int> site_of_;
    size_t site_count_ = 0, anchored_count_ = 0;
    std::vector<std::array<double, 2>> bus_xy_;
    std::vector<double> bus_z_;
    std::vector<gpu::BranchState> states_host_;
    bool states_dirty_ = true, substations_dirty_ = true, frame_ready_ = false;
    static constexpr double kYardAngle = 0.004;  // a yard spans at most this many radians seen from the camera
    glm::dvec3 camera_{0.0};
    bool has_camera_ = false;
    double playback_s_ = 0, flow_speed_ = 10, tower_scale_ = 1, tower_height_m_ = 30, substation_size_m_ = 20;
    float wire_px_ = 1.6f;
    std::string lut_name_;
    std::unique_ptr<engine::GpuMesh> tower_mesh_, marker_mesh_;
    engine::InstanceBatch substations_;
    std::vector<engine::Instance> uploaded_yards_;  // what substations_ holds
    engine::Buffer spans_, paths_, states_, lut_, particles_, all_towers_, visible_towers_, indirect_;
    VkDrawIndexedIndirectCommand tower_draw_{};
    uint32_t span_count_ = 0, tower_count_ = 0, particle_count_ = 0;
    std::unique_ptr<engine::DescriptorAllocator> descriptors_;
    engine::Pipeline particle_pipe_, cull_pipe_, wire_pipe_, sprite_pipe_;
    VkDescriptorSet particle_set_ = VK_NULL_HANDLE, cull_set_ = VK_NULL_HANDLE, wire_set_ = VK_NULL_HANDLE,
                    sprite_set_ = VK_NULL_HANDLE;
};

// [SECTION] Bench kernels

std::vector<BenchKernel> GridModule::bench_kernels(engine::Context& gpu) {
    std::vector<BenchKernel> out;
    const auto cs = VK_SHADER_STAGE_COMPUTE_BIT;
    const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    {
        // One force-directed layout iteration on 2000 free buses in a ring with chords (ACTIVSg2000's size):
        // an all-pairs kernel, bound by arithmetic, not memory; its items are bus pairs.
        struct State {
            engine::Pipeline pipe;
            std::unique_ptr<engine::DescriptorAllocator> descriptors;
            engine::Buffer pos[2], offset, nbr, anchor;
            VkDescriptorSet sets[2]{};
            int current = 0;
            uint32_t n = 2000;
        };
        auto st = std::make_shared<State>();
        const uint32_t n = st->n;
        Case ring;
        for (uint32_t b = 0; b < n; ++b) ring.buses.push_back(Bus{int(b + 1)});
        for (uint32_t b = 0; b < n; ++b) {
            Branch br;
            br.from = int(b + 1), br.to = int((b + 1) % n + 1), br.x_pu = 0.1;
            ring.branches.push_back(br);
            br.to = int((b * 7 + 13) % n + 1);
            if (br.to != br.from) ring.branches.push_back(br);
        }
        const Adjacency adj = bus_adjacency(ring);
        std::vector<Tether> free(n);
        std::vector<std::array<float, 4>> anchors;
        const std::vector<std::array<float, 4>> start = initial_layout(adj, free, 500000, 1, anchors);
        for (auto& b : st->pos) b = engine::Buffer(gpu, n * 16, storage, engine::MemoryKind::Device, "bench layout");
        st->pos[0].upload(start.data(), n * 16);
        st->offset = engine::Buffer(gpu, adj.offset.size() * 4, storage, engine::MemoryKind::Device, "bench offsets");
        st->offset.upload(adj.offset.data(), adj.offset.size() * 4);
        st->nbr = engine::Buffer(gpu, adj.neighbours.size() * 4, storage, engine::MemoryKind::Device, "bench adjacency");
        st->nbr.upload(adj.neighbours.data(), adj.neighbours.size() * 4);
        st->anchor = engine::Buffer(gpu, n * 16, storage, engine::MemoryKind::Device, "bench anchors");
        st->anchor.upload(anchors.data(), n * 16);
        st->pipe = engine::Pipeline::compute(gpu, "grid/layout.comp",
                                             {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}, {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                              {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}, {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                              {4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}},
                                             sizeof(gpu::LayoutPush), "bench grid layout");
        st->descriptors = std::make_unique<engine::DescriptorAllocator>(gpu);
        for (int from = 0; from < 2; ++from) {
            st->sets[from] = st->descriptors->allocate(st->pipe.set_layout());
            engine::DescriptorWriter()
                .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->pos[from])
                .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->pos[1 - from])
                .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->offset)
                .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->nbr)
                .buffer(4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->anchor)
                .write(gpu.device(), st->sets[from]);
        }
        const LayoutSchedule schedule = layout_schedule(n, 500000, 300);
        BenchKernel k;
        k.name = "grid.layout iteration (2000 buses)";
        k.item_unit = "bus pairs";
        k.items = double(n) * n;
        k.bytes = double(n) * 16 * 2 + adj.neighbours.size() * 4.0 + n * 16.0;
        k.record = [st, schedule](VkCommandBuffer cmd) {
            for (auto* b : {&st->offset, &st->nbr, &st->anchor}) b->use(cmd, engine::Access::ComputeRead);
            st->pos[st->current].use(cmd, engine::Access::ComputeRead);
            st->pos[1 - st->current].use(cmd, engine::Access::ComputeWrite);
            gpu::LayoutPush push{glm::vec4(schedule.k_m, schedule.temperature(10), schedule.half_extent_m, schedule.gravity),
                                 glm::uvec4(st->n, 0, 0, 0)};
            st->pipe.bind(cmd, st->sets[st->current]);
            st->pipe.push(cmd, push);
            vkCmdDispatch(cmd, (st->n + 63) / 64, 1, 1);
            st->current = 1 - st->current;
        };
        out.push_back(std::move(k));
    }
    {
        // Flow particles: one million riding 4000 branches of 8 spans each.
        struct State {
            engine::Pipeline pipe;
            std::unique_ptr<engine::DescriptorAllocator> descriptors;
            engine::Buffer particles, paths, states, spans;
            VkDescriptorSet set = VK_NULL_HANDLE;
            uint32_t count = 1u << 20, branches = 4000;
        };
        auto st = std::make_shared<State>();
        std::vector<gpu::BranchPath> paths(st->branches);
        std::vector<gpu::BranchState> states(st->branches);
        std::vector<gpu::Span> spans;
        for (uint32_t b = 0; b < st->branches; ++b) {
            paths[b] = {glm::uvec4(b * 8, 8, 0, 1), glm::vec4(8000, 0, 0, 0)};
            states[b].flow = glm::vec4(50.0f + float(b % 400), 0.5f, 1, -1);
            for (int t = 0; t < 8; ++t)
                spans.push_back({glm::vec4(float(t) * 1000, float(b) * 100, 30, float(b)),
                                 glm::vec4(float(t + 1) * 1000, float(b) * 100, 30, 10)});
        }
        std::vector<gpu::Particle> particles(st->count);
        for (uint32_t i = 0; i < st->count; ++i)
            particles[i] = {glm::vec4(float(i % st->branches), float(i % 997) / 997, float(i % 13) / 13, 0), glm::vec4(0)};
        st->particles = engine::Buffer(gpu, particles.size() * sizeof(gpu::Particle), storage, engine::MemoryKind::Device,
                                       "bench particles");
        st->particles.upload(particles.data(), particles.size() * sizeof(gpu::Particle));
        st->paths = engine::Buffer(gpu, paths.size() * sizeof(gpu::BranchPath), storage, engine::MemoryKind::Device, "bench paths");
        st->paths.upload(paths.data(), paths.size() * sizeof(gpu::BranchPath));
        st->states = engine::Buffer(gpu, states.size() * sizeof(gpu::BranchState), storage, engine::MemoryKind::Device,
                                    "bench states");
        st->states.upload(states.data(), states.size() * sizeof(gpu::BranchState));
        st->spans = engine::Buffer(gpu, spans.size() * sizeof(gpu::Span), storage, engine::MemoryKind::Device, "bench spans");
        st->spans.upload(spans.data(), spans.size() * sizeof(gpu::Span));
        st->pipe = engine::Pipeline::compute(gpu, "grid/particles.comp",
                                             {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}, {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                              {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}, {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}},
                                             sizeof(gpu::ParticlePush), "bench grid particles");
        st->descriptors = std::make_unique<engine::DescriptorAllocator>(gpu);
        st->set = st->descriptors->allocate(st->pipe.set_layout());
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->particles)
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->paths)
            .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->states)
            .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->spans)
            .write(gpu.device(), st->set);
        BenchKernel k;
        k.name = "grid.particles (1M)";
        k.item_unit = "particles";
        k.items = st->count;
        // The least traffic: each particle read and written once, each branch's path, state and spans read once
        // (many particles share a branch, so those reads mostly hit the cache).
        k.bytes = double(st->count) * 2 * sizeof(gpu::Particle) +
                  double(st->branches) * (sizeof(gpu::BranchPath) + sizeof(gpu::BranchState) + 8 * sizeof(gpu::Span));
        k.record = [st](VkCommandBuffer cmd) {
            for (auto* b : {&st->paths, &st->states, &st->spans}) b->use(cmd, engine::Access::ComputeRead);
            st->particles.use(cmd, engine::Access::ComputeWrite);
            gpu::ParticlePush push{glm::vec4(1.0f / 30, 1.0f, 10.0f, 1e4f), glm::uvec4(st->count, st->branches, 0, 0)};
            st->pipe.bind(cmd, st->set);
            st->pipe.push(cmd, push);
            engine::dispatch_2d(cmd, st->count, 1, 64, 1);
        };
        out.push_back(std::move(k));
    }
    return out;
}

std::unique_ptr<Module> create() { return std::make_unique<GridModule>(); }

}  // namespace infrascape::grid
