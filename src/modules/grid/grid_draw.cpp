// The grid module's drawing: towers, wires, substations and flow particles, built at attach and updated per frame.
#include "modules/grid/grid_module_impl.hpp"

namespace infrascape::grid {

// [SECTION] Drawing: geometry built once at attach
void GridModule::build_drawing(const ParamStore& p) {
    const size_t nl = base_.branches.size();
    tower_mesh_ = std::make_unique<engine::GpuMesh>(*gpu_, engine::load_model(info_.asset_dir / "models/tower.gltf"),
                                                    "tower");
    marker_mesh_ = std::make_unique<engine::GpuMesh>(*gpu_, engine::load_model(info_.asset_dir / "models/building.obj"),
                                                     "substation yard");
    const double scale = p.number("grid.tower_scale");
    tower_height_m_ = tower_mesh_->bounds_max().z;
    const double attach_h = tower_height_m_ * 0.93 * scale;
    const double spacing = p.number("grid.tower_spacing_m");

    // Parallel circuits between the same two buses sit side by side.
    std::map<std::pair<int, int>, int> circuits_seen, circuits_total;
    for (const Branch& br : base_.branches) ++circuits_total[{std::min(br.from, br.to), std::max(br.from, br.to)}];

    double total_towers = 0;
    for (const Branch& br : base_.branches) {
        const int a = base_.bus_index(br.from), c = base_.bus_index(br.to);
        if (a < 0 || c < 0) continue;
        total_towers += std::hypot(bus_xy_[c][0] - bus_xy_[a][0], bus_xy_[c][1] - bus_xy_[a][1]) / spacing;
    }
    if (total_towers > kMaxTowers)
        throw ParamError("grid.tower_spacing_m",
                         "'grid.tower_spacing_m' = " + std::to_string(int(spacing)) + " m puts about " +
                             std::to_string(int64_t(total_towers)) + " towers on this grid's lines; the limit is " +
                             std::to_string(kMaxTowers) + ": use at least " +
                             std::to_string(int64_t(std::ceil(spacing * total_towers / kMaxTowers))) + " m");

    std::vector<gpu::Span> spans;
    std::vector<gpu::BranchPath> paths(std::max<size_t>(nl, 1), gpu::BranchPath{glm::uvec4(0), glm::vec4(0)});
    std::vector<engine::Instance> towers;
    const double min_len = info_.extent_m * 1e-4;
    auto ground = [&](double x, double y) { return info_.terrain ? info_.terrain->sample(x, y) : 0.0; };
    for (size_t l = 0; l < nl; ++l) {
        const Branch& br = base_.branches[l];
        const int a = base_.bus_index(br.from), c = base_.bus_index(br.to);
        if (a < 0 || c < 0) continue;
        glm::dvec2 pa(bus_xy_[a][0], bus_xy_[a][1]), pc(bus_xy_[c][0], bus_xy_[c][1]);
        const double len = glm::length(pc - pa);
        paths[l].spans = glm::uvec4(uint32_t(spans.size()), 0, uint32_t(a), uint32_t(c));
        if (len < min_len) continue;  // a transformer inside its substation: nothing to draw
        const glm::dvec2 dir = (pc - pa) / len, perp(-dir.y, dir.x);
        const auto key = std::make_pair(std::min(br.from, br.to), std::max(br.from, br.to));
        const int k = circuits_seen[key]++, m = circuits_total[key];
        const glm::dvec2 shift = perp * ((k - (m - 1) * 0.5) * attach_h * 0.8);
        const int n = std::max(1, int(std::lround(len / spacing)));
        std::vector<glm::dvec3> tops;
        for (int t = 0; t <= n; ++t) {
            const glm::dvec2 q = pa + (pc - pa) * (double(t) / n) + (t == 0 || t == n ? glm::dvec2(0) : shift);
            tops.push_back({q.x, q.y, ground(q.x, q.y) + attach_h});
            if (t > 0 && t < n)
                towers.push_back({glm::vec4(float(q.x), float(q.y), float(ground(q.x, q.y)),
                                            float(std::atan2(dir.y, dir.x) + 1.5707963)),
                                  glm::vec4(float(scale)), glm::vec4(0.55f, 0.57f, 0.60f, 0.0f)});
        }
        const double span_len = len / n;
        const float sag = float(std::min(0.03 * span_len, 0.5 * attach_h));
        for (int t = 0; t < n; ++t)
            spans.push_back({glm::vec4(glm::vec3(tops[t]), float(l)), glm::vec4(glm::vec3(tops[t + 1]), sag)});
        paths[l].spans.y = uint32_t(n);
        paths[l].len = glm::vec4(float(len), 0, 0, 0);
    }
    span_count_ = uint32_t(spans.size());
    tower_count_ = uint32_t(towers.size());
    const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    if (spans.empty()) spans.push_back({glm::vec4(0), glm::vec4(0)});
    spans_ = engine::Buffer(*gpu_, spans.size() * sizeof(gpu::Span), storage, engine::MemoryKind::Device, "grid spans");
    spans_.upload(spans.data(), spans.size() * sizeof(gpu::Span));
    paths_ = engine::Buffer(*gpu_, paths.size() * sizeof(gpu::BranchPath), storage, engine::MemoryKind::Device,
                            "grid branch paths");
    paths_.upload(paths.data(), paths.size() * sizeof(gpu::BranchPath));
    states_ = engine::Buffer(*gpu_, states_host_.size() * sizeof(gpu::BranchState),
                             storage | VK_BUFFER_USAGE_TRANSFER_DST_BIT, engine::MemoryKind::Device, "grid branch states");
    states_.upload(states_host_.data(), states_host_.size() * sizeof(gpu::BranchState));
    lut_ = engine::Buffer(*gpu_, 256 * 16, storage | VK_BUFFER_USAGE_TRANSFER_DST_BIT, engine::MemoryKind::Device,
                          "grid loading colormap");
    upload_lut(p.text("grid.colormap"));

    // Particles, shared among branches by length (a branch too short to draw gets none).
    std::vector<gpu::Particle> particles;
    const uint32_t wanted = uint32_t(p.number("grid.particles"));
    double total_len = 0;
    for (size_t l = 0; l < nl; ++l)
        if (paths[l].spans.y > 0) total_len += paths[l].len.x;
    uint64_t h = 0x853c49e6748fea9bull ^ info_.seed;
    auto rnd = [&h] {
        h ^= h << 13, h ^= h >> 7, h ^= h << 17;  // xorshift64 (Marsaglia 2003)
        return float(double(h >> 11) * (1.0 / 9007199254740992.0));
    };
    if (total_len > 0)
        for (size_t l = 0; l < nl; ++l) {
            if (paths[l].spans.y == 0) continue;
            const int count = std::max(1, int(std::lround(wanted * paths[l].len.x / total_len)));
            for (int k = 0; k < count; ++k)
                particles.push_back({glm::vec4(float(l), (k + rnd()) / count, rnd(), 0), glm::vec4(0)});
        }
    particle_count_ = uint32_t(particles.size());
    if (particles.empty()) particles.push_back({glm::vec4(0), glm::vec4(0)});
    particles_ = engine::Buffer(*gpu_, particles.size() * sizeof(gpu::Particle), storage, engine::MemoryKind::Device,
                                "grid particles");
    particles_.upload(particles.data(), particles.size() * sizeof(gpu::Particle));

    // Towers (culled on the GPU each frame) and substations.
    if (towers.empty()) towers.push_back({glm::vec4(0), glm::vec4(0), glm::vec4(0)});
    all_towers_ = engine::Buffer(*gpu_, towers.size() * sizeof(engine::Instance), storage, engine::MemoryKind::Device,
                                 "grid towers");
    all_towers_.upload(towers.data(), towers.size() * sizeof(engine::Instance));
    visible_towers_ = engine::Buffer(*gpu_, towers.size() * sizeof(engine::Instance),
                                     storage | VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, engine::MemoryKind::Device,
                                     "grid visible towers");
    tower_draw_ = {tower_mesh_->index_count(), 0, 0, 0, 0};
    indirect_ = engine::Buffer(*gpu_, sizeof(VkDrawIndexedIndirectCommand),
                               VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT | storage | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                               engine::MemoryKind::Device, "grid tower draw");
    indirect_.upload(&tower_draw_, sizeof(tower_draw_));
    visible_spans_ = engine::Buffer(*gpu_, spans.size() * 2 * sizeof(uint32_t), storage, engine::MemoryKind::Device,
                                    "grid visible spans");
    wire_draws_ = engine::Buffer(*gpu_, 2 * sizeof(VkDrawIndirectCommand),
                                 VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT | storage | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                 engine::MemoryKind::Device, "grid wire draws");
    substation_size_m_ = std::max(attach_h * 1.6, 12.0);
    substations_.mesh = marker_mesh_.get();
    hosting_columns_.mesh = marker_mesh_.get();
    upload_hosting_columns(p);
    upload_substations();

    if (!draws_) return;
    descriptors_ = std::make_unique<engine::DescriptorAllocator>(*gpu_);
    const auto cs = VK_SHADER_STAGE_COMPUTE_BIT;
    particle_pipe_ = engine::Pipeline::compute(*gpu_, "grid/particles.comp",
                                               {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                                {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                                {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                                {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}},
                                               sizeof(gpu::ParticlePush), "grid particles");
    particle_set_ = descriptors_->allocate(particle_pipe_.set_layout());
    engine::DescriptorWriter()
        .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, particles_)
        .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, paths_)
        .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, states_)
        .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, spans_)
        .write(gpu_->device(), particle_set_);
    cull_pipe_ = engine::Pipeline::compute(*gpu_, "grid/towers_cull.comp",
                                           {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                            {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                            {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}},
                                           sizeof(CullPush), "grid tower culling");
    cull_set_ = descriptors_->allocate(cull_pipe_.set_layout());
    engine::DescriptorWriter()
        .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, all_towers_)
        .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, visible_towers_)
        .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, indirect_)
        .write(gpu_->device(), cull_set_);

    wire_cull_pipe_ = engine::Pipeline::compute(*gpu_, "grid/wires_cull.comp",
                                                {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                                 {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                                 {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}},
                                                sizeof(WireCullPush), "grid wire culling");
    wire_cull_set_ = descriptors_->allocate(wire_cull_pipe_.set_layout());
    engine::DescriptorWriter()
        .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, spans_)
        .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, visible_spans_)
        .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, wire_draws_)
        .write(gpu_->device(), wire_cull_set_);

    const auto vs = VK_SHADER_STAGE_VERTEX_BIT;
    engine::GraphicsDesc wires = ctx_world_->pass_desc();
    wires.vertex = "grid/wires.vert";
    wires.fragment = "grid/wires.frag";
    wires.bindings = {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, vs},
                      {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, vs},
                      {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, vs},
                      {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, vs}};
    wires.push_constant_bytes = sizeof(engine::FramePush);
    wires.cull = VK_CULL_MODE_NONE;
    wire_pipe_ = engine::Pipeline::graphics(*gpu_, wires, "grid wires");
    wire_set_ = descriptors_->allocate(wire_pipe_.set_layout());
    engine::DescriptorWriter()
        .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, spans_)
        .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, states_)
        .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, lut_)
        .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, visible_spans_)
        .write(gpu_->device(), wire_set_);
    engine::GraphicsDesc sprites = ctx_world_->pass_desc();
    sprites.vertex = "grid/particles.vert";
    sprites.fragment = "grid/particles.frag";
    sprites.bindings = {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, vs}};
    sprites.push_constant_bytes = sizeof(engine::FramePush);
    sprites.cull = VK_CULL_MODE_NONE;
    sprites.depth_write = false;
    sprites.blend = engine::Blend::Additive;
    sprite_pipe_ = engine::Pipeline::graphics(*gpu_, sprites, "grid particles");
    sprite_set_ = descriptors_->allocate(sprite_pipe_.set_layout());
    engine::DescriptorWriter().buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, particles_).write(gpu_->device(), sprite_set_);
}

void GridModule::upload_lut(const std::string& name) {
    engine::Colormap cm = engine::Colormap::Turbo;
    engine::colormap_from_name(name, cm);
    std::array<glm::vec4, 256> lut;
    for (int i = 0; i < 256; ++i) lut[i] = glm::vec4(glm::vec3(colormaps_->sample(cm, i / 255.0)), 1);
    lut_.upload(lut.data(), sizeof(lut));
    lut_name_ = name;
}

// One marker per substation site: coloured by its highest voltage, dimmed when it is not served, red when
// a transformer inside it is overloaded (transformers have no length to draw), dark grey when one tripped.
void GridModule::upload_substations() {
    const size_t ns = std::max<size_t>(site_count_, 1);
    std::vector<double> kv(ns, 0), served(ns, 1), worst(ns, 0);
    std::vector<char> tripped(ns, 0), seen(ns, 0);
    std::vector<size_t> first(ns, 0);
    for (size_t b = 0; b < base_.buses.size(); ++b) {
        const int k = site_of_[b];
        if (!seen[k]) first[k] = b, seen[k] = 1;
        kv[k] = std::max(kv[k], base_.buses[b].base_kv);
        served[k] = std::min(served[k], bus_served_fraction(b));
    }
    for (size_t l = 0; l < base_.branches.size(); ++l) {
        const int a = base_.bus_index(base_.branches[l].from), c = base_.bus_index(base_.branches[l].to);
        if (a < 0 || c < 0 || site_of_[a] != site_of_[c]) continue;
        const gpu::BranchState& st = states_host_[l];
        if (st.flow.z <= 0.0f && base_.branches[l].status > 0) tripped[site_of_[a]] = 1;
        worst[site_of_[a]] = std::max(worst[site_of_[a]], double(st.flow.y));
    }
    std::vector<engine::Instance> inst;
    const float size = float(substation_size_m_);
    // Under the operator, yards show the locational marginal price (the highest of their buses') instead.
    std::vector<double> price(ns, -1);
    if (sced_ok_ && lmp_.size() == base_.buses.size())
        for (size_t b = 0; b < base_.buses.size(); ++b) price[size_t(site_of_[b])] = std::max(price[size_t(site_of_[b])], lmp_[b]);
    for (size_t k = 0; k < site_count_; ++k) {
        glm::vec3 c = kv_colour(kv[k]) * float(0.25 + 0.75 * served[k]);
        if (price[k] >= 0 && colormaps_)
            c = engine::srgb_to_linear(colormaps_->sample(engine::Colormap::Turbo, std::clamp(price[k] / price_max_, 0.0, 1.0))) *
                float(0.25 + 0.75 * served[k]);
        float glow = float(0.6 * served[k]), scale = 1.0f;
        if (worst[k] > 1.0) c = glm::vec3(1.0f, 0.08f, 0.04f), glow = 2.5f, scale = 1.8f;
        if (tripped[k]) c = glm::vec3(0.05f), glow = 0.0f;
        const size_t b = first[k];
        // Exaggerated (tower_scale) to be seen from afar, but never wider than a fixed share of the camera's
        // distance, nor smaller than true size: a yard seen from 10 km does not cover the town around it.
        float fit = 1.0f;
        if (has_camera_) {
            const double d = glm::length(glm::dvec3(bus_xy_[b][0], bus_xy_[b][1], bus_z_[b]) - camera_);
            fit = float(std::clamp(kYardAngle * d / (size * 2.5), 1.0 / std::max(tower_scale_, 1.0), 1.0));
        }
        const float s = size * scale * fit;
        inst.push_back({glm::vec4(float(bus_xy_[b][0]), float(bus_xy_[b][1]), float(bus_z_[b]), 0),
                        glm::vec4(s * 2.5f, s * 2.5f, s * 0.3f, 0), glm::vec4(c, glow)});
    }
    if (inst.empty()) inst.push_back({glm::vec4(0), glm::vec4(0), glm::vec4(0)});
    substations_dirty_ = false;
    // Most operating points change no yard's colour: upload (a blocking copy) only when one changed.
    if (inst.size() == uploaded_yards_.size() &&
        std::memcmp(inst.data(), uploaded_yards_.data(), inst.size() * sizeof(engine::Instance)) == 0)
        return;
    substations_.upload(*gpu_, inst, "grid substations");
    uploaded_yards_ = std::move(inst);
}

// [SECTION] Per frame
void GridModule::before_draw(FrameInfo& f) {
    playback_s_ += f.wall_dt_s;
    if (async_sced_ && sced_params_) poll_sced(*sced_params_);  // a solve may finish while the world is paused
    poll_hosting();
    if (!draws_ || !f.push) return;
    view_proj_ = f.push->view_proj;
    if (f.params && (hosting_.dirty || (bool(hosting_columns_.count > 1) != (hosting_.result && f.params->flag("grid.hosting")))))
        upload_hosting_columns(*f.params);
    VkCommandBuffer cmd = f.cmd;
    // The yards' drawn sizes follow the camera (upload_substations): redone once it moved a tenth of its distance.
    if (f.push) {
        const glm::dvec3 cam = glm::dvec3(f.push->camera_pos);
        const double height = std::max(1.0, cam.z - (info_.terrain ? info_.terrain->sample(cam.x, cam.y) : 0.0));
        if (!has_camera_ || glm::length(cam - camera_) > 0.1 * height) {
            camera_ = cam;
            has_camera_ = true;
            substations_dirty_ = true;
        }
    }
    if (substations_dirty_) upload_substations();
    if (states_dirty_) {
        states_.use(cmd, engine::Access::TransferDst);
        const size_t bytes = states_host_.size() * sizeof(gpu::BranchState);
        for (size_t off = 0; off < bytes; off += 65536)
            vkCmdUpdateBuffer(cmd, states_.handle(), off, std::min<size_t>(65536, bytes - off),
                              reinterpret_cast<const char*>(states_host_.data()) + off);
        states_dirty_ = false;
    }
    // Particles.
    if (particle_count_ > 0) {
        particles_.use(cmd, engine::Access::ComputeWrite);
        states_.use(cmd, engine::Access::ComputeRead);
        paths_.use(cmd, engine::Access::ComputeRead);
        spans_.use(cmd, engine::Access::ComputeRead);
        gpu::ParticlePush pp{glm::vec4(float(f.wall_dt_s), float(playback_s_), float(flow_speed_),
                                       float(info_.extent_m * 0.05)),
                             glm::uvec4(particle_count_, uint32_t(base_.branches.size()), 0, 0)};
        particle_pipe_.bind(cmd, particle_set_);
        particle_pipe_.push(cmd, pp);
        engine::dispatch_2d(cmd, particle_count_, 1, 64, 1);
        particles_.use(cmd, engine::Access::VertexShaderRead);
    }
    // Towers near enough to see.
    if (tower_count_ > 0) {
        indirect_.use(cmd, engine::Access::TransferDst);
        vkCmdUpdateBuffer(cmd, indirect_.handle(), 0, sizeof(tower_draw_), &tower_draw_);
        indirect_.use(cmd, engine::Access::ComputeWrite);
        all_towers_.use(cmd, engine::Access::ComputeRead);
        visible_towers_.use(cmd, engine::Access::ComputeWrite);
        // A tower is drawn while it spans at least ~3 pixels.
        const double px_per_rad = f.viewport_h / (2 * std::tan(f.fov_deg * 3.14159265 / 360));
        const double far = tower_height_m_ * tower_scale_ * px_per_rad / 3.0;
        float h = float(tower_height_m_);
        uint32_t hbits;
        std::memcpy(&hbits, &h, 4);
        CullPush cp{f.push->view_proj, glm::vec4(glm::vec3(f.push->camera_pos), float(far)),
                    glm::uvec4(tower_count_, hbits, 0, 0)};
        cull_pipe_.bind(cmd, cull_set_);
        cull_pipe_.push(cmd, cp);
        engine::dispatch_2d(cmd, tower_count_, 1, 64, 1);
        indirect_.use(cmd, engine::Access::IndirectBuffer);
        visible_towers_.use(cmd, engine::Access::VertexBuffer);
    }
    // Wires in the view, sagging or straight (wires_cull.comp).
    if (span_count_ > 0) {
        const double px_per_rad = f.viewport_h / (2 * std::tan(f.fov_deg * 3.14159265 / 360));
        const VkDrawIndirectCommand zero[2] = {{0, 1, 0, 0}, {0, 1, GRID_WIRE_CHORD_BASE + span_count_ * 6, 0}};
        wire_draws_.use(cmd, engine::Access::TransferDst);
        vkCmdUpdateBuffer(cmd, wire_draws_.handle(), 0, sizeof(zero), zero);
        wire_draws_.use(cmd, engine::Access::ComputeWrite);
        spans_.use(cmd, engine::Access::ComputeRead);
        visible_spans_.use(cmd, engine::Access::ComputeWrite);
        // The widest a wire is drawn (wires.vert): the overload emphasis (2.5) times its width in metres, or in pixels.
        WireCullPush wp{f.push->view_proj, glm::vec4(glm::vec3(f.push->camera_pos), float(px_per_rad)),
                        glm::vec4(float(2 * px_per_rad / f.viewport_h), kChordSagPx, float(2.5 * 0.03 * tower_scale_),
                                  float(2 * 2.5 * wire_px_ / f.size_h)),
                        glm::uvec4(span_count_, 0, 0, 0)};
        wire_cull_pipe_.bind(cmd, wire_cull_set_);
        wire_cull_pipe_.push(cmd, wp);
        engine::dispatch_2d(cmd, span_count_, 1, 64, 1);
        wire_draws_.use(cmd, engine::Access::IndirectBuffer);
        visible_spans_.use(cmd, engine::Access::VertexShaderRead);
    }
    states_.use(cmd, engine::Access::VertexShaderRead);
    spans_.use(cmd, engine::Access::VertexShaderRead);
    lut_.use(cmd, engine::Access::VertexShaderRead);
    engine::WorldRenderer::prepare_instances(cmd, substations_);
    engine::WorldRenderer::prepare_instances(cmd, hosting_columns_);
    frame_ready_ = true;
}

void GridModule::draw(DrawContext& ctx) {
    if (!draws_ || !frame_ready_) return;
    ctx.world.draw_instances(ctx.cmd, ctx.push, substations_);
    if (hosting_.result) ctx.world.draw_instances(ctx.cmd, ctx.push, hosting_columns_);
    if (tower_count_ > 0) ctx.world.draw_instances_indirect(ctx.cmd, ctx.push, *tower_mesh_, visible_towers_, indirect_, 0);
    engine::FramePush push = ctx.push;
    if (span_count_ > 0) {
        push.extra = glm::vec4(0.03f * float(tower_scale_), wire_px_, float(playback_s_), ctx.size_h);
        wire_pipe_.bind(ctx.cmd, wire_set_);
        wire_pipe_.push(ctx.cmd, push);
        vkCmdDrawIndirect(ctx.cmd, wire_draws_.handle(), 0, 1, sizeof(VkDrawIndirectCommand));
        vkCmdDrawIndirect(ctx.cmd, wire_draws_.handle(), sizeof(VkDrawIndirectCommand), 1, sizeof(VkDrawIndirectCommand));
    }
    if (particle_count_ > 0) {
        push.extra = glm::vec4(0.4f * float(tower_scale_), wire_px_ * 1.9f, float(playback_s_), ctx.size_h);
        sprite_pipe_.bind(ctx.cmd, sprite_set_);
        sprite_pipe_.push(ctx.cmd, push);
        vkCmdDraw(ctx.cmd, particle_count_ * 6, 1, 0, 0);
    }
}

}  // namespace infrascape::grid
