// The Datacenter module; see datacenter_module.hpp and src/modules/README.md.
//
// Geometry on the lattice (hall coordinates: metres from the hall's south-west floor corner; x along the rows, y
// across them, z up; cell (i, j, k) spans [i c, (i + 1) c) and so on):
//  - a rack is a solid box 0.6 m wide (x), 1.2 m deep (y) and 2.1 m tall; its front layer of cells is an Inlet
//    patch sucking air in and its back layer an Inlet patch blowing it out, both with the lattice velocity of the
//    rack's fan airflow through its face, the exhaust at the temperature the rack model gives (so the rack's heat
//    enters the air exactly as the enthalpy of its exhaust, flux by flux);
//  - a cooling unit (CRAH) is a solid box 2.0 x 0.9 x 1.9 m; it supplies air at its supply temperature through
//    the perforated floor tiles in front of the racks nearest to it (Equilibrium patches at floor level blowing
//    up) and takes warm air back through its top (an Outlet patch, fixed pressure), or, with hot-aisle
//    containment, through the roof of the contained hot aisles (ducted to the units);
//  - hot-aisle containment closes the ends of each aisle between two rows' backs and roofs it at rack height.
// Each frame the hall's temperatures are read back; each rack's servers take the mean air temperature in front
// of them at their height, the rack model gives outlet and GPU temperatures, and the exhaust patches follow.
#include "modules/datacenter/datacenter_module.hpp"

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

namespace infrascape::datacenter {

namespace {

namespace fs = std::filesystem;

constexpr double kRackW = 0.6, kRackD = 1.2, kRackH = 2.1;          // m
constexpr double kUnitW = 2.0, kUnitD = 0.9, kUnitH = 1.9;          // m (assets/models/cooling_unit.obj)
constexpr double kULatticeMax = 0.12;                               // lattice speed of the fastest air
constexpr uint8_t kFluid = 0, kWall = 1;                            // LbmReference's fixed patches

BlockSpec datacenter_block() {
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

    void attach(AttachContext& ctx) override {
        gpu_ = &ctx.gpu;
        world_ = &ctx.world;
        draws_ = ctx.draws;
        colormaps_ = &ctx.colormaps;
        const ParamStore& p = ctx.params;
        hall_ = {p.number("datacenter.hall_x_m"), p.number("datacenter.hall_y_m"), p.number("datacenter.hall_z_m")};
        cell_ = p.number("datacenter.cell_m");
        nx_ = uint32_t(std::lround(hall_[0] / cell_));
        ny_ = uint32_t(std::lround(hall_[1] / cell_));
        nz_ = uint32_t(std::lround(hall_[2] / cell_));
        if (nx_ < 4 || ny_ < 4 || nz_ < 4)
            throw ParamError("datacenter.cell_m", "'datacenter.cell_m' = " + format(cell_) + " m leaves fewer than 4 cells across the hall");
        const LbmMemory mem = lbm_memory(*gpu_, nx_, ny_, nz_);
        if (!mem.fits)
            throw ParamError("datacenter.cell_m", "'datacenter.cell_m' = " + format(cell_) + " m is too fine for this GPU: " + mem.why);
        units_ = LbmUnits::from_velocity(cell_, p.number("datacenter.max_air_speed_m_s"), kULatticeMax);
        const double nu = p.number("datacenter.eddy_viscosity_m2_s");
        const double alpha = p.number("datacenter.eddy_diffusivity_m2_s") > 0 ? p.number("datacenter.eddy_diffusivity_m2_s") : nu / 0.85;
        stability_ = stability_report(units_, p.number("datacenter.max_air_speed_m_s"), nu, alpha);
        LbmParams lp;
        lp.tau = float(units_.tau_for_viscosity(p.number("datacenter.eddy_viscosity_m2_s")));
        lp.tau_thermal = float(units_.tau_for_diffusivity(alpha));
        lp.smagorinsky_cs = float(p.number("datacenter.smagorinsky_cs"));
        lp.beta_per_k = 1.0f / 300.0f;  // ideal gas near 27 C
        lp.gravity = {0, 0, -float(units_.acceleration_to_lattice(9.81))};
        lp.reference_c = float(p.number("datacenter.supply_c"));
        // Every row's rack model, read now so a bad file is an error under `run` too (drawing uploads them later).
        const auto& rows = p.records("datacenter.rows");
        for (size_t r = 0; r < rows.size(); ++r) {
            const std::string path = rows[r].text("model");
            if (path.empty() || models_.count(path)) continue;
            try {
                models_[path] = engine::load_model(path);
            } catch (const std::exception& e) {
                throw ParamError("datacenter.rows[" + std::to_string(r + 1) + "].model",
                                 "'datacenter.rows[" + std::to_string(r + 1) + "].model': " + e.what());
            }
        }
        ref_ = std::make_unique<LbmReference>(nx_, ny_, nz_, lp);
        build_geometry(p, ctx.info);
        ref_->initialise(1.0f, {0, 0, 0}, float(p.number("datacenter.supply_c")));
        solver_ = std::make_unique<LbmGpu>(*gpu_, *ref_);
        patches_ = ref_->patches();
        update_patches(p);
        solver_->set_patches(patches_);
        mask_ = ref_->mask();
        ref_.reset();  // the GPU holds the state now
        host_moments_.assign(size_t(nx_) * ny_ * nz_ * 4, 0.0f);
        for (size_t c = 0; c < host_moments_.size() / 4; ++c) host_moments_[4 * c + 3] = float(p.number("datacenter.supply_c"));
        for (auto& rb : readback_)
            rb = engine::Buffer(*gpu_, host_moments_.size() * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT, engine::MemoryKind::Readback,
                                "datacenter moments readback");
        sync_live(p);
        solve_racks_from_air();
        create_drawing(p, ctx.info);
    }

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

    void build_geometry(const ParamStore& p, const WorldInfo& info) {
        racks_.clear();
        units_list_.clear();
        const auto& rows = p.records("datacenter.rows");
        const double fan_rise = p.number("datacenter.design_rise_k");
        for (size_t r = 0; r < rows.size(); ++r) {
            const Record& row = rows[r];
            const std::string where = "datacenter.rows[" + std::to_string(r + 1) + "]";
            const int n = int(row.number("racks"));
            const double x0 = row.number("x_m"), yc = row.number("y_m");
            if (x0 + n * kRackW > hall_[0] + 1e-9 || yc - kRackD / 2 < 0 || yc + kRackD / 2 > hall_[1] + 1e-9)
                throw ParamError(where + ".x_m", "'" + where + "': " + std::to_string(n) + " racks from x = " + format(x0) +
                                                     " m at y = " + format(yc) + " m do not fit in the " + format(hall_[0]) +
                                                     " x " + format(hall_[1]) + " m hall");
            if (kRackD / cell_ < 1.999)
                throw ParamError("datacenter.cell_m", "'datacenter.cell_m' = " + format(cell_) +
                                                          " m: a rack's 1.2 m depth needs at least two cells (cell_m <= 0.6)");
            for (int k = 0; k < n; ++k) {
                Rack rack;
                rack.row = int(r);
                rack.index = k;
                rack.id = (row.text("name").empty() ? "R" + std::to_string(r + 1) : row.text("name")) + "-" + std::to_string(k + 1);
                rack.x0_m = x0 + k * kRackW;
                rack.y0_m = yc - kRackD / 2;
                rack.faces_north = row.text("faces") == "north";
                rack.it_kw = row.number("it_kw");
                rack.liquid_fraction = row.number("liquid_fraction");
                rack.model = row.text("model");
                rack.config.server = row.text("server") == "gb200_tray" ? gb200_nvl72_tray() : hgx_h100_server();
                rack.config.servers = int(row.number("servers"));
                rack.config.design_rise_k = fan_rise;
                // Scale the server's components so the rack's nominal power is it_kw.
                const double nominal = rack.config.server.nominal_power_w() * rack.config.servers;
                if (nominal > 0)
                    for (Component& c : rack.config.server.components) c.power_w *= rack.it_kw * 1000 / nominal;
                if (server_centre_height_m(rack.config, rack.config.servers - 1) > kRackH)
                    throw ParamError(where + ".servers", "'" + where + ".servers': " + std::to_string(rack.config.servers) + " " +
                                                             row.text("server") + " servers do not fit in a " + format(kRackH) + " m rack");
                // Fans sized for the air's share at the design rise.
                rack.airflow_m3_s = design_airflow_m3_per_s(rack.it_kw * 1000 * (1 - rack.liquid_fraction), fan_rise, rack.config.air);
                rack.body = box(rack.x0_m, rack.x0_m + kRackW, rack.y0_m, rack.y0_m + kRackD, 0, kRackH);
                for (const Rack& other : racks_)
                    if (other.body.i0 < rack.body.i1 && rack.body.i0 < other.body.i1 && other.body.j0 < rack.body.j1 &&
                        rack.body.j0 < other.body.j1)
                        throw ParamError(where + ".y_m", "'" + where + "': rack " + rack.id + " overlaps rack " + other.id);
                racks_.push_back(rack);
            }
        }
        if (racks_.empty()) throw ParamError("datacenter", "[datacenter]: the hall needs at least one row of racks ([[datacenter.rows]])");
        if (racks_.size() > 120) throw ParamError("datacenter.rows", "'datacenter.rows': at most 120 racks (" + std::to_string(racks_.size()) + " given)");
        const auto& us = p.records("datacenter.units");
        for (size_t u = 0; u < us.size(); ++u) {
            Unit unit;
            unit.name = us[u].text("name").empty() ? "CRAH-" + std::to_string(u + 1) : us[u].text("name");
            unit.x_m = us[u].number("x_m");
            unit.y_m = us[u].number("y_m");
            unit.airflow_m3_s = us[u].number("airflow_m3_s");
            const std::string where = "datacenter.units[" + std::to_string(u + 1) + "]";
            if (unit.x_m - kUnitW / 2 < 0 || unit.x_m + kUnitW / 2 > hall_[0] + 1e-9 || unit.y_m - kUnitD / 2 < 0 ||
                unit.y_m + kUnitD / 2 > hall_[1] + 1e-9)
                throw ParamError(where + ".x_m", "'" + where + "': a unit at (" + format(unit.x_m) + ", " + format(unit.y_m) +
                                                     ") m does not fit in the " + format(hall_[0]) + " x " + format(hall_[1]) + " m hall");
            unit.body = box(unit.x_m - kUnitW / 2, unit.x_m + kUnitW / 2, unit.y_m - kUnitD / 2, unit.y_m + kUnitD / 2, 0, kUnitH);
            units_list_.push_back(unit);
        }
        if (units_list_.empty()) throw ParamError("datacenter.units", "'datacenter.units': the hall needs at least one cooling unit");
        if (2 * racks_.size() + 2 * units_list_.size() + 4 > 256)
            throw ParamError("datacenter.rows", "'datacenter.rows': too many racks and units for the patch table (256)");

        // Solids and patches.
        LbmReference& lb = *ref_;
        for (Rack& r : racks_) {
            lb.fill_box(r.body.i0, r.body.i1, r.body.j0, r.body.j1, r.body.k0, r.body.k1, kWall);
            r.suction = lb.add_patch({CellKind::Inlet, {0, 0, 0}, 20.0f});
            r.exhaust = lb.add_patch({CellKind::Inlet, {0, 0, 0}, 20.0f});
            const uint32_t front = r.faces_north ? r.body.j1 - 1 : r.body.j0, back = r.faces_north ? r.body.j0 : r.body.j1 - 1;
            lb.fill_box(r.body.i0, r.body.i1, front, front + 1, r.body.k0, r.body.k1, r.suction);
            lb.fill_box(r.body.i0, r.body.i1, back, back + 1, r.body.k0, r.body.k1, r.exhaust);
        }
        for (Unit& u : units_list_) {
            lb.fill_box(u.body.i0, u.body.i1, u.body.j0, u.body.j1, u.body.k0, u.body.k1, kWall);
            u.ret = lb.add_patch({CellKind::Outlet, {0, 0, 0}, 25.0f});
            if (u.body.k1 < nz_) lb.fill_box(u.body.i0, u.body.i1, u.body.j0, u.body.j1, u.body.k1, u.body.k1 + 1, u.ret);
        }
        // Perforated tiles: the floor cells in front of each rack, fed by the nearest unit.
        // Perforated tiles cover the cold aisles: the floor up to 1.2 m in front of each rack, stopping at anything
        // solid. The units blow into one pressurised raised-floor plenum, so every tile delivers the same share of
        // the working units' airflow (one Equilibrium patch for all of them).
        supply_ = lb.add_patch({CellKind::Equilibrium, {0, 0, 0}, 18.0f});
        tiles_ = 0;
        const uint32_t tile_rows = std::max(1u, uint32_t(std::lround(1.2 / cell_)));
        for (const Rack& r : racks_)
            for (uint32_t d = 0; d < tile_rows; ++d) {
                const long jj = r.faces_north ? long(r.body.j1) + d : long(r.body.j0) - 1 - long(d);
                if (jj < 0 || jj >= long(ny_)) break;
                bool blocked = false;
                for (uint32_t i = r.body.i0; i < r.body.i1; ++i) {
                    const size_t c = cell(i, uint32_t(jj), 0);
                    if (lb.mask()[c] == supply_) continue;
                    if (lb.mask()[c] != kFluid) {
                        blocked = true;
                        continue;
                    }
                    lb.set_cell(i, uint32_t(jj), 0, supply_);
                    ++tiles_;
                }
                if (blocked) break;
            }
        if (tiles_ == 0) throw ParamError("datacenter.rows", "'datacenter.rows': no room for floor tiles in front of any rack");
        double total = 0;
        for (const Unit& u : units_list_) total += u.airflow_m3_s;
        const double tile_speed = total / (double(tiles_) * cell_ * cell_);
        double fastest = tile_speed;
        for (const Rack& r : racks_)
            fastest = std::max(fastest, r.airflow_m3_s / (double(r.body.i1 - r.body.i0) * (r.body.k1 - r.body.k0) * cell_ * cell_));
        if (fastest > p.number("datacenter.max_air_speed_m_s") * 1.0001)
            throw ParamError("datacenter.max_air_speed_m_s",
                             "'datacenter.max_air_speed_m_s' = " + format(p.number("datacenter.max_air_speed_m_s")) +
                                 " m/s, but the tiles blow " + format(std::round(tile_speed * 10) / 10) +
                                 " m/s and the fastest rack face moves " + format(std::round(fastest * 10) / 10) +
                                 " m/s: raise it (the lattice time step shrinks) or give the air more tiles");
        // Hot-aisle containment: between a row whose backs face north and the next row north whose backs face
        // south, end panels and a roof at rack height whose cells are the ducted return.
        contained_.clear();
        {  // built whatever the setting: the panel or timeline may switch containment on or off (patch kinds)
            returns_ = lb.add_patch({CellKind::Outlet, {0, 0, 0}, 25.0f});
            doors_ = lb.add_patch({CellKind::Wall, {0, 0, 0}, 25.0f});
            for (const Rack& a : racks_) {
                if (a.faces_north || a.index != 0) continue;  // a row facing south (backs north), once per row
                for (const Rack& b : racks_) {
                    if (!b.faces_north || b.index != 0 || b.y0_m <= a.y0_m) continue;
                    const double gap = b.y0_m - (a.y0_m + kRackD);
                    if (gap <= 0 || gap > 3.0) continue;
                    double x_lo = 1e30, x_hi = -1e30;
                    for (const Rack& r : racks_)
                        if (r.row == a.row || r.row == b.row) x_lo = std::min(x_lo, r.x0_m), x_hi = std::max(x_hi, r.x0_m + kRackW);
                    const Box aisle = box(x_lo, x_hi, a.y0_m + kRackD, b.y0_m, 0, kRackH);
                    const uint32_t j0 = a.body.j1, j1 = b.body.j0;
                    if (j1 <= j0) continue;
                    // End doors one cell clear of the racks' ends (a door flush with an exhaust face puts a wall on
                    // the face's diagonal links, which makes the corner cells unstable), closed round to the rows.
                    const uint32_t w0 = aisle.i0 >= 2 ? aisle.i0 - 2 : 0, w1 = std::min(aisle.i1 + 2, nx_);
                    if (aisle.i0 >= 2) {
                        lb.fill_box(w0, w0 + 1, j0 - 1, j1 + 1, 0, aisle.k1, doors_);
                        lb.fill_box(w0 + 1, aisle.i0, j0 - 1, j0, 0, aisle.k1, doors_);
                        lb.fill_box(w0 + 1, aisle.i0, j1, j1 + 1, 0, aisle.k1, doors_);
                    }
                    if (aisle.i1 + 2 <= nx_) {
                        lb.fill_box(w1 - 1, w1, j0 - 1, j1 + 1, 0, aisle.k1, doors_);
                        lb.fill_box(aisle.i1, w1 - 1, j0 - 1, j0, 0, aisle.k1, doors_);
                        lb.fill_box(aisle.i1, w1 - 1, j1, j1 + 1, 0, aisle.k1, doors_);
                    }
                    const uint32_t r0 = aisle.i0 >= 2 ? aisle.i0 - 1 : aisle.i0, r1 = aisle.i1 + 2 <= nx_ ? aisle.i1 + 1 : aisle.i1;
                    if (aisle.k1 < nz_) lb.fill_box(r0, r1, j0, j1, aisle.k1, aisle.k1 + 1, returns_);
                    contained_.push_back({r0, r1, j0, j1, 0, aisle.k1});
                }
            }
            has_aisles_ = !contained_.empty();
        }
        // What each fan face moves per unit of speed on this geometry (faces touching the floor or a neighbour lose
        // their edge links), so the racks deliver their design airflow.
        for (Rack& r : racks_) {
            const std::array<float, 3> d{0, r.faces_north ? -1.0f : 1.0f, 0};
            r.flow_per_speed_in = face_flow_per_speed(lb, r.suction, d, false);
            r.flow_per_speed_out = face_flow_per_speed(lb, r.exhaust, d, true);
            if (r.flow_per_speed_in <= 0 || r.flow_per_speed_out <= 0)
                throw ParamError("datacenter.rows[" + std::to_string(r.row + 1) + "].y_m",
                                 "'datacenter.rows[" + std::to_string(r.row + 1) + "]': rack " + r.id +
                                     " has no air in front of or behind it (against a wall or another rack)");
        }
        (void)info;
    }

    // Patch velocities and temperatures from the current parameters and rack results.
    void update_patches(const ParamStore& p) {
        const float supply_c = float(p.number("datacenter.supply_c"));
        const int failed = int(p.number("datacenter.failed_unit"));
        for (Rack& r : racks_) {
            // Design airflow in lattice cells^3 per step, over what each face moves per unit of speed.
            const double q_lattice = r.airflow_m3_s * units_.dt_s / (cell_ * cell_ * cell_);
            const float v_in = float(q_lattice / r.flow_per_speed_in), v_out = float(q_lattice / r.flow_per_speed_out);
            const float dir = r.faces_north ? -1.0f : 1.0f;  // air flows from the front through to the back
            patches_[r.suction] = {CellKind::Inlet, {0, dir * v_in, 0}, patches_[r.suction].temperature_c};
            const float out_c = r.result.servers.empty() ? supply_c : float(r.result.outlet_c);
            patches_[r.exhaust] = {CellKind::Inlet, {0, dir * v_out, 0}, out_c};
        }
        double working = 0;
        for (size_t u = 0; u < units_list_.size(); ++u) {
            Unit& unit = units_list_[u];
            const bool down = failed == int(u + 1);
            if (!down) working += unit.airflow_m3_s;
            // A failed unit's fans stop: its return grille is closed and the plenum loses its airflow.
            patches_[unit.ret] = down ? Patch{CellKind::Wall, {0, 0, 0}, 25.0f} : Patch{CellKind::Outlet, {0, 0, 0}, 25.0f};
        }
        containment_ = has_aisles_ && p.text("datacenter.containment") == "hot_aisle";
        if (has_aisles_) {
            patches_[doors_] = containment_ ? Patch{CellKind::Wall, {0, 0, 0}, 25.0f} : Patch{CellKind::Fluid, {0, 0, 0}, 25.0f};
            patches_[returns_] = containment_ ? Patch{CellKind::Outlet, {0, 0, 0}, 25.0f} : Patch{CellKind::Fluid, {0, 0, 0}, 25.0f};
        }
        utilization_ = p.number("datacenter.utilization");
        const float w = float(units_.velocity_to_lattice(working / (double(tiles_) * cell_ * cell_)));
        patches_[supply_] = Patch{CellKind::Equilibrium, {0, 0, w}, supply_c};
        failed_ = failed;
        supply_c_ = supply_c;
    }

    // [SECTION] Stepping

    void step(StepContext& ctx) override {
        const ParamStore& p = ctx.params;
        update_patches(p);
        solver_->record_patches(ctx.cmd, patches_);
        const uint64_t due = uint64_t(std::floor(units_.steps_for_time(ctx.t_s + ctx.dt_s) + 1e-9));
        const uint32_t n = uint32_t(std::min<uint64_t>(due > lattice_steps_ ? due - lattice_steps_ : 0, 4000));
        if (ctx.timer && n) ctx.timer->begin(ctx.cmd, "datacenter.lbm");
        for (uint32_t k = 0; k < n; ++k) solver_->record_step(ctx.cmd);
        if (ctx.timer && n) ctx.timer->end(ctx.cmd);
        lattice_steps_ += n;
        behind_steps_ = due - lattice_steps_;
        slot_ = ctx.slot;
        // The air for the racks' next solve: copied at every window's end (the last copy of a frame wins).
        const uint32_t slot = slot_ % engine::kFramesInFlight;
        engine::Buffer& m = solver_->moments_buffer();
        m.use(ctx.cmd, engine::Access::TransferSrc);
        readback_[slot].use(ctx.cmd, engine::Access::TransferDst);
        const VkBufferCopy all{0, 0, host_moments_.size() * 4};
        vkCmdCopyBuffer(ctx.cmd, m.handle(), readback_[slot].handle(), 1, &all);
        readback_[slot].use(ctx.cmd, engine::Access::HostRead);
        pending_[slot] = true;
        pending_t_[slot] = units_.time_s(double(lattice_steps_));
        t_s_ = units_.time_s(double(lattice_steps_));
        sync_live(p);
    }

    // The live values the solve and the drawing read between steps (outdoor and coolant temperatures, what is
    // drawn), from the parameters: at attach and at every step.
    void sync_live(const ParamStore& p) {
        outdoor_c_ = p.number("datacenter.outdoor_c");
        coolant_c_ = p.number("datacenter.coolant_c");
        slice_layer_ = uint32_t(std::clamp(std::floor(p.number("datacenter.slice_height_m") / cell_), 0.0, double(nz_ - 1)));
        t_min_c_ = p.number("datacenter.temperature_min_c");
        t_max_c_ = p.number("datacenter.temperature_max_c");
        volume_ = p.flag("datacenter.volume");
        vertical_slice_ = p.flag("datacenter.vertical_slice");
        vertical_y_m_ = std::clamp(p.number("datacenter.vertical_slice_y_m"), 0.0, hall_[1]);
        tracer_speedup_ = p.number("datacenter.tracer_speedup");
        volume_opacity_ = p.number("datacenter.volume_opacity");
    }

    void before_draw(FrameInfo& frame) override {
        VkCommandBuffer cmd = frame.cmd;
        if (!draws_ || !frame.push) return;
        // The temperature slice for the floor overlay.
        const glm::uvec4 sp(nx_, ny_, nz_, slice_layer_);
        solver_->moments_buffer().use(cmd, engine::Access::ComputeRead);
        solver_->mask_buffer().use(cmd, engine::Access::ComputeRead);
        solver_->patches_buffer().use(cmd, engine::Access::ComputeRead);
        slice_.use(cmd, engine::Access::ComputeWrite);
        slice_pipe_.bind(cmd, slice_set_);
        slice_pipe_.push(cmd, sp);
        engine::dispatch_2d(cmd, nx_, ny_, 16, 16);
        slice_.use(cmd, engine::Access::FragmentSampled);
        world_->overlay_style.min = float(t_min_c_);
        world_->overlay_style.max = float(t_max_c_);
        world_->overlay_style.colormap = engine::Colormap::Inferno;
        world_->overlay_style.opacity = 0.92f;
        world_->prepare_overlay(cmd);
        if (particle_count_ > 0) {
            struct {
                glm::uvec4 n;
                glm::vec4 move;
            } pp{glm::uvec4(particle_count_, uint32_t(++frame_counter_), 0, 0),
                 glm::vec4(float(frame.wall_dt_s * tracer_speedup_), float(units_.velocity_to_m_s(1.0)), 6.0f, 0.0f)};
            solver_->moments_buffer().use(cmd, engine::Access::ComputeRead);
            volume_geometry_.use(cmd, engine::Access::ComputeRead);
            particles_.use(cmd, engine::Access::ComputeWrite);
            particle_pipe_.bind(cmd, particle_set_);
            particle_pipe_.push(cmd, pp);
            vkCmdDispatch(cmd, (particle_count_ + 63) / 64, 1, 1);
            particles_.use(cmd, engine::Access::VertexShaderRead);
            const glm::vec4 range(float(t_min_c_), float(t_max_c_), 0, 0);
            range_.use(cmd, engine::Access::TransferDst);
            vkCmdUpdateBuffer(cmd, range_.handle(), 0, sizeof(range), &range);
            range_.use(cmd, engine::Access::VertexShaderRead);
            m_per_px_ = float(2.0 * std::tan(frame.fov_deg * M_PI / 360.0) / std::max(1.0f, frame.viewport_h));
        }
        solver_->moments_buffer().use(cmd, engine::Access::FragmentSampled);
        solver_->moments_buffer().use(cmd, engine::Access::VertexShaderRead);  // the tracers' colours
        solver_->mask_buffer().use(cmd, engine::Access::FragmentSampled);
        solver_->patches_buffer().use(cmd, engine::Access::FragmentSampled);
        volume_geometry_.use(cmd, engine::Access::VertexShaderRead);
        lut_.use(cmd, engine::Access::VertexShaderRead);
        lut_.use(cmd, engine::Access::FragmentSampled);
        update_instances();
        if (racks_batch_.count) engine::WorldRenderer::prepare_instances(cmd, racks_batch_);
        if (units_batch_.count) engine::WorldRenderer::prepare_instances(cmd, units_batch_);
        if (panels_batch_.count) engine::WorldRenderer::prepare_instances(cmd, panels_batch_);
        frame_ready_ = true;
    }

    void frame_complete(uint32_t slot) override {
        slot %= engine::kFramesInFlight;
        if (!pending_[slot]) return;
        readback_[slot].invalidate();
        std::memcpy(host_moments_.data(), readback_[slot].mapped(), host_moments_.size() * 4);
        pending_[slot] = false;
        host_t_s_ = pending_t_[slot];
        // Racks from the air in front of them; the exhaust patches follow on the next step.
        solve_racks_from_air();
        record_series();
    }

    float temp_at(uint32_t i, uint32_t j, uint32_t k) const { return host_moments_[4 * cell(i, j, k) + 3]; }

    void solve_racks_from_air() {
        for (Rack& r : racks_) {
            const uint32_t j = r.faces_north ? std::min(r.body.j1, ny_ - 1) : (r.body.j0 > 0 ? r.body.j0 - 1 : 0);
            std::vector<ServerInput> inputs(size_t(r.config.servers));
            r.server_inlet_c.assign(inputs.size(), 0.0);
            for (int s = 0; s < r.config.servers; ++s) {
                const double h = server_centre_height_m(r.config, s);
                const uint32_t k = uint32_t(std::clamp(std::floor(h / cell_), 0.0, double(nz_ - 1)));
                double sum = 0;
                for (uint32_t i = r.body.i0; i < r.body.i1; ++i) sum += temp_at(i, j, k);
                const double t_in = sum / double(r.body.i1 - r.body.i0);
                inputs[size_t(s)].inlet_c = t_in;
                inputs[size_t(s)].liquid_fraction = r.liquid_fraction;
                inputs[size_t(s)].coolant_c = coolant_c_;
                inputs[size_t(s)].airflow_m3_per_s = r.airflow_m3_s / r.config.servers;
                r.server_inlet_c[size_t(s)] = t_in;
            }
            if (r.airflow_m3_s <= 0)
                for (auto& in : inputs) in.airflow_m3_per_s = 1e-3;
            if (utilization_ == 1.0) {
                r.result = solve_rack(r.config, inputs);
            } else {
                RackConfig used = r.config;
                for (Component& c : used.server.components) c.power_w *= utilization_;
                r.result = solve_rack(used, inputs);
            }
            r.inlet_mean_c = 0;
            r.inlet_max_c = -1e30;
            for (double t : r.server_inlet_c) r.inlet_mean_c += t / r.server_inlet_c.size(), r.inlet_max_c = std::max(r.inlet_max_c, t);
        }
        // Cooling units: return temperature from their own return cells (or the contained aisles' roofs).
        auto mean_over = [&](auto pred) {
            double s = 0;
            size_t n = 0;
            for (uint32_t k = 0; k < nz_; ++k)
                for (uint32_t j = 0; j < ny_; ++j)
                    for (uint32_t i = 0; i < nx_; ++i)
                        if (pred(mask_[cell(i, j, k)])) s += temp_at(i, j, k), ++n;
            return n ? s / n : supply_c_;
        };
        const double shared_return = containment_ ? mean_over([&](uint8_t m) { return m == returns_; }) : 0.0;
        for (size_t u = 0; u < units_list_.size(); ++u) {
            Unit& unit = units_list_[u];
            // Its own top grille, and with containment the aisle roofs ducted to all units.
            const double own = mean_over([&](uint8_t m) { return m == unit.ret; });
            unit.return_c = failed_ == int(u + 1) ? supply_c_ : containment_ ? 0.5 * (own + shared_return) : own;
        }
        // Facility.
        double it = 0, liquid = 0, air_heat = 0, lost = 0;
        int gpus = 0, throttled = 0;
        std::vector<double> intakes;
        for (const Rack& r : racks_) {
            it += r.result.it_power_w / 1000;
            liquid += r.result.heat_to_liquid_w / 1000;
            air_heat += r.result.heat_to_air_w / 1000;
            gpus += r.result.gpus;
            throttled += r.result.throttled_gpus;
            lost += r.result.lost_compute_fraction * r.result.gpus;
            for (double t : r.server_inlet_c) intakes.push_back(t);
        }
        it_kw_ = it;
        air_heat_kw_ = air_heat;
        // Heat the units remove, from the hall's energy balance: what the racks put into the air minus what the air
        // keeps (the change of its enthalpy between readbacks); shared among the working units by airflow.
        double stored_k = 0;
        for (size_t c = 0; c < mask_.size(); ++c) {
            const CellKind k = patches_[mask_[c]].kind;
            if (k == CellKind::Fluid || k == CellKind::Outlet) stored_k += host_moments_[4 * c + 3];
        }
        const AirProperties air;
        const double stored_j = stored_k * air.density_kg_per_m3 * air.cp_j_per_kg_k * cell_ * cell_ * cell_;
        if (stored_t_s_ >= 0 && host_t_s_ > stored_t_s_ + 1e-9) {
            const double keep_kw = (stored_j - stored_j_) / (host_t_s_ - stored_t_s_) / 1000;
            heat_removed_kw_ = air_heat - keep_kw;
        }
        if (host_t_s_ > stored_t_s_ + 1e-9 || stored_t_s_ < 0) {
            stored_j_ = stored_j;
            stored_t_s_ = host_t_s_;
        }
        double working = 0;
        for (size_t u = 0; u < units_list_.size(); ++u)
            if (failed_ != int(u + 1)) working += units_list_[u].airflow_m3_s;
        for (size_t u = 0; u < units_list_.size(); ++u)
            units_list_[u].heat_removed_kw = failed_ == int(u + 1) || working <= 0 ? 0.0 : heat_removed_kw_ * units_list_[u].airflow_m3_s / working;
        gpus_ = gpus;
        throttled_ = throttled;
        lost_compute_ = gpus ? lost / gpus : 0;
        if (!intakes.empty()) metrics_ = hall_metrics(intakes);
        std::vector<double> q, rise;
        for (const Rack& r : racks_) q.push_back(r.result.airflow_m3_per_s), rise.push_back(r.result.outlet_c - r.inlet_mean_c);
        double ret = 0, flow = 0;
        for (const Unit& u : units_list_)
            if (u.heat_removed_kw != 0 || failed_ == 0) ret += u.return_c * u.airflow_m3_s, flow += u.airflow_m3_s;
        const double eq_rise = racks_.empty() ? 0.0 : airflow_weighted_rise_k(q, rise);
        rti_ = flow <= 0 || eq_rise <= 0 ? 0 : rti_percent(ret / flow, supply_c_, eq_rise);
        FacilityConfig fc;
        fc.design_it_kw = std::max(1.0, design_it_kw());
        FacilityLoad load;
        load.it_kw = it;
        load.liquid_fraction = it > 0 ? liquid / it : 0;
        load.outdoor_c = outdoor_c_;
        facility_ = facility_power(load, fc);
    }

    double design_it_kw() const {
        double s = 0;
        for (const Rack& r : racks_) s += r.it_kw;
        return s;
    }

    void record_series() {
        if (!series_t_.empty() && host_t_s_ < series_t_.back() + 1.0 - 1e-9) return;
        series_t_.push_back(host_t_s_);
        series_.push_back({it_kw_, facility_.cooling_kw + facility_.fans_kw, facility_.pue, heat_removed_kw_,
                           metrics_.max_intake_c, double(throttled_)});
        std::vector<double> per_unit;
        for (const Unit& u : units_list_) per_unit.push_back(u.heat_removed_kw);
        unit_series_.push_back(per_unit);
    }

    // [SECTION] Drawing

    void create_drawing(const ParamStore& p, const WorldInfo& info) {
        if (!draws_) return;
        const size_t n2 = size_t(nx_) * ny_;
        slice_ = engine::Buffer(*gpu_, n2 * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "datacenter slice");
        std::vector<float> nan(n2, std::nanf(""));
        slice_.upload(nan.data(), n2 * 4);
        const auto cs = VK_SHADER_STAGE_COMPUTE_BIT;
        slice_pipe_ = engine::Pipeline::compute(*gpu_, "datacenter/slice.comp",
                                                {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}, {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                                 {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}, {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}},
                                                sizeof(glm::uvec4), "datacenter slice");
        descriptors_ = std::make_unique<engine::DescriptorAllocator>(*gpu_);
        slice_set_ = descriptors_->allocate(slice_pipe_.set_layout());
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, solver_->moments_buffer())
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, solver_->mask_buffer())
            .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, solver_->patches_buffer())
            .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, slice_)
            .write(gpu_->device(), slice_set_);
        engine::OverlayDesc od;
        od.values = &slice_;
        od.nx = nx_;
        od.ny = ny_;
        od.x0 = -hall_[0] / 2 + cell_ / 2;
        od.y0 = -hall_[1] / 2 + cell_ / 2;
        od.dx = od.dy = cell_;
        world_->set_overlay(od);
        // The volume: the hall's box, the lattice's geometry and an inferno table (linear colour).
        struct VolumeGeometry {
            glm::vec4 origin, size;
            glm::uvec4 dims;
        } vg{glm::vec4(float(-hall_[0] / 2), float(-hall_[1] / 2), 0.0f, float(cell_)),
             glm::vec4(float(nx_ * cell_), float(ny_ * cell_), float(nz_ * cell_), 0.0f), glm::uvec4(nx_, ny_, nz_, 0)};
        volume_geometry_ = engine::Buffer(*gpu_, sizeof(vg), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device,
                                          "datacenter volume geometry");
        volume_geometry_.upload(&vg, sizeof(vg));
        const std::array<glm::vec4, 256> lut = engine::linear_table(*colormaps_, engine::Colormap::Inferno);
        lut_ = engine::Buffer(*gpu_, sizeof(lut), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "datacenter lut");
        lut_.upload(lut.data(), sizeof(lut));
        const VkShaderStageFlags vs = VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, fs = VK_SHADER_STAGE_FRAGMENT_BIT;
        engine::GraphicsDesc vol = world_->pass_desc();
        vol.vertex = "datacenter/volume.vert";
        vol.fragment = "datacenter/volume.frag";
        vol.bindings = {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, vs}, {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, fs},
                        {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, fs}, {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, fs},
                        {4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, fs}};
        vol.push_constant_bytes = sizeof(engine::FramePush);
        vol.cull = VK_CULL_MODE_BACK_BIT;
        vol.depth_write = false;
        vol.blend = engine::Blend::Alpha;
        volume_pipe_ = engine::Pipeline::graphics(*gpu_, vol, "datacenter volume");
        engine::GraphicsDesc vs_desc = vol;
        vs_desc.vertex = "datacenter/vslice.vert";
        vs_desc.fragment = "datacenter/vslice.frag";
        vs_desc.cull = VK_CULL_MODE_NONE;
        vslice_pipe_ = engine::Pipeline::graphics(*gpu_, vs_desc, "datacenter vertical slice");
        volume_set_ = descriptors_->allocate(volume_pipe_.set_layout());
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, volume_geometry_)
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, solver_->moments_buffer())
            .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, solver_->mask_buffer())
            .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, solver_->patches_buffer())
            .buffer(4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, lut_)
            .write(gpu_->device(), volume_set_);
        // Airflow tracers.
        particle_count_ = uint32_t(p.number("datacenter.particles"));
        if (particle_count_ > 0) {
            std::vector<glm::vec4> zero(2 * size_t(particle_count_), glm::vec4(0));
            particles_ = engine::Buffer(*gpu_, zero.size() * 16, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device,
                                        "datacenter tracers");
            particles_.upload(zero.data(), zero.size() * 16);
            range_ = engine::Buffer(*gpu_, 16, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                    engine::MemoryKind::Device, "datacenter tracer colour range");
            const auto c = VK_SHADER_STAGE_COMPUTE_BIT;
            particle_pipe_ = engine::Pipeline::compute(*gpu_, "datacenter/particles.comp",
                                                       {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, c}, {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, c},
                                                        {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, c}, {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, c},
                                                        {4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, c}},
                                                       sizeof(glm::uvec4) + sizeof(glm::vec4), "datacenter tracers");
            particle_set_ = descriptors_->allocate(particle_pipe_.set_layout());
            engine::DescriptorWriter()
                .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, volume_geometry_)
                .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, solver_->moments_buffer())
                .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, solver_->mask_buffer())
                .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, solver_->patches_buffer())
                .buffer(4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, particles_)
                .write(gpu_->device(), particle_set_);
            const VkShaderStageFlags v = VK_SHADER_STAGE_VERTEX_BIT;
            engine::GraphicsDesc st = world_->pass_desc();
            st.vertex = "datacenter/streaks.vert";
            st.fragment = "datacenter/streaks.frag";
            st.bindings = {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, v}, {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, v},
                           {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, v}, {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, v},
                           {4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, v}};
            st.push_constant_bytes = sizeof(engine::FramePush);
            st.cull = VK_CULL_MODE_NONE;
            st.depth_write = false;
            st.blend = engine::Blend::Alpha;
            streak_pipe_ = engine::Pipeline::graphics(*gpu_, st, "datacenter streaks");
            streak_set_ = descriptors_->allocate(streak_pipe_.set_layout());
            engine::DescriptorWriter()
                .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, particles_)
                .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, volume_geometry_)
                .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, solver_->moments_buffer())
                .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, lut_)
                .buffer(4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, range_)
                .write(gpu_->device(), streak_set_);
        }
        // Meshes: each row's model (Assimp), the cooling unit, a box for containment panels.
        for (const Rack& r : racks_) {
            const std::string path = r.model.empty() ? (info.asset_dir / "models/rack.gltf").string() : r.model;
            if (!rack_meshes_.count(path))
                rack_meshes_[path] = std::make_unique<engine::GpuMesh>(
                    *gpu_, models_.count(path) ? models_.at(path) : engine::load_model(path), "rack");
        }
        rack_mesh_path_ = racks_.empty() ? "" : (racks_[0].model.empty() ? (info.asset_dir / "models/rack.gltf").string() : racks_[0].model);
        if (!rack_mesh_path_.empty()) racks_batch_.mesh = rack_meshes_[rack_mesh_path_].get();
        unit_mesh_ = std::make_unique<engine::GpuMesh>(*gpu_, engine::load_model(info.asset_dir / "models/cooling_unit.obj"), "cooling unit");
        units_batch_.mesh = unit_mesh_.get();
        box_mesh_ = std::make_unique<engine::GpuMesh>(*gpu_, engine::load_model(info.asset_dir / "models/building.obj"), "panel");
        panels_batch_.mesh = box_mesh_.get();
        update_instances(true);
        (void)p;
    }

    glm::dvec2 world_xy(double x, double y) const { return {x - hall_[0] / 2, y - hall_[1] / 2}; }

    // ASHRAE: green in the recommended range (18-27 C), amber up to the A1 allowable 32 C, red above, blue below 18.
    static glm::vec4 inlet_colour(double t) {
        if (t < 18) return {0.2f, 0.4f, 0.9f, 0.15f};
        if (t <= 27) return {0.15f, 0.7f, 0.25f, 0.15f};
        if (t <= 32) return {0.95f, 0.65f, 0.1f, 0.3f};
        return {0.95f, 0.12f, 0.08f, 0.6f};
    }

    void update_instances(bool force = false) {
        if (!draws_) return;
        std::vector<engine::Instance> racks, units, panels;
        for (const Rack& r : racks_) {
            const glm::dvec2 c = world_xy(r.x0_m + kRackW / 2, r.y0_m + kRackD / 2);
            engine::Instance in;
            // The model's front faces -y in the world; a north-facing rack turns half a turn.
            in.position_yaw = glm::vec4(float(c.x), float(c.y), 0.0f, r.faces_north ? float(M_PI) : 0.0f);
            in.scale = glm::vec4(1.0f, 1.0f, float(kRackH / 2.0), 0.0f);
            in.color = inlet_colour(r.inlet_max_c);
            if (int(racks.size()) == selected_) in.color.a = 0.9f;  // the rack in the cut-away glows
            racks.push_back(in);
        }
        for (size_t u = 0; u < units_list_.size(); ++u) {
            const Unit& unit = units_list_[u];
            const glm::dvec2 c = world_xy(unit.x_m, unit.y_m);
            engine::Instance in;
            in.position_yaw = glm::vec4(float(c.x), float(c.y), 0.0f, 0.0f);
            in.scale = glm::vec4(1.0f);
            in.color = failed_ == int(u + 1) ? glm::vec4(0.35f, 0.35f, 0.35f, 0.0f) : glm::vec4(0.55f, 0.7f, 0.95f, 0.1f);
            units.push_back(in);
        }
        for (const Box& a : containment_ ? contained_ : std::vector<Box>{}) {
            // End panels and the roof, thin boxes.
            const double x0 = a.i0 * cell_, x1 = a.i1 * cell_, y0 = a.j0 * cell_, y1 = a.j1 * cell_, h = a.k1 * cell_;
            for (double x : {x0 - cell_ / 2, x1 + cell_ / 2}) {
                engine::Instance in;
                const glm::dvec2 c = world_xy(x, (y0 + y1) / 2);
                in.position_yaw = glm::vec4(float(c.x), float(c.y), 0.0f, 0.0f);
                in.scale = glm::vec4(float(cell_ * 0.3), float(y1 - y0), float(h), 0.0f);
                in.color = glm::vec4(0.75f, 0.8f, 0.85f, 0.05f);
                panels.push_back(in);
            }
            engine::Instance roof;
            const glm::dvec2 c = world_xy((x0 + x1) / 2, (y0 + y1) / 2);
            roof.position_yaw = glm::vec4(float(c.x), float(c.y), float(h), 0.0f);
            roof.scale = glm::vec4(float(x1 - x0), float(y1 - y0), float(cell_ * 0.2), 0.0f);
            roof.color = glm::vec4(0.75f, 0.8f, 0.85f, 0.05f);
            panels.push_back(roof);
        }
        auto same = [](const std::vector<engine::Instance>& a, const std::vector<engine::Instance>& b) {
            return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(engine::Instance)) == 0;
        };
        if (force || !same(racks, up_racks_)) {
            if (!racks.empty()) racks_batch_.upload(*gpu_, racks, "racks");
            up_racks_ = racks;
        }
        if (force || !same(units, up_units_)) {
            if (!units.empty()) units_batch_.upload(*gpu_, units, "cooling units");
            up_units_ = units;
        }
        if (force || !same(panels, up_panels_)) {
            if (!panels.empty()) panels_batch_.upload(*gpu_, panels, "containment");
            up_panels_ = panels;
        }
    }

    void draw(DrawContext& ctx) override {
        if (!draws_ || !frame_ready_) return;
        if (racks_batch_.count) ctx.world.draw_instances(ctx.cmd, ctx.push, racks_batch_);
        if (units_batch_.count) ctx.world.draw_instances(ctx.cmd, ctx.push, units_batch_);
        if (panels_batch_.count) ctx.world.draw_instances(ctx.cmd, ctx.push, panels_batch_);
        if (particle_count_ > 0) {
            engine::FramePush push = ctx.push;
            push.extra = glm::vec4(0.12f, 1.6f, m_per_px_, 0.0f);
            streak_pipe_.bind(ctx.cmd, streak_set_);
            streak_pipe_.push(ctx.cmd, push);
            vkCmdDraw(ctx.cmd, particle_count_ * 6, 1, 0, 0);
        }
        if (vertical_slice_) {
            engine::FramePush push = ctx.push;
            push.extra = glm::vec4(float(t_min_c_), float(t_max_c_), float(vertical_y_m_ - hall_[1] / 2), 0.85f);
            vslice_pipe_.bind(ctx.cmd, volume_set_);  // the same bindings as the volume
            vslice_pipe_.push(ctx.cmd, push);
            vkCmdDraw(ctx.cmd, 6, 1, 0, 0);
        }
        if (volume_ && volume_opacity_ > 0) {
            engine::FramePush push = ctx.push;
            push.extra = glm::vec4(float(t_min_c_), float(t_max_c_), float(volume_opacity_), 0.0f);
            volume_pipe_.bind(ctx.cmd, volume_set_);
            volume_pipe_.push(ctx.cmd, push);
            vkCmdDraw(ctx.cmd, 36, 1, 0, 0);
        }
    }

    void overlay(OverlayContext& ctx) override {
        engine::LegendSpec legend;
        legend.quantity = "Air temperature at " + format(std::round(ctx.params.number("datacenter.slice_height_m") * 10) / 10) + " m";
        legend.unit = "C";
        legend.min = ctx.params.number("datacenter.temperature_min_c");
        legend.max = ctx.params.number("datacenter.temperature_max_c");
        legend.colormap = engine::Colormap::Inferno;
        engine::draw_legend(legend, ctx.colormaps);
        t_min_c_ = legend.min;  // the style is set before the next world pass (before_draw)
        t_max_c_ = legend.max;
        char text[240];
        std::snprintf(text, sizeof text, "IT %.2f MW   PUE %.2f   outdoor %.0f C   hottest inlet %.1f C   GPUs throttled %d/%d",
                      it_kw_ / 1000, facility_.pue, outdoor_c_, metrics_.max_intake_c, throttled_, gpus_);
        engine::StatusLine status{text};
        if (throttled_) status.background = IM_COL32(130, 20, 20, 215);
        engine::draw_status_lines({status});
    }

    void panel(PanelContext& ctx) override {
        ImGui::Text("Grid %u x %u x %u cells of %.2f m; step %.1f ms of air time; %llu steps%s", nx_, ny_, nz_, cell_,
                    units_.dt_s * 1000, static_cast<unsigned long long>(lattice_steps_), behind_steps_ ? " (behind)" : "");
        ImGui::Text("Mach %.2f, tau %.4f, tau_T %.4f", stability_.mach, stability_.tau, stability_.tau_thermal);
        if (!stability_.ok()) ImGui::TextColored(ImVec4(1, 0.5f, 0.3f, 1), "%s", stability_.warning.c_str());
        ImGui::Separator();
        ImGui::Text("IT %.0f kW, heat to air %.0f kW, removed by the units %.0f kW", it_kw_, air_heat_kw_, heat_removed_kw_);
        ImGui::Text("Cooling %.0f kW + fans %.0f kW, facility %.0f kW, PUE %.3f", facility_.cooling_kw, facility_.fans_kw,
                    facility_.facility_kw, facility_.pue);
        ImGui::Text("RCI-HI %.0f%%  RCI-LO %.0f%%  RTI %.0f%%", metrics_.rci_hi_percent, metrics_.rci_lo_percent, rti_);
        ImGui::Text("GPUs throttled %d of %d, compute lost %.1f%%", throttled_, gpus_, lost_compute_ * 100);
        // Inlet histogram, 1 K bins from 15 to 45 C.
        std::array<float, 30> bins{};
        for (const Rack& r : racks_)
            for (double t : r.server_inlet_c) bins[size_t(std::clamp(int(std::floor(t - 15)), 0, 29))] += 1;
        ImGui::PlotHistogram("server inlets, 15-45 C", bins.data(), int(bins.size()), 0, nullptr, 0, FLT_MAX,
                             ImVec2(ImGui::GetContentRegionAvail().x, 80));
        // PUE over time.
        if (!series_t_.empty()) {
            engine::PlotSpec spec;
            spec.title = "Facility";
            spec.x_label = "time";
            spec.x_unit = "s";
            spec.y_label = "PUE";
            spec.size = ImVec2(ImGui::GetContentRegionAvail().x, 110);
            std::vector<double> pue(series_.size());
            for (size_t i = 0; i < series_.size(); ++i) pue[i] = series_[i][2];
            engine::plot_series("pue", spec, {{"PUE", IM_COL32(250, 160, 60, 255), series_t_, pue}});
        }
        // Rack cut-away: servers bottom to top, each GPU coloured by temperature, throttled ones crossed.
        if (open_cutaway_) ImGui::SetNextItemOpen(true);
        open_cutaway_ = false;
        if (!racks_.empty() && ImGui::CollapsingHeader("Rack cut-away (click a rack)", ImGuiTreeNodeFlags_DefaultOpen)) {
            selected_ = std::clamp(selected_, 0, int(racks_.size()) - 1);
            if (ImGui::BeginCombo("rack", racks_[size_t(selected_)].id.c_str())) {
                for (size_t r = 0; r < racks_.size(); ++r)
                    if (ImGui::Selectable(racks_[r].id.c_str(), int(r) == selected_)) selected_ = int(r);
                ImGui::EndCombo();
            }
            const Rack& r = racks_[size_t(selected_)];
            const float t_lo = float(ctx.params.number("datacenter.temperature_min_c")), t_hi = 95.0f;
            ImDrawList* dl = ImGui::GetWindowDrawList();
            const ImVec2 o = ImGui::GetCursorScreenPos();
            const float w = std::min(ImGui::GetContentRegionAvail().x, 320.0f), row_h = 18;
            const int ns = int(r.result.servers.size());
            for (int s = 0; s < ns; ++s) {
                const ServerResult& sr = r.result.servers[size_t(s)];
                const float y = o.y + (ns - 1 - s) * (row_h + 3);
                dl->AddRectFilled(ImVec2(o.x, y), ImVec2(o.x + w, y + row_h), IM_COL32(40, 42, 48, 255), 2);
                int g = 0;
                for (size_t c = 0; c < sr.components.size(); ++c) {
                    if (r.config.server.components[c].kind != ComponentKind::Gpu) continue;
                    const ComponentResult& cr = sr.components[c];
                    const float x = o.x + 70 + g * 24;
                    const glm::vec3 col = colormaps_->sample(engine::Colormap::Inferno, (cr.temperature_c - t_lo) / (t_hi - t_lo));
                    dl->AddRectFilled(ImVec2(x, y + 2), ImVec2(x + 20, y + row_h - 2), ImGui::ColorConvertFloat4ToU32(ImVec4(col.r, col.g, col.b, 1)), 2);
                    if (cr.throttled) {
                        dl->AddLine(ImVec2(x, y + 2), ImVec2(x + 20, y + row_h - 2), IM_COL32(80, 200, 255, 255), 2);
                        dl->AddLine(ImVec2(x + 20, y + 2), ImVec2(x, y + row_h - 2), IM_COL32(80, 200, 255, 255), 2);
                    }
                    ++g;
                }
                char label[32];
                std::snprintf(label, sizeof label, "%.1f C", sr.inlet_c);
                dl->AddText(ImVec2(o.x + 4, y + 2), IM_COL32(220, 220, 220, 255), label);
            }
            ImGui::Dummy(ImVec2(w, ns * (row_h + 3)));
            ImGui::Text("inlet %.1f C mean, %.1f C max; outlet %.1f C; hottest GPU %.1f C; %d of %d GPUs throttled", r.inlet_mean_c,
                        r.inlet_max_c, r.result.outlet_c, r.result.hottest_gpu_c, r.result.throttled_gpus, r.result.gpus);
            ImGui::Text("IT %.1f kW, to air %.1f kW, to liquid %.1f kW, airflow %.2f m3/s", r.result.it_power_w / 1000,
                        r.result.heat_to_air_w / 1000, r.result.heat_to_liquid_w / 1000, r.result.airflow_m3_per_s);
        }
    }

    // A click on a rack opens its cut-away in the panel (slab test against each rack's box, nearest hit).
    std::string pick(const glm::dvec3& origin, const glm::dvec3& dir) override {
        double best = 1e300;
        int hit = -1;
        for (size_t r = 0; r < racks_.size(); ++r) {
            const Rack& rack = racks_[r];
            const glm::dvec2 lo = world_xy(rack.x0_m, rack.y0_m), hi = world_xy(rack.x0_m + kRackW, rack.y0_m + kRackD);
            const glm::dvec3 b0(lo.x, lo.y, 0.0), b1(hi.x, hi.y, kRackH);
            double t0 = 0, t1 = 1e300;
            bool miss = false;
            for (int a = 0; a < 3 && !miss; ++a) {
                if (std::abs(dir[a]) < 1e-12) {
                    miss = origin[a] < b0[a] || origin[a] > b1[a];
                    continue;
                }
                double ta = (b0[a] - origin[a]) / dir[a], tb = (b1[a] - origin[a]) / dir[a];
                if (ta > tb) std::swap(ta, tb);
                t0 = std::max(t0, ta);
                t1 = std::min(t1, tb);
                miss = t0 > t1;
            }
            if (!miss && t0 < best) best = t0, hit = int(r);
        }
        if (hit < 0) return {};
        selected_ = hit;
        open_cutaway_ = true;
        return "rack " + racks_[size_t(hit)].id;
    }

    // Shift + drag moves the vertical slice across the rows to where the cursor's ray meets the floor (or, looking
    // along the floor, the slice's own height); with the vertical slice off it moves the horizontal slice's height
    // to where the ray crosses the hall's middle (y = centre).
    bool drag(const glm::dvec3& origin, const glm::dvec3& dir, ParamStore& params) override {
        if (params.flag("datacenter.vertical_slice")) {
            if (std::abs(dir.z) < 1e-9) return false;
            const double t = (0.0 - origin.z) / dir.z;
            if (t <= 0) return false;
            const double y = origin.y + t * dir.y + hall_[1] / 2;
            params.set("datacenter.vertical_slice_y_m", std::clamp(y, 0.0, hall_[1]));
            return true;
        }
        if (std::abs(dir.y) < 1e-9) return false;
        const double t = (0.0 - origin.y) / dir.y;
        if (t <= 0) return false;
        params.set("datacenter.slice_height_m", std::clamp(origin.z + t * dir.z, 0.0, hall_[2]));
        return true;
    }

    std::vector<Metric> metrics() const override {
        return {{"IT power", "kW", it_kw_},
                {"facility power", "kW", facility_.facility_kw},
                {"PUE", "", facility_.pue},
                {"heat removed by the units", "kW", heat_removed_kw_},
                {"hottest rack inlet", "C", metrics_.max_intake_c},
                {"GPUs throttled", "", double(throttled_)},
                {"RCI-HI", "%", metrics_.rci_hi_percent}};
    }

    void publish(OutputBus& bus) override {
        bus.publish_scalar("datacenter.it_kw", "kW", "IT power of the hall", [this] { return it_kw_; });
        bus.publish_scalar("datacenter.facility_kw", "kW", "IT plus cooling, fans and losses", [this] { return facility_.facility_kw; });
        bus.publish_scalar("datacenter.cooling_kw", "kW", "chillers, pumps and fans", [this] { return facility_.cooling_kw + facility_.fans_kw; });
        bus.publish_scalar("datacenter.pue", "", "power usage effectiveness", [this] { return facility_.pue; });
        bus.publish_scalar("datacenter.lost_compute_fraction", "", "GPU compute lost to throttling", [this] { return lost_compute_; });
    }

    // [SECTION] Exports

    void export_results(const fs::path& dir, double t_s, const ParamStore&) override {
        // The latest state, synchronously.
        const std::vector<float> m = solver_->moments();
        std::memcpy(host_moments_.data(), m.data(), host_moments_.size() * 4);
        solve_racks_from_air();
        std::ofstream racks(dir / "racks.csv");
        racks << "rack,row,position,x_m,y_m,it_kw,inlet_c_mean,inlet_c_max,outlet_c,hottest_gpu_c,throttled_gpus\n" << std::setprecision(6);
        for (const Rack& r : racks_)
            racks << r.id << ',' << r.row + 1 << ',' << r.index + 1 << ',' << r.x0_m + kRackW / 2 << ',' << r.y0_m + kRackD / 2 << ','
                  << r.result.it_power_w / 1000 << ',' << r.inlet_mean_c << ',' << r.inlet_max_c << ',' << r.result.outlet_c << ','
                  << r.result.hottest_gpu_c << ',' << r.result.throttled_gpus << '\n';
        std::ofstream cool(dir / "cooling.csv");
        cool << "time_s,it_kw,cooling_kw,pue";
        for (const Unit& u : units_list_) cool << ',' << u.name << "_removed_kw";
        cool << ",hottest_inlet_c,throttled_gpus\n" << std::setprecision(8);
        for (size_t i = 0; i < series_t_.size(); ++i) {
            cool << series_t_[i] << ',' << series_[i][0] << ',' << series_[i][1] << ',' << series_[i][2];
            for (double q : unit_series_[i]) cool << ',' << q;
            cool << ',' << series_[i][4] << ',' << series_[i][5] << '\n';
        }
        const size_t n = size_t(nx_) * ny_ * nz_;
        std::vector<float> temp(n), vel(3 * n);
        const double to_m_s = units_.velocity_to_m_s(1.0);
        for (size_t c = 0; c < n; ++c) {
            temp[c] = m[4 * c + 3];
            for (int a = 0; a < 3; ++a) vel[3 * c + a] = float(m[4 * c + a] * to_m_s);
        }
        const std::array<double, 3> origin{cell_ / 2, cell_ / 2, cell_ / 2}, spacing{cell_, cell_, cell_};
        write_vti(dir / "temperature.vti", int(nx_), int(ny_), int(nz_), origin, spacing, "temperature_c", temp);
        write_vti_vectors(dir / "velocity.vti", int(nx_), int(ny_), int(nz_), origin, spacing, "velocity_m_per_s", vel);
        (void)t_s;
    }

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
    std::vector<uint8_t> mask_;
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
    std::vector<float> host_moments_;

    double it_kw_ = 0, air_heat_kw_ = 0, heat_removed_kw_ = 0, lost_compute_ = 0, rti_ = 0;
    double stored_j_ = 0, stored_t_s_ = -1;
    int gpus_ = 0, throttled_ = 0;
    HallMetrics metrics_;
    FacilityPower facility_;
    std::vector<double> series_t_;
    std::vector<std::array<double, 6>> series_;
    std::vector<std::vector<double>> unit_series_;

    engine::Buffer slice_, volume_geometry_, lut_;
    engine::Pipeline volume_pipe_, vslice_pipe_;
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

}  // namespace

std::unique_ptr<Module> create() { return std::make_unique<DatacenterModule>(); }

}  // namespace infrascape::datacenter
