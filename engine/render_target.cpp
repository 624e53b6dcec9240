// Offscreen colour/depth/output images and the overlay render pass; see render_target.hpp.
#include "render_target.hpp"

#include "context.hpp"
#include "vk_check.hpp"

#include <glm/glm.hpp>

#include <algorithm>
#include <cmath>

namespace engine {

VkSampleCountFlagBits supported_samples(const Context& ctx, uint32_t requested) {
    VkSampleCountFlags ok = ctx.properties().limits.framebufferColorSampleCounts &
                            ctx.properties().limits.framebufferDepthSampleCounts;
    for (uint32_t s = requested; s > 1; s >>= 1)
        if (ok & s) return static_cast<VkSampleCountFlagBits>(s);
    return VK_SAMPLE_COUNT_1_BIT;
}

RenderTarget::RenderTarget(Context& ctx, uint32_t width, uint32_t height, VkSampleCountFlagBits samples, bool post_aa)
    : ctx_(ctx), samples_(samples) {
    ImageDesc out;
    out.format = kOutputFormat;
    out.alias_format = kOverlayFormat;
    out.width = width;
    out.height = height;
    out.usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_SAMPLED_BIT;
    output_ = Image(ctx, out, "render output");

    if (samples > VK_SAMPLE_COUNT_1_BIT) {
        ImageDesc c = out;
        c.alias_format = VK_FORMAT_UNDEFINED;
        c.samples = samples;
        c.usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT;
        color_msaa_ = Image(ctx, c, "render colour msaa");
    }
    post_aa_ = post_aa && samples == VK_SAMPLE_COUNT_1_BIT;
    {
        // sRGB to draw (or resolve) into, read through its UNORM view: FXAA works on the encoded values, and the
        // upscaling passes carry them through unchanged.
        ImageDesc c = out;
        c.usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_SAMPLED_BIT;
        scene_ = Image(ctx, c, "render scene before post pass");
        descriptors_ = std::make_unique<DescriptorAllocator>(ctx);
        samplers_ = std::make_unique<Samplers>(ctx);
        auto make = [&](const char* fragment, uint32_t push_bytes) {
            GraphicsDesc g;
            g.vertex = "engine/fxaa.vert";
            g.fragment = fragment;
            g.bindings = {{0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, VK_SHADER_STAGE_FRAGMENT_BIT}};
            g.push_constant_bytes = push_bytes;
            g.cull = VK_CULL_MODE_NONE;
            g.depth_test = false;
            g.depth_write = false;
            g.color_format = kOverlayFormat;  // UNORM views: the encoded values go through unchanged
            g.depth_format = VK_FORMAT_UNDEFINED;
            return Pipeline::graphics(ctx, g, fragment);
        };
        auto reading = [&](const Pipeline& pipeline, Image& source) {
            VkDescriptorSet set = descriptors_->allocate(pipeline.set_layout());
            DescriptorWriter()
                .image(0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, source.alias_view(),
                       VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, samplers_->linear_clamp())
                .write(ctx.device(), set);
            return set;
        };
        upscale_ = make("engine/upscale.frag", 2 * sizeof(glm::vec4));
        upscale_scene_set_ = reading(upscale_, scene_);
        if (post_aa_) {
            aa_ = Image(ctx, c, "render scene after fxaa");
            fxaa_ = make("engine/fxaa.frag", sizeof(glm::vec4));
            fxaa_set_ = reading(fxaa_, scene_);
            upscale_aa_set_ = reading(upscale_, aa_);
        }
    }
    world_w_ = width;
    world_h_ = height;
    ImageDesc d;
    d.format = kDepthFormat;
    d.width = width;
    d.height = height;
    d.samples = samples;
    d.usage = VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT;
    depth_ = Image(ctx, d, "render depth");

    VkAttachmentDescription att{};
    att.format = kOverlayFormat;
    att.samples = VK_SAMPLE_COUNT_1_BIT;
    att.loadOp = VK_ATTACHMENT_LOAD_OP_LOAD;
    att.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
    att.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
    att.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
    att.initialLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
    att.finalLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
    VkAttachmentReference ref{0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
    VkSubpassDescription sub{};
    sub.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
    sub.colorAttachmentCount = 1;
    sub.pColorAttachments = &ref;
    // The barrier before the pass (Image::use) orders it after the world pass; these dependencies
    // order the pass's own colour writes with what came before and after it.
    VkSubpassDependency deps[2] = {};
    deps[0].srcSubpass = VK_SUBPASS_EXTERNAL;
    deps[0].dstSubpass = 0;
    deps[0].srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
    deps[0].dstStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
    deps[0].srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
    deps[0].dstAccessMask = VK_ACCESS_COLOR_ATTACHMENT_READ_BIT | VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
    deps[1].srcSubpass = 0;
    deps[1].dstSubpass = VK_SUBPASS_EXTERNAL;
    deps[1].srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
    deps[1].dstStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
    deps[1].srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
    deps[1].dstAccessMask = VK_ACCESS_COLOR_ATTACHMENT_READ_BIT | VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
    VkRenderPassCreateInfo rp{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO};
    rp.attachmentCount = 1;
    rp.pAttachments = &att;
    rp.subpassCount = 1;
    rp.pSubpasses = &sub;
    rp.dependencyCount = 2;
    rp.pDependencies = deps;
    VK_CHECK(vkCreateRenderPass(ctx.device(), &rp, nullptr, &overlay_pass_));

    VkImageView view = output_.alias_view();
    VkFramebufferCreateInfo fb{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
    fb.renderPass = overlay_pass_;
    fb.attachmentCount = 1;
    fb.pAttachments = &view;
    fb.width = width;
    fb.height = height;
    fb.layers = 1;
    VK_CHECK(vkCreateFramebuffer(ctx.device(), &fb, nullptr, &overlay_fb_));
}

RenderTarget::~RenderTarget() {
    VkDevice device = ctx_.device();
    VkRenderPass rp = overlay_pass_;
    VkFramebuffer fb = overlay_fb_;
    ctx_.defer([device, rp, fb] {
        vkDestroyFramebuffer(device, fb, nullptr);
        vkDestroyRenderPass(device, rp, nullptr);
    });
}

void RenderTarget::set_render_scale(float scale) {
    scale_ = std::clamp(scale, kMinRenderScale, 1.0f);
    world_w_ = std::max(1u, uint32_t(std::lround(width() * double(scale_))));
    world_h_ = std::max(1u, uint32_t(std::lround(height() * double(scale_))));
}

void RenderTarget::set_viewport(VkCommandBuffer cmd) const {
    // Flipped viewport (negative height) so world +Z is up on screen with a right-handed projection.
    VkViewport vp{0, float(world_h_), float(world_w_), -float(world_h_), 0.0f, 1.0f};
    VkRect2D scissor{{0, 0}, {world_w_, world_h_}};
    vkCmdSetViewport(cmd, 0, 1, &vp);
    vkCmdSetScissor(cmd, 0, 1, &scissor);
}

void RenderTarget::begin_world(VkCommandBuffer cmd, const float clear_rgba[4]) {
    VkRenderingAttachmentInfo color{VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO};
    color.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
    color.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
    color.clearValue.color = {{clear_rgba[0], clear_rgba[1], clear_rgba[2], clear_rgba[3]}};
    output_.use(cmd, Access::ColorAttachment, true);
    // Where the world's one-sample colour lands: the output itself, or the scene image a post pass reads.
    Image& single = (post_aa_ || scaled()) ? scene_ : output_;
    if (&single == &scene_) scene_.use(cmd, Access::ColorAttachment, true);
    if (color_msaa_) {
        color_msaa_.use(cmd, Access::ColorAttachment, true);
        color.imageView = color_msaa_.view();
        color.imageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
        color.storeOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
        color.resolveMode = VK_RESOLVE_MODE_AVERAGE_BIT;
        color.resolveImageView = single.view();
        color.resolveImageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
    } else {
        color.imageView = single.view();
        color.imageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
    }
    depth_.use(cmd, Access::DepthAttachment, true);
    VkRenderingAttachmentInfo depth{VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO};
    depth.imageView = depth_.view();
    depth.imageLayout = VK_IMAGE_LAYOUT_DEPTH_ATTACHMENT_OPTIMAL;
    depth.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
    depth.storeOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
    depth.clearValue.depthStencil = {0.0f, 0};

    VkRenderingInfo ri{VK_STRUCTURE_TYPE_RENDERING_INFO};
    ri.renderArea = {{0, 0}, {world_w_, world_h_}};
    ri.layerCount = 1;
    ri.colorAttachmentCount = 1;
    ri.pColorAttachments = &color;
    ri.pDepthAttachment = &depth;
    vkCmdBeginRendering(cmd, &ri);
    set_viewport(cmd);
}

void RenderTarget::end_world(VkCommandBuffer cmd) {
    vkCmdEndRendering(cmd);
    if (post_aa_ || scaled()) post_pass(cmd);
}

void RenderTarget::begin_post(VkCommandBuffer cmd, Image& target, uint32_t w, uint32_t h) {
    VkRenderingAttachmentInfo color{VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO};
    color.imageView = target.alias_view();
    color.imageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
    color.loadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
    color.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
    VkRenderingInfo ri{VK_STRUCTURE_TYPE_RENDERING_INFO};
    ri.renderArea = {{0, 0}, {w, h}};
    ri.layerCount = 1;
    ri.colorAttachmentCount = 1;
    ri.pColorAttachments = &color;
    vkCmdBeginRendering(cmd, &ri);
    VkViewport vp{0, 0, float(w), float(h), 0.0f, 1.0f};
    VkRect2D scissor{{0, 0}, {w, h}};
    vkCmdSetViewport(cmd, 0, 1, &vp);
    vkCmdSetScissor(cmd, 0, 1, &scissor);
}

void RenderTarget::post_pass(VkCommandBuffer cmd) {
    // FXAA at the world's resolution (scene_ -> output_, or -> aa_ when upscaled next), then the bilinear upscale
    // of the drawn corner into output_. Each is one full-screen triangle.
    const glm::vec2 texel(1.0f / width(), 1.0f / height());
    scene_.use(cmd, Access::FragmentSampled);
    if (post_aa_) {
        Image& into = scaled() ? aa_ : output_;
        if (scaled()) aa_.use(cmd, Access::ColorAttachment, true);
        begin_post(cmd, into, world_w_, world_h_);
        fxaa_.bind(cmd, fxaa_set_);
        fxaa_.push(cmd, glm::vec4(texel, float(world_w_ - 1), float(world_h_ - 1)));
        vkCmdDraw(cmd, 3, 1, 0, 0);
        vkCmdEndRendering(cmd);
        if (!scaled()) return;
        aa_.use(cmd, Access::FragmentSampled);
    }
    begin_post(cmd, output_, width(), height());
    // Output pixel p reads the source at p * (drawn / output) texels, never outside the drawn corner.
    struct {
        glm::vec4 texel, scale;
    } push{glm::vec4(texel, 0, 0), glm::vec4(texel.x * float(world_w_) / width(), texel.y * float(world_h_) / height(),
                                             (float(world_w_) - 0.5f) * texel.x, (float(world_h_) - 0.5f) * texel.y)};
    upscale_.bind(cmd, post_aa_ ? upscale_aa_set_ : upscale_scene_set_);
    upscale_.push(cmd, push);
    vkCmdDraw(cmd, 3, 1, 0, 0);
    vkCmdEndRendering(cmd);
}

void RenderTarget::begin_overlay(VkCommandBuffer cmd) {
    output_.use(cmd, Access::ColorAttachment);
    VkRenderPassBeginInfo bi{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
    bi.renderPass = overlay_pass_;
    bi.framebuffer = overlay_fb_;
    bi.renderArea = {{0, 0}, {width(), height()}};
    vkCmdBeginRenderPass(cmd, &bi, VK_SUBPASS_CONTENTS_INLINE);
}

void RenderTarget::end_overlay(VkCommandBuffer cmd) {
    vkCmdEndRenderPass(cmd);
    output_.assume(Access::ColorAttachment);
}

void RenderTarget::record_readback(VkCommandBuffer cmd, Buffer& host_buffer) {
    output_.use(cmd, Access::TransferSrc);
    host_buffer.use(cmd, Access::TransferDst);
    VkBufferImageCopy region{};
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.imageExtent = {width(), height(), 1};
    vkCmdCopyImageToBuffer(cmd, output_.handle(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, host_buffer.handle(), 1,
                           &region);
    host_buffer.use(cmd, Access::HostRead);
}

}  // namespace engine
