// The city module's stepping: growth in population, the automaton's generations, and what it reads back.
#include "modules/city/city_module_impl.hpp"

namespace infrascape::city {

void CityModule::step(StepContext& ctx) {
    const ParamStore& p = ctx.params;
    // Live edits (panel, timeline) replace the growth parameters; otherwise the model keeps its own, which
    // innovations have changed since.
    const GrowthParams requested = params_of(p);
    if (requested.a != applied_.a || requested.b != applied_.b || requested.beta != applied_.beta) {
        growth_->set_params(requested);
        applied_ = requested;
    }
    growth_->set_margin(p.number("city.innovation_margin_y"), p.number("city.innovation_a_gain"));
    const double dt_y = ctx.dt_s / kSecondsPerYear;
    growth_->advance(dt_y);
    const double t_y = growth_->t_years();
    const double n = growth_->population();
    heat_island_k_ = heat_island_max_k(n, p.text("city.heat_island_region") == "europe" ? HeatIslandRegion::Europe
                                                                                         : HeatIslandRegion::NorthAmerica);

    // Automaton generations due by now. The land the population needs drives them: the GPU compares its
    // own count of built cells with this target, so no CPU readback decides how the city grows.
    const uint64_t due = uint64_t(std::floor(t_y * p.number("city.generations_per_year") + 1e-9));
    const double demand = initial_built_ * std::pow(std::max(n, 1.0) / p.number("city.n0"), 1.0 - p.number("city.densification"));
    const uint32_t target = uint32_t(std::min(demand, double(n_) * n_));
    SleuthCoefficients c{p.number("city.diffusion"), p.number("city.breed"), p.number("city.spread"),
                         p.number("city.slope_resistance"), p.number("city.road_gravity")};
    const CaRates rates = ca_rates(c, n_, n_, int(p.number("city.road_spacing")), target, std::max(16u, target / 8));
    const bool any = due > generations_;
    if (ctx.timer && any) ctx.timer->begin(ctx.cmd, "city.automaton");
    while (generations_ < due) {
        record_generation(ctx.cmd, rates, uint32_t(generations_));
        ++generations_;
    }
    if (ctx.timer && any) ctx.timer->end(ctx.cmd);
    density_decay_m_ = float(p.number("city.density_decay_m"));

    // Statistics of this step's grid, logged for the population table (counted once per change of grid).
    if (stats_dirty_) record_stats(ctx.cmd);
    const uint32_t slot = uint32_t(log_next_ % kLogSlots);
    stats_.use(ctx.cmd, engine::Access::TransferSrc);
    stats_log_.use(ctx.cmd, engine::Access::TransferDst);
    VkBufferCopy region{0, slot * sizeof(GpuStats), sizeof(GpuStats)};
    vkCmdCopyBuffer(ctx.cmd, stats_.handle(), stats_log_.handle(), 1, &region);
    stats_log_.use(ctx.cmd, engine::Access::HostRead);
    pending_rows_.push_back({slot, start_year_ + t_y, n});
    ++log_next_;

    if (t_y + 1e-9 >= next_export_y_) {  // land-use snapshot for the exports, exactly at this step
        snapshot_copies_.push_back(
            {start_year_ + next_export_y_,
             engine::Buffer(*gpu_, size_t(n_) * n_ * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                            engine::MemoryKind::Readback, "city snapshot")});
        engine::Buffer& dst = snapshot_copies_.back().buffer;
        state_[current_].use(ctx.cmd, engine::Access::TransferSrc);
        dst.use(ctx.cmd, engine::Access::TransferDst);
        VkBufferCopy all{0, 0, size_t(n_) * n_ * 4};
        vkCmdCopyBuffer(ctx.cmd, state_[current_].handle(), dst.handle(), 1, &all);
        dst.use(ctx.cmd, engine::Access::HostRead);
        while (next_export_y_ <= t_y + 1e-9) next_export_y_ += export_every_y_;
    }
    demand_ = demand_params(p);  // the light and the looks come with each frame (before_draw)
}

void CityModule::frame_complete(uint32_t slot) {
    const size_t k = slot % state_readback_.size();
    if (readback_pending_[k]) {
        state_readback_[k].invalidate();
        std::memcpy(host_state_.data(), state_readback_[k].mapped(), host_state_.size() * 4);
        readback_pending_[k] = false;
    }
    if (!pending_rows_.empty()) {
        stats_log_.invalidate();
        const auto* log = static_cast<const GpuStats*>(stats_log_.mapped());
        for (const PendingRow& r : pending_rows_)
            rows_.push_back({r.year, r.n, log[r.slot].built, log[r.slot].roads});
        pending_rows_.clear();
    }
    for (SnapshotCopy& s : snapshot_copies_) {
        s.buffer.invalidate();
        std::vector<uint32_t> grid(size_t(n_) * n_);
        std::memcpy(grid.data(), s.buffer.mapped(), grid.size() * 4);
        snapshots_.push_back({s.year, std::move(grid)});
    }
    snapshot_copies_.clear();
}

void CityModule::record_generation(VkCommandBuffer cmd, const CaRates& r, uint32_t generation) {
    const CaPush push = make_ca_push(n_, n_, generation, seed_, r);
    if (stats_dirty_) record_stats(cmd);  // the built count this generation's demand is measured against
    stats_.use(cmd, engine::Access::ComputeRead);
    slope_.use(cmd, engine::Access::ComputeRead);
    near_new_.use(cmd, engine::Access::TransferDst);
    vkCmdFillBuffer(cmd, near_new_.handle(), 0, VK_WHOLE_SIZE, 0);
    for (int pass = 0; pass < 3; ++pass) {
        near_new_.use(cmd, pass == 0 ? engine::Access::ComputeWrite : engine::Access::ComputeRead);
        state_[current_].use(cmd, engine::Access::ComputeRead);
        state_[1 - current_].use(cmd, engine::Access::ComputeWrite);
        ca_[pass].bind(cmd, ca_sets_[pass][current_]);
        ca_[pass].push(cmd, push);
        engine::dispatch_2d(cmd, n_, n_, CA_LOCAL_X, CA_LOCAL_Y);
        current_ = 1 - current_;
    }
    stats_dirty_ = true;
}

void CityModule::record_stats(VkCommandBuffer cmd) {
    stats_.use(cmd, engine::Access::TransferDst);
    vkCmdFillBuffer(cmd, stats_.handle(), 0, sizeof(GpuStats), 0);
    stats_.use(cmd, engine::Access::ComputeWrite);
    state_[current_].use(cmd, engine::Access::ComputeRead);
    StatsPush sp{glm::vec4(x0_, y0_, cell_m_, 0), glm::vec4(centre_[0], centre_[1], density_decay_m_, 0), n_, n_, 0, 0};
    stats_pipe_.bind(cmd, stats_sets_[current_]);
    stats_pipe_.push(cmd, sp);
    engine::dispatch_2d(cmd, n_, n_, 16, 16);
    stats_dirty_ = false;
}

}  // namespace infrascape::city
