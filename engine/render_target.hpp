// The one offscreen render path: the world is drawn into a multisampled colour + depth target and
// resolved into `output` (sRGB). The overlay (ImGui: panels, legend, captions) is then drawn onto
// `output` through a UNORM view, so its sRGB-authored colours land unchanged. A window blits
// `output` to the swapchain; headless rendering, screenshots, golden tests and video read it back.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "pipeline.hpp"
#include "resources.hpp"

namespace engine {

class Context;

inline constexpr VkFormat kOutputFormat = VK_FORMAT_R8G8B8A8_SRGB;
inline constexpr VkFormat kOverlayFormat = VK_FORMAT_R8G8B8A8_UNORM;
inline constexpr VkFormat kDepthFormat = VK_FORMAT_D32_SFLOAT;

class RenderTarget {
public:
    // post_aa: with one sample, the world is drawn into an image of its own and end_world() writes `output`
    // through FXAA (shaders/engine/fxaa.frag), the anti-aliasing a software device can afford.
    RenderTarget(Context& ctx, uint32_t width, uint32_t height, VkSampleCountFlagBits samples, bool post_aa = false);
    ~RenderTarget();
    RenderTarget(const RenderTarget&) = delete;
    RenderTarget& operator=(const RenderTarget&) = delete;

    uint32_t width() const { return output_.desc().width; }
    uint32_t height() const { return output_.desc().height; }
    VkSampleCountFlagBits samples() const { return samples_; }
    bool post_aa() const { return bool(scene_); }
    Image& output() { return output_; }

    // Begins dynamic rendering of the world: clears colour and depth (reversed Z: depth cleared to 0).
    void begin_world(VkCommandBuffer cmd, const float clear_rgba[4]);
    void end_world(VkCommandBuffer cmd);
    void set_viewport(VkCommandBuffer cmd) const;

    // The classic render pass and framebuffer the overlay (Dear ImGui 1.86) needs.
    VkRenderPass overlay_pass() const { return overlay_pass_; }
    void begin_overlay(VkCommandBuffer cmd);
    void end_overlay(VkCommandBuffer cmd);

    // Copies `output` into a host buffer (RGBA8, tightly packed rows) for reading after the frame's fence.
    void record_readback(VkCommandBuffer cmd, Buffer& host_buffer);
    size_t readback_bytes() const { return size_t(width()) * height() * 4; }

private:
    Context& ctx_;
    VkSampleCountFlagBits samples_;
    Image color_msaa_;  // only when samples > 1
    Image depth_;
    Image output_;
    Image scene_;  // the world before FXAA (post_aa only)
    Pipeline fxaa_;
    std::unique_ptr<DescriptorAllocator> descriptors_;
    std::unique_ptr<Samplers> samplers_;
    VkDescriptorSet fxaa_set_ = VK_NULL_HANDLE;
    VkRenderPass overlay_pass_ = VK_NULL_HANDLE;
    VkFramebuffer overlay_fb_ = VK_NULL_HANDLE;
};

// Clamps a requested sample count to what the device supports for colour and depth.
VkSampleCountFlagBits supported_samples(const Context& ctx, uint32_t requested);

}  // namespace engine
