// The datacenter module's set-up: the hall's geometry, racks and cooling units, the lattice and its patches.
#include "modules/datacenter/datacenter_module_impl.hpp"

namespace infrascape::datacenter {

// a window of lattice steps
// [SECTION] Set-up
void DatacenterModule::attach(AttachContext& ctx) {
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
    const LbmMemory mem = lbm_memory(*gpu_, nx_, ny_, nz_, p.text("datacenter.populations") == "fp16");
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
    const bool fp16 = p.text("datacenter.populations") == "fp16";
    if (fp16 && !gpu_->storage_16bit())
        throw ParamError("datacenter.populations", "'datacenter.populations': fp16 needs 16-bit storage buffers, which " +
                                                       gpu_->device_name() + " lacks");
    solver_ = std::make_unique<LbmGpu>(*gpu_, *ref_, fp16 ? LbmStorage::Fp16 : LbmStorage::Fp32);
    patches_ = ref_->patches();
    update_patches(p);
    solver_->set_patches(patches_);
    set_probes(ref_->mask(), p.number("datacenter.supply_c"));
    ref_.reset();  // the GPU holds the state now
    for (auto& rb : readback_)
        rb = engine::Buffer(*gpu_, solver_->probe_bytes(), VK_BUFFER_USAGE_TRANSFER_DST_BIT, engine::MemoryKind::Readback,
                            "datacenter probe readback");
    sync_live(p);
    solve_racks_from_air();
    create_drawing(p, ctx.info);
}

void DatacenterModule::set_probes(const std::vector<uint8_t>& mask, double initial_c) {
    std::vector<std::vector<uint32_t>> groups(256);
    for (size_t c = 0; c < mask.size(); ++c) groups[mask[c]].push_back(uint32_t(c));
    patch_cells_.assign(256, 0);
    for (size_t m = 0; m < 256; ++m) patch_cells_[m] = groups[m].size();
    rack_probe_base_.clear();
    for (const Rack& r : racks_) {
        rack_probe_base_.push_back(groups.size());
        const uint32_t j = r.faces_north ? std::min(r.body.j1, ny_ - 1) : (r.body.j0 > 0 ? r.body.j0 - 1 : 0);
        for (int s = 0; s < r.config.servers; ++s) {
            const double h = server_centre_height_m(r.config, s);
            const uint32_t k = uint32_t(std::clamp(std::floor(h / cell_), 0.0, double(nz_ - 1)));
            std::vector<uint32_t> strip;
            for (uint32_t i = r.body.i0; i < r.body.i1; ++i) strip.push_back(uint32_t(cell(i, j, k)));
            groups.push_back(std::move(strip));
        }
    }
    solver_->set_probes(groups);
    probe_.resize(groups.size());
    for (size_t g = 0; g < groups.size(); ++g) probe_[g] = initial_c * double(groups[g].size());
}

void DatacenterModule::build_geometry(const ParamStore& p, const WorldInfo& info) {
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
void DatacenterModule::update_patches(const ParamStore& p) {
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

}  // namespace infrascape::datacenter
