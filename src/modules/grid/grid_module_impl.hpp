// The grid module's class, for its parts: set-up (grid_setup.cpp), the world's couplings (grid_world.cpp), stepping
// and the operator (grid_step.cpp), drawing (grid_draw.cpp), legend and panel (grid_view.cpp), exports
// (grid_exports.cpp); bench kernels in grid_module.cpp. See grid_module.hpp.
#pragma once

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
#include "modules/grid/hosting.hpp"
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

#include <future>
#include <optional>

#include "modules/grid/grid_module.hpp"

namespace infrascape::grid {

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

struct WireCullPush {  // shaders/grid/wires_cull.comp
    glm::mat4 view_proj;
    glm::vec4 camera;
    glm::vec4 params;
    glm::uvec4 counts;
};
static_assert(sizeof(WireCullPush) == 112, "WireCullPush must match shaders/grid/wires_cull.comp");
inline constexpr float kChordSagPx = 0.75f;  // a span whose sag shows less than this on screen is drawn straight

inline constexpr uint32_t kMaxTowers = 400000;

// [SECTION] Parameters

// A branch counts as overloaded above this loading: an operator's dispatch holds binding lines at exactly 100%,
// which rounding must not count.
inline constexpr double kOverloadPct = 100.01;

inline BlockSpec grid_block() {
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
    p.push_back(number_param("step_s", "s", 10, 1e9, 300,
                             "time between the grid's operating points (5 minutes; a quarter-year in a multi-year run)", false));
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
    // Hosting capacity (grid_hosting.cpp).
    p.push_back(bool_param("hosting", false,
                           "compute every bus's hosting capacity on the live grid in the background (once there is an "
                           "operating point) and draw it as columns; `run` writes it to hosting.csv"));
    p.push_back(bool_param("hosting_n_1", true, "hosting capacity: also secure every single branch outage"));
    p.push_back(number_param("hosting_m_per_mw", "m/MW", 0.1, 1e5, 60, "height of a hosting-capacity column per MW"));
    p.push_back(number_param("hosting_column_m", "m", 1, 1e5, 5000, "width of a hosting-capacity column"));
    return b;
}

// Worker threads (the operator's dispatch, hosting capacity) run at a lower priority than the frames (grid_step.cpp).
void lower_thread_priority();

inline ScenarioParams scenario_params(const ParamStore& p, const WorldInfo& info) {
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

inline CascadeParams cascade_params(const ParamStore& p) {
    CascadeParams c;
    const bool on = p.flag("grid.cascades");
    c.dwell_s = p.number("grid.trip_dwell_s");
    c.trip_pct = on ? p.number("grid.trip_pct") : 1e300;
    c.instant_trip_pct = on ? p.number("grid.instant_trip_pct") : 1e300;
    return c;
}

// Substation colours by voltage class (linear rgb).
inline glm::vec3 kv_colour(double kv) {
    if (kv >= 450) return {0.45f, 0.20f, 0.75f};
    if (kv >= 300) return {0.80f, 0.15f, 0.12f};
    if (kv >= 200) return {0.90f, 0.45f, 0.10f};
    if (kv >= 100) return {0.85f, 0.75f, 0.15f};
    return {0.25f, 0.65f, 0.30f};
}


// [SECTION] The module

class GridModule final : public Module {
public:
    ~GridModule() override { wait_sced_job(); }
    void settle() override;
    std::string name() const override { return "grid"; }
    std::string title() const override { return "Power grid"; }
    BlockSpec block() const override { return grid_block(); }
    std::optional<double> natural_step_s(const ParamStore& p) const override { return p.number("grid.step_s"); }

    void attach(AttachContext& ctx) override;

    void publish(OutputBus& bus) override;

    // [SECTION] Ports (grid_ports.cpp reads them)
    std::vector<InputPort> inputs() const override { return GridPorts::inputs(); }    void couple(CouplingContext& ctx) override;

    // The bus nearest a map point, within a tenth of the world's width; -1 beyond the grid.
    int nearest_bus(double x, double y) const;

    // [SECTION] Stepping

    void step(StepContext& ctx) override;

    // One operating point at simulation time t: weather and load, dispatch, flows and trips.
    void grid_step(double t_s, const ParamStore& p);

    // The operator: a security-constrained economic dispatch on the network as it stands (tripped lines out),
    // with the lines' ratings derated by the heat; the renewables, batteries and loads stay as the scenario
    // set them, the dispatchable units move within their limits, and load is shed at VOLL where the network
    // cannot carry it. The solver is rebuilt when the topology changes; on an islanded network (after trips)
    // the pro-rata dispatch stands and the cascade model balances each island.
    void operate(Case& op, const ParamStore& p);

    // Buses cut off from the reference bus's island by trips are left out of the dispatch (type 4, as MATPOWER
    // marks isolated buses); the cascade model balances or darkens those islands on its own.
    static void isolate_islands(Case& c);

    // Units the scenario added (utility PV, batteries) cost nothing to run; a case without costs gets a flat
    // 30 $/MWh for every unit, so that the dispatch still respects the network.
    // Quadratic costs become piecewise linear (10 equal segments from 0 to PMAX, through the curve's points):
    // the dispatch is then a linear program, which CLP's simplex solves in milliseconds from the last basis
    // whatever the state, where its QP can crawl on a congested network of hundreds of units. The dispatch is
    // within one segment of the quadratic optimum and the prices are the segments' slopes.
    static void pad_costs(Case& c);

    double shed_mw() const { return inj_.shed_mw + flows_.shed_mw; }

    double served_fraction_at(double x, double y) const {
        const int b = nearest_bus(x, y);
        return b >= 0 ? bus_served_fraction(size_t(b)) : std::nan("");
    }

    double bus_served_fraction(size_t b) const;

    // The per-branch state the shaders read, from the current flows (or a replayed stage's).
    void update_states();

    std::vector<char> out_at_stage(int stage) const;

    // [SECTION] Drawing: geometry built once at attach

    void build_drawing(const ParamStore& p);

    void upload_lut(const std::string& name);

    // One marker per substation site: coloured by its highest voltage, dimmed when it is not served, red when
    // a transformer inside it is overloaded (transformers have no length to draw), dark grey when one tripped.
    void upload_substations();

    // [SECTION] Per frame

    void before_draw(FrameInfo& f) override;

    void draw(DrawContext& ctx) override;

    // [SECTION] Legend, panel, metrics, exports

    void overlay(OverlayContext& ctx) override;

    static std::string format_mw(double mw);

    void sync_visual_params(const ParamStore& p) {
        wire_px_ = float(p.number("grid.wire_px"));
        flow_speed_ = p.number("grid.flow_speed_m_s_per_mw");
        tower_scale_ = p.number("grid.tower_scale");
        if (lut_ && p.text("grid.colormap") != lut_name_) upload_lut(p.text("grid.colormap"));
    }

    void panel(PanelContext& ctx) override;

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

    std::vector<Metric> metrics() const override;

    void export_results(const std::filesystem::path& dir, double t_s, const ParamStore&) override;

    std::vector<BenchKernel> bench_kernels(engine::Context& gpu) override;

    // [SECTION] Hosting capacity on the live grid (grid_hosting.cpp): run in the background, drawn as columns
    // (one per substation site: its best bus), a table of the best sites and the binding element of the chosen one.
    struct Hosting {
        std::future<HostingResult> job;
        std::atomic<int> done{0}, total{0};
        std::atomic<bool> cancel{false};
        std::optional<HostingResult> result;
        std::string error;
        double at_t_s = 0;  // the operating point it was computed on
        double shed_mw = 0;  // what the operator shed there (the capacities are beyond the load it served)
        bool n_minus_1 = true, dirty = false;
        int selected = -1;  // case bus index
        std::vector<int> top;  // case bus indices, best first (one per site)
        Case point;              // the problem it was computed on, for the upgrades
        HostingOptions options;
        std::future<std::vector<HostingUpgrade>> upgrade_job;
        std::vector<HostingUpgrade> upgrades;
        int upgrades_bus = -1;
        std::string upgrade_note;
        ~Hosting() { cancel = true; }  // the running job stops at its next bus before the futures wait for it
    };
    Hosting hosting_;
    Case live_point(double& rating_scale) const;  // the operator's problem at the last finished point
    void start_hosting(const ParamStore& p);
    // The first finished operating point starts it (the same point in `run` and the viewer).
    void maybe_start_hosting(const ParamStore& p) {
        if (p.flag("grid.hosting") && !hosting_.result && !hosting_.job.valid() && hosting_.error.empty()) start_hosting(p);
    }
    void poll_hosting();
    void hosting_panel(PanelContext& ctx);
    void hosting_overlay(OverlayContext& ctx);
    void upload_hosting_columns(const ParamStore& p);
    void write_hosting_csv(const std::filesystem::path& file) const;

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
    // In the viewer the operator's solve runs on a worker thread at low priority (grid_step.cpp, operate()).
    bool async_sced_ = false;
    struct PendingPoint {  // an operating point waiting for its dispatch
        double t_s = 0;
        Conditions cond;
        Injections inj;
        Case op;
    };
    std::future<OpfResult> sced_job_;
    PendingPoint sced_running_;                // the point the worker is solving
    std::optional<PendingPoint> sced_next_;    // the newest point waiting for the worker
    Conditions finished_cond_;                 // the last finished point's (shown while later ones wait)
    Injections finished_inj_;
    bool has_finished_ = false;
    const ParamStore* sced_params_ = nullptr;
    void wait_sced_job() {
        if (sced_job_.valid()) sced_job_.wait();
    }
    void poll_sced(const ParamStore& p);
    bool sced_point(const Case& op, const ParamStore& p, Case& point);
    void apply_sced(const OpfResult& r, Case& op, const ParamStore& p);
    void finish_step(double t_s, Case& op, double dt_s);
    // The time the cascade integrates over up to a point at t_s: since the last finished point (one step at first).
    double since_finished(double t_s) const { return has_finished_ ? t_s - last_t_s_ : step_s_; }
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
    engine::InstanceBatch substations_, hosting_columns_;
    glm::mat4 view_proj_{1.0f};
    std::vector<engine::Instance> uploaded_yards_;  // what substations_ holds
    engine::Buffer spans_, paths_, states_, lut_, particles_, all_towers_, visible_towers_, indirect_;
    engine::Buffer visible_spans_, wire_draws_;  // wires_cull.comp's two lists and their indirect draws
    VkDrawIndexedIndirectCommand tower_draw_{};
    uint32_t span_count_ = 0, tower_count_ = 0, particle_count_ = 0;
    std::unique_ptr<engine::DescriptorAllocator> descriptors_;
    engine::Pipeline particle_pipe_, cull_pipe_, wire_cull_pipe_, wire_pipe_, sprite_pipe_;
    VkDescriptorSet particle_set_ = VK_NULL_HANDLE, cull_set_ = VK_NULL_HANDLE, wire_cull_set_ = VK_NULL_HANDLE,
                    wire_set_ = VK_NULL_HANDLE, sprite_set_ = VK_NULL_HANDLE;
};

}  // namespace infrascape::grid
