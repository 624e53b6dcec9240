// The one offscreen render path: the world is drawn into a multisampled colour + depth target and
// resolved into `output` (sRGB), or drawn with one sample and passed through FXAA into `output`. At a render
// scale below 1 the world is drawn into the top-left corner of full-size images (so the scale can change every
// frame without reallocating) and upscaled into `output` by the post pass. The overlay (ImGui: panels, legend, captions) is then drawn onto
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
    // The world pass's size in pixels: the output's times the render scale (at least one pixel).
    uint32_t world_width() const { return world_w_; }
    uint32_t world_height() const { return world_h_; }
    // Render scale in [kMinRenderScale, 1]: the world is drawn at this fraction of the output's width and height.
    void set_render_scale(float scale);
    float render_scale() const { return scale_; }
    VkSampleCountFlagBits samples() const { return samples_; }
    bool post_aa() const { return post_aa_; }
    Image& output() { return output_; }

    // Begins dynamic rendering of the world: clears colour and depth (reversed Z: depth cleared to 0).
    void begin_world(VkCommandBuffer cmd, const float clear_rgba[4]);
    void end_world(VkCommandBuffer cmd);
    void set_viewport(VkCommandBuffer cmd) const;  // the world pass's viewport (flipped) and scissor

    // The classic render pass and framebuffer the overlay (Dear ImGui 1.86) needs.
    VkRenderPass overlay_pass() const { return overlay_pass_; }
    void begin_overlay(VkCommandBuffer cmd);
    void end_overlay(VkCommandBuffer cmd);

    // Copies `output` into a host buffer (RGBA8, tightly packed rows) for reading after the frame's fence.
    void record_readback(VkCommandBuffer cmd, Buffer& host_buffer);
    size_t readback_bytes() const { return size_t(width()) * height() * 4; }

private:
    bool scaled() const { return world_w_ != width() || world_h_ != height(); }
    void post_pass(VkCommandBuffer cmd);
    // One full-screen triangle into `target`'s UNORM view over [0, w) x [0, h).
    void begin_post(VkCommandBuffer cmd, Image& target, uint32_t w, uint32_t h);

    Context& ctx_;
    VkSampleCountFlagBits samples_;
    bool post_aa_ = false;
    float scale_ = 1;
    uint32_t world_w_ = 0, world_h_ = 0;
    Image color_msaa_;  // only when samples > 1
    Image depth_;
    Image output_;
    Image scene_;  // the world before FXAA or upscaling
    Image aa_;     // the world after FXAA, when it is then upscaled (post_aa only)
    Pipeline fxaa_, upscale_;
    std::unique_ptr<DescriptorAllocator> descriptors_;
    std::unique_ptr<Samplers> samplers_;
    VkDescriptorSet fxaa_set_ = VK_NULL_HANDLE;  // reads scene_
    VkDescriptorSet upscale_scene_set_ = VK_NULL_HANDLE, upscale_aa_set_ = VK_NULL_HANDLE;
    VkRenderPass overlay_pass_ = VK_NULL_HANDLE;
    VkFramebuffer overlay_fb_ = VK_NULL_HANDLE;
};

inline constexpr float kMinRenderScale = 0.25f;

// Clamps a requested sample count to what the device supports for colour and depth.
VkSampleCountFlagBits supported_samples(const Context& ctx, uint32_t requested);

}  // namespace engine
