// The city module's class, for its parts: set-up (city_setup.cpp), its side of the world's couplings
// (city_world.cpp), stepping and readback (city_step.cpp), drawing (city_draw.cpp), overlay and panel (city_view.cpp),
// exports (city_exports.cpp); bench kernels in city_module.cpp. See city_module.hpp.
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

#include "city/ca_shared.h"
#include "context.hpp"
#include "core/world.hpp"
#include "gpu_timer.hpp"
#include "mesh.hpp"
#include "modules/city/city_ports.hpp"
#include "modules/city/growth.hpp"
#include "modules/city/quantities_csv.hpp"
#include "modules/city/scaling.hpp"
#include "modules/city/sleuth.hpp"
#include "pipeline.hpp"
#include "resources.hpp"
#include "scene/scene.hpp"
#include "shader_types.hpp"
#include "ui_widgets.hpp"
#include "world_renderer.hpp"

#include "modules/city/city_module.hpp"

namespace infrascape::city {

inline constexpr double kSecondsPerYear = 365.25 * 86400.0;

struct StatsPush {
    glm::vec4 origin_cell, centre;
    uint32_t nx, ny, stride, pad1;
};
struct InstancePush {
    glm::vec4 origin_cell, centre, look;
    uint32_t nx, ny, stride, pad1;
};
struct GpuStats {
    uint32_t built, roads, weight_sum, pad;
};

inline std::string slug(const std::string& name) {
    std::string s;
    for (char c : name) s += std::isalnum(static_cast<unsigned char>(c)) ? char(std::tolower(c)) : '_';
    return s;
}


inline BlockSpec city_block() {
    BlockSpec b{"city", "A city that grows under scaling laws (West's growth equation, a SLEUTH-style automaton)", {}};
    auto& p = b.params;
    p.push_back(integer_param("seed", 0, 4294967295.0, 1, "seed of the automaton's random numbers"));
    p.push_back(integer_param("cells", 16, 4096, 256, "automaton grid cells per side"));
    p.push_back(number_param("cell_m", "m", 10, 5000, 120, "automaton cell size", false));
    p.push_back(number_param("centre_x_m", "m", -1e7, 1e7, 0, "x of the founding village", false));
    p.push_back(number_param("centre_y_m", "m", -1e7, 1e7, 0, "y of the founding village", false));
    p.push_back(choice_param("position", {"xy", "lonlat"}, "xy",
                             "place the centre by centre_x_m/centre_y_m or by lat_deg/lon_deg (the world's projection)", false));
    p.push_back(number_param("lat_deg", "deg", -90, 90, 0, "latitude of the centre (position = \"lonlat\")", false));
    p.push_back(number_param("lon_deg", "deg", -180, 180, 0, "longitude of the centre (position = \"lonlat\")", false));
    p.push_back(number_param("n0", "people", 1, 1e9, 500, "population at the start", false));
    p.push_back(number_param("a", "1/y", 0, 100, 0.03, "growth equation dN/dt = a N^beta - b N: the resource term a"));
    p.push_back(number_param("b", "1/y", 0, 100, 0.05, "growth equation: the maintenance term b"));
    p.push_back(number_param("beta", "", 0.5, 1.5, 1.15, "growth equation exponent: above 1, growth runs to a finite-time singularity"));
    p.push_back(number_param("innovation_margin_y", "y", 0.01, 1000, 50,
                       "an innovation resets growth this many years before the singularity"));
    p.push_back(number_param("innovation_a_gain", "", 1e-6, 1, 0.5,
                       "each innovation multiplies a by this (below 1 postpones the next singularity)"));
    p.push_back(number_param("diffusion", "", 0, 100, 20, "SLEUTH diffusion: spontaneous growth anywhere"));
    p.push_back(number_param("breed", "", 0, 100, 45, "SLEUTH breed: spontaneous cells becoming new spreading centres"));
    p.push_back(number_param("spread", "", 0, 100, 70, "SLEUTH spread: growth at the edge of built areas"));
    p.push_back(number_param("slope_resistance", "", 0, 100, 30, "SLEUTH slope resistance: how strongly slopes repel growth"));
    p.push_back(number_param("road_gravity", "", 0, 100, 50, "SLEUTH road gravity: how far roads attract growth"));
    p.push_back(number_param("critical_slope_pct", "%", 0.1, 1000, 21, "no growth on slopes this steep (SLEUTH's default 21%)", false));
    p.push_back(integer_param("road_spacing", 2, 64, 6, "arterial roads every this many cells"));
    p.push_back(integer_param("generations_per_year", 1, 20, 2, "automaton generations per simulated year"));
    p.push_back(number_param("initial_density_per_ha", "people/ha", 0.1, 1e5, 10,
                       "density of the founding village, which sets its size", false));
    p.push_back(number_param("densification", "", 0, 1, 1.0 / 3.0,
                       "land demand: residents per hectare grow as N^densification, so the built area the population "
                       "needs grows as N^(1 - densification) (1/3: Bettencourt 2013's area ~ N^(2/3))"));
    p.push_back(number_param("density_decay_m", "m", 10, 1e6, 2500, "decay length of residential density away from the centre"));
    p.push_back(number_param("years_per_second", "y/s", 0.01, 1000, 5, "playback speed of a city scene (sets the world's speed)", false));
    p.push_back(number_param("export_every_y", "y", 0.1, 1e4, 25, "land-use rasters are exported at this interval", false));
    p.push_back(choice_param("heat_island_region", {"north_america", "europe"}, "north_america",
                             "Oke's (1973) urban heat island relation to use"));
    p.push_back(bool_param("service_areas", false,
                           "colour the buildings by the grid bus that serves them (the nearest bus): a map of the "
                           "substations' service areas, in blocks of 1/16 of the city's width (with a grid in the world)",
                           true));
    p.push_back(choice_param("colormap", {"viridis", "inferno", "turbo", "cividis"}, "viridis",
                             "colormap of residential density"));
    p.push_back(number_param("max_density_per_ha", "people/ha", 1, 1e5, 250, "top of the density colour scale"));
    ParamSpec extra;
    extra.key = "quantities";
    extra.type = ParamType::Path;
    extra.default_value = std::string("");
    extra.help = "CSV of more quantities Y = Y0 N^beta (header name,unit,kind,y0,beta), added to the built-in list";
    extra.live = false;
    p.push_back(extra);
    add_demand_params(p);
    for (const ScalingLaw& law : default_scaling_laws())
        p.push_back(number_param("beta_" + slug(law.name), "", 0, 2, law.beta,
                           "exponent of " + law.name + " (" + law.kind + ") in Y = Y0 N^beta"));
    b.instances = true;  // several cities in one world: [[city]] entries with an id
    return b;
}

// A built-in quantity's exponent is a live parameter; a user-defined one (city.quantities) keeps its file's.
inline double beta_of(const ScalingLaw& law, const ParamStore& p) {
    const std::string key = "city.beta_" + slug(law.name);
    return p.has(key) ? p.number(key) : law.beta;
}

struct Row {
    double year, n;
    uint32_t built, roads;
};

class CityModule final : public Module {
public:
    std::string name() const override { return "city"; }
    std::string title() const override { return "City growth"; }
    BlockSpec block() const override { return city_block(); }
    std::optional<double> natural_step_s(const ParamStore&) const override { return 365.25 * 86400 / 4; }  // a quarter-year
    std::optional<double> preferred_speed(const ParamStore& p) const override {  // years per second
        return p.number("city.years_per_second") * kSecondsPerYear;
    }

    void attach(AttachContext& ctx) override;

    // [SECTION] Ports (the model is in city_ports.cpp)
    std::vector<InputPort> inputs() const override { return CityPorts::inputs(); }    void couple(CouplingContext& ctx) override;
    double local_hour(double t_s) const { return std::fmod((start_epoch_ + t_s) / 3600.0 + utc_offset_h_ + 48.0, 24.0); }

    void publish(OutputBus& bus) override;

    void step(StepContext& ctx) override;

    void before_draw(FrameInfo& frame) override;

    // Buildings and ground slabs from the grid, for drawing this frame.
    void record_instances(VkCommandBuffer cmd);
    uint32_t lod_stride_ = 1;  // cells per drawn instance along each axis (before_draw)

    void frame_complete(uint32_t slot) override;

    void draw(DrawContext& ctx) override;

    void overlay(OverlayContext& ctx) override;

    void panel(PanelContext& ctx) override;

    std::vector<Metric> metrics() const override;

    void export_results(const std::filesystem::path& dir, double t_s, const ParamStore& params) override;

    std::vector<BenchKernel> bench_kernels(engine::Context& gpu) override;

private:
    static constexpr uint32_t kLogSlots = 8192;
    struct PendingRow {
        uint32_t slot;
        double year, n;
    };
    struct Snapshot {
        double year;
        std::vector<uint32_t> grid;
    };
    struct SnapshotCopy {
        double year;
        engine::Buffer buffer;
    };
    struct FitRow {
        std::string name;
        double imposed;
        Fit fit;
    };

    static GrowthParams params_of(const ParamStore& p) {
        return {p.number("city.a"), p.number("city.b"), p.number("city.beta")};
    }    static std::string format_people(double n);
    static std::string format_beta(double b) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%.2f", b);
        return buf;
    }
    double night_factor(double t_s) const {
        double elevation = 0;
        sun_direction(lighting_epoch(start_epoch_, t_s, speed_), latitude_, longitude_, &elevation);
        return std::clamp((2.0 - elevation) / 8.0, 0.0, 1.0);
    }
    double built_km2() const {
        return rows_.empty() ? 0.0 : rows_.back().built * cell_m_ * cell_m_ / 1e6;
    }
    double road_km() const { return rows_.empty() ? 0.0 : rows_.back().roads * cell_m_ / 1000; }
    // Cable: medium-voltage feeders along every road cell, plus a low-voltage run through half of each built cell.
    double cable_km(uint32_t built, uint32_t roads) const { return (roads + 0.5 * built) * cell_m_ / 1000; }

    std::vector<FitRow> fits(const ParamStore& p) const;

    void write_landuse(const std::filesystem::path& path, const std::vector<uint32_t>& grid) const;

    void record_generation(VkCommandBuffer cmd, const CaRates& r, uint32_t generation);

    void record_stats(VkCommandBuffer cmd);


    engine::Context* gpu_ = nullptr;
    const engine::ColormapTables* colormaps_ = nullptr;
    uint32_t n_ = 0, seed_ = 0, initial_built_ = 1;
    double cell_m_ = 1, x0_ = 0, y0_ = 0, start_year_ = 0, start_epoch_ = 0, latitude_ = 0, longitude_ = 0;
    std::array<double, 2> centre_{0, 0};
    float residents_per_storey_ha_ = 30;  // residents per storey on a hectare of footprint
    float density_decay_m_ = 2500, density_max_ = 250, night_ = 0;
    bool service_areas_ = false;
    // The ports' blocks into service_ inside the frame's command buffer (ordered before the instance pass that reads
    // it; a host write could race a frame still in flight).
    void record_service(VkCommandBuffer cmd) {
        std::array<uint32_t, 2 * CityPorts::kServiceBlocks * CityPorts::kServiceBlocks> words{};
        std::memcpy(words.data(), ports_.block_served().data(), ports_.block_served().size() * 4);
        std::memcpy(words.data() + ports_.block_served().size(), ports_.block_bus().data(), ports_.block_bus().size() * 4);
        service_.use(cmd, engine::Access::TransferDst);
        vkCmdUpdateBuffer(cmd, service_.handle(), 0, sizeof(words), words.data());
        service_.use(cmd, engine::Access::ComputeRead);
    }
    engine::Buffer service_;
    CityPorts ports_;
    DemandParams demand_;
    double utc_offset_h_ = 0, n0_ = 1;
    glm::mat4 view_proj_{1.0f};
    bool view_ready_ = false;
    const engine::Heightfield* terrain_ = nullptr;
    std::unique_ptr<GrowthModel> growth_;
    GrowthParams applied_;  // the scene/panel values last given to the model
    std::vector<ScalingLaw> laws_;
    std::vector<float> ground_;
    std::array<engine::Buffer, 2> state_;
    engine::Buffer slope_, ground_buffer_, stats_, stats_log_, lut_, near_new_;
    std::array<engine::Buffer, engine::kFramesInFlight> state_readback_;
    std::array<bool, engine::kFramesInFlight> readback_pending_{};
    std::vector<uint32_t> host_state_;
    int current_ = 0;
    uint64_t generations_ = 0, log_next_ = 0;
    bool stats_dirty_ = false, draws_ = true;
    std::unique_ptr<engine::DescriptorAllocator> descriptors_;
    std::array<engine::Pipeline, 3> ca_;
    std::array<std::array<VkDescriptorSet, 2>, 3> ca_sets_{};
    engine::Pipeline stats_pipe_, inst_pipe_;
    std::array<VkDescriptorSet, 2> stats_sets_{}, inst_sets_{};
    std::array<std::unique_ptr<engine::GpuMesh>, 3> meshes_;  // house, block, high-rise
    std::array<engine::InstanceBatch, 3> buildings_;
    engine::InstanceBatch surface_;
    engine::Buffer indirect_;  // four VkDrawIndexedIndirectCommands: houses, blocks, high-rises, surface
    std::array<VkDrawIndexedIndirectCommand, 4> draw_template_{};
    bool instances_ready_ = false;
    std::vector<PendingRow> pending_rows_;
    std::vector<Row> rows_;
    std::vector<Snapshot> snapshots_;
    std::vector<SnapshotCopy> snapshot_copies_;
    double speed_ = 1;
    double next_export_y_ = 0, export_every_y_ = 25, heat_island_k_ = 0;
    std::string colormap_name_ = "viridis", uploaded_colormap_;
};

}  // namespace infrascape::city
