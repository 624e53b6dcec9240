// Buffers and images, their memory (ranges of the context's MemoryPool, memory_pool.hpp) and barrier
// derivation; see resources.hpp.
#include "resources.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "context.hpp"
#include "vk_check.hpp"

namespace engine {

namespace {

struct AccessInfo {
    VkPipelineStageFlags2 stage;
    VkAccessFlags2 access;
    VkImageLayout layout;
    bool writes;
};

AccessInfo info(Access a, bool depth) {
    switch (a) {
        case Access::None:
            return {VK_PIPELINE_STAGE_2_NONE, 0, VK_IMAGE_LAYOUT_UNDEFINED, false};
        case Access::ComputeRead:
            return {VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT,
                    VK_IMAGE_LAYOUT_GENERAL, false};
        case Access::ComputeWrite:
            return {VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
                    VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                    VK_IMAGE_LAYOUT_GENERAL, true};
        case Access::ComputeSampled:
            return {VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_SAMPLED_READ_BIT,
                    VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, false};
        case Access::VertexBuffer:
            return {VK_PIPELINE_STAGE_2_VERTEX_INPUT_BIT,
                    VK_ACCESS_2_VERTEX_ATTRIBUTE_READ_BIT | VK_ACCESS_2_INDEX_READ_BIT, VK_IMAGE_LAYOUT_UNDEFINED,
                    false};
        case Access::IndirectBuffer:
            return {VK_PIPELINE_STAGE_2_DRAW_INDIRECT_BIT, VK_ACCESS_2_INDIRECT_COMMAND_READ_BIT,
                    VK_IMAGE_LAYOUT_UNDEFINED, false};
        case Access::VertexShaderRead:
            return {VK_PIPELINE_STAGE_2_VERTEX_SHADER_BIT,
                    VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_SHADER_SAMPLED_READ_BIT,
                    VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, false};
        case Access::FragmentSampled:
            return {VK_PIPELINE_STAGE_2_FRAGMENT_SHADER_BIT | VK_PIPELINE_STAGE_2_VERTEX_SHADER_BIT,
                    VK_ACCESS_2_SHADER_SAMPLED_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_READ_BIT,
                    VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, false};
        case Access::ColorAttachment:
            return {VK_PIPELINE_STAGE_2_COLOR_ATTACHMENT_OUTPUT_BIT,
                    VK_ACCESS_2_COLOR_ATTACHMENT_READ_BIT | VK_ACCESS_2_COLOR_ATTACHMENT_WRITE_BIT,
                    VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, true};
        case Access::DepthAttachment:
            return {VK_PIPELINE_STAGE_2_EARLY_FRAGMENT_TESTS_BIT | VK_PIPELINE_STAGE_2_LATE_FRAGMENT_TESTS_BIT,
                    VK_ACCESS_2_DEPTH_STENCIL_ATTACHMENT_READ_BIT | VK_ACCESS_2_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT,
                    VK_IMAGE_LAYOUT_DEPTH_ATTACHMENT_OPTIMAL, true};
        case Access::TransferSrc:
            return {VK_PIPELINE_STAGE_2_TRANSFER_BIT, VK_ACCESS_2_TRANSFER_READ_BIT,
                    VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, false};
        case Access::TransferDst:
            return {VK_PIPELINE_STAGE_2_TRANSFER_BIT, VK_ACCESS_2_TRANSFER_WRITE_BIT,
                    VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, true};
        case Access::HostRead:
            return {VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT, VK_IMAGE_LAYOUT_GENERAL, false};
        case Access::Present:
            return {VK_PIPELINE_STAGE_2_NONE, 0, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR, false};
    }
    (void)depth;
    return {};
}

Allocation allocate(Context& ctx, VkMemoryRequirements req, MemoryKind kind, bool image) {
    VkMemoryPropertyFlags required = 0, preferred = 0;
    switch (kind) {
        case MemoryKind::Device: required = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT; break;
        case MemoryKind::Upload:
            required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
            break;
        case MemoryKind::Readback:
            required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
            preferred = VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
            break;
    }
    uint32_t type = 0;
    try {
        type = ctx.find_memory_type(req.memoryTypeBits, required, preferred);
    } catch (const std::runtime_error&) {
        if (kind != MemoryKind::Device) throw;
        type = ctx.find_memory_type(req.memoryTypeBits, 0);  // a device without DEVICE_LOCAL heaps
    }
    return ctx.memory().allocate(req, type, image);
}

// Decides whether moving to `to` needs a barrier and with which source scope; updates the tracker.
// Read after write: wait for the write and make it visible, once per reading stage.
// Write after anything (or a layout transition, which writes): wait for the last write and all reads.
bool plan_barrier(UseTracker& t, const AccessInfo& to, bool transition, VkPipelineStageFlags2& src_stage,
                  VkAccessFlags2& src_access) {
    if (to.writes || transition) {
        src_stage = t.write_stage | t.read_stages;
        src_access = t.write_access;
        const bool needed = transition || src_stage != 0;
        t.write_stage = to.stage;
        t.write_access = to.writes ? to.access : 0;
        t.read_stages = to.writes ? 0 : to.stage;
        t.read_access = to.writes ? 0 : to.access;
        return needed;
    }
    if (t.write_stage == 0) {  // never written: nothing to wait for
        t.read_stages |= to.stage;
        return false;
    }
    if ((to.stage & ~t.read_stages) == 0 && (to.access & ~t.read_access) == 0) return false;
    src_stage = t.write_stage;
    src_access = t.write_access;
    t.read_stages |= to.stage;
    t.read_access |= to.access;
    return true;
}

VkImageAspectFlags aspect_of(VkFormat f) {
    return is_depth_format(f) ? VK_IMAGE_ASPECT_DEPTH_BIT : VK_IMAGE_ASPECT_COLOR_BIT;
}

}  // namespace

bool is_depth_format(VkFormat f) {
    return f == VK_FORMAT_D32_SFLOAT || f == VK_FORMAT_D24_UNORM_S8_UINT || f == VK_FORMAT_D16_UNORM ||
           f == VK_FORMAT_D32_SFLOAT_S8_UINT;
}

size_t format_texel_bytes(VkFormat f) {
    switch (f) {
        case VK_FORMAT_R8_UNORM: return 1;
        case VK_FORMAT_R8G8B8A8_UNORM:
        case VK_FORMAT_R8G8B8A8_SRGB:
        case VK_FORMAT_B8G8R8A8_UNORM:
        case VK_FORMAT_B8G8R8A8_SRGB:
        case VK_FORMAT_R32_SFLOAT:
        case VK_FORMAT_R32_UINT: return 4;
        case VK_FORMAT_R16G16B16A16_SFLOAT:
        case VK_FORMAT_R32G32_SFLOAT: return 8;
        case VK_FORMAT_R32G32B32A32_SFLOAT: return 16;
        default: throw std::runtime_error("format_texel_bytes: unsupported format");
    }
}

void memory_barrier(VkCommandBuffer cmd, VkPipelineStageFlags2 src_stage, VkAccessFlags2 src_access,
                    VkPipelineStageFlags2 dst_stage, VkAccessFlags2 dst_access) {
    VkMemoryBarrier2 b{VK_STRUCTURE_TYPE_MEMORY_BARRIER_2};
    b.srcStageMask = src_stage;
    b.srcAccessMask = src_access;
    b.dstStageMask = dst_stage;
    b.dstAccessMask = dst_access;
    VkDependencyInfo dep{VK_STRUCTURE_TYPE_DEPENDENCY_INFO};
    dep.memoryBarrierCount = 1;
    dep.pMemoryBarriers = &b;
    vkCmdPipelineBarrier2(cmd, &dep);
}

// [SECTION] Buffer

Buffer::Buffer(Context& ctx, VkDeviceSize size, VkBufferUsageFlags usage, MemoryKind kind, const char* name)
    : ctx_(&ctx), size_(size) {
    if (kind == MemoryKind::Device)
        usage |= VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
    VkBufferCreateInfo ci{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    ci.size = size;
    ci.usage = usage;
    ci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VK_CHECK(vkCreateBuffer(ctx.device(), &ci, nullptr, &buffer_));
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(ctx.device(), buffer_, &req);
    alloc_ = allocate(ctx, req, kind, false);
    VK_CHECK(vkBindBufferMemory(ctx.device(), buffer_, alloc_.memory, alloc_.offset));
    coherent_ = alloc_.coherent;
    if (kind != MemoryKind::Device) mapped_ = alloc_.mapped;
    ctx.set_name(VK_OBJECT_TYPE_BUFFER, reinterpret_cast<uint64_t>(buffer_), name);
}

Buffer::~Buffer() { release(); }

Buffer::Buffer(Buffer&& o) noexcept { *this = std::move(o); }

Buffer& Buffer::operator=(Buffer&& o) noexcept {
    if (this != &o) {
        release();
        ctx_ = std::exchange(o.ctx_, nullptr);
        buffer_ = std::exchange(o.buffer_, VK_NULL_HANDLE);
        alloc_ = std::exchange(o.alloc_, Allocation{});
        size_ = std::exchange(o.size_, 0);
        mapped_ = std::exchange(o.mapped_, nullptr);
        coherent_ = o.coherent_;
        tracker_ = std::exchange(o.tracker_, UseTracker{});
    }
    return *this;
}

void Buffer::release() {
    if (!buffer_) return;
    VkDevice device = ctx_->device();
    VkBuffer buffer = buffer_;
    MemoryPool* pool = &ctx_->memory();
    const Allocation alloc = alloc_;
    ctx_->defer([device, buffer, pool, alloc] {
        vkDestroyBuffer(device, buffer, nullptr);
        pool->free(alloc);
    });
    buffer_ = VK_NULL_HANDLE;
    alloc_ = Allocation{};
    mapped_ = nullptr;
}

void Buffer::use(VkCommandBuffer cmd, Access next) {
    AccessInfo to = info(next, false);
    VkPipelineStageFlags2 src_stage = 0;
    VkAccessFlags2 src_access = 0;
    if (!plan_barrier(tracker_, to, false, src_stage, src_access)) return;
    VkBufferMemoryBarrier2 b{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER_2};
    b.srcStageMask = src_stage;
    b.srcAccessMask = src_access;
    b.dstStageMask = to.stage;
    b.dstAccessMask = to.access;
    b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    b.buffer = buffer_;
    b.size = VK_WHOLE_SIZE;
    VkDependencyInfo dep{VK_STRUCTURE_TYPE_DEPENDENCY_INFO};
    dep.bufferMemoryBarrierCount = 1;
    dep.pBufferMemoryBarriers = &b;
    vkCmdPipelineBarrier2(cmd, &dep);
}

void Buffer::upload(const void* data, VkDeviceSize bytes, VkDeviceSize offset) {
    if (mapped_) {
        std::memcpy(static_cast<char*>(mapped_) + offset, data, bytes);
        return;
    }
    Buffer staging(*ctx_, bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MemoryKind::Upload, "staging upload");
    std::memcpy(staging.mapped(), data, bytes);
    ctx_->submit_and_wait([&](VkCommandBuffer cmd) {
        use(cmd, Access::TransferDst);
        VkBufferCopy region{0, offset, bytes};
        vkCmdCopyBuffer(cmd, staging.handle(), buffer_, 1, &region);
    });
}

void Buffer::download(void* data, VkDeviceSize bytes, VkDeviceSize offset) {
    Buffer staging(*ctx_, bytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MemoryKind::Readback, "staging readback");
    ctx_->submit_and_wait([&](VkCommandBuffer cmd) {
        use(cmd, Access::TransferSrc);
        staging.use(cmd, Access::TransferDst);
        VkBufferCopy region{offset, 0, bytes};
        vkCmdCopyBuffer(cmd, buffer_, staging.handle(), 1, &region);
        staging.use(cmd, Access::HostRead);
    });
    staging.invalidate();
    std::memcpy(data, staging.mapped(), bytes);
}

void Buffer::invalidate() {
    if (coherent_ || !mapped_) return;
    // From the range's start, aligned down to the atom, to the end of the (whole-mapped) memory object.
    const VkDeviceSize atom = std::max<VkDeviceSize>(1, ctx_->properties().limits.nonCoherentAtomSize);
    VkMappedMemoryRange range{VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE};
    range.memory = alloc_.memory;
    range.offset = alloc_.offset / atom * atom;
    range.size = VK_WHOLE_SIZE;
    vkInvalidateMappedMemoryRanges(ctx_->device(), 1, &range);
}

// [SECTION] Image

Image::Image(Context& ctx, const ImageDesc& desc, const char* name) : ctx_(&ctx), desc_(desc) {
    VkImageCreateInfo ci{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
    ci.imageType = desc.type;
    ci.format = desc.format;
    ci.extent = {desc.width, desc.height, desc.depth};
    ci.mipLevels = 1;
    ci.arrayLayers = 1;
    ci.samples = desc.samples;
    ci.tiling = VK_IMAGE_TILING_OPTIMAL;
    ci.usage = desc.usage;
    ci.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    if (desc.alias_format != VK_FORMAT_UNDEFINED) ci.flags |= VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT;
    VK_CHECK(vkCreateImage(ctx.device(), &ci, nullptr, &image_));
    VkMemoryRequirements req;
    vkGetImageMemoryRequirements(ctx.device(), image_, &req);
    alloc_ = allocate(ctx, req, MemoryKind::Device, true);
    VK_CHECK(vkBindImageMemory(ctx.device(), image_, alloc_.memory, alloc_.offset));

    auto make_view = [&](VkFormat format) {
        VkImageViewCreateInfo vi{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
        vi.image = image_;
        vi.viewType = desc.type == VK_IMAGE_TYPE_3D   ? VK_IMAGE_VIEW_TYPE_3D
                      : desc.type == VK_IMAGE_TYPE_1D ? VK_IMAGE_VIEW_TYPE_1D
                                                      : VK_IMAGE_VIEW_TYPE_2D;
        vi.format = format;
        vi.subresourceRange = {aspect_of(desc.format), 0, 1, 0, 1};
        VkImageView view;
        VK_CHECK(vkCreateImageView(ctx.device(), &vi, nullptr, &view));
        return view;
    };
    view_ = make_view(desc.format);
    if (desc.alias_format != VK_FORMAT_UNDEFINED) alias_view_ = make_view(desc.alias_format);
    ctx.set_name(VK_OBJECT_TYPE_IMAGE, reinterpret_cast<uint64_t>(image_), name);
}

Image::~Image() { release(); }

Image::Image(Image&& o) noexcept { *this = std::move(o); }

Image& Image::operator=(Image&& o) noexcept {
    if (this != &o) {
        release();
        ctx_ = std::exchange(o.ctx_, nullptr);
        desc_ = o.desc_;
        image_ = std::exchange(o.image_, VK_NULL_HANDLE);
        alloc_ = std::exchange(o.alloc_, Allocation{});
        view_ = std::exchange(o.view_, VK_NULL_HANDLE);
        alias_view_ = std::exchange(o.alias_view_, VK_NULL_HANDLE);
        layout_ = std::exchange(o.layout_, VK_IMAGE_LAYOUT_UNDEFINED);
        tracker_ = std::exchange(o.tracker_, UseTracker{});
    }
    return *this;
}

void Image::release() {
    if (!image_) return;
    VkDevice device = ctx_->device();
    VkImage image = image_;
    MemoryPool* pool = &ctx_->memory();
    const Allocation alloc = alloc_;
    VkImageView view = view_, alias = alias_view_;
    ctx_->defer([device, image, pool, alloc, view, alias] {
        vkDestroyImageView(device, view, nullptr);
        if (alias) vkDestroyImageView(device, alias, nullptr);
        vkDestroyImage(device, image, nullptr);
        pool->free(alloc);
    });
    image_ = VK_NULL_HANDLE;
}

void Image::use(VkCommandBuffer cmd, Access next, bool discard) {
    AccessInfo to = info(next, is_depth_format(desc_.format));
    VkImageLayout old_layout = discard ? VK_IMAGE_LAYOUT_UNDEFINED : layout_;
    const bool transition = old_layout != to.layout || discard;
    VkPipelineStageFlags2 src_stage = 0;
    VkAccessFlags2 src_access = 0;
    if (!plan_barrier(tracker_, to, transition, src_stage, src_access)) return;
    VkImageMemoryBarrier2 b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER_2};
    b.srcStageMask = src_stage ? src_stage : VK_PIPELINE_STAGE_2_NONE;
    b.srcAccessMask = src_access;
    b.dstStageMask = to.stage ? to.stage : VK_PIPELINE_STAGE_2_NONE;
    b.dstAccessMask = to.access;
    b.oldLayout = old_layout;
    b.newLayout = to.layout;
    b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    b.image = image_;
    b.subresourceRange = {aspect_of(desc_.format), 0, 1, 0, 1};
    VkDependencyInfo dep{VK_STRUCTURE_TYPE_DEPENDENCY_INFO};
    dep.imageMemoryBarrierCount = 1;
    dep.pImageMemoryBarriers = &b;
    vkCmdPipelineBarrier2(cmd, &dep);
    layout_ = to.layout;
}

void Image::assume(Access access) {
    AccessInfo a = info(access, is_depth_format(desc_.format));
    layout_ = a.layout;
    tracker_ = UseTracker{};
    if (a.writes) {
        tracker_.write_stage = a.stage;
        tracker_.write_access = a.access;
    } else {
        tracker_.read_stages = a.stage;
    }
}

void Image::upload(const void* texels, size_t bytes, Access then) {
    Buffer staging(*ctx_, bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MemoryKind::Upload, "staging image upload");
    std::memcpy(staging.mapped(), texels, bytes);
    ctx_->submit_and_wait([&](VkCommandBuffer cmd) {
        use(cmd, Access::TransferDst, true);
        VkBufferImageCopy region{};
        region.imageSubresource = {aspect_of(desc_.format), 0, 0, 1};
        region.imageExtent = {desc_.width, desc_.height, desc_.depth};
        vkCmdCopyBufferToImage(cmd, staging.handle(), image_, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region);
        use(cmd, then);
    });
}

}  // namespace engine
