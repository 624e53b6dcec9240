// Dear ImGui set-up and drawing; see ui_layer.hpp.
#include "ui_layer.hpp"

#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_vulkan.h>

#include <stdexcept>

#include "context.hpp"
#include "render_target.hpp"
#include "vk_check.hpp"
#include "window.hpp"

namespace engine {

namespace {
void check(VkResult r) {
    if (r != VK_SUCCESS) throw VulkanError("Dear ImGui Vulkan backend", r, __FILE__, __LINE__);
}
}  // namespace

UiLayer::UiLayer(Context& ctx, RenderTarget& target, Window* window, const std::filesystem::path& font_file,
                 float scale)
    : ctx_(ctx), window_(window) {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // no imgui.ini in the user's folder; layouts come from code
    io.LogFilename = nullptr;
    ImGui::StyleColorsDark();
    ImGuiStyle& style = ImGui::GetStyle();
    style.WindowRounding = 4.0f;
    style.FrameRounding = 3.0f;
    style.WindowBorderSize = 0.0f;
    style.Colors[ImGuiCol_WindowBg].w = 0.88f;
    style.ScaleAllSizes(scale);

    std::error_code ec;
    if (std::filesystem::is_regular_file(font_file, ec)) {
        body_ = io.Fonts->AddFontFromFileTTF(font_file.c_str(), 15.0f * scale);
        large_ = io.Fonts->AddFontFromFileTTF(font_file.c_str(), 26.0f * scale);
    }
    if (!body_) {
        body_ = io.Fonts->AddFontDefault();
        large_ = body_;
    }

    VkDescriptorPoolSize sizes[] = {{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 16}};
    VkDescriptorPoolCreateInfo pci{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    pci.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
    pci.maxSets = 16;
    pci.poolSizeCount = 1;
    pci.pPoolSizes = sizes;
    VK_CHECK(vkCreateDescriptorPool(ctx.device(), &pci, nullptr, &pool_));

    if (window) ImGui_ImplGlfw_InitForVulkan(window->handle(), true);
    ImGui_ImplVulkan_InitInfo info{};
    info.Instance = ctx.instance();
    info.PhysicalDevice = ctx.physical_device();
    info.Device = ctx.device();
    info.QueueFamily = ctx.queue_family();
    info.Queue = ctx.queue();
    info.DescriptorPool = pool_;
    info.Subpass = 0;
    // ImGui keeps one vertex/index buffer pair per "image"; more than the frames in flight keeps a
    // buffer from being rewritten while the GPU still reads it.
    info.MinImageCount = kFramesInFlight;
    info.ImageCount = kFramesInFlight + 1;
    info.MSAASamples = VK_SAMPLE_COUNT_1_BIT;
    info.CheckVkResultFn = check;
    // Every RenderTarget creates an identical (so compatible) overlay pass: one pipeline serves them all.
    if (!ImGui_ImplVulkan_Init(&info, target.overlay_pass()))
        throw std::runtime_error("Dear ImGui Vulkan backend failed to initialise");
    ctx.submit_and_wait([](VkCommandBuffer cmd) { ImGui_ImplVulkan_CreateFontsTexture(cmd); });
    ImGui_ImplVulkan_DestroyFontUploadObjects();
}

UiLayer::~UiLayer() {
    vkDeviceWaitIdle(ctx_.device());
    ImGui_ImplVulkan_Shutdown();
    if (window_) ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    vkDestroyDescriptorPool(ctx_.device(), pool_, nullptr);
}

void UiLayer::new_frame(uint32_t width, uint32_t height, double dt) {
    ImGui_ImplVulkan_NewFrame();
    if (window_) {
        ImGui_ImplGlfw_NewFrame();
    }
    ImGuiIO& io = ImGui::GetIO();
    // The overlay is drawn at the render target's size, which may differ from the window's in tests.
    io.DisplaySize = ImVec2(float(width), float(height));
    io.DisplayFramebufferScale = ImVec2(1, 1);
    io.DeltaTime = float(dt > 0 ? dt : 1.0 / 60.0);
    ImGui::NewFrame();
}

void UiLayer::render(VkCommandBuffer cmd, RenderTarget& target) {
    ImGui::Render();
    target.begin_overlay(cmd);
    ImGui_ImplVulkan_RenderDrawData(ImGui::GetDrawData(), cmd);
    target.end_overlay(cmd);
}

}  // namespace engine
