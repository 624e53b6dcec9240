// Move-only RAII buffers and images. Destruction hands the Vulkan handles to the context's deletion
// queue, so a resource still used by a frame in flight is released only after that frame's fence.
// Each resource remembers how it was last used; `use()` derives the synchronization2 barrier from
// the previous use to the next one, so passes declare what they read and write and one place
// (this file) turns that into barriers.
#pragma once

#include <vulkan/vulkan.h>

#include "memory_pool.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace engine {

class Context;

// The ways a pass can touch a resource. Each maps to a stage, an access mask and (for images) a layout.
enum class Access {
    None,               // initial state, contents undefined
    ComputeRead,        // storage buffer/image read in a compute shader
    ComputeWrite,       // storage write (also covers read-modify-write) in a compute shader
    ComputeSampled,     // sampled image in a compute shader
    VertexBuffer,       // vertex or index input
    IndirectBuffer,     // indirect draw/dispatch arguments
    VertexShaderRead,   // storage buffer or sampled image in a vertex shader
    FragmentSampled,    // sampled image or storage buffer in a fragment shader
    ColorAttachment,    // colour attachment write (also MSAA resolve target)
    DepthAttachment,    // depth attachment read/write
    TransferSrc,
    TransferDst,
    HostRead,           // mapped memory read on the CPU after a copy
    Present,            // swapchain image handed to the presentation engine
};

// What a resource has been through since its last write: derives the minimal barrier for the next use.
struct UseTracker {
    VkPipelineStageFlags2 write_stage = 0;  // stage of the last write (0: none since creation)
    VkAccessFlags2 write_access = 0;
    VkPipelineStageFlags2 read_stages = 0;  // stages that already see the last write
    VkAccessFlags2 read_access = 0;
};

enum class MemoryKind {
    Device,    // GPU-local
    Upload,    // host-visible, coherent: staging and per-frame uniforms
    Readback,  // host-visible, cached when available: GPU -> CPU copies
};

class Buffer {
public:
    Buffer() = default;
    Buffer(Context& ctx, VkDeviceSize size, VkBufferUsageFlags usage, MemoryKind kind, const char* name);
    ~Buffer();
    Buffer(Buffer&& other) noexcept;
    Buffer& operator=(Buffer&& other) noexcept;
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;

    VkBuffer handle() const { return buffer_; }
    VkDeviceSize size() const { return size_; }
    void* mapped() const { return mapped_; }  // non-null for Upload and Readback
    explicit operator bool() const { return buffer_ != VK_NULL_HANDLE; }

    // Records the barrier from the last use to `next` (none when both only read).
    void use(VkCommandBuffer cmd, Access next);
    // Copies bytes into a Device buffer through a staging buffer, or directly when mapped. Blocking.
    void upload(const void* data, VkDeviceSize bytes, VkDeviceSize offset = 0);
    // Copies the buffer back to host memory. Blocking.
    void download(void* data, VkDeviceSize bytes, VkDeviceSize offset = 0);
    // For readback buffers: makes GPU writes visible to the host (non-coherent memory).
    void invalidate();

private:
    void release();
    Context* ctx_ = nullptr;
    VkBuffer buffer_ = VK_NULL_HANDLE;
    Allocation alloc_;
    VkDeviceSize size_ = 0;
    void* mapped_ = nullptr;
    bool coherent_ = true;
    UseTracker tracker_;
};

struct ImageDesc {
    VkImageType type = VK_IMAGE_TYPE_2D;
    VkFormat format = VK_FORMAT_R8G8B8A8_UNORM;
    uint32_t width = 1, height = 1, depth = 1;
    VkImageUsageFlags usage = VK_IMAGE_USAGE_SAMPLED_BIT;
    VkSampleCountFlagBits samples = VK_SAMPLE_COUNT_1_BIT;
    VkFormat alias_format = VK_FORMAT_UNDEFINED;  // a second view in this format (mutable-format image)
};

class Image {
public:
    Image() = default;
    Image(Context& ctx, const ImageDesc& desc, const char* name);
    ~Image();
    Image(Image&& other) noexcept;
    Image& operator=(Image&& other) noexcept;
    Image(const Image&) = delete;
    Image& operator=(const Image&) = delete;

    VkImage handle() const { return image_; }
    VkImageView view() const { return view_; }
    VkImageView alias_view() const { return alias_view_; }  // view in desc.alias_format
    const ImageDesc& desc() const { return desc_; }
    VkExtent2D extent2d() const { return {desc_.width, desc_.height}; }
    VkImageLayout layout() const { return layout_; }
    explicit operator bool() const { return image_ != VK_NULL_HANDLE; }

    // Records the layout transition and barrier from the last use to `next`. `discard` drops the contents.
    void use(VkCommandBuffer cmd, Access next, bool discard = false);
    // Tells the tracker what a render pass (used by ImGui) left the image in.
    void assume(Access access);
    // Uploads tightly packed texels to mip 0 and leaves the image in `then` (blocking).
    void upload(const void* texels, size_t bytes, Access then = Access::FragmentSampled);

private:
    void release();
    Context* ctx_ = nullptr;
    ImageDesc desc_{};
    VkImage image_ = VK_NULL_HANDLE;
    Allocation alloc_;
    VkImageView view_ = VK_NULL_HANDLE;
    VkImageView alias_view_ = VK_NULL_HANDLE;
    VkImageLayout layout_ = VK_IMAGE_LAYOUT_UNDEFINED;
    UseTracker tracker_;
};

// A host-to-device whole-memory barrier helper for code that writes mapped Upload buffers each frame.
void memory_barrier(VkCommandBuffer cmd, VkPipelineStageFlags2 src_stage, VkAccessFlags2 src_access,
                    VkPipelineStageFlags2 dst_stage, VkAccessFlags2 dst_access);

bool is_depth_format(VkFormat format);
size_t format_texel_bytes(VkFormat format);

}  // namespace engine
