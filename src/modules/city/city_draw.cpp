// The city module's drawing: buildings and lights by cell, culled on the GPU.
#include "modules/city/city_module_impl.hpp"

namespace infrascape::city {

void CityModule::before_draw(FrameInfo& frame) {
    VkCommandBuffer cmd = frame.cmd;
    if (frame.push) view_proj_ = frame.push->view_proj, view_ready_ = true;
    if (frame.params) {  // the city steps every quarter-year in a world: the light and the panel's looks go by frame
        night_ = float(night_factor(frame.t_s));
        colormap_name_ = frame.params->text("city.colormap");
        density_max_ = float(frame.params->number("city.max_density_per_ha"));
        service_areas_ = frame.params->flag("city.service_areas");
    }
    if (stats_dirty_) record_stats(cmd);
    // The colormap table for building colours.
    if (colormaps_ && colormap_name_ != uploaded_colormap_) {
        engine::Colormap cm = engine::Colormap::Viridis;
        engine::colormap_from_name(colormap_name_, cm);
        const std::array<glm::vec4, 256> lut = engine::linear_table(*colormaps_, cm);
        std::memcpy(lut_.mapped(), lut.data(), sizeof(lut));
        uploaded_colormap_ = colormap_name_;
    }
    if (draws_) {
        // Level of detail: the largest power-of-two block of cells that still spans at most 1.5 px on the screen
        // at the city's nearest point (1 up close).
        lod_stride_ = 1;
        if (frame.push) {
            const glm::dvec3 cam(frame.push->camera_pos);
            const glm::dvec2 lo(x0_, y0_), hi(x0_ + n_ * cell_m_, y0_ + n_ * cell_m_);
            const glm::dvec2 q = glm::clamp(glm::dvec2(cam), lo, hi);
            const double ground = terrain_ ? terrain_->sample(q.x, q.y) : 0.0;
            const double d = std::max(1.0, glm::length(cam - glm::dvec3(q, ground)));
            const double px_per_rad = frame.viewport_h / (2 * std::tan(frame.fov_deg * M_PI / 360.0));
            while (lod_stride_ < 8 && 2 * lod_stride_ * cell_m_ * px_per_rad / d <= 1.5) lod_stride_ *= 2;
        }
        record_service(cmd);
        record_instances(cmd);
    }
    // The latest grid for CPU readers (published outputs).
    engine::Buffer& rb = state_readback_[frame.slot % state_readback_.size()];
    state_[current_].use(cmd, engine::Access::TransferSrc);
    rb.use(cmd, engine::Access::TransferDst);
    VkBufferCopy all{0, 0, size_t(n_) * n_ * 4};
    vkCmdCopyBuffer(cmd, state_[current_].handle(), rb.handle(), 1, &all);
    rb.use(cmd, engine::Access::HostRead);
    readback_pending_[frame.slot % state_readback_.size()] = true;
}

// Buildings and ground slabs from the grid, for drawing this frame.
void CityModule::record_instances(VkCommandBuffer cmd) {
    InstancePush ip{glm::vec4(x0_, y0_, cell_m_, growth_->population()),
                    glm::vec4(centre_[0], centre_[1], density_decay_m_, density_max_),
                    // Lights at night only as far as the grid serves each block (dark where its bus is out); w: the
                    // service-area map instead of the density colours.
                    glm::vec4(night_, 3.2f, residents_per_storey_ha_, service_areas_ ? 1.0f : 0.0f), n_, n_,
                    lod_stride_, 0};
    state_[current_].use(cmd, engine::Access::ComputeRead);
    stats_.use(cmd, engine::Access::ComputeRead);
    for (auto& b : buildings_) b.instances.use(cmd, engine::Access::ComputeWrite);
    surface_.instances.use(cmd, engine::Access::ComputeWrite);
    indirect_.use(cmd, engine::Access::TransferDst);  // reset the counts: the pass appends
    vkCmdUpdateBuffer(cmd, indirect_.handle(), 0, sizeof(draw_template_), draw_template_.data());
    indirect_.use(cmd, engine::Access::ComputeWrite);
    inst_pipe_.bind(cmd, inst_sets_[current_]);
    inst_pipe_.push(cmd, ip);
    engine::dispatch_2d(cmd, n_, n_, 16, 16);
    for (auto& b : buildings_) engine::WorldRenderer::prepare_instances(cmd, b);
    engine::WorldRenderer::prepare_instances(cmd, surface_);
    indirect_.use(cmd, engine::Access::IndirectBuffer);
    instances_ready_ = true;
}

void CityModule::draw(DrawContext& ctx) {
    if (!instances_ready_) return;
    const VkDeviceSize stride = sizeof(VkDrawIndexedIndirectCommand);
    ctx.world.draw_instances_indirect(ctx.cmd, ctx.push, *meshes_[1], surface_.instances, indirect_, 3 * stride);
    for (int m = 0; m < 3; ++m)
        ctx.world.draw_instances_indirect(ctx.cmd, ctx.push, *meshes_[m], buildings_[m].instances, indirect_, m * stride);
}

}  // namespace infrascape::city
