// The datacenter module's class, for its parts: set-up (datacenter_setup.cpp), stepping and readback
// (datacenter_step.cpp), drawing (datacenter_draw.cpp), overlay, panel and picking (datacenter_view.cpp), ports and
// exports (datacenter_exports.cpp). See datacenter_module.hpp.
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
#include "datacenter/lbm_shared.h"
#include "gpu_timer.hpp"
#include "mesh.hpp"
#include "modules/datacenter/facility.hpp"
#include "modules/datacenter/lbm_gpu.hpp"
#include "modules/datacenter/lbm_reference.hpp"
#include "modules/datacenter/rack_model.hpp"
#include "modules/datacenter/vti.hpp"
#include "pipeline.hpp"
#include "resources.hpp"
#include "shader_types.hpp"
#include "ui_widgets.hpp"
#include "world_renderer.hpp"

#include "modules/datacenter/datacenter_module.hpp"

namespace infrascape::datacenter {

namespace fs = std::filesystem;

inline constexpr double kRackW = 0.6, kRackD = 1.2, kRackH = 2.1;          // m
inline constexpr double kUnitW = 2.0, kUnitD = 0.9, kUnitH = 1.9;          // m (assets/models/cooling_unit.obj)
inline constexpr double kULatticeMax = 0.12;                               // lattice speed of the fastest air
inline constexpr uint8_t kFluid = 0, kWall = 1;                            // LbmReference's fixed patches

inline BlockSpec datacenter_block() {
    BlockSpec b{"datacenter", "An AI data hall: airflow and heat on a lattice Boltzmann grid, racks down to their GPUs, cooling, PUE", {}};
    auto& p = b.params;
    p.push_back(number_param("hall_x_m", "m", 2, 500, 19.2, "hall length (along the rows)", false));
    p.push_back(number_param("hall_y_m", "m", 2, 500, 12.0, "hall width (across the rows)", false));
    p.push_back(number_param("hall_z_m", "m", 2.4, 20, 3.6, "hall height", false));
    p.push_back(number_param("cell_m", "m", 0.02, 0.6, 0.3, "lattice spacing (a rack needs at least two cells of depth)", false));
    p.push_back(number_param("max_air_speed_m_s", "m/s", 0.5, 30, 3.5,
                             "the fastest air expected (fan faces, tiles): sets the lattice time step at lattice speed 0.12", false));
    p.push_back(number_param("eddy_viscosity_m2_s", "m2/s", 1e-5, 1, 0.02,
                             "effective viscosity of the resolved air (molecular 1.5e-5; a coarse hall grid needs an eddy "
                             "viscosity, plus the Smagorinsky model on top)", false));
    p.push_back(number_param("eddy_diffusivity_m2_s", "m2/s", 0, 10, 0,
                             "effective thermal diffusivity of the resolved air (0: eddy viscosity / 0.85, a turbulent "
                             "Prandtl number of 0.85)", false));
    p.push_back(number_param("smagorinsky_cs", "", 0, 0.5, 0.16, "Smagorinsky constant of the subgrid model", false));
    p.push_back(choice_param("populations", {"fp32", "fp16"}, "fp32",
                             "storage of the D3Q19 populations: fp16 halves their memory (16-bit floats of f - w, FP32 "
                             "arithmetic; needs 16-bit storage buffers); the heat populations stay FP32", false));
    p.push_back(number_param("outdoor_c", "C", -30, 55, 35, "outdoor dry-bulb temperature (the heatwave; drives the chillers' efficiency)"));
    p.push_back(number_param("supply_c", "C", 10, 35, 18, "cooling units' supply air temperature setpoint"));
    p.push_back(number_param("design_rise_k", "K", 4, 30, 12, "racks' fans are sized for this temperature rise at nominal power", false));
    p.push_back(number_param("coolant_c", "C", 15, 60, 35, "liquid loop supply temperature at the cold plates"));
    p.push_back(choice_param("containment", {"none", "hot_aisle"}, "hot_aisle",
                             "hot-aisle containment: doors at the aisle ends and a roof that returns the air to the units"));
    p.push_back(number_param("utilization", "", 0, 1.2, 1, "share of every rack's nominal IT power in use (the fans stay at design speed)"));
    p.push_back(integer_param("failed_unit", 0, 256, 0, "this cooling unit (1-based) has failed; 0: none", true));
    p.push_back(number_param("slice_height_m", "m", 0, 20, 1.5, "height of the temperature slice drawn on the floor"));
    p.push_back(bool_param("vertical_slice", false, "also draw a vertical slice of the air temperature across the hall", true));
    p.push_back(number_param("vertical_slice_y_m", "m", 0, 500, 6, "where the vertical slice cuts across the rows (hall y)"));
    p.push_back(bool_param("volume", true, "draw the air temperature as a volume (hot air glows, cool air is clear)", true));
    p.push_back(number_param("volume_opacity", "", 0, 4, 1, "opacity of the temperature volume"));
    p.push_back(bool_param("volume_skipping", true,
                           "march the volume's rays across bricks of clear air in one jump (the same image, faster)", true));
    p.push_back(integer_param("particles", 0, 500000, 12000, "airflow tracers (coloured by the air temperature)"));
    p.push_back(number_param("tracer_speedup", "", 0, 100, 1, "tracers move this many times the air speed (playback time)"));
    p.push_back(number_param("temperature_min_c", "C", -10, 80, 15, "bottom of the temperature colour scale"));
    p.push_back(number_param("temperature_max_c", "C", -10, 100, 45, "top of the temperature colour scale"));

    RecordSpec rows{"rows", "rows of racks along x, fronts facing north or south", {}};
    ParamSpec faces = choice_param("faces", {"south", "north"}, "south", "the side the rack fronts (air intakes) face", false);
    ParamSpec server = choice_param("server", {"hgx_h100", "gb200_tray"}, "hgx_h100",
                                    "server type: 8-GPU HGX H100 (8 U, 10 kW) or a GB200 NVL72 compute tray (1 U)", false);
    rows.fields = {string_param("name", "", "label"),
                   required(number_param("x_m", "m", 0, 1e4, 0, "west end of the row", false)),
                   required(number_param("y_m", "m", 0, 1e4, 0, "centre line of the row", false)),
                   integer_param("racks", 1, 500, 10, "racks in the row, side by side along x"),
                   number_param("it_kw", "kW", 0, 1000, 40, "IT power of each rack at full load", false),
                   number_param("liquid_fraction", "", 0, 1, 0, "share of the rack's heat taken by its liquid loop", false),
                   integer_param("servers", 1, 72, 4, "servers per rack"),
                   faces, server,
                   path_param("model", "Assimp model of the rack (default assets/models/rack.gltf)")};
    rows.max_count = 64;
    RecordSpec units{"units", "cooling units (CRAH): supply through the floor tiles in front of their nearest racks", {}};
    units.fields = {string_param("name", "", "label"),
                    required(number_param("x_m", "m", 0, 1e4, 0, "centre", false)),
                    required(number_param("y_m", "m", 0, 1e4, 0, "centre", false)),
                    number_param("airflow_m3_s", "m3/s", 0.1, 1000, 20, "supply airflow", false)};
    units.max_count = 64;
    b.records = {rows, units};
    b.instances = true;  // several campuses in one world: [[datacenter]] entries with an id
    return b;
}

struct Box {
    uint32_t i0, i1, j0, j1, k0, k1;  // half-open cell ranges
};

struct Rack {
    std::string id;
    int row = 0, index = 0;
    double x0_m = 0, y0_m = 0;  // south-west corner of the footprint (hall coordinates)
    bool faces_north = false;
    RackConfig config;
    double it_kw = 0, liquid_fraction = 0, airflow_m3_s = 0;
    double flow_per_speed_in = 1, flow_per_speed_out = 1;  // lattice flow per unit of face speed
    Box body{};
    uint8_t suction = 0, exhaust = 0;  // patches
    RackResult result;
    std::vector<double> server_inlet_c;
    double inlet_mean_c = 0, inlet_max_c = 0;
    std::string model;
};

struct Unit {
    std::string name;
    double x_m = 0, y_m = 0, airflow_m3_s = 0;
    Box body{};
    uint8_t ret = 0;
    double return_c = 0, heat_removed_kw = 0;
};

class DatacenterModule final : public Module {
public:
    std::string name() const override { return "datacenter"; }
    std::string title() const override { return "AI data hall"; }
    BlockSpec block() const override { return datacenter_block(); }
    std::optional<double> natural_step_s(const ParamStore&) const override { return 0.5; }  // a window of lattice steps

    // [SECTION] Set-up

    void attach(AttachContext& ctx) override;

    static std::string format(double v) {
        std::ostringstream s;
        s << v;
        return s.str();
    }

    // Hall coordinates to cells, the half-open range covering [a, b).
    std::pair<uint32_t, uint32_t> span(double a, double b, uint32_t n) const {
        long i0 = std::lround(a / cell_), i1 = std::lround(b / cell_);
        if (i1 <= i0) i1 = i0 + 1;
        return {uint32_t(std::clamp(i0, 0L, long(n))), uint32_t(std::clamp(i1, 0L, long(n)))};
    }
    Box box(double x0, double x1, double y0, double y1, double z0, double z1) const {
        auto [i0, i1] = span(x0, x1, nx_);
        auto [j0, j1] = span(y0, y1, ny_);
        auto [k0, k1] = span(z0, z1, nz_);
        return {i0, i1, j0, j1, k0, k1};
    }
    size_t cell(uint32_t i, uint32_t j, uint32_t k) const { return (size_t(k) * ny_ + j) * nx_ + i; }

    void build_geometry(const ParamStore& p, const WorldInfo& info);

    // Patch velocities and temperatures from the current parameters and rack results.
    void update_patches(const ParamStore& p);

    // [SECTION] Stepping

    void step(StepContext& ctx) override;

    // The live values the solve and the drawing read between steps (outdoor and coolant temperatures, what is
    // drawn), from the parameters: at attach and at every step.
    void sync_live(const ParamStore& p);

    void before_draw(FrameInfo& frame) override;

    void frame_complete(uint32_t slot) override;

    // The probes the racks' and units' solve reads (LbmGpu::set_probes): one group per patch (its cells), then
    // one per rack and server (the strip of cells in front of it). probe_ holds each group's sum of T (C).
    void set_probes(const std::vector<uint8_t>& mask, double initial_c);
    double probe_mean(size_t group, size_t cells) const { return cells ? probe_[group] / double(cells) : supply_c_; }

    void solve_racks_from_air();

    double design_it_kw() const {
        double s = 0;
        for (const Rack& r : racks_) s += r.it_kw;
        return s;
    }

    void record_series();

    // [SECTION] Drawing

    void create_drawing(const ParamStore& p, const WorldInfo& info);

    glm::dvec2 world_xy(double x, double y) const { return {x - hall_[0] / 2, y - hall_[1] / 2}; }

    // ASHRAE: green in the recommended range (18-27 C), amber up to the A1 allowable 32 C, red above, blue below 18.
    static glm::vec4 inlet_colour(double t);

    void update_instances(bool force = false);

    void draw(DrawContext& ctx) override;

    void overlay(OverlayContext& ctx) override;

    void panel(PanelContext& ctx) override;

    // A click on a rack opens its cut-away in the panel (slab test against each rack's box, nearest hit).
    std::string pick(const glm::dvec3& origin, const glm::dvec3& dir) override;

    // Shift + drag moves the vertical slice across the rows to where the cursor's ray meets the floor (or, looking
    // along the floor, the slice's own height); with the vertical slice off it moves the horizontal slice's height
    // to where the ray crosses the hall's middle (y = centre).
    bool drag(const glm::dvec3& origin, const glm::dvec3& dir, ParamStore& params) override;

    std::vector<Metric> metrics() const override;

    void publish(OutputBus& bus) override;

    // [SECTION] Exports

    void export_results(const fs::path& dir, double t_s, const ParamStore&) override;

    std::vector<BenchKernel> bench_kernels(engine::Context& gpu) override { return lbm_bench_kernels(gpu); }

private:
    engine::Context* gpu_ = nullptr;
    engine::WorldRenderer* world_ = nullptr;
    const engine::ColormapTables* colormaps_ = nullptr;
    bool draws_ = true;
    std::array<double, 3> hall_{};
    double cell_ = 0.3;
    uint32_t nx_ = 0, ny_ = 0, nz_ = 0;
    LbmUnits units_;
    StabilityReport stability_;
    bool containment_ = false, has_aisles_ = false;
    uint8_t returns_ = 0, doors_ = 0;
    double utilization_ = 1;
    std::unique_ptr<LbmReference> ref_;
    std::unique_ptr<LbmGpu> solver_;
    std::vector<Patch> patches_;
    std::vector<Rack> racks_;
    std::vector<Unit> units_list_;
    uint8_t supply_ = 0;
    size_t tiles_ = 0;
    std::vector<Box> contained_;
    int failed_ = 0;
    double supply_c_ = 18, outdoor_c_ = 35, coolant_c_ = 35, t_min_c_ = 15, t_max_c_ = 45;

    uint64_t lattice_steps_ = 0, behind_steps_ = 0;
    uint32_t slot_ = 0, slice_layer_ = 0;
    double t_s_ = 0, host_t_s_ = 0;
    std::array<engine::Buffer, engine::kFramesInFlight> readback_;
    std::array<bool, engine::kFramesInFlight> pending_{};
    std::array<double, engine::kFramesInFlight> pending_t_{};
    std::vector<double> probe_;             // per probe group: sum of T (C)
    std::vector<size_t> patch_cells_;       // per patch: cells
    std::vector<size_t> rack_probe_base_;   // per rack: the group of its first server's strip

    double it_kw_ = 0, air_heat_kw_ = 0, heat_removed_kw_ = 0, lost_compute_ = 0, rti_ = 0;
    double stored_j_ = 0, stored_t_s_ = -1;
    int gpus_ = 0, throttled_ = 0;
    HallMetrics metrics_;
    FacilityPower facility_;
    std::vector<double> series_t_;
    std::vector<std::array<double, 6>> series_;
    std::vector<std::vector<double>> unit_series_;

    engine::Buffer slice_, volume_geometry_, lut_;
    engine::Buffer bricks_;  // one word per 4 x 4 x 4 cells: 0 where a volume ray sees nothing (volume_bricks.comp)
    engine::Buffer cells_;   // per cell: the temperature's place in the colour range, -1 when solid (the same pass)
    engine::Pipeline volume_pipe_, vslice_pipe_, bricks_pipe_;
    VkDescriptorSet bricks_set_ = VK_NULL_HANDLE;
    bool volume_skipping_ = true;
    bool vertical_slice_ = false;
    double vertical_y_m_ = 6;
    VkDescriptorSet volume_set_ = VK_NULL_HANDLE;
    bool volume_ = true;
    double volume_opacity_ = 1, tracer_speedup_ = 1;
    engine::Buffer particles_, range_;
    engine::Pipeline particle_pipe_, streak_pipe_;
    VkDescriptorSet particle_set_ = VK_NULL_HANDLE, streak_set_ = VK_NULL_HANDLE;
    uint32_t particle_count_ = 0;
    uint64_t frame_counter_ = 0;
    float m_per_px_ = 0.001f;
    engine::Pipeline slice_pipe_;
    std::unique_ptr<engine::DescriptorAllocator> descriptors_;
    VkDescriptorSet slice_set_ = VK_NULL_HANDLE;
    std::map<std::string, std::unique_ptr<engine::GpuMesh>> rack_meshes_;
    std::map<std::string, engine::MeshData> models_;
    std::string rack_mesh_path_;
    std::unique_ptr<engine::GpuMesh> unit_mesh_, box_mesh_;
    engine::InstanceBatch racks_batch_, units_batch_, panels_batch_;
    std::vector<engine::Instance> up_racks_, up_units_, up_panels_;
    bool frame_ready_ = false;
    int selected_ = 0;
    bool open_cutaway_ = false;
};

}  // namespace infrascape::datacenter
