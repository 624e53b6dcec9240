// The generic world: sky, a lit terrain heightmap with an optional scalar overlay drawn through a
// colormap, and instanced meshes. Modules add their own draws inside the same world pass; the engine
// knows nothing of what the overlay or the instances mean.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <glm/glm.hpp>

#include "camera.hpp"
#include "colormap.hpp"
#include "mesh.hpp"
#include "terrain_lod.hpp"
#include "pipeline.hpp"
#include "resources.hpp"
#include "shader_types.hpp"

namespace engine {

struct Lighting {
    glm::vec3 sun_dir{0.4f, -0.5f, 0.75f};  // toward the sun, world axes
    float ambient = 0.55f;
    glm::vec3 fog_color{0.62f, 0.72f, 0.85f};  // linear
    float fog_density = 0.00012f;
};

// A scalar field over the terrain: one float per cell (NaN: transparent), in a buffer the caller owns.
struct OverlayDesc {
    const Buffer* values = nullptr;
    uint32_t nx = 0, ny = 0;
    double x0 = 0, y0 = 0, dx = 1, dy = 1;  // centre of cell (0,0) and spacing, world metres
    float fade_in = 0;  // fraction of the colour range over which the overlay fades in (0: opaque everywhere)
};

struct OverlayStyle {
    float min = 0, max = 1, opacity = 0.85f;
    Colormap colormap = Colormap::Viridis;
};

// A batch of instances of one mesh: the instance buffer is a vertex buffer that compute may also write.
struct InstanceBatch {
    const GpuMesh* mesh = nullptr;
    Buffer instances;  // engine::Instance[capacity]
    uint32_t count = 0;
    void upload(Context& ctx, const std::vector<Instance>& data, const char* name);
};

class WorldRenderer {
public:
    WorldRenderer(Context& ctx, VkSampleCountFlagBits samples, const ColormapTables& colormaps);
    ~WorldRenderer();

    // The ground, with its insets (at most four are cut out of the base and drawn at their own resolution).
    void set_terrain(const Heightfield& heights);
    const Heightfield& terrain() const { return heights_; }
    bool has_terrain() const { return !base_.lod.chunks.empty(); }
    void set_overlay(const OverlayDesc& desc);  // call at set-up, not per frame
    void clear_overlay();
    OverlayStyle overlay_style;
    Lighting lighting;

    // Per-frame push data from the camera; `time_s` is simulation time.
    FramePush frame_push(const CameraState& cam, double aspect, double time_s) const;
    void draw_sky(VkCommandBuffer cmd, const CameraState& cam, double aspect) const;
    // The terrain and its insets by level of detail (terrain_lod.hpp) for this camera and viewport height.
    void draw_terrain(VkCommandBuffer cmd, const FramePush& push, const CameraState& cam, double viewport_h) const;
    double terrain_tolerance_px = 1.0;  // the largest height error a coarser terrain level may show, in pixels
    // A module that lays flat things on the ground (roads, water) asks for the true ground under them (set_terrain
    // clears these: add them at attach).
    void add_ground_detail(const TerrainLod::Detail& d) { ground_details_.push_back(d); }
    void draw_instances(VkCommandBuffer cmd, const FramePush& push, const InstanceBatch& batch) const;
    // Instances whose count a compute pass wrote into a VkDrawIndexedIndirectCommand at `offset` of
    // `indirect` (GPU-driven: only visible instances are drawn).
    void draw_instances_indirect(VkCommandBuffer cmd, const FramePush& push, const GpuMesh& mesh,
                                 const Buffer& instances, const Buffer& indirect, VkDeviceSize offset) const;
    // Barrier helper for batches whose instances a compute pass wrote this frame (call before the pass).
    static void prepare_instances(VkCommandBuffer cmd, InstanceBatch& batch) {
        batch.instances.use(cmd, Access::VertexBuffer);
    }
    void prepare_overlay(VkCommandBuffer cmd);  // before the world pass, after compute wrote the field

    // A pipeline description with the world pass's formats and sample count filled in, for modules that
    // draw with pipelines of their own (lines, sprites) inside the world pass.
    GraphicsDesc pass_desc() const;

    // Near/far planes that fit the terrain's size.
    double near_m() const { return near_m_; }
    double far_m() const { return far_m_; }

private:
    void write_terrain_set();
    void upload_geometry();
    struct TerrainMesh {
        Buffer vertices, indices;
        TerrainLod lod;  // chunks and their index ranges (its vertex and index arrays are freed after upload)
    };
    TerrainMesh build_mesh(const Heightfield& h, const char* name);
    void draw_mesh(VkCommandBuffer cmd, const TerrainMesh& mesh, const TerrainLod::View& view) const;
    Context& ctx_;
    DescriptorAllocator descriptors_;
    VkSampleCountFlagBits samples_;
    Samplers samplers_;
    Pipeline sky_, terrain_, mesh_;
    Image lut_;
    TerrainMesh base_;
    std::vector<TerrainMesh> insets_;
    std::vector<TerrainLod::Detail> ground_details_;
    Heightfield heights_;
    OverlayGeometry geometry_{};
    Buffer overlay_geometry_;
    Buffer dummy_field_;
    Buffer* overlay_values_ = nullptr;
    VkDescriptorSet terrain_set_ = VK_NULL_HANDLE;
    double near_m_ = 1, far_m_ = 20000;
};

}  // namespace engine
