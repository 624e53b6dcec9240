// The datacenter module's drawing: racks, units, the air's temperature slices and volume.
#include "modules/datacenter/datacenter_module_impl.hpp"

namespace infrascape::datacenter {

// [SECTION] Drawing
void DatacenterModule::create_drawing(const ParamStore& p, const WorldInfo& info) {
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
                    {4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, fs}, {5, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, fs},
                    {6, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, fs}};
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
    // What the volume's rays read (volume_bricks.comp, each frame): a float per cell, and for empty-space skipping
    // a word per brick of 4 x 4 x 4 cells.
    const size_t cells = size_t(nx_) * ny_ * nz_;
    cells_ = engine::Buffer(*gpu_, cells * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device,
                            "datacenter volume cells");
    cells_.upload(std::vector<float>(cells, 0.0f).data(), cells * 4);
    const size_t bricks = size_t((nx_ + 3) / 4) * ((ny_ + 3) / 4) * ((nz_ + 3) / 4);
    bricks_ = engine::Buffer(*gpu_, bricks * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device,
                             "datacenter volume bricks");
    bricks_.upload(std::vector<uint32_t>(bricks, 1u).data(), bricks * 4);
    bricks_pipe_ = engine::Pipeline::compute(*gpu_, "datacenter/volume_bricks.comp",
                                             {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}, {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                              {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}, {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                              {4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}},
                                             sizeof(glm::uvec4) + sizeof(glm::vec4), "datacenter volume bricks");
    bricks_set_ = descriptors_->allocate(bricks_pipe_.set_layout());
    engine::DescriptorWriter()
        .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, solver_->moments_buffer())
        .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, solver_->mask_buffer())
        .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, solver_->patches_buffer())
        .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, bricks_)
        .buffer(4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cells_)
        .write(gpu_->device(), bricks_set_);
    volume_set_ = descriptors_->allocate(volume_pipe_.set_layout());
    engine::DescriptorWriter()
        .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, volume_geometry_)
        .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, solver_->moments_buffer())
        .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, solver_->mask_buffer())
        .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, solver_->patches_buffer())
        .buffer(4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, lut_)
        .buffer(5, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, bricks_)
        .buffer(6, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cells_)
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

// ASHRAE: green in the recommended range (18-27 C), amber up to the A1 allowable 32 C, red above, blue below 18.
glm::vec4 DatacenterModule::inlet_colour(double t) {
    if (t < 18) return {0.2f, 0.4f, 0.9f, 0.15f};
    if (t <= 27) return {0.15f, 0.7f, 0.25f, 0.15f};
    if (t <= 32) return {0.95f, 0.65f, 0.1f, 0.3f};
    return {0.95f, 0.12f, 0.08f, 0.6f};
}

void DatacenterModule::update_instances(bool force) {
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

void DatacenterModule::draw(DrawContext& ctx) {
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
        push.extra = glm::vec4(0.0f, 0.0f, float(volume_opacity_), volume_skipping_ ? 1.0f : 0.0f);
        volume_pipe_.bind(ctx.cmd, volume_set_);
        volume_pipe_.push(ctx.cmd, push);
        vkCmdDraw(ctx.cmd, 36, 1, 0, 0);
    }
}

void DatacenterModule::publish(OutputBus& bus) {
    bus.publish_scalar("datacenter.it_kw", "kW", "IT power of the hall", [this] { return it_kw_; });
    bus.publish_scalar("datacenter.facility_kw", "kW", "IT plus cooling, fans and losses", [this] { return facility_.facility_kw; });
    bus.publish_scalar("datacenter.cooling_kw", "kW", "chillers, pumps and fans", [this] { return facility_.cooling_kw + facility_.fans_kw; });
    bus.publish_scalar("datacenter.pue", "", "power usage effectiveness", [this] { return facility_.pue; });
    bus.publish_scalar("datacenter.lost_compute_fraction", "", "GPU compute lost to throttling", [this] { return lost_compute_; });
}

}  // namespace infrascape::datacenter
