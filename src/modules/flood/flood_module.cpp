// The Flood module; see flood_module.hpp and src/modules/README.md.
//
// Time: the session steps in fixed windows of world.dt_s; each window records as many GPU solver steps as the
// last known wave speed suggests (with a margin), and the GPU itself picks each step's dt from the CFL condition
// (swe_gpu.hpp record_window). A window whose steps run out before its time is covered leaves the rest to the
// next window, so no simulated time is ever lost; the flood's own clock (window end minus what is left) is what
// gauges, arrival times and the exports are stamped with. Once per window a statistics pass updates the maxima
// and arrival times, and the gauge and site cells are copied to a per-frame readback log.
#include "modules/flood/flood_module.hpp"

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
#include "modules/flood/raster.hpp"
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

namespace infrascape::flood {

static_assert(sizeof(gpu::FloodStatsPush) == 32 && sizeof(gpu::FloodGeometry) == 32 &&
                  sizeof(gpu::FloodParticle) == 32 && sizeof(gpu::FloodParticlePush) == 32,
              "flood structs must match shaders/flood/flood_shared.h");

namespace {

namespace fs = std::filesystem;

constexpr double kArrivalDepth = 0.1;   // m: "first time depth exceeded 0.1 m" (arrival_time.asc)
constexpr double kSpeedDepth = 0.01;    // m: speeds of thinner sheets are not counted in max_speed / hazard
constexpr uint32_t kProbeRows = 1024;   // windows per frame slot whose gauge and site samples are kept
constexpr double kMarginSteps = 1.3;    // steps recorded per window over the estimate from the last wave speed

// A path as the user wrote it relative to the working directory, for messages.
std::string shown_path(const std::string& p) { return fs::path(p).lexically_proximate(fs::current_path()).string(); }

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

    void attach(AttachContext& ctx) override {
        gpu_ = &ctx.gpu;
        world_ = &ctx.world;
        draws_ = ctx.draws;
        colormaps_ = &ctx.colormaps;
        asset_dir_ = ctx.info.asset_dir;
        descriptors_ = std::make_unique<engine::DescriptorAllocator>(*gpu_);
        const ParamStore& p = ctx.params;
        sync_visual(p);
        prepare_ground(p, ctx.info);
        place_in_world(ctx.info);
        sleeping_ = p.flag("flood.sleep_until_rain");
        scaling_ = WarningScaling{p.number("flood.warning_exponent"), p.number("flood.warning_ref_population"),
                                  60.0 * p.number("flood.alert_delay_min")};
        build_solver(p);
        read_records(p);
        order_gauges();
        set_forcing_table();
        create_stats();
        if (draws_) create_drawing(p);
        ledger_.initial_m3 = stored_volume(grid_, initial_state_);
        volume_m3_ = ledger_.initial_m3;
        initial_state_ = SweState{};
    }

    void publish(OutputBus& bus) override {
        bus.publish_field("flood.depth_m", "m", "water depth at a world point (latest frame)",
                          [this](double x, double y) { return host_cell(x, y, 0); });
        bus.publish_field("flood.max_depth_m", "m", "largest water depth so far at a world point (latest frame)",
                          [this](double x, double y) { return host_max_depth(x, y); });
        bus.publish_field("flood.hazard", "", "hazard rating d (v + 0.5) at a world point (Defra/EA FD2320; 0.75: danger "
                          "for some, 1.25: for most)", [this](double x, double y) { return host_hazard(x, y); });
        bus.publish_scalar("flood.volume_m3", "m3", "water stored on the grid", [this] { return volume_m3_; });
        bus.publish_scalar("flood.sirens", "", "gauges whose siren has sounded", [this] { return double(sirens_sounded()); });
        bus.publish_scalar("flood.time_s", "s", "the flood's own clock (may trail the session by a window)",
                           [this] { return flood_time_s_; });
    }

    // The DEM (or the valley), its boundaries and its depression filling: what the world's terrain and the
    // solver's bed are made of. Called by provide_terrain, before any module attaches, or by attach.
    void prepare_ground(const ParamStore& p, const WorldInfo& info) {
        if (ground_ready_) return;
        load_terrain(p, info);
        const std::string all = p.text("flood.boundary");
        const char* names[4] = {"west", "east", "south", "north"};
        for (int e = 0; e < 4; ++e) {
            std::string b = p.text(std::string("flood.boundary_") + names[e]);
            if (b == "same") b = all;
            boundary_[e] = b == "open" ? Boundary::Open : Boundary::Closed;
        }
        if (valley_ || p.flag("flood.fill_depressions")) {
            std::vector<double> z(dem_.v.begin(), dem_.v.end());  // NODATA stays NaN: walls
            std::array<bool, 4> outlets{};
            for (int e = 0; e < 4; ++e) outlets[e] = boundary_[e] == Boundary::Open;
            filled_cells_ = fill_depressions(z, dem_.nx, dem_.ny, outlets);
            for (size_t k = 0; k < z.size(); ++k) dem_.v[k] = float(z[k]);
        }
        ground_ready_ = true;
    }

    std::optional<engine::Heightfield> provide_terrain(const ParamStore& p, const WorldInfo& info) override {
        if (p.text("flood.ground") == "inset") return std::nullopt;
        prepare_ground(p, info);
        return display_terrain();
    }

    // A valley inside a larger world: the DEM at its place, shifted up or down so that its rim lies, on average, at
    // the height of the world's terrain along the same rim (the DEM's own datum is kept for the solver).
    std::optional<engine::Heightfield> provide_inset(const ParamStore& p, const WorldInfo& info) override {
        if (p.text("flood.ground") != "inset") return std::nullopt;
        prepare_ground(p, info);
        place_in_world(info);
        return display_terrain();
    }

    void place_in_world(const WorldInfo& info) {
        if (placed_ || !inset_) return;
        placed_ = true;
        if (!info.terrain) return;
        const Georef& g = dem_.geo;
        const double half_w = 0.5 * (dem_.nx - 1) * g.cell, half_h = 0.5 * (dem_.ny - 1) * g.cell;
        const double ext = 0.5 * info.extent_m;
        if (std::abs(place_x_) + half_w > ext || std::abs(place_y_) + half_h > ext) {
            std::ostringstream msg;
            msg << "'flood.world_x_m', 'flood.world_y_m': the DEM (" << 2 * half_w << " x " << 2 * half_h << " m) centred at ("
                << place_x_ << ", " << place_y_ << ") reaches beyond the world, which spans " << -ext << " .. " << ext
                << " m in x and y";
            throw ParamError("flood.world_x_m", msg.str());
        }
        double dem_sum = 0, world_sum = 0;
        size_t n = 0;
        auto rim = [&](uint32_t i, uint32_t j) {
            const float v = dem_.v[size_t(j) * dem_.nx + i];
            if (std::isnan(v)) return;
            const glm::dvec2 w = world_of_map(g.x0 + i * g.cell, g.y0 + j * g.cell);
            dem_sum += v;
            world_sum += info.terrain->sample(w.x, w.y);
            ++n;
        };
        for (uint32_t i = 0; i < dem_.nx; ++i) rim(i, 0), rim(i, dem_.ny - 1);
        for (uint32_t j = 1; j + 1 < dem_.ny; ++j) rim(0, j), rim(dem_.nx - 1, j);
        if (n) z_shift_ = (world_sum - dem_sum) / double(n);
    }

    void load_terrain(const ParamStore& p, const WorldInfo& info) {
        const std::string dem = p.text("flood.dem");
        if (!dem.empty()) {
            dem_ = read_raster(dem, shown_path(dem));
            dem_is_tiff_ = fs::path(dem).extension() != ".asc" && fs::path(dem).extension() != ".ASC";
            if (dem_.nx < 2 || dem_.ny < 2) throw ParamError("flood.dem", "'flood.dem': the DEM needs at least 2 x 2 cells");
        } else {
            ValleySpec v;
            v.nx = uint32_t(p.number("flood.valley_nx"));
            v.ny = uint32_t(p.number("flood.valley_ny"));
            v.cell_m = p.number("flood.valley_cell_m");
            v.relief_m = p.number("flood.valley_relief_m");
            v.tributaries = uint32_t(p.number("flood.valley_tributaries"));
            v.seed = p.number("flood.valley_seed") > 0 ? uint64_t(p.number("flood.valley_seed")) : info.seed;
            valley_ = std::make_unique<Valley>(generate_valley(v));
            dem_ = valley_->dem;
        }
        const Georef& g = dem_.geo;
        // World coordinates: the DEM's centre at the origin, or at its place in a larger world.
        centre_x_ = g.x0 + 0.5 * (dem_.nx - 1) * g.cell;
        centre_y_ = g.y0 + 0.5 * (dem_.ny - 1) * g.cell;
        inset_ = p.text("flood.ground") == "inset";
        if (inset_) {
            place_x_ = p.number("flood.world_x_m");
            place_y_ = p.number("flood.world_y_m");
        }
    }

    void build_solver(const ParamStore& p) {
        grid_ = SweGrid{};
        grid_.nx = dem_.nx;
        grid_.ny = dem_.ny;
        grid_.dx = dem_.geo.cell;
        grid_.z.resize(grid_.cells());
        // NODATA cells become walls: a bed far above every surface, which the hydrostatic reconstruction treats
        // as a dry wall (no flux enters it while the water is below it).
        float zmax = -1e30f, zmin = 1e30f;
        for (float v : dem_.v)
            if (!std::isnan(v)) zmax = std::max(zmax, v), zmin = std::min(zmin, v);
        if (zmax < zmin) throw ParamError("flood.dem", "'flood.dem': every cell is NODATA");
        wall_z_ = zmax + 1000.0;
        nodata_cells_ = 0;
        for (size_t k = 0; k < grid_.cells(); ++k) nodata_cells_ += std::isnan(dem_.v[k]);
        if (nodata_cells_) grid_.walls.assign(grid_.cells(), 0);
        for (size_t k = 0; k < grid_.cells(); ++k) {
            const float v = dem_.v[k];
            grid_.z[k] = std::isnan(v) ? wall_z_ : v;
            if (std::isnan(v)) grid_.walls[k] = 1;
        }
        grid_.boundary = boundary_;
        if (const auto* path = std::get_if<std::string>(&p.get("flood.manning_n"))) {
            const Raster m = read_raster(*path, shown_path(*path));
            if (m.nx != dem_.nx || m.ny != dem_.ny)
                throw ParamError("flood.manning_n", "'flood.manning_n': " + std::to_string(m.nx) + " x " + std::to_string(m.ny) +
                                                        " cells, the DEM has " + std::to_string(dem_.nx) + " x " +
                                                        std::to_string(dem_.ny));
            grid_.manning_per_cell.assign(grid_.cells(), 0.0);
            for (size_t k = 0; k < grid_.cells(); ++k) {
                const float v = m.v[k];
                if (std::isnan(v)) {
                    if (!std::isnan(dem_.v[k])) {
                        std::ostringstream msg;
                        msg << "'flood.manning_n': NODATA in row " << m.ny - k / m.nx << ", column " << k % m.nx + 1 << " of "
                            << shown_path(*path) << ", where the DEM has ground";
                        throw ParamError("flood.manning_n", msg.str());
                    }
                    continue;
                }
                if (v < 0 || v > 1) {
                    std::ostringstream msg;
                    msg << "'flood.manning_n': " << v << " in row " << m.ny - k / m.nx << ", column " << k % m.nx + 1 << " of "
                        << shown_path(*path) << " is outside 0 .. 1 s/m^(1/3)";
                    throw ParamError("flood.manning_n", msg.str());
                }
                grid_.manning_per_cell[k] = v;
            }
        } else {
            grid_.manning_n = p.number("flood.manning_n");
        }
        grid_.second_order = p.flag("flood.second_order");
        grid_.limiter = Limiter::Minmod;
        grid_.infiltration = GreenAmpt{p.number("flood.infiltration_mm_per_h") / 3.6e6, p.number("flood.suction_mm") / 1000,
                                       p.number("flood.moisture_deficit")};

        initial_state_ = SweState::dry(grid_);
        const std::string depth = p.text("flood.initial_depth");
        if (!depth.empty()) {
            const Raster d = read_raster(depth, shown_path(depth));
            if (d.nx != dem_.nx || d.ny != dem_.ny)
                throw ParamError("flood.initial_depth", "'flood.initial_depth': " + std::to_string(d.nx) + " x " +
                                                            std::to_string(d.ny) + " cells, the DEM has " +
                                                            std::to_string(dem_.nx) + " x " + std::to_string(dem_.ny));
            for (size_t k = 0; k < grid_.cells(); ++k) {
                const float v = d.v[k];
                if (!std::isnan(v) && v < 0) {
                    std::ostringstream msg;  // rows as the file lists them: the north row first
                    msg << "'flood.initial_depth': negative depth " << v << " m in row " << d.ny - k / d.nx
                        << ", column " << k % d.nx + 1 << " of " << shown_path(depth);
                    throw ParamError("flood.initial_depth", msg.str());
                }
                if (!std::isnan(v) && !std::isnan(dem_.v[k])) initial_state_.h[k] = v;
            }
        }
        if (valley_) fill_valley_channel(p.number("flood.base_flow_m3_per_s"));

        const std::string rain = p.text("flood.rain_raster");
        if (!rain.empty()) {
            const Raster r = read_raster(rain, shown_path(rain));
            if (r.nx != dem_.nx || r.ny != dem_.ny)
                throw ParamError("flood.rain_raster", "'flood.rain_raster': " + std::to_string(r.nx) + " x " +
                                                          std::to_string(r.ny) + " cells, the DEM has " +
                                                          std::to_string(dem_.nx) + " x " + std::to_string(dem_.ny));
            rain_cells_.assign(grid_.cells(), 0.0);
            for (size_t k = 0; k < grid_.cells(); ++k) {
                const float v = r.v[k];
                if (!std::isnan(v) && v < 0)
                    throw ParamError("flood.rain_raster", "'flood.rain_raster': negative rain rate at cell (" +
                                                              std::to_string(k % r.nx) + ", " + std::to_string(k / r.nx) + ")");
                if (!std::isnan(v)) rain_cells_[k] = v / 3.6e6;
            }
        }

        solver_ = std::make_unique<SweGpu>(*gpu_, grid_, initial_state_);
        SweGpu::ClockConfig clock;
        clock.cfl = grid_.second_order ? std::min(p.number("flood.cfl"), kCfl2DSecondOrder) : p.number("flood.cfl");
        clock.max_dt_s = p.number("flood.max_dt_s");
        clock.log_slots = engine::kFramesInFlight;
        clock_ = clock;
        solver_->enable_clock(clock);
        StepSources src;  // the rain raster, once; uniform rain, the storm and inflows change per window
        src.rain_m_per_s_cells = rain_cells_;
        solver_->set_sources(src);
        last_speed_ = max_wave_speed(grid_, initial_state_);
    }

    // The procedural valley's river starts at its normal depth for the base flow (Manning, wide channel:
    // h = (Q n / (w sqrt(S)))^(3/5)), so the flood runs down a living river rather than a dry bed.
    void fill_valley_channel(double q) {
        if (q <= 0 || valley_->river.size() < 2) return;
        const double w = 2.5 * grid_.dx, s = 0.0025;
        const double n = grid_.manning_per_cell.empty() ? grid_.manning_n : 0.035;
        const double h = std::pow(q * std::max(n, 0.01) / (w * std::sqrt(s)), 0.6);
        for (const auto& pt : valley_->river) {
            const auto [i, j] = cell_of_map(pt[0], pt[1]);
            for (int dj = -1; dj <= 1; ++dj)
                for (int di = -1; di <= 1; ++di) {
                    const int ii = int(i) + di, jj = int(j) + dj;
                    if (ii < 0 || jj < 0 || ii >= int(grid_.nx) || jj >= int(grid_.ny)) continue;
                    const size_t k = grid_.index(uint32_t(ii), uint32_t(jj));
                    const size_t c = grid_.index(i, j);
                    // Level with the centreline's surface where the bank is below it.
                    initial_state_.h[k] = std::max(initial_state_.h[k], std::max(0.0, grid_.z[c] + h - grid_.z[k]));
                }
        }
        base_flow_ = q;
        const auto [i0, j0] = cell_of_map(valley_->river.front()[0], valley_->river.front()[1]);
        base_cell_ = {i0, j0};
    }

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

    void read_records(const ParamStore& p) {
        auto located = [&](const std::string& list, size_t r, const Record& rec) {
            const double x = rec.number("x_m"), y = rec.number("y_m");
            if (!inside_map(x, y)) {
                std::ostringstream msg;
                msg << "'" << list << "[" << r + 1 << "]': (" << x << ", " << y << ") is outside the DEM, which covers x "
                    << dem_.geo.x0 - dem_.geo.cell / 2 << " .. " << dem_.geo.x0 + (grid_.nx - 0.5) * dem_.geo.cell << ", y "
                    << dem_.geo.y0 - dem_.geo.cell / 2 << " .. " << dem_.geo.y0 + (grid_.ny - 0.5) * dem_.geo.cell;
                throw ParamError(list + "[" + std::to_string(r + 1) + "].x_m", msg.str());
            }
            const auto [i, j] = cell_of_map(x, y);
            if (std::isnan(dem_.v[grid_.index(i, j)])) {
                std::ostringstream msg;
                msg << "'" << list << "[" << r + 1 << "]': the cell at (" << x << ", " << y << ") is NODATA";
                throw ParamError(list + "[" + std::to_string(r + 1) + "].x_m", msg.str());
            }
            return std::pair(i, j);
        };
        gauges_.clear();
        const auto& gs = p.records("flood.gauges");
        for (size_t r = 0; r < gs.size(); ++r) {
            auto [i, j] = located("flood.gauges", r, gs[r]);
            // Gauges sit in the channel: the lowest bed of the 3 x 3 cells around the given point.
            uint32_t best = uint32_t(grid_.index(i, j));
            for (int dj = -1; dj <= 1; ++dj)
                for (int di = -1; di <= 1; ++di) {
                    const int ii = int(i) + di, jj = int(j) + dj;
                    if (ii < 0 || jj < 0 || ii >= int(grid_.nx) || jj >= int(grid_.ny)) continue;
                    const uint32_t k = uint32_t(grid_.index(uint32_t(ii), uint32_t(jj)));
                    if (grid_.z[k] < grid_.z[best]) best = k;
                }
            if (gs[r].text("name").empty())
                throw ParamError("flood.gauges[" + std::to_string(r + 1) + "].name",
                                 "'flood.gauges[" + std::to_string(r + 1) + "].name' must not be empty");
            for (const Gauge& other : gauges_)
                if (other.name == gs[r].text("name"))
                    throw ParamError("flood.gauges[" + std::to_string(r + 1) + "].name",
                                     "'flood.gauges[" + std::to_string(r + 1) + "].name': \"" + other.name +
                                         "\" names another gauge already");
            gauges_.push_back({gs[r].text("name"), gs[r].number("x_m"), gs[r].number("y_m"), gs[r].number("warn_depth_m"), best, {}, {}, -1});
        }
        sites_.clear();
        const auto& ss = p.records("flood.sites");
        for (size_t r = 0; r < ss.size(); ++r) {
            auto [i, j] = located("flood.sites", r, ss[r]);
            Site s{ss[r].text("name"), ss[r].text("gauge"), ss[r].text("kind"), ss[r].number("x_m"), ss[r].number("y_m"),
                   uint32_t(grid_.index(i, j))};
            if (!s.gauge.empty()) {
                for (size_t g = 0; g < gauges_.size(); ++g)
                    if (gauges_[g].name == s.gauge) s.gauge_index = int(g);
                if (s.gauge_index < 0)
                    throw ParamError("flood.sites[" + std::to_string(r + 1) + "].gauge",
                                     "'flood.sites[" + std::to_string(r + 1) + "].gauge': no gauge is named \"" + s.gauge + "\"");
            }
            sites_.push_back(s);
        }
        inflows_.clear();
        const auto& is = p.records("flood.inflows");
        for (size_t r = 0; r < is.size(); ++r) {
            auto [i, j] = located("flood.inflows", r, is[r]);
            const std::string file = is[r].text("hydrograph");
            inflows_.push_back({is[r].number("x_m"), is[r].number("y_m"), i, j, load_hydrograph(file, shown_path(file)), file});
        }
        if (inflows_.size() + (base_flow_ > 0 ? 1 : 0) > kMaxInflows)
            throw ParamError("flood.inflows[" + std::to_string(is.size()) + "].x_m",
                             "'flood.inflows': at most " + std::to_string(kMaxInflows - 1) +
                                 " inflows with the procedural valley's base flow (set base_flow_m3_per_s = 0 for " +
                                 std::to_string(kMaxInflows) + ")");
        storm_.path.clear();
        for (const Record& r : p.records("flood.storm_path")) storm_.path.push_back({r.number("x_m"), r.number("y_m")});
        if (storm_.path.empty()) storm_.path.push_back({centre_x_, centre_y_});
        storm_.start_s = p.number("flood.storm_start_s");
        storm_.end_s = p.number("flood.storm_end_s");
        if (storm_.end_s < storm_.start_s)
            throw ParamError("flood.storm_end_s", "'flood.storm_end_s' is before 'flood.storm_start_s'");
    }

    // The gauges nearest the sites (their centroid; the DEM's centre without sites) first: the order in which a
    // growing warning network adds them (warning_network.hpp).
    void order_gauges() {
        double cx = centre_x_, cy = centre_y_;
        if (!sites_.empty()) {
            cx = cy = 0;
            for (const Site& st : sites_) cx += st.x_m, cy += st.y_m;
            cx /= double(sites_.size());
            cy /= double(sites_.size());
        }
        gauges_nearest_.resize(gauges_.size());
        for (size_t g = 0; g < gauges_.size(); ++g) gauges_nearest_[g] = g;
        std::stable_sort(gauges_nearest_.begin(), gauges_nearest_.end(), [&](size_t a, size_t b) {
            return std::hypot(gauges_[a].x_m - cx, gauges_[a].y_m - cy) < std::hypot(gauges_[b].x_m - cx, gauges_[b].y_m - cy);
        });
    }

    // [SECTION] Ports: rain from the weather at the DEM's centre (the weather's storm cell is tens of kilometres
    // across, so one value serves the whole DEM); the population of every city in the world, whose size sets the
    // warning network each would afford on this river.
    std::vector<InputPort> inputs() const override {
        return {{"weather.rain_mm_h", "mm/h", "rain at the DEM's centre, added to the scene's uniform rain", "weather"},
                {"city.population", "people", "sizes the warning network that city would afford", "flood_city"},
                {"city:*.population", "people", "sizes the warning network each city would afford", "flood_city"}};
    }
    void couple(CouplingContext& ctx) override {
        weather_rain_mm_h_ = ctx.sample("weather", "weather.rain_mm_h", place_x_, place_y_, "flood").value_or(0.0);
        populations_.clear();
        std::vector<std::string> names = ctx.matching("city:*.population");
        if (ctx.bus().scalar("city.population")) names.insert(names.begin(), "city.population");
        for (const std::string& name : names)
            if (auto n = ctx.scalar("flood_city", name)) populations_.push_back({name.substr(0, name.size() - 11), *n});
        for (const WarningNetwork& net : networks()) {
            const WarningOutcome o = outcome(net);
            if (o.with_lead) ctx.note("flood.lead_time_min@" + net.place, "min", o.mean_lead_s / 60.0);
        }
    }
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
    void set_forcing_table() {
        SweGpu::ForcingTable t;
        for (const auto& pt : storm_.path) t.storm_path.push_back({pt[0] - dem_.geo.x0, pt[1] - dem_.geo.y0});
        t.storm_start_s = storm_.start_s;
        t.storm_end_s = storm_.end_s;
        if (base_flow_ > 0) t.inflows.push_back({base_cell_.first, base_cell_.second, {0.0}, {base_flow_}});
        for (const Inflow& in : inflows_) t.inflows.push_back({in.i, in.j, in.hydrograph.t_s, in.hydrograph.q_m3_per_s});
        try {
            solver_->set_forcing_table(t);
        } catch (const std::invalid_argument& e) {
            throw ParamError("flood.storm_path", std::string("'flood': ") + e.what());
        }
    }

    // The terrain the world draws: the DEM in world coordinates, NODATA at the lowest valid height (walls are a
    // solver device, not scenery), at most 1024 vertices a side.
    engine::Heightfield display_terrain() const {
        const uint32_t stride = std::max(1u, (std::max(dem_.nx, dem_.ny) + 1023) / 1024);
        stride_ = stride;
        engine::Heightfield h;
        h.nx = (dem_.nx - 1) / stride + 1;
        h.ny = (dem_.ny - 1) / stride + 1;
        h.dx = dem_.geo.cell * stride;
        const glm::dvec2 o = world_of_map(dem_.geo.x0, dem_.geo.y0);
        h.x0 = o.x;
        h.y0 = o.y;
        float lo = 1e30f;
        for (float v : dem_.v)
            if (!std::isnan(v)) lo = std::min(lo, v);
        h.z.resize(size_t(h.nx) * h.ny);
        for (uint32_t j = 0; j < h.ny; ++j)
            for (uint32_t i = 0; i < h.nx; ++i) {
                const float v = dem_.v[size_t(j * stride) * dem_.nx + i * stride];
                h.z[size_t(j) * h.nx + i] = float((std::isnan(v) ? lo : v) + z_shift_);
            }
        return h;
    }

    void create_stats() {
        const size_t n = grid_.cells();
        const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
        std::vector<glm::vec4> st(n, glm::vec4(0, 0, -1, 0));
        for (size_t k = 0; k < n; ++k) {
            const double h = solver_h0(k);
            if (h > kArrivalDepth) st[k].z = 0;
            st[k].x = float(h);
        }
        stats_ = engine::Buffer(*gpu_, n * 16, storage | VK_BUFFER_USAGE_TRANSFER_SRC_BIT, engine::MemoryKind::Device, "flood stats");
        stats_.upload(st.data(), n * 16);
        shown_ = engine::Buffer(*gpu_, n * 4, storage, engine::MemoryKind::Device, "flood overlay field");
        std::vector<float> nan(n, std::nanf(""));
        shown_.upload(nan.data(), n * 4);
        stats_pipe_ = engine::Pipeline::compute(*gpu_, "flood/stats.comp",
                                                {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                 {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                 {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT}},
                                                sizeof(gpu::FloodStatsPush), "flood stats");
        // Probe log: the gauge and site cells per window, per frame slot.
        const size_t probes = std::max<size_t>(1, gauges_.size() + sites_.size());
        for (auto& b : probe_log_)
            b = engine::Buffer(*gpu_, kProbeRows * probes * 16, VK_BUFFER_USAGE_TRANSFER_DST_BIT, engine::MemoryKind::Readback,
                               "flood probe log");
        for (auto& b : state_readback_)
            b = engine::Buffer(*gpu_, n * 16, VK_BUFFER_USAGE_TRANSFER_DST_BIT, engine::MemoryKind::Readback, "flood state readback");
        host_state_.assign(n, glm::vec4(0));
        host_max_.assign(n, 0.0f);
        for (size_t k = 0; k < n; ++k) host_max_[k] = host_state_[k].x = float(solver_h0(k));
    }
    double solver_h0(size_t k) const { return initial_state_.h.empty() ? 0.0 : initial_state_.h[k]; }

    VkDescriptorSet stats_set() {
        engine::Buffer& s = solver_->state_buffer();
        auto it = stats_sets_.find(s.handle());
        if (it != stats_sets_.end()) return it->second;
        VkDescriptorSet set = descriptors_->allocate(stats_pipe_.set_layout());
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, s)
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, stats_)
            .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, shown_)
            .write(gpu_->device(), set);
        return stats_sets_[s.handle()] = set;
    }

    void create_drawing(const ParamStore& p) {
        const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
        const uint32_t vx = (grid_.nx - 1) / stride_ + 1, vy = (grid_.ny - 1) / stride_ + 1;
        const glm::dvec2 o = world_of_map(dem_.geo.x0, dem_.geo.y0);
        const gpu::FloodGeometry geo{glm::vec4(float(o.x), float(o.y), float(grid_.dx), float(solver_->datum() + z_shift_)),
                                     glm::uvec4(grid_.nx, grid_.ny, stride_, vx)};
        geometry_ = engine::Buffer(*gpu_, sizeof(geo), storage, engine::MemoryKind::Device, "flood geometry");
        geometry_.upload(&geo, sizeof(geo));
        std::vector<uint32_t> idx;
        idx.reserve(size_t(vx - 1) * (vy - 1) * 6);
        for (uint32_t j = 0; j + 1 < vy; ++j)
            for (uint32_t i = 0; i + 1 < vx; ++i) {
                const uint32_t a = j * vx + i, b = a + 1, c = a + vx, d = c + 1;
                idx.insert(idx.end(), {a, b, d, a, d, c});
            }
        water_indices_ = uint32_t(idx.size());
        water_index_buffer_ = engine::Buffer(*gpu_, idx.size() * 4, VK_BUFFER_USAGE_INDEX_BUFFER_BIT, engine::MemoryKind::Device,
                                             "flood water indices");
        water_index_buffer_.upload(idx.data(), idx.size() * 4);
        lut_ = engine::Buffer(*gpu_, 256 * 16, storage, engine::MemoryKind::Device, "flood depth colours");
        const std::array<glm::vec4, 256> lut = engine::linear_table(*colormaps_, engine::Colormap::Blues);
        lut_.upload(lut.data(), sizeof(lut));

        const auto vs = VK_SHADER_STAGE_VERTEX_BIT, fsb = VK_SHADER_STAGE_FRAGMENT_BIT;
        engine::GraphicsDesc water = world_->pass_desc();
        water.vertex = "flood/water.vert";
        water.fragment = "flood/water.frag";
        water.bindings = {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, vs},
                          {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, vs},
                          {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, vs},
                          {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, fsb}};
        water.push_constant_bytes = sizeof(engine::FramePush);
        water.cull = VK_CULL_MODE_NONE;
        water.blend = engine::Blend::Alpha;
        water_pipe_ = engine::Pipeline::graphics(*gpu_, water, "flood water");

        particle_count_ = uint32_t(p.number("flood.particles"));
        if (particle_count_ > 0) {
            std::vector<gpu::FloodParticle> parts(particle_count_, gpu::FloodParticle{glm::vec4(0), glm::vec4(0)});
            particles_ = engine::Buffer(*gpu_, parts.size() * sizeof(gpu::FloodParticle), storage, engine::MemoryKind::Device,
                                        "flood tracers");
            particles_.upload(parts.data(), parts.size() * sizeof(gpu::FloodParticle));
            const auto cs = VK_SHADER_STAGE_COMPUTE_BIT;
            particle_pipe_ = engine::Pipeline::compute(*gpu_, "flood/particles.comp",
                                                       {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                                        {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                                        {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                                        {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}},
                                                       sizeof(gpu::FloodParticlePush), "flood tracers");
            engine::GraphicsDesc streaks = world_->pass_desc();
            streaks.vertex = "flood/streaks.vert";
            streaks.fragment = "flood/streaks.frag";
            streaks.bindings = {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, vs}};
            streaks.push_constant_bytes = sizeof(engine::FramePush);
            streaks.cull = VK_CULL_MODE_NONE;
            streaks.depth_write = false;
            streaks.blend = engine::Blend::Alpha;
            streak_pipe_ = engine::Pipeline::graphics(*gpu_, streaks, "flood streaks");
            streak_set_ = descriptors_->allocate(streak_pipe_.set_layout());
            engine::DescriptorWriter().buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, particles_).write(gpu_->device(), streak_set_);
        }

        // Gauge posts and site markers.
        marker_scale_ = p.number("flood.marker_scale");
        if (!gauges_.empty()) {
            post_mesh_ = std::make_unique<engine::GpuMesh>(*gpu_, engine::load_model(asset_dir_of(p) / "models/marker.obj"), "gauge post");
            posts_.mesh = post_mesh_.get();
        }
        if (!sites_.empty()) {
            site_mesh_ = std::make_unique<engine::GpuMesh>(*gpu_, engine::load_model(asset_dir_of(p) / "models/house.obj"), "site");
            site_batch_.mesh = site_mesh_.get();
        }
        update_markers(true);

        engine::OverlayDesc od;
        od.values = &shown_;
        od.nx = grid_.nx;
        od.ny = grid_.ny;
        od.x0 = o.x;
        od.y0 = o.y;
        od.dx = od.dy = grid_.dx;
        world_->set_overlay(od);
    }
    fs::path asset_dir_of(const ParamStore&) const { return asset_dir_; }

    VkDescriptorSet water_set() {
        engine::Buffer& s = solver_->state_buffer();
        auto it = water_sets_.find(s.handle());
        if (it != water_sets_.end()) return it->second;
        VkDescriptorSet set = descriptors_->allocate(water_pipe_.set_layout());
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, s)
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, solver_->bed_buffer())
            .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, geometry_)
            .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, lut_)
            .write(gpu_->device(), set);
        return water_sets_[s.handle()] = set;
    }
    VkDescriptorSet particle_set() {
        engine::Buffer& s = solver_->state_buffer();
        auto it = particle_sets_.find(s.handle());
        if (it != particle_sets_.end()) return it->second;
        VkDescriptorSet set = descriptors_->allocate(particle_pipe_.set_layout());
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, s)
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, solver_->bed_buffer())
            .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, geometry_)
            .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, particles_)
            .write(gpu_->device(), set);
        return particle_sets_[s.handle()] = set;
    }

    // [SECTION] Stepping

    void step(StepContext& ctx) override {
        const ParamStore& p = ctx.params;
        const double t_end = ctx.t_s + ctx.dt_s;
        // Uniform rain goes in the push constants (free to ramp); the storm and the inflows per step, below.
        const double uniform_mm_h = p.number("flood.rain_mm_per_h") + weather_rain_mm_h_;
        if (sleeping_) {
            const bool storm = p.number("flood.storm_peak_mm_per_h") > 0 && t_end >= storm_.start_s && ctx.t_s <= storm_.end_s;
            if (uniform_mm_h <= 0 && !storm && rain_cells_.empty()) {
                // Nothing to compute yet: the clocks move on without the solver.
                session_time_s_ = last_window_end_s_ = flood_time_s_ = t_end;
                return;
            }
            sleeping_ = false;
            woke_s_ = ctx.t_s;
        }
        solver_->set_uniform_rain(uniform_mm_h / 3.6e6);
        rain_now_mm_h_ = uniform_mm_h;
        storm_.radius_m = p.number("flood.storm_radius_m");
        storm_.peak_mm_per_h = p.number("flood.storm_peak_mm_per_h");
        site_depth_m_ = p.number("flood.site_flood_depth_m");
        // Steps for this window: what the latest wave speed asks for, with a margin for a rising flood. Time left
        // over by earlier windows (read back) is handed to one window only.
        const double dt_est =
            std::min(last_speed_ > 0 ? clock_.cfl * grid_.dx / last_speed_ : clock_.max_dt_s, clock_.max_dt_s);
        const double span = ctx.dt_s + unassigned_debt_s_;
        const double want = span / dt_est;
        unassigned_debt_s_ = 0;
        const uint32_t steps = uint32_t(std::clamp(std::ceil(want * kMarginSteps) + 1.0, 1.0, 2000.0));
        const bool storm_on = storm_.peak_mm_per_h > 0 && t_end - debt_s_ >= storm_.start_s && t_end - debt_s_ <= storm_.end_s;
        storm_rate_mm_h_ = storm_on ? storm_.peak_mm_per_h : 0.0;
        // The storm's position and the inflows' discharges are evaluated by the GPU's clock at each step's middle
        // (the forcing table set at attach); the window passes what the timeline may ramp.
        const SweGpu::WindowForcing wf{t_end, storm_.radius_m, storm_.peak_mm_per_h / 3.6e6};
        if (ctx.timer) ctx.timer->begin(ctx.cmd, "flood.step");
        const uint32_t recorded = solver_->record_window(ctx.cmd, ctx.dt_s, steps, {}, ctx.slot, wf);
        if (ctx.timer) ctx.timer->end(ctx.cmd);

        // Statistics, the overlay field and the probes, at the window's end.
        if (ctx.timer) ctx.timer->begin(ctx.cmd, "flood.stats");
        record_stats(ctx.cmd, t_end - debt_s_, true);
        if (ctx.timer) ctx.timer->end(ctx.cmd);
        const uint32_t slot = ctx.slot % engine::kFramesInFlight;
        int row = -1;
        const size_t probes = gauges_.size() + sites_.size();
        if (probes > 0 && probe_rows_used_[slot] < kProbeRows) {
            row = int(probe_rows_used_[slot]++);
            engine::Buffer& s = solver_->state_buffer();
            std::vector<VkBufferCopy> regions;
            size_t o = 0;
            for (const Gauge& g : gauges_) regions.push_back({VkDeviceSize(g.cell) * 16, (row * probes + o++) * 16, 16});
            for (const Site& st : sites_) regions.push_back({VkDeviceSize(st.cell) * 16, (row * probes + o++) * 16, 16});
            s.use(ctx.cmd, engine::Access::TransferSrc);
            probe_log_[slot].use(ctx.cmd, engine::Access::TransferDst);
            vkCmdCopyBuffer(ctx.cmd, s.handle(), probe_log_[slot].handle(), uint32_t(regions.size()), regions.data());
            probe_log_[slot].use(ctx.cmd, engine::Access::HostRead);
        }
        windows_[slot].push_back({t_end, recorded, row});

        // Depth snapshots for the exports (only under `infrascape run`, where nothing is drawn).
        const double every = p.number("flood.export_every_s");
        if (every > 0 && next_snapshot_s_ <= 0) next_snapshot_s_ = every;
        if (!draws_ && every > 0 && t_end + 1e-9 >= next_snapshot_s_) {
            snapshots_pending_[slot].push_back({t_end, engine::Buffer(*gpu_, grid_.cells() * 16, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                                                      engine::MemoryKind::Readback, "flood depth snapshot")});
            engine::Buffer& dst = snapshots_pending_[slot].back().buffer;
            engine::Buffer& s = solver_->state_buffer();
            s.use(ctx.cmd, engine::Access::TransferSrc);
            dst.use(ctx.cmd, engine::Access::TransferDst);
            const VkBufferCopy all{0, 0, grid_.cells() * 16};
            vkCmdCopyBuffer(ctx.cmd, s.handle(), dst.handle(), 1, &all);
            dst.use(ctx.cmd, engine::Access::HostRead);
            while (next_snapshot_s_ <= t_end + 1e-9) next_snapshot_s_ += every;
        }
        session_time_s_ = t_end;
        show_ = p.text("flood.show");
    }

    void record_stats(VkCommandBuffer cmd, double t_s, bool update) {
        uint32_t mode = FLOOD_SHOW_NONE;
        if (show_ == "max_depth") mode = FLOOD_SHOW_MAX_DEPTH;
        else if (show_ == "arrival_time") mode = FLOOD_SHOW_ARRIVAL;
        else if (show_ == "hazard") mode = FLOOD_SHOW_HAZARD;
        if (!draws_) mode = FLOOD_SHOW_NONE;
        if (!update && mode == FLOOD_SHOW_NONE) return;
        const gpu::FloodStatsPush sp{glm::uvec4(grid_.nx, grid_.ny, mode, update ? 1u : 0u),
                                     glm::vec4(float(t_s), float(kArrivalDepth), float(kSpeedDepth), 0)};
        solver_->state_buffer().use(cmd, engine::Access::ComputeRead);
        stats_.use(cmd, engine::Access::ComputeWrite);
        shown_.use(cmd, engine::Access::ComputeWrite);
        stats_pipe_.bind(cmd, stats_set());
        stats_pipe_.push(cmd, sp);
        engine::dispatch_2d(cmd, grid_.nx, grid_.ny, 16, 16);
    }

    void before_draw(FrameInfo& frame) override {
        VkCommandBuffer cmd = frame.cmd;
        const uint32_t slot = frame.slot % engine::kFramesInFlight;
        // The latest state for CPU readers (outputs, the panel's site depths), every few frames on big grids.
        if (!state_pending_[slot] && (grid_.cells() <= (1u << 20) || frame_counter_ % 8 == 0)) {
            engine::Buffer& s = solver_->state_buffer();
            s.use(cmd, engine::Access::TransferSrc);
            state_readback_[slot].use(cmd, engine::Access::TransferDst);
            const VkBufferCopy all{0, 0, grid_.cells() * 16};
            vkCmdCopyBuffer(cmd, s.handle(), state_readback_[slot].handle(), 1, &all);
            state_readback_[slot].use(cmd, engine::Access::HostRead);
            state_pending_[slot] = true;
        }
        ++frame_counter_;
        if (!draws_ || !frame.push) return;
        // The overlay field when the user switched what is shown while paused (no step rewrote it).
        if (show_ != shown_name_) {
            record_stats(cmd, flood_time_s_, false);
            shown_name_ = show_;
        }
        shown_.use(cmd, engine::Access::FragmentSampled);
        // The overlay's style before the world pass that draws it (overlay() runs after it).
        const engine::LegendSpec legend = legend_spec();
        world_->overlay_style.min = float(legend.min);
        world_->overlay_style.max = float(legend.max);
        world_->overlay_style.colormap = legend.colormap;
        world_->overlay_style.opacity = show_ == "water" ? 0.0f : 0.85f;
        world_->prepare_overlay(cmd);
        // Level of detail: a valley a few pixels across in a larger world (the state seen whole) draws nothing;
        // its water mesh and tracers cost as much as a close one.
        const glm::dvec3 centre(world_of_map(centre_x_, centre_y_), grid_.z[grid_.cells() / 2] + z_shift_);
        const double dist = std::max(1.0, glm::length(glm::dvec3(frame.push->camera_pos) - centre));
        const double px_per_rad = frame.viewport_h / (2 * std::tan(frame.fov_deg * M_PI / 360.0));
        visible_ = grid_.dx * std::max(grid_.nx, grid_.ny) / dist * px_per_rad >= kMinPixels;
        if (particle_count_ > 0 && visible_) {
            const gpu::FloodParticlePush pp{glm::uvec4(grid_.nx, grid_.ny, particle_count_, uint32_t(frame_counter_)),
                                            glm::vec4(float(frame.wall_dt_s * tracer_speedup_), 40.0f, 0.05f, 0)};
            solver_->state_buffer().use(cmd, engine::Access::ComputeRead);
            particles_.use(cmd, engine::Access::ComputeWrite);
            particle_pipe_.bind(cmd, particle_set());
            particle_pipe_.push(cmd, pp);
            vkCmdDispatch(cmd, (particle_count_ + 63) / 64, 1, 1);
            particles_.use(cmd, engine::Access::VertexShaderRead);
        }
        solver_->state_buffer().use(cmd, engine::Access::VertexShaderRead);
        solver_->bed_buffer().use(cmd, engine::Access::VertexShaderRead);
        geometry_.use(cmd, engine::Access::VertexShaderRead);
        lut_.use(cmd, engine::Access::FragmentSampled);
        update_markers(false);
        if (posts_.count) engine::WorldRenderer::prepare_instances(cmd, posts_);
        if (site_batch_.count) engine::WorldRenderer::prepare_instances(cmd, site_batch_);
        view_proj_ = frame.push->view_proj;
        camera_distance_m_ = glm::length(glm::dvec2(frame.push->camera_pos) - world_of_map(centre_x_, centre_y_));
        m_per_px_ = float(2.0 * std::tan(frame.fov_deg * M_PI / 360.0) / std::max(1.0f, frame.viewport_h));
        frame_ready_ = true;
    }

    void draw(DrawContext& ctx) override {
        if (!draws_ || !frame_ready_ || !visible_) return;
        if (posts_.count) ctx.world.draw_instances(ctx.cmd, ctx.push, posts_);
        if (site_batch_.count) ctx.world.draw_instances(ctx.cmd, ctx.push, site_batch_);
        engine::FramePush push = ctx.push;
        if (show_ == "water") {
            push.extra = glm::vec4(float(depth_scale_m_), float(water_opacity_), 0, 0);
            water_pipe_.bind(ctx.cmd, water_set());
            water_pipe_.push(ctx.cmd, push);
            vkCmdBindIndexBuffer(ctx.cmd, water_index_buffer_.handle(), 0, VK_INDEX_TYPE_UINT32);
            vkCmdDrawIndexed(ctx.cmd, water_indices_, 1, 0, 0, 0);
        }
        if (particle_count_ > 0 && show_ == "water") {
            push.extra = glm::vec4(3.0f, 1.6f, m_per_px_, 0);
            streak_pipe_.bind(ctx.cmd, streak_set_);
            streak_pipe_.push(ctx.cmd, push);
            vkCmdDraw(ctx.cmd, particle_count_ * 6, 1, 0, 0);
        }
    }

    // Posts are grey, amber once water rises toward the warning depth, red with a glowing top once the siren
    // sounded; sites white, amber once warned, red once water reached them.
    void update_markers(bool force) {
        if (!draws_) return;
        std::vector<engine::Instance> posts, sites;
        const double s = marker_scale_;
        for (const Gauge& g : gauges_) {
            const glm::dvec2 w = world_of_cell(g.cell);
            const double ground = grid_.z[g.cell] + z_shift_;
            const double d = g.depth_m.empty() ? 0.0 : g.depth_m.back();
            glm::vec4 colour(0.55f, 0.56f, 0.58f, 0.0f);
            if (g.siren_s >= 0) colour = glm::vec4(1.0f, 0.12f, 0.08f, 0.9f);
            else if (d > 0.6 * g.warn_m) colour = glm::vec4(1.0f, 0.65f, 0.1f, 0.3f);
            engine::Instance post;
            post.position_yaw = glm::vec4(float(w.x), float(w.y), float(ground), 0.0f);
            post.scale = glm::vec4(float(8 * s), float(8 * s), float(10 * s), 0.0f);
            post.color = colour;
            posts.push_back(post);
            // A flat "warning depth" band on the post.
            engine::Instance band = post;
            band.position_yaw.z = float(ground + g.warn_m);
            band.scale = glm::vec4(float(16 * s), float(16 * s), float(0.08 * s), 0.0f);
            band.color = glm::vec4(1.0f, 0.85f, 0.2f, 0.5f);
            posts.push_back(band);
        }
        for (const Site& st : sites_) {
            const glm::dvec2 w = world_of_cell(st.cell);
            glm::vec4 colour(0.92f, 0.9f, 0.84f, 0.0f);
            if (st.arrival_s >= 0) colour = glm::vec4(0.95f, 0.15f, 0.1f, 0.6f);
            else if (warned(st)) colour = glm::vec4(1.0f, 0.7f, 0.15f, 0.4f);
            engine::Instance m;
            m.position_yaw = glm::vec4(float(w.x), float(w.y), float(grid_.z[st.cell] + z_shift_ - 0.5), 0.3f);
            const bool camp = st.kind == "camp";
            m.scale = glm::vec4(float((camp ? 9 : 14) * s), float((camp ? 6 : 10) * s), float((camp ? 3 : 5) * s), 0.0f);
            m.color = colour;
            sites.push_back(m);
        }
        auto same = [](const std::vector<engine::Instance>& a, const std::vector<engine::Instance>& b) {
            return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(engine::Instance)) == 0;
        };
        if (force || !same(posts, uploaded_posts_)) {
            if (!posts.empty()) posts_.upload(*gpu_, posts, "gauge posts");
            uploaded_posts_ = posts;
        }
        if (force || !same(sites, uploaded_sites_)) {
            if (!sites.empty()) site_batch_.upload(*gpu_, sites, "flood sites");
            uploaded_sites_ = sites;
        }
    }

    // [SECTION] Readback

    void frame_complete(uint32_t slot) override {
        slot %= engine::kFramesInFlight;
        const std::vector<SweGpu::LogEntry> log = solver_->take_log(slot);
        const size_t probes = gauges_.size() + sites_.size();
        if (!windows_[slot].empty() && probes > 0) probe_log_[slot].invalidate();
        const auto* probe = static_cast<const glm::vec4*>(probes ? probe_log_[slot].mapped() : nullptr);
        size_t e = 0;
        for (const Window& w : windows_[slot]) {
            double speed = 0;
            for (uint32_t k = 0; k < w.steps && e < log.size(); ++k, ++e) {
                const SweGpu::LogEntry& l = log[e];
                if (l.dt_s <= 0) continue;
                StepReport r;
                r.outflow_m3 = l.outflow_m3;
                r.outflow_edge_m3 = {l.outflow_m3, 0, 0, 0};  // the GPU sums the edges together
                r.rain_m3 = l.rain_m3;
                r.inflow_m3 = l.inflow_m3;
                r.infiltrated_m3 = l.infiltrated_m3;
                ledger_.add(r);
                volume_m3_ = l.volume_m3;
                speed = std::max(speed, l.wave_speed);
                last_dt_ = l.dt_s;
                ++steps_taken_;
            }
            if (w.steps > 0 && e > 0) debt_s_ = log[e - 1].left_s;
            else debt_s_ += w.t_end_s - last_window_end_s_;  // a window with no steps: all its time is left
            last_window_end_s_ = w.t_end_s;
            if (speed > 0) last_speed_ = speed;
            flood_time_s_ = w.t_end_s - debt_s_;
            balance_t_.push_back(flood_time_s_);
            balance_.push_back({volume_m3_, ledger_.rain_m3, ledger_.inflow_m3, ledger_.outflow_m3(), ledger_.infiltrated_m3,
                                ledger_.expected_m3()});
            if (w.probe_row >= 0) {
                const glm::vec4* row = probe + size_t(w.probe_row) * probes;
                for (size_t g = 0; g < gauges_.size(); ++g) {
                    Gauge& ga = gauges_[g];
                    const double d = row[g].x;
                    ga.t_s.push_back(flood_time_s_);
                    ga.depth_m.push_back(d);
                    if (ga.siren_s < 0 && d > ga.warn_m) {
                        ga.siren_s = flood_time_s_;
                        if (first_siren_s_ < 0) first_siren_s_ = flood_time_s_;
                    }
                }
                for (size_t s = 0; s < sites_.size(); ++s) {
                    Site& st = sites_[s];
                    const double d = row[gauges_.size() + s].x;
                    st.max_depth_m = std::max(st.max_depth_m, d);
                    if (st.arrival_s < 0 && d > site_depth_m_) st.arrival_s = flood_time_s_;
                }
            }
        }
        if (!windows_[slot].empty()) unassigned_debt_s_ = debt_s_;
        windows_[slot].clear();
        probe_rows_used_[slot] = 0;
        for (Snapshot& s : snapshots_pending_[slot]) snapshots_.push_back(std::move(s));
        snapshots_pending_[slot].clear();
        if (state_pending_[slot]) {
            state_readback_[slot].invalidate();
            std::memcpy(host_state_.data(), state_readback_[slot].mapped(), host_state_.size() * 16);
            for (size_t k = 0; k < host_state_.size(); ++k) host_max_[k] = std::max(host_max_[k], host_state_[k].x);
            state_pending_[slot] = false;
        }
    }

    double host_cell(double x_world, double y_world, int component) const {
        const double x = x_world - place_x_ + centre_x_, y = y_world - place_y_ + centre_y_;
        if (!inside_map(x, y)) return std::nan("");
        const auto [i, j] = cell_of_map(x, y);
        return host_state_[grid_.index(i, j)][component];
    }
    // The hazard rating of Defra/EA FD2320/TR2 without the debris factor, HR = d (v + 0.5): above 0.75 a danger to
    // some, above 1.25 to most people.
    double host_hazard(double x_world, double y_world) const {
        const double h = host_cell(x_world, y_world, 0);
        if (std::isnan(h)) return h;
        const double v = h > kSpeedDepth ? std::hypot(host_cell(x_world, y_world, 1), host_cell(x_world, y_world, 2)) / h : 0.0;
        return h * (v + 0.5);
    }
    double host_max_depth(double x_world, double y_world) const {
        // The largest depth among the frames read back (the GPU's own maxima, over every window, are exported).
        const double x = x_world - place_x_ + centre_x_, y = y_world - place_y_ + centre_y_;
        if (!inside_map(x, y)) return std::nan("");
        const auto [i, j] = cell_of_map(x, y);
        return host_max_[grid_.index(i, j)];
    }

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

    void overlay(OverlayContext& ctx) override {
        sync_visual(ctx.params);
        if (sleeping_) return;  // a flood waiting for rain has nothing to show yet
        const engine::LegendSpec legend = legend_spec();
        engine::draw_legend(legend, ctx.colormaps);

        // The flood's state, top right (red once a siren sounded), and labels over the gauges and sites.
        char text[240];
        std::snprintf(text, sizeof text, "T+%s   rain %.0f mm/h   sirens %zu/%zu   sites reached %zu/%zu",
                      clock_text(flood_time_s_).c_str(), storm_rate_mm_h_ + rain_now_mm_h_, sirens_sounded(), gauges_.size(),
                      size_t(std::count_if(sites_.begin(), sites_.end(), [](const Site& s) { return s.arrival_s >= 0; })),
                      sites_.size());
        engine::StatusLine status{text};
        if (sirens_sounded()) status.background = IM_COL32(130, 20, 20, 215);
        engine::draw_status_lines({status});
        ImDrawList* dl = ImGui::GetForegroundDrawList();
        const ImVec2 display = ImGui::GetIO().DisplaySize;
        // Gauge and site labels only once the valley is more than a speck on the screen.
        if (!frame_ready_ || camera_distance_m_ > 20.0 * grid_.dx * std::max(grid_.nx, grid_.ny)) return;
        auto label = [&](glm::dvec3 p, const std::string& s, ImU32 bg) {
            const glm::vec4 c = view_proj_ * glm::vec4(glm::vec3(p), 1.0f);
            if (c.w <= 0) return;
            // The world pass flips y for Vulkan's downward clip y; ImGui's y also grows downward.
            const float sx = (c.x / c.w * 0.5f + 0.5f) * display.x, sy = (0.5f - c.y / c.w * 0.5f) * display.y;
            if (sx < 0 || sy < 0 || sx > display.x || sy > display.y) return;
            const ImVec2 ts = ImGui::CalcTextSize(s.c_str());
            dl->AddRectFilled(ImVec2(sx - ts.x / 2 - 4, sy - ts.y - 6), ImVec2(sx + ts.x / 2 + 4, sy - 2), bg, 3.0f);
            dl->AddText(ImVec2(sx - ts.x / 2, sy - ts.y - 4), IM_COL32(255, 255, 255, 255), s.c_str());
        };
        for (const Gauge& g : gauges_) {
            const glm::dvec2 w = world_of_cell(g.cell);
            char b[96];
            std::snprintf(b, sizeof b, "%s %.1f m", g.name.c_str(), g.depth_m.empty() ? 0.0 : g.depth_m.back());
            label({w.x, w.y, grid_.z[g.cell] + z_shift_ + 10.5 * marker_scale_}, b,
                  g.siren_s >= 0 ? IM_COL32(170, 20, 20, 220) : IM_COL32(30, 34, 44, 200));
        }
        for (const Site& s : sites_) {
            const glm::dvec2 w = world_of_cell(s.cell);
            label({w.x, w.y, grid_.z[s.cell] + z_shift_ + 4 * marker_scale_}, s.name,
                  s.arrival_s >= 0 ? IM_COL32(170, 20, 20, 220) : warned(s) ? IM_COL32(160, 100, 10, 220) : IM_COL32(30, 34, 44, 180));
        }
    }

    engine::LegendSpec legend_spec() const {
        engine::LegendSpec legend;
        if (show_ == "water") {
            legend.quantity = "Water depth";
            legend.unit = "m";
            legend.max = depth_scale_m_;
            legend.colormap = engine::Colormap::Blues;
        } else if (show_ == "max_depth") {
            legend.quantity = "Largest depth so far";
            legend.unit = "m";
            legend.max = depth_scale_m_;
            legend.colormap = engine::Colormap::Viridis;
        } else if (show_ == "arrival_time") {
            legend.quantity = "Water arrived (> 0.1 m)";
            legend.unit = "min";
            legend.max = std::max(10.0, std::ceil(flood_time_s_ / 600.0) * 10.0);
            legend.colormap = engine::Colormap::Inferno;
        } else {
            legend.quantity = "Hazard: 1 low, 2 some, 3 most, 4 all";
            legend.unit = "danger class";
            legend.min = 0;
            legend.max = 4;
            legend.colormap = engine::Colormap::Turbo;
        }
        return legend;
    }

    static std::string clock_text(double t) {
        char b[32];
        const long s = long(std::max(0.0, t));
        std::snprintf(b, sizeof b, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
        return b;
    }

    void sync_visual(const ParamStore& p) {
        show_ = p.text("flood.show");
        depth_scale_m_ = p.number("flood.depth_scale_m");
        water_opacity_ = p.number("flood.water_opacity");
        tracer_speedup_ = p.number("flood.tracer_speedup");
        site_depth_m_ = p.number("flood.site_flood_depth_m");
    }

    void panel(PanelContext& ctx) override {
        sync_visual(ctx.params);
        ImGui::Text("%u x %u cells of %.1f m%s, %s order, %s", grid_.nx, grid_.ny, grid_.dx,
                    valley_ ? " (procedural valley)" : "", grid_.second_order ? "second" : "first",
                    nodata_cells_ ? (std::to_string(nodata_cells_) + " NODATA cells as walls").c_str() : "no NODATA");
        if (filled_cells_) ImGui::TextDisabled("%zu cells raised to drain (depression filling)", filled_cells_);
        ImGui::Text("Flood clock T+%s (%.0f s behind the session), dt %.2f s, %llu steps", clock_text(flood_time_s_).c_str(),
                    debt_s_, last_dt_, static_cast<unsigned long long>(steps_taken_));
        const double err = volume_m3_ - ledger_.expected_m3();
        const double total = std::max({ledger_.expected_m3(), ledger_.initial_m3 + ledger_.rain_m3 + ledger_.inflow_m3, 1e-9});
        ImGui::Text("Water %.3g m3: rain %.3g, inflow %.3g, out %.3g, soil %.3g; balance error %.1e", volume_m3_,
                    ledger_.rain_m3, ledger_.inflow_m3, ledger_.outflow_m3(), ledger_.infiltrated_m3, err / total);

        if (!gauges_.empty() && ImGui::CollapsingHeader("Gauges", ImGuiTreeNodeFlags_DefaultOpen)) {
            for (const Gauge& g : gauges_) {
                ImGui::PushID(g.name.c_str());
                const bool on = g.siren_s >= 0;
                ImGui::TextColored(on ? ImVec4(1, 0.3f, 0.25f, 1) : ImVec4(0.7f, 0.75f, 0.8f, 1), "%s  %s", on ? "SIREN" : "quiet",
                                   g.name.c_str());
                ImGui::SameLine();
                ImGui::TextDisabled("warns at %.1f m%s", g.warn_m, on ? (", sounded T+" + clock_text(g.siren_s)).c_str() : "");
                engine::PlotSpec spec;
                spec.title = g.name + ": depth";
                spec.x_label = "time";
                spec.x_unit = "h";
                spec.y_label = "depth";
                spec.y_unit = "m";
                spec.y_from_zero = true;
                spec.size = ImVec2(ImGui::GetContentRegionAvail().x, 120);
                std::vector<double> hours(g.t_s.size());
                for (size_t i = 0; i < g.t_s.size(); ++i) hours[i] = g.t_s[i] / 3600.0;
                std::vector<double> warn_x, warn_y;
                if (!hours.empty()) {
                    warn_x = {hours.front(), hours.back()};
                    warn_y = {g.warn_m, g.warn_m};
                }
                engine::plot_series("gauge", spec,
                                    {{"depth", IM_COL32(90, 170, 250, 255), hours, g.depth_m},
                                     {"warning", IM_COL32(250, 190, 60, 255), warn_x, warn_y}});
                ImGui::PopID();
            }
        }
        if (!sites_.empty() && ImGui::CollapsingHeader("Warning lead time", ImGuiTreeNodeFlags_DefaultOpen)) {
            if (ImGui::BeginTable("lead", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp)) {
                for (const char* h : {"site", "warned by", "siren", "water", "lead time"}) ImGui::TableSetupColumn(h);
                ImGui::TableHeadersRow();
                for (const Site& s : sites_) {
                    ImGui::TableNextRow();
                    ImGui::TableNextColumn();
                    ImGui::TextUnformatted(s.name.c_str());
                    ImGui::TableNextColumn();
                    ImGui::TextUnformatted(s.gauge.empty() ? "first siren" : s.gauge.c_str());
                    const double siren = siren_for(s);
                    ImGui::TableNextColumn();
                    ImGui::TextUnformatted(siren >= 0 ? ("T+" + clock_text(siren)).c_str() : "-");
                    ImGui::TableNextColumn();
                    ImGui::TextUnformatted(s.arrival_s >= 0 ? ("T+" + clock_text(s.arrival_s)).c_str() : "dry");
                    ImGui::TableNextColumn();
                    if (s.arrival_s >= 0 && siren >= 0) {
                        const double lead = (s.arrival_s - siren) / 60.0;
                        ImGui::TextColored(lead < 30 ? ImVec4(1, 0.35f, 0.3f, 1) : ImVec4(0.5f, 0.9f, 0.5f, 1), "%.0f min", lead);
                    } else if (s.arrival_s >= 0) {
                        ImGui::TextColored(ImVec4(1, 0.3f, 0.25f, 1), "none");
                    } else if (siren >= 0) {
                        ImGui::Text("> %.0f min", (flood_time_s_ - siren) / 60.0);
                    } else {
                        ImGui::TextDisabled("-");
                    }
                }
                ImGui::EndTable();
            }
        }
        warning_by_size_table();
    }

    // The same flood as each of the world's places would have been warned of it (warning_network.hpp).
    void warning_by_size_table() {
        if (populations_.empty() || gauges_.empty()) return;
        if (!ImGui::CollapsingHeader("Warning by the size of the place", ImGuiTreeNodeFlags_DefaultOpen)) return;
        ImGui::TextWrapped("This flood, with the gauges and alerting each place's budget buys (investment per resident "
                           "~ N^%.2f; %.0f people: one gauge, alert %.0f min after it). Sites: this river's.",
                           scaling_.exponent, scaling_.ref_population, scaling_.ref_delay_s / 60);
        if (!ImGui::BeginTable("by_size", 6, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp))
            return;
        for (const char* h : {"place", "people", "gauges", "alert", "alerted", "lead time"}) ImGui::TableSetupColumn(h);
        ImGui::TableHeadersRow();
        for (const WarningNetwork& net : networks()) {
            const WarningOutcome o = outcome(net);
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(net.place.c_str());
            ImGui::TableNextColumn();
            ImGui::Text("%.3g", net.population);
            ImGui::TableNextColumn();
            ImGui::Text("%zu of %zu", net.gauges, gauges_.size());
            ImGui::TableNextColumn();
            ImGui::Text("+%.0f min", net.alert_delay_s / 60);
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(o.alert_s >= 0 ? ("T+" + clock_text(o.alert_s)).c_str() : "-");
            ImGui::TableNextColumn();
            if (o.with_lead) {
                const double lead = o.mean_lead_s / 60;
                ImGui::TextColored(lead < 30 ? ImVec4(1, 0.35f, 0.3f, 1) : ImVec4(0.5f, 0.9f, 0.5f, 1), "%.0f min (%zu/%zu in time)",
                                   lead, o.warned_in_time, o.reached);
            } else if (o.reached) {
                ImGui::TextColored(ImVec4(1, 0.3f, 0.25f, 1), "none (%zu sites wet)", o.reached);
            } else {
                ImGui::TextDisabled("-");
            }
        }
        ImGui::EndTable();
    }

    std::vector<Metric> metrics() const override {
        std::vector<Metric> m = {{"flood time", "s", flood_time_s_},
                                 {"stored water", "m3", volume_m3_},
                                 {"mass balance error", "m3", volume_m3_ - ledger_.expected_m3()},
                                 {"solver steps", "", double(steps_taken_)},
                                 {"sirens sounded", "", double(sirens_sounded())}};
        for (const Site& s : sites_)
            if (s.arrival_s >= 0) m.push_back({s.name + " water arrival", "s", s.arrival_s});
        return m;
    }

    // [SECTION] Exports

    // Finishes the time earlier windows left over (with blocking submissions), so the exports are at T.
    void catch_up() {
        for (int guard = 0; guard < 1000 && debt_s_ > 1e-9; ++guard) {
            const double dt_est = last_speed_ > 0 ? clock_.cfl * grid_.dx / last_speed_ : clock_.max_dt_s;
            const uint32_t steps = uint32_t(std::clamp(std::ceil(debt_s_ / dt_est * kMarginSteps) + 1.0, 1.0, 4000.0));
            uint32_t recorded = 0;
            const SweGpu::WindowForcing wf{session_time_s_, storm_.radius_m, storm_.peak_mm_per_h / 3.6e6};
            gpu_->submit_and_wait([&](VkCommandBuffer cmd) { recorded = solver_->record_window(cmd, 0.0, steps, {}, 0, wf); });
            windows_[0].push_back({session_time_s_, recorded, -1});
            frame_complete(0);
        }
    }

    Raster result_raster(const std::vector<float>& v) const {
        Raster r;
        r.nx = grid_.nx;
        r.ny = grid_.ny;
        r.geo = dem_.geo;
        r.v = v;
        for (size_t k = 0; k < r.v.size(); ++k)
            if (std::isnan(dem_.v[k])) r.v[k] = std::nanf("");
        return r;
    }

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

    void export_results(const fs::path& dir, double t_s, const ParamStore&) override {
        catch_up();
        const size_t n = grid_.cells();
        std::vector<glm::vec4> state(n), stats(n);
        solver_->state_buffer().download(state.data(), n * 16);
        stats_.download(stats.data(), n * 16);
        auto channel = [&](const std::vector<glm::vec4>& src, int c) {
            std::vector<float> out(n);
            for (size_t k = 0; k < n; ++k) out[k] = src[k][c];
            return out;
        };
        for (Snapshot& s : snapshots_) {
            s.buffer.invalidate();
            std::vector<glm::vec4> snap(n);
            std::memcpy(snap.data(), s.buffer.mapped(), n * 16);
            if (std::lround(s.t_s) != std::lround(t_s)) write_raster(dir, depth_name(s.t_s), channel(snap, 0), 4);
        }
        write_raster(dir, depth_name(t_s), channel(state, 0), 4);
        write_raster(dir, "max_depth", channel(stats, 0), 4);
        write_raster(dir, "max_speed", channel(stats, 1), 4);
        std::vector<float> arrival = channel(stats, 2);
        for (float& a : arrival)
            if (a < 0) a = std::nanf("");
        write_raster(dir, "arrival_time", arrival, 1);
        write_raster(dir, "hazard", channel(stats, 3), 4);

        std::ofstream g(dir / "gauges.csv");
        g << "time_s";
        for (const Gauge& ga : gauges_) g << ',' << csv_name(ga.name);
        g << '\n' << std::setprecision(10);
        const size_t rows = gauges_.empty() ? 0 : gauges_[0].t_s.size();
        for (size_t r = 0; r < rows; ++r) {
            g << gauges_[0].t_s[r];
            for (const Gauge& ga : gauges_) g << ',' << ga.depth_m[r];
            g << '\n';
        }
        std::ofstream mb(dir / "mass_balance.csv");
        mb << "time_s,stored_m3,rain_m3,inflow_m3,outflow_m3,infiltrated_m3,expected_m3,error_m3,relative_error\n"
           << std::setprecision(12);
        for (size_t r = 0; r < balance_.size(); ++r) {
            const auto& b = balance_[r];
            const double total = std::max(ledger_.initial_m3 + b[1] + b[2], 1e-12);
            mb << balance_t_[r] << ',' << b[0] << ',' << b[1] << ',' << b[2] << ',' << b[3] << ',' << b[4] << ',' << b[5] << ','
               << b[0] - b[5] << ',' << (b[0] - b[5]) / total << '\n';
        }
        std::ofstream ws(dir / "warnings.csv");
        ws << "site,kind,warned_by,siren_s,arrival_s,lead_time_s,max_depth_m\n" << std::setprecision(10);
        for (const Site& s : sites_) {
            const double siren = siren_for(s);
            ws << csv_name(s.name) << ',' << s.kind << ',' << csv_name(s.gauge.empty() ? "first siren" : s.gauge) << ',';
            if (siren >= 0) ws << siren;
            ws << ',';
            if (s.arrival_s >= 0) ws << s.arrival_s;
            ws << ',';
            if (siren >= 0 && s.arrival_s >= 0) ws << s.arrival_s - siren;
            ws << ',' << s.max_depth_m << '\n';
        }
        export_warning_by_size(dir);
    }

    void export_warning_by_size(const fs::path& dir) const {
        if (populations_.empty() || gauges_.empty()) return;
        std::ofstream f(dir / "warning_by_city.csv");
        f << "place,population,gauges,alert_delay_s,detect_s,alert_s,sites_reached,sites_alerted_in_time,mean_lead_time_s,"
             "min_lead_time_s\n"
          << std::setprecision(10);
        for (const WarningNetwork& net : networks()) {
            const WarningOutcome o = outcome(net);
            f << csv_name(net.place) << ',' << net.population << ',' << net.gauges << ',' << net.alert_delay_s << ',';
            if (o.detect_s >= 0) f << o.detect_s;
            f << ',';
            if (o.alert_s >= 0) f << o.alert_s;
            f << ',' << o.reached << ',' << o.warned_in_time << ',';
            if (o.with_lead) f << o.mean_lead_s << ',' << o.min_lead_s;
            else f << ',';
            f << '\n';
        }
    }

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
    double woke_s_ = -1;                  // when a sleeping flood started computing
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
    engine::Pipeline stats_pipe_, water_pipe_, particle_pipe_, streak_pipe_;
    std::unique_ptr<engine::DescriptorAllocator> descriptors_;
    std::map<VkBuffer, VkDescriptorSet> stats_sets_, water_sets_, particle_sets_;
    VkDescriptorSet streak_set_ = VK_NULL_HANDLE;
    uint32_t water_indices_ = 0, particle_count_ = 0;
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

}  // namespace

std::unique_ptr<Module> create() { return std::make_unique<FloodModule>(); }

}  // namespace infrascape::flood
