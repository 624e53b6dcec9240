// Compute and graphics pipelines (dynamic rendering, no render pass objects) built from SPIR-V files that
// the build compiles from shaders/, one descriptor set layout per pipeline, push constants for small
// per-draw data, and a descriptor allocator. Pipelines and layouts are RAII and go through the
// deletion queue like every other object.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace engine {

class Context;
class Buffer;
class Image;

// Where compiled shaders live: set once at start-up (defaults to the build's shaders folder).
void set_shader_dir(const std::filesystem::path& dir);
const std::filesystem::path& shader_dir();
std::vector<uint32_t> load_spirv(const std::string& name);  // "engine/terrain.vert" -> <dir>/engine/terrain.vert.spv

struct Binding {
    uint32_t binding;
    VkDescriptorType type;
    VkShaderStageFlags stages;
};

struct VertexLayout {
    std::vector<VkVertexInputBindingDescription> bindings;
    std::vector<VkVertexInputAttributeDescription> attributes;
};

enum class Blend { None, Alpha, Additive };

struct GraphicsDesc {
    std::string vertex, fragment;  // shader names
    std::vector<Binding> bindings;
    uint32_t push_constant_bytes = 0;
    VertexLayout vertex_layout;
    VkPrimitiveTopology topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST;
    VkCullModeFlags cull = VK_CULL_MODE_BACK_BIT;
    bool depth_test = true, depth_write = true;
    Blend blend = Blend::None;
    VkFormat color_format = VK_FORMAT_R8G8B8A8_SRGB;
    VkFormat depth_format = VK_FORMAT_D32_SFLOAT;
    VkSampleCountFlagBits samples = VK_SAMPLE_COUNT_1_BIT;
};

class Pipeline {
public:
    Pipeline() = default;
    ~Pipeline();
    Pipeline(Pipeline&& other) noexcept;
    Pipeline& operator=(Pipeline&& other) noexcept;
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    static Pipeline compute(Context& ctx, const std::string& shader, const std::vector<Binding>& bindings,
                            uint32_t push_constant_bytes, const char* name);
    static Pipeline graphics(Context& ctx, const GraphicsDesc& desc, const char* name);

    VkPipeline handle() const { return pipeline_; }
    VkPipelineLayout layout() const { return layout_; }
    VkDescriptorSetLayout set_layout() const { return set_layout_; }
    VkPipelineBindPoint bind_point() const { return bind_point_; }
    explicit operator bool() const { return pipeline_ != VK_NULL_HANDLE; }

    void bind(VkCommandBuffer cmd, VkDescriptorSet set = VK_NULL_HANDLE) const;
    void push(VkCommandBuffer cmd, const void* data, uint32_t bytes) const;
    template <class T>
    void push(VkCommandBuffer cmd, const T& data) const {
        push(cmd, &data, sizeof(T));
    }

private:
    void release();
    Context* ctx_ = nullptr;
    VkPipeline pipeline_ = VK_NULL_HANDLE;
    VkPipelineLayout layout_ = VK_NULL_HANDLE;
    VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
    VkPipelineBindPoint bind_point_ = VK_PIPELINE_BIND_POINT_COMPUTE;
    VkShaderStageFlags push_stages_ = 0;
};

// Dispatches enough workgroups to cover `cells_x` by `cells_y` items with the given local size. Large 1D
// counts are folded into 2D so no dimension exceeds the device's workgroup-count limit (65,535 on llvmpipe).
void dispatch_2d(VkCommandBuffer cmd, uint32_t cells_x, uint32_t cells_y, uint32_t local_x, uint32_t local_y);

// A descriptor set written once; grows its pool as needed. Sets live until the allocator goes.
class DescriptorAllocator {
public:
    explicit DescriptorAllocator(Context& ctx);
    ~DescriptorAllocator();
    DescriptorAllocator(const DescriptorAllocator&) = delete;
    DescriptorAllocator& operator=(const DescriptorAllocator&) = delete;
    VkDescriptorSet allocate(VkDescriptorSetLayout layout);

private:
    VkDescriptorPool new_pool();
    Context& ctx_;
    std::vector<VkDescriptorPool> pools_;
};

// Builds the writes for one descriptor set.
class DescriptorWriter {
public:
    DescriptorWriter& buffer(uint32_t binding, VkDescriptorType type, const Buffer& buffer);
    DescriptorWriter& image(uint32_t binding, VkDescriptorType type, VkImageView view, VkImageLayout layout,
                            VkSampler sampler = VK_NULL_HANDLE);
    void write(VkDevice device, VkDescriptorSet set);

private:
    struct Entry {
        uint32_t binding;
        VkDescriptorType type;
        VkDescriptorBufferInfo buffer{};
        VkDescriptorImageInfo image{};
        bool is_image = false;
    };
    std::vector<Entry> entries_;
};

// Samplers shared by the engine (created once per context).
class Samplers {
public:
    explicit Samplers(Context& ctx);
    ~Samplers();
    Samplers(const Samplers&) = delete;
    Samplers& operator=(const Samplers&) = delete;
    VkSampler linear_clamp() const { return linear_clamp_; }
    VkSampler nearest_clamp() const { return nearest_clamp_; }

private:
    Context& ctx_;
    VkSampler linear_clamp_ = VK_NULL_HANDLE, nearest_clamp_ = VK_NULL_HANDLE;
};

}  // namespace engine
