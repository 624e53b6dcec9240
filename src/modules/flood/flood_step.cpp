// The flood module's stepping (windows of GPU-clocked steps) and what it reads back after each frame.
#include "modules/flood/flood_module_impl.hpp"

namespace infrascape::flood {

// [SECTION] Stepping
void FloodModule::step(StepContext& ctx) {
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

void FloodModule::record_stats(VkCommandBuffer cmd, double t_s, bool update) {
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

void FloodModule::before_draw(FrameInfo& frame) {
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
        if (show_ == "probability" && probability_.handle()) {  // the probability map, copied in once
            probability_.use(cmd, engine::Access::TransferSrc);
            shown_.use(cmd, engine::Access::TransferDst);
            const VkBufferCopy all{0, 0, grid_.cells() * 4};
            vkCmdCopyBuffer(cmd, probability_.handle(), shown_.handle(), 1, &all);
        } else {
            record_stats(cmd, flood_time_s_, false);
        }
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
    const double valley_px = grid_.dx * std::max(grid_.nx, grid_.ny) / dist * px_per_rad;
    visible_ = valley_px >= kMinPixels;
    // The water sheet's level: the coarsest whose quads span at most 2 pixels at the valley's nearest point.
    const glm::dvec2 lo = world_of_map(dem_.geo.x0, dem_.geo.y0);
    const glm::dvec2 hi = lo + glm::dvec2((grid_.nx - 1) * grid_.dx, (grid_.ny - 1) * grid_.dx);
    const glm::dvec3 cam(frame.push->camera_pos);
    const glm::dvec3 nearest(glm::clamp(glm::dvec2(cam), lo, hi), centre.z);
    const double near_m = std::max(1.0, glm::length(cam - nearest));
    water_level_ = 0;
    while (water_level_ + 1 < water_levels_.size() &&
           water_levels_[water_level_ + 1].stride * grid_.dx * px_per_rad / near_m <= 2.0)
        ++water_level_;
    // Tracers: all of them once the valley fills 800 pixels, fewer as it shrinks (by its area on the screen).
    particles_drawn_ = uint32_t(particle_count_ * std::clamp(valley_px * valley_px / (800.0 * 800.0), 0.0, 1.0));
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
    m_per_px_ = float(2.0 * std::tan(frame.fov_deg * M_PI / 360.0) / std::max(1.0f, frame.size_h));
    frame_ready_ = true;
}

void FloodModule::draw(DrawContext& ctx) {
    if (!draws_ || !frame_ready_ || !visible_) return;
    if (posts_.count) ctx.world.draw_instances(ctx.cmd, ctx.push, posts_);
    if (site_batch_.count) ctx.world.draw_instances(ctx.cmd, ctx.push, site_batch_);
    engine::FramePush push = ctx.push;
    if (show_ == "water") {
        const WaterLevel& lv = water_levels_[water_level_];
        push.extra = glm::vec4(float(depth_scale_m_), float(water_opacity_), float(lv.stride), float(lv.vx));
        water_pipe_.bind(ctx.cmd, water_set());
        water_pipe_.push(ctx.cmd, push);
        vkCmdBindIndexBuffer(ctx.cmd, water_index_buffer_.handle(), 0, VK_INDEX_TYPE_UINT32);
        vkCmdDrawIndexed(ctx.cmd, lv.count, 1, lv.first, 0, 0);
    }
    if (particles_drawn_ > 0 && show_ == "water") {
        push.extra = glm::vec4(3.0f, 1.6f, m_per_px_, 0);
        streak_pipe_.bind(ctx.cmd, streak_set_);
        streak_pipe_.push(ctx.cmd, push);
        vkCmdDraw(ctx.cmd, particles_drawn_ * 6, 1, 0, 0);
    }
}

// Posts are grey, amber once water rises toward the warning depth, red with a glowing top once the siren
// sounded; sites white, amber once warned, red once water reached them.
void FloodModule::update_markers(bool force) {
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
void FloodModule::frame_complete(uint32_t slot) {
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

}  // namespace infrascape::flood
