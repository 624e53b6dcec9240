// Sky, terrain and instanced meshes; see world_renderer.hpp.
#include "world_renderer.hpp"

#include <cmath>
#include <limits>

#include "context.hpp"
#include "render_target.hpp"

namespace engine {

void InstanceBatch::upload(Context& ctx, const std::vector<Instance>& data, const char* name) {
    const VkDeviceSize bytes = std::max<size_t>(data.size(), 1) * sizeof(Instance);
    if (!instances || instances.size() < bytes)
        instances = Buffer(ctx, bytes, VK_BUFFER_USAGE_VERTEX_BUFFER_BIT | VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                           MemoryKind::Device, name);
    if (!data.empty()) instances.upload(data.data(), data.size() * sizeof(Instance));
    count = static_cast<uint32_t>(data.size());
}

namespace {
VertexLayout terrain_layout() {
    VertexLayout l;
    l.bindings = {{0, sizeof(Vertex), VK_VERTEX_INPUT_RATE_VERTEX}};
    l.attributes = {{0, 0, VK_FORMAT_R32G32B32_SFLOAT, 0}, {1, 0, VK_FORMAT_R32G32B32_SFLOAT, 12}};
    return l;
}
VertexLayout mesh_layout() {
    VertexLayout l = terrain_layout();
    l.bindings.push_back({1, sizeof(Instance), VK_VERTEX_INPUT_RATE_INSTANCE});
    l.attributes.push_back({2, 1, VK_FORMAT_R32G32B32A32_SFLOAT, 0});
    l.attributes.push_back({3, 1, VK_FORMAT_R32G32B32A32_SFLOAT, 16});
    l.attributes.push_back({4, 1, VK_FORMAT_R32G32B32A32_SFLOAT, 32});
    return l;
}
}  // namespace

WorldRenderer::WorldRenderer(Context& ctx, VkSampleCountFlagBits samples, const ColormapTables& colormaps)
    : ctx_(ctx), descriptors_(ctx), samples_(samples), samplers_(ctx) {
    GraphicsDesc sky;
    sky.vertex = "engine/sky.vert";
    sky.fragment = "engine/sky.frag";
    sky.push_constant_bytes = sizeof(SkyPush);
    sky.cull = VK_CULL_MODE_NONE;
    sky.depth_test = false;
    sky.depth_write = false;
    sky.color_format = kOutputFormat;
    sky.depth_format = kDepthFormat;
    sky.samples = samples;
    sky_ = Pipeline::graphics(ctx, sky, "sky");

    GraphicsDesc terrain;
    terrain.vertex = "engine/terrain.vert";
    terrain.fragment = "engine/terrain.frag";
    terrain.push_constant_bytes = sizeof(FramePush);
    terrain.vertex_layout = terrain_layout();
    terrain.bindings = {{0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, VK_SHADER_STAGE_FRAGMENT_BIT},
                        {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_FRAGMENT_BIT},
                        {2, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, VK_SHADER_STAGE_FRAGMENT_BIT}};
    terrain.color_format = kOutputFormat;
    terrain.depth_format = kDepthFormat;
    terrain.samples = samples;
    terrain_ = Pipeline::graphics(ctx, terrain, "terrain");

    GraphicsDesc mesh;
    mesh.vertex = "engine/mesh.vert";
    mesh.fragment = "engine/mesh.frag";
    mesh.push_constant_bytes = sizeof(FramePush);
    mesh.vertex_layout = mesh_layout();
    mesh.color_format = kOutputFormat;
    mesh.depth_format = kDepthFormat;
    mesh.samples = samples;
    mesh_ = Pipeline::graphics(ctx, mesh, "instanced mesh");

    // Colormap lookup texture: 256 x kColormapCount, sRGB so sampling returns linear colour.
    ImageDesc lut;
    lut.format = VK_FORMAT_R8G8B8A8_SRGB;
    lut.width = 256;
    lut.height = kColormapCount;
    lut.usage = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
    lut_ = Image(ctx, lut, "colormap lut");
    std::vector<uint8_t> texels(256 * kColormapCount * 4);
    for (uint32_t m = 0; m < kColormapCount; ++m)
        for (uint32_t i = 0; i < 256; ++i) {
            const glm::vec3& c = colormaps.rgb[m][i];
            uint8_t* t = &texels[(m * 256 + i) * 4];
            t[0] = uint8_t(std::lround(c.r * 255));
            t[1] = uint8_t(std::lround(c.g * 255));
            t[2] = uint8_t(std::lround(c.b * 255));
            t[3] = 255;
        }
    lut_.upload(texels.data(), texels.size());

    overlay_geometry_ = Buffer(ctx, sizeof(OverlayGeometry), VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT, MemoryKind::Upload,
                               "overlay geometry");
    upload_geometry();
    dummy_field_ = Buffer(ctx, 16, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, MemoryKind::Device, "no overlay");
    float zeros[4] = {0, 0, 0, 0};
    dummy_field_.upload(zeros, sizeof(zeros));
    write_terrain_set();
}

WorldRenderer::~WorldRenderer() = default;

void WorldRenderer::write_terrain_set() {
    terrain_set_ = descriptors_.allocate(terrain_.set_layout());
    DescriptorWriter()
        .image(0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, lut_.view(), VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
               samplers_.linear_clamp())
        .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, overlay_values_ ? *overlay_values_ : dummy_field_)
        .buffer(2, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, overlay_geometry_)
        .write(ctx_.device(), terrain_set_);
}

void WorldRenderer::upload_geometry() { overlay_geometry_.upload(&geometry_, sizeof(geometry_)); }

void WorldRenderer::set_overlay(const OverlayDesc& d) {
    overlay_values_ = const_cast<Buffer*>(d.values);
    geometry_.origin_spacing = glm::vec4(d.x0, d.y0, d.dx, d.dy);
    geometry_.dims = glm::uvec4(d.nx, d.ny, 1, 0);
    geometry_.style = glm::vec4(d.fade_in, 0, 0, 0);
    upload_geometry();
    write_terrain_set();
}

void WorldRenderer::clear_overlay() {
    overlay_values_ = nullptr;
    geometry_.origin_spacing = glm::vec4(0);
    geometry_.dims = glm::uvec4(0);
    geometry_.style = glm::vec4(0);
    upload_geometry();
    write_terrain_set();
}

void WorldRenderer::prepare_overlay(VkCommandBuffer cmd) {
    if (overlay_values_) overlay_values_->use(cmd, Access::FragmentSampled);
}

WorldRenderer::TerrainMesh WorldRenderer::build_mesh(const Heightfield& h, const char* name) {
    TerrainMesh m;
    m.lod = TerrainLod::build(h);
    std::vector<Vertex>& vertices = m.lod.vertices;
    std::vector<uint32_t>& indices = m.lod.indices;
    m.vertices = Buffer(ctx_, vertices.size() * sizeof(Vertex), VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, MemoryKind::Device, name);
    m.vertices.upload(vertices.data(), vertices.size() * sizeof(Vertex));
    m.indices = Buffer(ctx_, indices.size() * sizeof(uint32_t), VK_BUFFER_USAGE_INDEX_BUFFER_BIT, MemoryKind::Device, name);
    m.indices.upload(indices.data(), indices.size() * sizeof(uint32_t));
    std::vector<Vertex>().swap(vertices);
    std::vector<uint32_t>().swap(indices);
    return m;
}

void WorldRenderer::set_terrain(const Heightfield& h) {
    heights_ = h;
    base_ = build_mesh(h, "terrain");
    ground_details_.clear();
    insets_.clear();
    geometry_.hole_count = glm::uvec4(0);
    for (const Heightfield& inset : h.insets) {
        if (insets_.size() == 4) throw std::runtime_error("the terrain has more than 4 insets");
        insets_.push_back(build_mesh(inset, "terrain inset"));
        geometry_.holes[geometry_.hole_count.x++] =
            glm::vec4(inset.x0, inset.y0, inset.x0 + inset.width_m(), inset.y0 + inset.height_m());
    }
    upload_geometry();
    const double size = std::max(h.width_m(), h.height_m());
    near_m_ = std::max(0.5, size * 2e-4);
    far_m_ = size * 8 + 1000;
}

GraphicsDesc WorldRenderer::pass_desc() const {
    GraphicsDesc d;
    d.color_format = kOutputFormat;
    d.depth_format = kDepthFormat;
    d.samples = samples_;
    return d;
}

FramePush WorldRenderer::frame_push(const CameraState& cam, double aspect, double time_s) const {
    FramePush p{};
    p.view_proj = projection_matrix(cam.fov_deg, aspect, near_m_, far_m_) * view_matrix(cam);
    p.camera_pos = glm::vec4(glm::vec3(cam.position), float(time_s));
    p.sun_dir = glm::vec4(glm::normalize(lighting.sun_dir), lighting.ambient);
    p.fog = glm::vec4(lighting.fog_color, lighting.fog_density);
    p.extra = glm::vec4(0);
    return p;
}

void WorldRenderer::draw_sky(VkCommandBuffer cmd, const CameraState& cam, double aspect) const {
    SkyPush p{};
    glm::mat4 vp = projection_matrix(cam.fov_deg, aspect, near_m_, far_m_) * view_matrix(cam);
    p.inv_view_proj = glm::inverse(vp);
    p.sun_dir = glm::vec4(glm::normalize(lighting.sun_dir), 0);
    p.camera_pos = glm::vec4(glm::vec3(cam.position), 1);
    sky_.bind(cmd);
    sky_.push(cmd, p);
    vkCmdDraw(cmd, 3, 1, 0, 0);
}

void WorldRenderer::draw_terrain(VkCommandBuffer cmd, const FramePush& push, const CameraState& cam,
                                 double viewport_h) const {
    if (!has_terrain()) return;
    TerrainLod::View view;
    view.view_proj = glm::dmat4(push.view_proj);
    view.camera = cam.position;
    view.px_per_m_at_1m = 0.5 * viewport_h / std::tan(glm::radians(cam.fov_deg) * 0.5);
    view.tolerance_px = terrain_tolerance_px;
    view.details = ground_details_;
    FramePush p = push;
    // extra.w: the colormap, plus 256 where the draw is the base and the insets' footprints are cut out of it.
    const float cmap = float(static_cast<uint32_t>(overlay_style.colormap));
    p.extra = glm::vec4(overlay_style.min, overlay_style.max, overlay_values_ ? overlay_style.opacity : 0.0f,
                        cmap + (insets_.empty() ? 0.0f : 256.0f));
    terrain_.bind(cmd, terrain_set_);
    terrain_.push(cmd, p);
    draw_mesh(cmd, base_, view);
    if (insets_.empty()) return;
    p.extra.w = cmap;
    terrain_.push(cmd, p);
    for (const TerrainMesh& m : insets_) draw_mesh(cmd, m, view);
}

void WorldRenderer::draw_mesh(VkCommandBuffer cmd, const TerrainMesh& m, const TerrainLod::View& view) const {
    const std::vector<TerrainLod::Range> ranges = m.lod.select(view);
    if (ranges.empty()) return;
    VkDeviceSize offset = 0;
    VkBuffer vb = m.vertices.handle();
    vkCmdBindVertexBuffers(cmd, 0, 1, &vb, &offset);
    vkCmdBindIndexBuffer(cmd, m.indices.handle(), 0, VK_INDEX_TYPE_UINT32);
    for (const TerrainLod::Range& r : ranges) vkCmdDrawIndexed(cmd, r.count, 1, r.first, 0, 0);
}

void WorldRenderer::draw_instances(VkCommandBuffer cmd, const FramePush& push, const InstanceBatch& batch) const {
    if (!batch.mesh || batch.count == 0) return;
    mesh_.bind(cmd);
    mesh_.push(cmd, push);
    VkBuffer vbs[2] = {batch.mesh->vertices().handle(), batch.instances.handle()};
    VkDeviceSize offsets[2] = {0, 0};
    vkCmdBindVertexBuffers(cmd, 0, 2, vbs, offsets);
    vkCmdBindIndexBuffer(cmd, batch.mesh->indices().handle(), 0, VK_INDEX_TYPE_UINT32);
    vkCmdDrawIndexed(cmd, batch.mesh->index_count(), batch.count, 0, 0, 0);
}

void WorldRenderer::draw_instances_indirect(VkCommandBuffer cmd, const FramePush& push, const GpuMesh& mesh,
                                            const Buffer& instances, const Buffer& indirect, VkDeviceSize offset) const {
    mesh_.bind(cmd);
    mesh_.push(cmd, push);
    VkBuffer vbs[2] = {mesh.vertices().handle(), instances.handle()};
    VkDeviceSize offsets[2] = {0, 0};
    vkCmdBindVertexBuffers(cmd, 0, 2, vbs, offsets);
    vkCmdBindIndexBuffer(cmd, mesh.indices().handle(), 0, VK_INDEX_TYPE_UINT32);
    vkCmdDrawIndexedIndirect(cmd, indirect.handle(), offset, 1, sizeof(VkDrawIndexedIndirectCommand));
}

}  // namespace engine
