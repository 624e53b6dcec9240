// The datacenter module's stepping: the LBM on the GPU, the racks' heat from the air, and what it reads back.
#include "modules/datacenter/datacenter_module_impl.hpp"

namespace infrascape::datacenter {

// [SECTION] Stepping
void DatacenterModule::step(StepContext& ctx) {
    const ParamStore& p = ctx.params;
    update_patches(p);
    solver_->record_patches(ctx.cmd, patches_);
    const uint64_t due = uint64_t(std::floor(units_.steps_for_time(ctx.t_s + ctx.dt_s) + 1e-9));
    const uint32_t n = uint32_t(std::min<uint64_t>(due > lattice_steps_ ? due - lattice_steps_ : 0, 4000));
    if (ctx.timer && n) ctx.timer->begin(ctx.cmd, "datacenter.lbm");
    for (uint32_t k = 0; k < n; ++k) solver_->record_step(ctx.cmd, k + 1 == n);
    if (ctx.timer && n) ctx.timer->end(ctx.cmd);
    lattice_steps_ += n;
    behind_steps_ = due - lattice_steps_;
    slot_ = ctx.slot;
    // The air for the racks' next solve, reduced on the GPU to the probes' sums (a few hundred numbers): at every
    // window's end (the last copy of a frame wins).
    const uint32_t slot = slot_ % engine::kFramesInFlight;
    solver_->record_probes(ctx.cmd);
    engine::Buffer& m = solver_->probe_buffer();
    m.use(ctx.cmd, engine::Access::TransferSrc);
    readback_[slot].use(ctx.cmd, engine::Access::TransferDst);
    const VkBufferCopy all{0, 0, solver_->probe_bytes()};
    vkCmdCopyBuffer(ctx.cmd, m.handle(), readback_[slot].handle(), 1, &all);
    readback_[slot].use(ctx.cmd, engine::Access::HostRead);
    pending_[slot] = true;
    pending_t_[slot] = units_.time_s(double(lattice_steps_));
    t_s_ = units_.time_s(double(lattice_steps_));
    sync_live(p);
}

// The live values the solve and the drawing read between steps (outdoor and coolant temperatures, what is
// drawn), from the parameters: at attach and at every step.
void DatacenterModule::sync_live(const ParamStore& p) {
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
    volume_skipping_ = p.flag("datacenter.volume_skipping");
}

void DatacenterModule::before_draw(FrameInfo& frame) {
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
        m_per_px_ = float(2.0 * std::tan(frame.fov_deg * M_PI / 360.0) / std::max(1.0f, frame.size_h));
    }
    if (volume_ && volume_opacity_ > 0) {
        // What the volume's rays read: each cell's place in this frame's colour range, and which bricks hold
        // anything a ray can see.
        struct {
            glm::uvec4 dims;
            glm::vec4 range;
        } bp{glm::uvec4(nx_, ny_, nz_, 0), glm::vec4(float(t_min_c_), float(t_max_c_), 0, 0)};
        solver_->moments_buffer().use(cmd, engine::Access::ComputeRead);
        bricks_.use(cmd, engine::Access::ComputeWrite);
        cells_.use(cmd, engine::Access::ComputeWrite);
        bricks_pipe_.bind(cmd, bricks_set_);
        bricks_pipe_.push(cmd, bp);
        vkCmdDispatch(cmd, uint32_t((bricks_.size() / 4 + 63) / 64), 1, 1);
    }
    bricks_.use(cmd, engine::Access::FragmentSampled);
    cells_.use(cmd, engine::Access::FragmentSampled);
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

void DatacenterModule::frame_complete(uint32_t slot) {
    slot %= engine::kFramesInFlight;
    if (!pending_[slot]) return;
    readback_[slot].invalidate();
    probe_ = solver_->probe_sums(static_cast<const float*>(readback_[slot].mapped()));
    pending_[slot] = false;
    host_t_s_ = pending_t_[slot];
    // Racks from the air in front of them; the exhaust patches follow on the next step.
    solve_racks_from_air();
    record_series();
}

void DatacenterModule::solve_racks_from_air() {
    for (size_t ri = 0; ri < racks_.size(); ++ri) {
        Rack& r = racks_[ri];
        std::vector<ServerInput> inputs(size_t(r.config.servers));
        r.server_inlet_c.assign(inputs.size(), 0.0);
        for (int s = 0; s < r.config.servers; ++s) {
            const double t_in = probe_mean(rack_probe_base_[ri] + size_t(s), r.body.i1 - r.body.i0);
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
        for (size_t m = 0; m < 256; ++m)
            if (patch_cells_[m] && pred(uint8_t(m))) s += probe_[m], n += patch_cells_[m];
        return n ? s / double(n) : supply_c_;
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
    for (size_t m = 0; m < patches_.size(); ++m) {
        const CellKind k = patches_[m].kind;
        if (patch_cells_[m] && (k == CellKind::Fluid || k == CellKind::Outlet)) stored_k += probe_[m];
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

void DatacenterModule::record_series() {
    if (!series_t_.empty() && host_t_s_ < series_t_.back() + 1.0 - 1e-9) return;
    series_t_.push_back(host_t_s_);
    series_.push_back({it_kw_, facility_.cooling_kw + facility_.fans_kw, facility_.pue, heat_removed_kw_,
                       metrics_.max_intake_c, double(throttled_)});
    std::vector<double> per_unit;
    for (const Unit& u : units_list_) per_unit.push_back(u.heat_removed_kw);
    unit_series_.push_back(per_unit);
}

}  // namespace infrascape::datacenter
