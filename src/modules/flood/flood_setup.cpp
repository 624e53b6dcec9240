// The flood module's set-up: the DEM or valley, its place in the world, the solver, gauges and sites, GPU resources.
#include "modules/flood/flood_module_impl.hpp"

namespace infrascape::flood {

// a window of the flood's own adaptive steps
// [SECTION] Set-up
void FloodModule::attach(AttachContext& ctx) {
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
    {  // The water lies on the true ground: the renderer keeps the terrain under the DEM within 5 cm of it.
        const glm::dvec2 lo = world_of_map(dem_.geo.x0, dem_.geo.y0);
        const glm::dvec2 hi = lo + glm::dvec2((dem_.nx - 1) * dem_.geo.cell, (dem_.ny - 1) * dem_.geo.cell);
        ctx.world.add_ground_detail({lo, hi, 0.05, 64});
    }
    sleeping_ = p.flag("flood.sleep_until_rain");
    scaling_ = WarningScaling{p.number("flood.warning_exponent"), p.number("flood.warning_ref_population"),
                              60.0 * p.number("flood.alert_delay_min")};
    build_solver(p);
    read_records(p);
    order_gauges();
    set_forcing_table();
    create_stats();
    load_probability_map(p);
    if (draws_) create_drawing(p);
    ledger_.initial_m3 = stored_volume(grid_, initial_state_);
    volume_m3_ = ledger_.initial_m3;
    initial_state_ = SweState{};
}

void FloodModule::publish(OutputBus& bus) {
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
void FloodModule::prepare_ground(const ParamStore& p, const WorldInfo& info) {
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

// A valley inside a larger world: the DEM at its place, shifted up or down so that its rim lies, on average, at
// the height of the world's terrain along the same rim (the DEM's own datum is kept for the solver).
std::optional<engine::Heightfield> FloodModule::provide_inset(const ParamStore& p, const WorldInfo& info) {
    if (p.text("flood.ground") != "inset") return std::nullopt;
    prepare_ground(p, info);
    place_in_world(info);
    return display_terrain();
}

void FloodModule::place_in_world(const WorldInfo& info) {
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

void FloodModule::load_terrain(const ParamStore& p, const WorldInfo& info) {
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
    if (inset_ && p.text("flood.place_by") == "georeference") {
        // The DEM's centre, from its own coordinate reference system to longitude and latitude, then into the
        // world's frame. A DEM whose CRS differs from the world's is placed by its centre alone: its grid keeps
        // its axes and cells (over a valley's few kilometres the grids' convergence is a fraction of a degree).
        if (g.wkt.empty())
            throw ParamError("flood.place_by", "'flood.place_by': the DEM has no coordinate reference system (a GeoTIFF's "
                                               "keys, or a .prj beside an .asc), so it cannot be placed by its georeference");
        try {
            const std::array<double, 2> ll = latlon_of(g.wkt, centre_x_, centre_y_);
            const std::array<double, 2> w = info.lonlat(ll[0], ll[1]);
            place_x_ = w[0];
            place_y_ = w[1];
        } catch (const std::invalid_argument& e) {
            throw ParamError("flood.place_by", std::string("'flood.place_by': the DEM cannot be placed by its georeference: ") +
                                                   e.what());
        }
    } else if (inset_) {
        place_x_ = p.number("flood.world_x_m");
        place_y_ = p.number("flood.world_y_m");
    }
}

void FloodModule::build_solver(const ParamStore& p) {
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
    grid_.inertial = p.text("flood.scheme") == "inertial";
    grid_.inertial_theta = p.number("flood.inertial_theta");
    grid_.second_order = !grid_.inertial && p.flag("flood.second_order");
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
    clock.cfl = grid_.inertial       ? p.number("flood.inertial_alpha")
                : grid_.second_order ? std::min(p.number("flood.cfl"), kCfl2DSecondOrder)
                                     : p.number("flood.cfl");
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
void FloodModule::fill_valley_channel(double q) {
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

void FloodModule::read_records(const ParamStore& p) {
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
void FloodModule::order_gauges() {
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

// The storm path and the inflows' hydrographs (the valley's base flow as a constant one) for the GPU clock.
void FloodModule::set_forcing_table() {
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
engine::Heightfield FloodModule::display_terrain() const {
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

void FloodModule::create_stats() {
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
    shown_ = engine::Buffer(*gpu_, n * 4, storage | VK_BUFFER_USAGE_TRANSFER_DST_BIT, engine::MemoryKind::Device,
                            "flood overlay field");
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

VkDescriptorSet FloodModule::stats_set() {
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

void FloodModule::create_drawing(const ParamStore& p) {
    const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    const glm::dvec2 o = world_of_map(dem_.geo.x0, dem_.geo.y0);
    const gpu::FloodGeometry geo{glm::vec4(float(o.x), float(o.y), float(grid_.dx), float(solver_->datum() + z_shift_)),
                                 glm::uvec4(grid_.nx, grid_.ny, 0, 0)};
    geometry_ = engine::Buffer(*gpu_, sizeof(geo), storage, engine::MemoryKind::Device, "flood geometry");
    geometry_.upload(&geo, sizeof(geo));
    std::vector<uint32_t> idx;
    water_levels_.clear();
    for (uint32_t st = stride_;; st *= 2) {  // vertex (i, j) of a level is cell (i * st, j * st), clamped to the edge
        const uint32_t lx = (grid_.nx - 1 + st - 1) / st + 1, ly = (grid_.ny - 1 + st - 1) / st + 1;
        water_levels_.push_back({st, lx, uint32_t(idx.size()), 0});
        for (uint32_t j = 0; j + 1 < ly; ++j)
            for (uint32_t i = 0; i + 1 < lx; ++i) {
                const uint32_t a = j * lx + i, b = a + 1, c = a + lx, d = c + 1;
                idx.insert(idx.end(), {a, b, d, a, d, c});
            }
        water_levels_.back().count = uint32_t(idx.size()) - water_levels_.back().first;
        if (std::min(lx, ly) <= 8) break;
    }
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

VkDescriptorSet FloodModule::water_set() {
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

VkDescriptorSet FloodModule::particle_set() {
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

// flood.probability_map: a raster of probabilities on the DEM's grid (a sweep's collected map), shown over the
// terrain with show = "probability".
void FloodModule::load_probability_map(const ParamStore& p) {
    const std::string path = p.text("flood.probability_map");
    probability_label_ = p.text("flood.probability_label");
    if (path.empty()) {
        if (p.text("flood.show") == "probability")
            throw ParamError("flood.show", "'flood.show' = \"probability\" needs 'flood.probability_map'");
        return;
    }
    const Raster r = read_raster(path, shown_path(path));
    if (r.nx != dem_.nx || r.ny != dem_.ny)
        throw ParamError("flood.probability_map", "'flood.probability_map': " + std::to_string(r.nx) + " x " +
                                                      std::to_string(r.ny) + " cells, the DEM has " + std::to_string(dem_.nx) +
                                                      " x " + std::to_string(dem_.ny));
    for (size_t k = 0; k < r.v.size(); ++k)
        if (!std::isnan(r.v[k]) && (r.v[k] < 0 || r.v[k] > 1)) {
            std::ostringstream msg;
            msg << "'flood.probability_map': " << r.v[k] << " in row " << r.ny - k / r.nx << ", column " << k % r.nx + 1 << " of "
                << shown_path(path) << " is not a probability (0 to 1)";
            throw ParamError("flood.probability_map", msg.str());
        }
    const size_t n = grid_.cells();
    probability_ = engine::Buffer(*gpu_, n * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                                  engine::MemoryKind::Device, "flood probability map");
    probability_.upload(r.v.data(), n * 4);
}

}  // namespace infrascape::flood

