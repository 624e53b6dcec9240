// The flood module's class, for its parts: set-up (flood_setup.cpp), ports (flood_ports.cpp), stepping and readback
// (flood_step.cpp), drawing and panel (flood_view.cpp), exports (flood_exports.cpp). See flood_module.hpp.
#pragma once

#include <imgui.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>

#include "context.hpp"
#include "flood/flood_shared.h"
#include "gpu_timer.hpp"
#include "mesh.hpp"
#include "modules/flood/conditioning.hpp"
#include "modules/flood/flood_params.hpp"
#include "modules/flood/hydrograph.hpp"
#include "core/raster.hpp"
#include "modules/flood/swe_gpu.hpp"
#include "modules/flood/swe_reference.hpp"
#include "modules/flood/valley.hpp"
#include "modules/flood/warning_network.hpp"
#include "pipeline.hpp"
#include "resources.hpp"
#include "scene/scene.hpp"
#include "shader_types.hpp"
#include "ui_widgets.hpp"
#include "world_renderer.hpp"

#include "modules/flood/flood_module.hpp"

namespace infrascape::flood {

static_assert(sizeof(gpu::FloodStatsPush) == 32 && sizeof(gpu::FloodGeometry) == 32 &&
                  sizeof(gpu::FloodParticle) == 32 && sizeof(gpu::FloodParticlePush) == 32,
              "flood structs must match shaders/flood/flood_shared.h");

namespace fs = std::filesystem;

inline constexpr double kArrivalDepth = 0.1;   // m: "first time depth exceeded 0.1 m" (arrival_time.asc)
inline constexpr double kSpeedDepth = 0.01;    // m: speeds of thinner sheets are not counted in max_speed / hazard
inline constexpr uint32_t kProbeRows = 1024;   // windows per frame slot whose gauge and site samples are kept
inline constexpr double kMarginSteps = 1.3;    // steps recorded per window over the estimate from the last wave speed

// A path as the user wrote it relative to the working directory, for messages.
inline std::string shown_path(const std::string& p) { return fs::path(p).lexically_proximate(fs::current_path()).string(); }

struct Gauge {
    std::string name;
    double x_m, y_m, warn_m;
    uint32_t cell;
    std::vector<double> t_s, depth_m;
    double siren_s = -1;  // flood time the depth first exceeded warn_m
};

struct Site {
    std::string name, gauge, kind;
    double x_m, y_m;
    uint32_t cell;
    int gauge_index = -1;  // -1: the first siren
    double arrival_s = -1, max_depth_m = 0;
};

struct Inflow {
    double x_m, y_m;
    uint32_t i, j;
    Hydrograph hydrograph;
    std::string file;
};

// One window recorded in a frame slot, resolved when the slot's submission has finished.
struct Window {
    double t_end_s;   // session time at the end of the window
    uint32_t steps;   // solver steps recorded (log entries)
    int probe_row;    // row of the probe log with the gauge and site cells, -1 when full
};

struct Snapshot {
    double t_s;
    engine::Buffer buffer;  // the state (vec4 per cell) at the end of that window
};

class FloodModule final : public Module {
public:
    std::string name() const override { return "flood"; }
    std::string title() const override { return "Flash flood"; }
    BlockSpec block() const override { return flood_block(); }
    std::optional<double> natural_step_s(const ParamStore&) const override { return 10.0; }  // a window of the flood's own adaptive steps

    // [SECTION] Set-up

    void attach(AttachContext& ctx) override;

    void publish(OutputBus& bus) override;

    // The DEM (or the valley), its boundaries and its depression filling: what the world's terrain and the
    // solver's bed are made of. Called by provide_terrain, before any module attaches, or by attach.
    void prepare_ground(const ParamStore& p, const WorldInfo& info);

    std::optional<engine::Heightfield> provide_terrain(const ParamStore& p, const WorldInfo& info) override {
        if (p.text("flood.ground") == "inset") return std::nullopt;
        prepare_ground(p, info);
        return display_terrain();
    }

    // A valley inside a larger world: the DEM at its place, shifted up or down so that its rim lies, on average, at
    // the height of the world's terrain along the same rim (the DEM's own datum is kept for the solver).
    std::optional<engine::Heightfield> provide_inset(const ParamStore& p, const WorldInfo& info) override;

    void place_in_world(const WorldInfo& info);

    void load_terrain(const ParamStore& p, const WorldInfo& info);
    void load_probability_map(const ParamStore& p);

    void build_solver(const ParamStore& p);

    // The procedural valley's river starts at its normal depth for the base flow (Manning, wide channel:
    // h = (Q n / (w sqrt(S)))^(3/5)), so the flood runs down a living river rather than a dry bed.
    void fill_valley_channel(double q);

    std::pair<uint32_t, uint32_t> cell_of_map(double x, double y) const {
        const double fi = (x - dem_.geo.x0) / dem_.geo.cell, fj = (y - dem_.geo.y0) / dem_.geo.cell;
        return {uint32_t(std::clamp(std::lround(fi), 0L, long(grid_.nx) - 1)),
                uint32_t(std::clamp(std::lround(fj), 0L, long(grid_.ny) - 1))};
    }
    bool inside_map(double x, double y) const {
        const double fi = (x - dem_.geo.x0) / dem_.geo.cell, fj = (y - dem_.geo.y0) / dem_.geo.cell;
        return fi >= -0.5 && fj >= -0.5 && fi <= grid_.nx - 0.5 && fj <= grid_.ny - 0.5;
    }
    glm::dvec2 world_of_map(double x, double y) const { return {x - centre_x_ + place_x_, y - centre_y_ + place_y_}; }
    glm::dvec2 world_of_cell(uint32_t k) const {
        return world_of_map(dem_.geo.x0 + (k % grid_.nx) * dem_.geo.cell, dem_.geo.y0 + (k / grid_.nx) * dem_.geo.cell);
    }

    void read_records(const ParamStore& p);

    // The gauges nearest the sites (their centroid; the DEM's centre without sites) first: the order in which a
    // growing warning network adds them (warning_network.hpp).
    void order_gauges();

    // [SECTION] Ports: rain from the weather at the DEM's centre (the weather's storm cell is tens of kilometres
    // across, so one value serves the whole DEM); the population of every city in the world, whose size sets the
    // warning network each would afford on this river.
    std::vector<InputPort> inputs() const override;    void couple(CouplingContext& ctx) override;
    std::vector<WarningNetwork> networks() const {
        std::vector<WarningNetwork> out;
        for (const auto& [place, n] : populations_) out.push_back(network_for(place, n, gauges_.size(), scaling_));
        return out;
    }
    WarningOutcome outcome(const WarningNetwork& net) const {
        std::vector<double> sirens, arrivals;
        for (size_t g : gauges_nearest_) sirens.push_back(gauges_[g].siren_s);
        for (const Site& st : sites_) arrivals.push_back(st.arrival_s);
        return warning_outcome(net, sirens, arrivals, flood_time_s_);
    }

    // The storm path and the inflows' hydrographs (the valley's base flow as a constant one) for the GPU clock.
    void set_forcing_table();

    // The terrain the world draws: the DEM in world coordinates, NODATA at the lowest valid height (walls are a
    // solver device, not scenery), at most 1024 vertices a side.
    engine::Heightfield display_terrain() const;

    void create_stats();
    double solver_h0(size_t k) const { return initial_state_.h.empty() ? 0.0 : initial_state_.h[k]; }

    VkDescriptorSet stats_set();

    void create_drawing(const ParamStore& p);
    fs::path asset_dir_of(const ParamStore&) const { return asset_dir_; }

    VkDescriptorSet water_set();    VkDescriptorSet particle_set();

    // [SECTION] Stepping

    void step(StepContext& ctx) override;

    void record_stats(VkCommandBuffer cmd, double t_s, bool update);

    void before_draw(FrameInfo& frame) override;

    void draw(DrawContext& ctx) override;

    // Posts are grey, amber once water rises toward the warning depth, red with a glowing top once the siren
    // sounded; sites white, amber once warned, red once water reached them.
    void update_markers(bool force);

    // [SECTION] Readback

    void frame_complete(uint32_t slot) override;

    double host_cell(double x_world, double y_world, int component) const {
        const double x = x_world - place_x_ + centre_x_, y = y_world - place_y_ + centre_y_;
        if (!inside_map(x, y)) return std::nan("");
        const auto [i, j] = cell_of_map(x, y);
        return host_state_[grid_.index(i, j)][component];
    }
    // The hazard rating of Defra/EA FD2320/TR2 without the debris factor, HR = d (v + 0.5): above 0.75 a danger to
    // some, above 1.25 to most people.
    double host_hazard(double x_world, double y_world) const;    double host_max_depth(double x_world, double y_world) const;

    bool warned(const Site& s) const {
        if (s.gauge_index >= 0) return gauges_[size_t(s.gauge_index)].siren_s >= 0;
        return first_siren_s_ >= 0;
    }
    double siren_for(const Site& s) const {
        return s.gauge_index >= 0 ? gauges_[size_t(s.gauge_index)].siren_s : first_siren_s_;
    }
    size_t sirens_sounded() const {
        return size_t(std::count_if(gauges_.begin(), gauges_.end(), [](const Gauge& g) { return g.siren_s >= 0; }));
    }

    // [SECTION] Legend, labels, panel

    void overlay(OverlayContext& ctx) override;

    engine::LegendSpec legend_spec() const;

    static std::string clock_text(double t) {
        char b[32];
        const long s = long(std::max(0.0, t));
        std::snprintf(b, sizeof b, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
        return b;
    }

    void sync_visual(const ParamStore& p);

    void panel(PanelContext& ctx) override;

    // The same flood as each of the world's places would have been warned of it (warning_network.hpp).
    void warning_by_size_table();

    std::vector<Metric> metrics() const override;

    // [SECTION] Exports

    // Finishes the time earlier windows left over (with blocking submissions), so the exports are at T.
    void catch_up();

    Raster result_raster(const std::vector<float>& v) const;

    void write_raster(const fs::path& dir, const std::string& stem, const std::vector<float>& v, int decimals) const {
        const Raster r = result_raster(v);
        write_asc(dir / (stem + ".asc"), r, decimals);
        if (dem_is_tiff_) write_geotiff(dir / (stem + ".tif"), r);
    }

    static std::string depth_name(double t) {
        char b[32];
        std::snprintf(b, sizeof b, "depth_%06lds", std::lround(t));
        return b;
    }

    void export_results(const fs::path& dir, double t_s, const ParamStore&) override;

    void export_warning_by_size(const fs::path& dir) const;

    static std::string csv_name(const std::string& s) {
        if (s.find_first_of(",\"\n") == std::string::npos) return s;
        std::string q = "\"";
        for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
        return q + "\"";
    }

    std::vector<BenchKernel> bench_kernels(engine::Context& gpu) override { return flood::bench_kernels(gpu); }

    void set_asset_dir(fs::path d) { asset_dir_ = std::move(d); }

private:
    engine::Context* gpu_ = nullptr;
    engine::WorldRenderer* world_ = nullptr;
    const engine::ColormapTables* colormaps_ = nullptr;
    bool draws_ = true;
    fs::path asset_dir_;

    Raster dem_;
    bool dem_is_tiff_ = false;
    std::unique_ptr<Valley> valley_;
    double centre_x_ = 0, centre_y_ = 0;  // the DEM's centre in its own map coordinates
    double place_x_ = 0, place_y_ = 0;    // where that centre lies in the world
    double z_shift_ = 0;                  // display height = DEM height + this (an inset's rim level with the world)
    bool inset_ = false, placed_ = false;
    bool sleeping_ = false;               // flood.sleep_until_rain, until the first rain
    double weather_rain_mm_h_ = 0;        // the weather's rain at the DEM's centre (coupling "weather")
    double rain_now_mm_h_ = 0;            // uniform rain of the last window (scene plus weather)
    double camera_distance_m_ = 0;        // horizontal, from the camera to the DEM's centre (last frame)
    bool visible_ = true;                 // the DEM spans at least kMinPixels on the screen (last frame)
    static constexpr double kMinPixels = 8;
    WarningScaling scaling_;
    std::vector<std::pair<std::string, double>> populations_;  // the world's places (coupling "flood_city")
    std::vector<size_t> gauges_nearest_;  // gauge indices, nearest the sites first
    double wall_z_ = 0;
    size_t nodata_cells_ = 0, filled_cells_ = 0;
    bool ground_ready_ = false;
    std::array<Boundary, 4> boundary_{};
    SweGrid grid_;
    SweState initial_state_;
    std::vector<double> rain_cells_;
    std::unique_ptr<SweGpu> solver_;
    SweGpu::ClockConfig clock_;
    double base_flow_ = 0;
    std::pair<uint32_t, uint32_t> base_cell_{0, 0};
    StormCell storm_;
    double storm_rate_mm_h_ = 0;

    std::vector<Gauge> gauges_;
    std::vector<Site> sites_;
    std::vector<Inflow> inflows_;
    double first_siren_s_ = -1;

    // Clock and ledger.
    double unassigned_debt_s_ = 0, last_window_end_s_ = 0;
    double last_speed_ = 0, last_dt_ = 0, debt_s_ = 0, flood_time_s_ = 0, session_time_s_ = 0;
    uint64_t steps_taken_ = 0;
    MassLedger ledger_;
    double volume_m3_ = 0;
    std::vector<double> balance_t_;
    std::vector<std::array<double, 6>> balance_;  // stored, rain, inflow, outflow, infiltrated, expected

    // Per frame slot.
    std::array<std::vector<Window>, engine::kFramesInFlight> windows_;
    std::array<engine::Buffer, engine::kFramesInFlight> probe_log_;
    std::array<uint32_t, engine::kFramesInFlight> probe_rows_used_{};
    std::array<engine::Buffer, engine::kFramesInFlight> state_readback_;
    std::array<bool, engine::kFramesInFlight> state_pending_{};
    std::array<std::vector<Snapshot>, engine::kFramesInFlight> snapshots_pending_;
    std::vector<Snapshot> snapshots_;
    double next_snapshot_s_ = 0;
    std::vector<glm::vec4> host_state_;
    std::vector<float> host_max_;
    uint64_t frame_counter_ = 0;

    // Statistics and drawing.
    engine::Buffer stats_, shown_, geometry_, water_index_buffer_, lut_, particles_;
    engine::Buffer probability_;     // flood.probability_map on the grid (empty without one)
    std::string probability_label_;
    engine::Pipeline stats_pipe_, water_pipe_, particle_pipe_, streak_pipe_;
    std::unique_ptr<engine::DescriptorAllocator> descriptors_;
    std::map<VkBuffer, VkDescriptorSet> stats_sets_, water_sets_, particle_sets_;
    VkDescriptorSet streak_set_ = VK_NULL_HANDLE;
    uint32_t particle_count_ = 0;
    // The water sheet by level of detail: level l joins every stride_ * 2^l cells, its indices at first in
    // water_index_buffer_; before_draw picks the coarsest whose quads span at most 2 pixels.
    struct WaterLevel {
        uint32_t stride, vx, first, count;
    };
    std::vector<WaterLevel> water_levels_;
    uint32_t water_level_ = 0, particles_drawn_ = 0;
    mutable uint32_t stride_ = 1;
    std::unique_ptr<engine::GpuMesh> post_mesh_, site_mesh_;
    engine::InstanceBatch posts_, site_batch_;
    std::vector<engine::Instance> uploaded_posts_, uploaded_sites_;
    double marker_scale_ = 3;
    std::string show_ = "water", shown_name_ = "water";
    double depth_scale_m_ = 6, water_opacity_ = 0.85, tracer_speedup_ = 40, site_depth_m_ = kArrivalDepth;
    glm::mat4 view_proj_{1.0f};
    float m_per_px_ = 0.001f;
    bool frame_ready_ = false;
};

}  // namespace infrascape::flood
