// Offscreen colour/depth/output images and the overlay render pass; see render_target.hpp.
#include "render_target.hpp"

#include "context.hpp"
#include "vk_check.hpp"

#include <glm/glm.hpp>

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
    if (post_aa && samples == VK_SAMPLE_COUNT_1_BIT) {
        ImageDesc c = out;  // sRGB to draw into, read through its UNORM view: FXAA works on the encoded values
        c.usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_SAMPLED_BIT;
        scene_ = Image(ctx, c, "render scene before fxaa");
        GraphicsDesc g;
        g.vertex = "engine/fxaa.vert";
        g.fragment = "engine/fxaa.frag";
        g.bindings = {{0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, VK_SHADER_STAGE_FRAGMENT_BIT}};
        g.push_constant_bytes = sizeof(glm::vec4);
        g.cull = VK_CULL_MODE_NONE;
        g.depth_test = false;
        g.depth_write = false;
        g.color_format = kOverlayFormat;  // output's UNORM view: the encoded values go through unchanged
        g.depth_format = VK_FORMAT_UNDEFINED;
        fxaa_ = Pipeline::graphics(ctx, g, "fxaa");
        descriptors_ = std::make_unique<DescriptorAllocator>(ctx);
        samplers_ = std::make_unique<Samplers>(ctx);
        fxaa_set_ = descriptors_->allocate(fxaa_.set_layout());
        DescriptorWriter()
            .image(0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, scene_.alias_view(), VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                   samplers_->linear_clamp())
            .write(ctx.device(), fxaa_set_);
    }
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

void RenderTarget::set_viewport(VkCommandBuffer cmd) const {
    // Flipped viewport (negative height) so world +Z is up on screen with a right-handed projection.
    VkViewport vp{0, float(height()), float(width()), -float(height()), 0.0f, 1.0f};
    VkRect2D scissor{{0, 0}, {width(), height()}};
    vkCmdSetViewport(cmd, 0, 1, &vp);
    vkCmdSetScissor(cmd, 0, 1, &scissor);
}

void RenderTarget::begin_world(VkCommandBuffer cmd, const float clear_rgba[4]) {
    VkRenderingAttachmentInfo color{VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO};
    color.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
    color.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
    color.clearValue.color = {{clear_rgba[0], clear_rgba[1], clear_rgba[2], clear_rgba[3]}};
    output_.use(cmd, Access::ColorAttachment, true);
    if (color_msaa_) {
        color_msaa_.use(cmd, Access::ColorAttachment, true);
        color.imageView = color_msaa_.view();
        color.imageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
        color.storeOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
        color.resolveMode = VK_RESOLVE_MODE_AVERAGE_BIT;
        color.resolveImageView = output_.view();
        color.resolveImageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
    } else if (scene_) {
        scene_.use(cmd, Access::ColorAttachment, true);
        color.imageView = scene_.view();
        color.imageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
    } else {
        color.imageView = output_.view();
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
    ri.renderArea = {{0, 0}, {width(), height()}};
    ri.layerCount = 1;
    ri.colorAttachmentCount = 1;
    ri.pColorAttachments = &color;
    ri.pDepthAttachment = &depth;
    vkCmdBeginRendering(cmd, &ri);
    set_viewport(cmd);
}

void RenderTarget::end_world(VkCommandBuffer cmd) {
    vkCmdEndRendering(cmd);
    if (!scene_) return;
    // FXAA: scene_ -> output_, one full-screen triangle.
    scene_.use(cmd, Access::FragmentSampled);
    VkRenderingAttachmentInfo color{VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO};
    color.imageView = output_.alias_view();
    color.imageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL;
    color.loadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
    color.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
    VkRenderingInfo ri{VK_STRUCTURE_TYPE_RENDERING_INFO};
    ri.renderArea = {{0, 0}, {width(), height()}};
    ri.layerCount = 1;
    ri.colorAttachmentCount = 1;
    ri.pColorAttachments = &color;
    vkCmdBeginRendering(cmd, &ri);
    set_viewport(cmd);
    fxaa_.bind(cmd, fxaa_set_);
    fxaa_.push(cmd, glm::vec4(1.0f / width(), 1.0f / height(), 0, 0));
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
