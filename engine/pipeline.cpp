// Pipelines, descriptors and samplers; see pipeline.hpp.
#include "pipeline.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <utility>

#include "context.hpp"
#include "resources.hpp"
#include "vk_check.hpp"

#ifndef INFRASCAPE_SHADER_DIR
#define INFRASCAPE_SHADER_DIR "shaders"
#endif

namespace engine {

namespace {
std::filesystem::path g_shader_dir = INFRASCAPE_SHADER_DIR;

VkShaderModule make_module(Context& ctx, const std::string& name) {
    std::vector<uint32_t> code = load_spirv(name);
    VkShaderModuleCreateInfo ci{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
    ci.codeSize = code.size() * 4;
    ci.pCode = code.data();
    VkShaderModule module;
    VK_CHECK(vkCreateShaderModule(ctx.device(), &ci, nullptr, &module));
    return module;
}

VkShaderStageFlags push_stages_for(VkPipelineBindPoint bp) {
    return bp == VK_PIPELINE_BIND_POINT_COMPUTE ? VK_SHADER_STAGE_COMPUTE_BIT
                                                : (VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT);
}

void make_layouts(Context& ctx, const std::vector<Binding>& bindings, uint32_t push_bytes, VkShaderStageFlags stages,
                  VkDescriptorSetLayout& set_layout, VkPipelineLayout& layout) {
    std::vector<VkDescriptorSetLayoutBinding> b;
    for (const Binding& x : bindings) b.push_back({x.binding, x.type, 1, x.stages, nullptr});
    VkDescriptorSetLayoutCreateInfo dci{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    dci.bindingCount = static_cast<uint32_t>(b.size());
    dci.pBindings = b.data();
    VK_CHECK(vkCreateDescriptorSetLayout(ctx.device(), &dci, nullptr, &set_layout));
    VkPushConstantRange range{stages, 0, push_bytes};
    VkPipelineLayoutCreateInfo lci{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    lci.setLayoutCount = 1;
    lci.pSetLayouts = &set_layout;
    lci.pushConstantRangeCount = push_bytes ? 1 : 0;
    lci.pPushConstantRanges = &range;
    VK_CHECK(vkCreatePipelineLayout(ctx.device(), &lci, nullptr, &layout));
}
}  // namespace

void set_shader_dir(const std::filesystem::path& dir) { g_shader_dir = dir; }
const std::filesystem::path& shader_dir() { return g_shader_dir; }

std::vector<uint32_t> load_spirv(const std::string& name) {
    std::filesystem::path path = g_shader_dir / (name + ".spv");
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw std::runtime_error("cannot open compiled shader " + path.string() + " (was the project built?)");
    std::streamsize size = in.tellg();
    if (size <= 0 || size % 4) throw std::runtime_error("compiled shader " + path.string() + " is not SPIR-V");
    std::vector<uint32_t> code(static_cast<size_t>(size) / 4);
    in.seekg(0);
    in.read(reinterpret_cast<char*>(code.data()), size);
    return code;
}

// [SECTION] Pipeline

Pipeline::~Pipeline() { release(); }
Pipeline::Pipeline(Pipeline&& o) noexcept { *this = std::move(o); }
Pipeline& Pipeline::operator=(Pipeline&& o) noexcept {
    if (this != &o) {
        release();
        ctx_ = std::exchange(o.ctx_, nullptr);
        pipeline_ = std::exchange(o.pipeline_, VK_NULL_HANDLE);
        layout_ = std::exchange(o.layout_, VK_NULL_HANDLE);
        set_layout_ = std::exchange(o.set_layout_, VK_NULL_HANDLE);
        bind_point_ = o.bind_point_;
        push_stages_ = o.push_stages_;
    }
    return *this;
}

void Pipeline::release() {
    if (!pipeline_) return;
    VkDevice device = ctx_->device();
    VkPipeline p = pipeline_;
    VkPipelineLayout l = layout_;
    VkDescriptorSetLayout s = set_layout_;
    ctx_->defer([device, p, l, s] {
        vkDestroyPipeline(device, p, nullptr);
        vkDestroyPipelineLayout(device, l, nullptr);
        vkDestroyDescriptorSetLayout(device, s, nullptr);
    });
    pipeline_ = VK_NULL_HANDLE;
}

Pipeline Pipeline::compute(Context& ctx, const std::string& shader, const std::vector<Binding>& bindings,
                           uint32_t push_constant_bytes, const char* name) {
    Pipeline p;
    p.ctx_ = &ctx;
    p.bind_point_ = VK_PIPELINE_BIND_POINT_COMPUTE;
    p.push_stages_ = push_stages_for(p.bind_point_);
    make_layouts(ctx, bindings, push_constant_bytes, p.push_stages_, p.set_layout_, p.layout_);
    VkShaderModule module = make_module(ctx, shader);
    VkComputePipelineCreateInfo ci{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    ci.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
    ci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    ci.stage.module = module;
    ci.stage.pName = "main";
    ci.layout = p.layout_;
    VkResult r = vkCreateComputePipelines(ctx.device(), VK_NULL_HANDLE, 1, &ci, nullptr, &p.pipeline_);
    vkDestroyShaderModule(ctx.device(), module, nullptr);
    VK_CHECK(r);
    ctx.set_name(VK_OBJECT_TYPE_PIPELINE, reinterpret_cast<uint64_t>(p.pipeline_), name);
    return p;
}

Pipeline Pipeline::graphics(Context& ctx, const GraphicsDesc& d, const char* name) {
    Pipeline p;
    p.ctx_ = &ctx;
    p.bind_point_ = VK_PIPELINE_BIND_POINT_GRAPHICS;
    p.push_stages_ = push_stages_for(p.bind_point_);
    make_layouts(ctx, d.bindings, d.push_constant_bytes, p.push_stages_, p.set_layout_, p.layout_);
    VkShaderModule vs = make_module(ctx, d.vertex);
    VkShaderModule fs = make_module(ctx, d.fragment);

    VkPipelineShaderStageCreateInfo stages[2] = {{VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO},
                                                 {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO}};
    stages[0].stage = VK_SHADER_STAGE_VERTEX_BIT;
    stages[0].module = vs;
    stages[0].pName = "main";
    stages[1].stage = VK_SHADER_STAGE_FRAGMENT_BIT;
    stages[1].module = fs;
    stages[1].pName = "main";

    VkPipelineVertexInputStateCreateInfo vi{VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO};
    vi.vertexBindingDescriptionCount = static_cast<uint32_t>(d.vertex_layout.bindings.size());
    vi.pVertexBindingDescriptions = d.vertex_layout.bindings.data();
    vi.vertexAttributeDescriptionCount = static_cast<uint32_t>(d.vertex_layout.attributes.size());
    vi.pVertexAttributeDescriptions = d.vertex_layout.attributes.data();
    VkPipelineInputAssemblyStateCreateInfo ia{VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO};
    ia.topology = d.topology;
    VkPipelineViewportStateCreateInfo vp{VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO};
    vp.viewportCount = 1;
    vp.scissorCount = 1;
    VkPipelineRasterizationStateCreateInfo rs{VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO};
    rs.polygonMode = VK_POLYGON_MODE_FILL;
    rs.cullMode = d.cull;
    rs.frontFace = VK_FRONT_FACE_COUNTER_CLOCKWISE;
    rs.lineWidth = 1.0f;
    VkPipelineMultisampleStateCreateInfo ms{VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO};
    ms.rasterizationSamples = d.samples;
    VkPipelineDepthStencilStateCreateInfo ds{VK_STRUCTURE_TYPE_PIPELINE_DEPTH_STENCIL_STATE_CREATE_INFO};
    ds.depthTestEnable = d.depth_test;
    ds.depthWriteEnable = d.depth_write;
    ds.depthCompareOp = VK_COMPARE_OP_GREATER_OR_EQUAL;  // reversed Z: near = 1, far = 0
    VkPipelineColorBlendAttachmentState att{};
    att.colorWriteMask = 0xF;
    if (d.blend != Blend::None) {
        att.blendEnable = VK_TRUE;
        att.srcColorBlendFactor = VK_BLEND_FACTOR_SRC_ALPHA;
        att.dstColorBlendFactor = d.blend == Blend::Alpha ? VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA : VK_BLEND_FACTOR_ONE;
        att.colorBlendOp = VK_BLEND_OP_ADD;
        att.srcAlphaBlendFactor = VK_BLEND_FACTOR_ONE;
        att.dstAlphaBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC_ALPHA;
        att.alphaBlendOp = VK_BLEND_OP_ADD;
    }
    VkPipelineColorBlendStateCreateInfo cb{VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO};
    cb.attachmentCount = 1;
    cb.pAttachments = &att;
    VkDynamicState dyn[] = {VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR};
    VkPipelineDynamicStateCreateInfo dy{VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO};
    dy.dynamicStateCount = 2;
    dy.pDynamicStates = dyn;
    VkPipelineRenderingCreateInfo rendering{VK_STRUCTURE_TYPE_PIPELINE_RENDERING_CREATE_INFO};
    rendering.colorAttachmentCount = 1;
    rendering.pColorAttachmentFormats = &d.color_format;
    rendering.depthAttachmentFormat = d.depth_format;

    VkGraphicsPipelineCreateInfo ci{VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO};
    ci.pNext = &rendering;
    ci.stageCount = 2;
    ci.pStages = stages;
    ci.pVertexInputState = &vi;
    ci.pInputAssemblyState = &ia;
    ci.pViewportState = &vp;
    ci.pRasterizationState = &rs;
    ci.pMultisampleState = &ms;
    ci.pDepthStencilState = &ds;
    ci.pColorBlendState = &cb;
    ci.pDynamicState = &dy;
    ci.layout = p.layout_;
    VkResult r = vkCreateGraphicsPipelines(ctx.device(), VK_NULL_HANDLE, 1, &ci, nullptr, &p.pipeline_);
    vkDestroyShaderModule(ctx.device(), vs, nullptr);
    vkDestroyShaderModule(ctx.device(), fs, nullptr);
    VK_CHECK(r);
    ctx.set_name(VK_OBJECT_TYPE_PIPELINE, reinterpret_cast<uint64_t>(p.pipeline_), name);
    return p;
}

void Pipeline::bind(VkCommandBuffer cmd, VkDescriptorSet set) const {
    vkCmdBindPipeline(cmd, bind_point_, pipeline_);
    if (set) vkCmdBindDescriptorSets(cmd, bind_point_, layout_, 0, 1, &set, 0, nullptr);
}

void Pipeline::push(VkCommandBuffer cmd, const void* data, uint32_t bytes) const {
    vkCmdPushConstants(cmd, layout_, push_stages_, 0, bytes, data);
}

void dispatch_2d(VkCommandBuffer cmd, uint32_t cells_x, uint32_t cells_y, uint32_t local_x, uint32_t local_y) {
    uint32_t gx = (cells_x + local_x - 1) / local_x;
    uint32_t gy = (cells_y + local_y - 1) / local_y;
    if (gx > 65535 || gy > 65535)
        throw std::runtime_error("dispatch_2d: grid too large for one dispatch; split it across dispatches");
    vkCmdDispatch(cmd, gx, gy, 1);
}

// [SECTION] Descriptors

DescriptorAllocator::DescriptorAllocator(Context& ctx) : ctx_(ctx) { pools_.push_back(new_pool()); }

DescriptorAllocator::~DescriptorAllocator() {
    VkDevice device = ctx_.device();
    auto pools = pools_;
    ctx_.defer([device, pools] {
        for (VkDescriptorPool p : pools) vkDestroyDescriptorPool(device, p, nullptr);
    });
}

VkDescriptorPool DescriptorAllocator::new_pool() {
    VkDescriptorPoolSize sizes[] = {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 256},
                                    {VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, 64},
                                    {VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 256},
                                    {VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 64}};
    VkDescriptorPoolCreateInfo ci{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    ci.maxSets = 128;
    ci.poolSizeCount = 4;
    ci.pPoolSizes = sizes;
    VkDescriptorPool pool;
    VK_CHECK(vkCreateDescriptorPool(ctx_.device(), &ci, nullptr, &pool));
    return pool;
}

VkDescriptorSet DescriptorAllocator::allocate(VkDescriptorSetLayout layout) {
    VkDescriptorSetAllocateInfo ai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    ai.descriptorSetCount = 1;
    ai.pSetLayouts = &layout;
    VkDescriptorSet set;
    ai.descriptorPool = pools_.back();
    VkResult r = vkAllocateDescriptorSets(ctx_.device(), &ai, &set);
    if (r == VK_ERROR_OUT_OF_POOL_MEMORY || r == VK_ERROR_FRAGMENTED_POOL) {
        pools_.push_back(new_pool());
        ai.descriptorPool = pools_.back();
        r = vkAllocateDescriptorSets(ctx_.device(), &ai, &set);
    }
    VK_CHECK(r);
    return set;
}

DescriptorWriter& DescriptorWriter::buffer(uint32_t binding, VkDescriptorType type, const Buffer& b) {
    Entry e{binding, type};
    e.buffer = {b.handle(), 0, VK_WHOLE_SIZE};
    entries_.push_back(e);
    return *this;
}

DescriptorWriter& DescriptorWriter::image(uint32_t binding, VkDescriptorType type, VkImageView view,
                                          VkImageLayout layout, VkSampler sampler) {
    Entry e{binding, type};
    e.image = {sampler, view, layout};
    e.is_image = true;
    entries_.push_back(e);
    return *this;
}

void DescriptorWriter::write(VkDevice device, VkDescriptorSet set) {
    std::vector<VkWriteDescriptorSet> writes;
    for (Entry& e : entries_) {
        VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
        w.dstSet = set;
        w.dstBinding = e.binding;
        w.descriptorCount = 1;
        w.descriptorType = e.type;
        if (e.is_image)
            w.pImageInfo = &e.image;
        else
            w.pBufferInfo = &e.buffer;
        writes.push_back(w);
    }
    vkUpdateDescriptorSets(device, static_cast<uint32_t>(writes.size()), writes.data(), 0, nullptr);
}

// [SECTION] Samplers

Samplers::Samplers(Context& ctx) : ctx_(ctx) {
    VkSamplerCreateInfo ci{VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO};
    ci.magFilter = ci.minFilter = VK_FILTER_LINEAR;
    ci.mipmapMode = VK_SAMPLER_MIPMAP_MODE_NEAREST;
    ci.addressModeU = ci.addressModeV = ci.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
    ci.maxLod = 0;
    VK_CHECK(vkCreateSampler(ctx.device(), &ci, nullptr, &linear_clamp_));
    ci.magFilter = ci.minFilter = VK_FILTER_NEAREST;
    VK_CHECK(vkCreateSampler(ctx.device(), &ci, nullptr, &nearest_clamp_));
}

Samplers::~Samplers() {
    VkDevice device = ctx_.device();
    VkSampler a = linear_clamp_, b = nearest_clamp_;
    ctx_.defer([device, a, b] {
        vkDestroySampler(device, a, nullptr);
        vkDestroySampler(device, b, nullptr);
    });
}

}  // namespace engine
