// GLFW window and swapchain; see window.hpp.
#define GLFW_INCLUDE_VULKAN
#include "window.hpp"

#include <GLFW/glfw3.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "context.hpp"
#include "vk_check.hpp"

namespace engine {

namespace {
int g_glfw_users = 0;
void glfw_ref() {
    if (g_glfw_users++ == 0 && !glfwInit()) {
        g_glfw_users = 0;
        throw std::runtime_error("cannot open a window: GLFW found no display");
    }
}
void glfw_unref() {
    if (--g_glfw_users == 0) glfwTerminate();
}
}  // namespace

bool Window::display_available() {
    const char* x = std::getenv("DISPLAY");
    const char* w = std::getenv("WAYLAND_DISPLAY");
    return (x && *x) || (w && *w);
}

std::vector<const char*> Window::required_instance_extensions() {
    glfw_ref();
    uint32_t count = 0;
    const char** names = glfwGetRequiredInstanceExtensions(&count);
    std::vector<const char*> out(names, names + count);
    glfw_unref();
    if (out.empty()) throw std::runtime_error("GLFW reports no Vulkan surface support on this display");
    return out;
}

Window::Window(const std::string& title, uint32_t width, uint32_t height) {
    glfw_ref();
    glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
    glfwWindowHint(GLFW_RESIZABLE, GLFW_TRUE);
    window_ = glfwCreateWindow(int(width), int(height), title.c_str(), nullptr, nullptr);
    if (!window_) {
        glfw_unref();
        throw std::runtime_error("cannot create a window");
    }
}

Window::~Window() {
    glfwDestroyWindow(window_);
    glfw_unref();
}

bool Window::should_close() const { return glfwWindowShouldClose(window_); }
void Window::request_close() { glfwSetWindowShouldClose(window_, GLFW_TRUE); }
void Window::poll() { glfwPollEvents(); }
void Window::framebuffer_size(uint32_t& w, uint32_t& h) const {
    int iw = 0, ih = 0;
    glfwGetFramebufferSize(window_, &iw, &ih);
    w = uint32_t(std::max(iw, 0));
    h = uint32_t(std::max(ih, 0));
}
void Window::set_size(uint32_t w, uint32_t h) { glfwSetWindowSize(window_, int(w), int(h)); }
void Window::set_title(const std::string& t) { glfwSetWindowTitle(window_, t.c_str()); }

// [SECTION] Swapchain

Swapchain::Swapchain(Context& ctx, Window& window, bool vsync) : ctx_(ctx), window_(window), vsync_(vsync) {
    VK_CHECK(glfwCreateWindowSurface(ctx.instance(), window.handle(), nullptr, &surface_));
    VkBool32 present = VK_FALSE;
    VK_CHECK(vkGetPhysicalDeviceSurfaceSupportKHR(ctx.physical_device(), ctx.queue_family(), surface_, &present));
    if (!present) throw std::runtime_error("the chosen Vulkan device cannot present to this window");
    uint32_t count = 0;
    vkGetPhysicalDeviceSurfaceFormatsKHR(ctx.physical_device(), surface_, &count, nullptr);
    std::vector<VkSurfaceFormatKHR> formats(count);
    vkGetPhysicalDeviceSurfaceFormatsKHR(ctx.physical_device(), surface_, &count, formats.data());
    format_ = formats.at(0).format;
    for (const auto& f : formats)
        if ((f.format == VK_FORMAT_B8G8R8A8_SRGB || f.format == VK_FORMAT_R8G8B8A8_SRGB) &&
            f.colorSpace == VK_COLOR_SPACE_SRGB_NONLINEAR_KHR)
            format_ = f.format;
    rebuild();
}

Swapchain::~Swapchain() {
    vkDeviceWaitIdle(ctx_.device());
    destroy_swapchain(swapchain_);
    vkDestroySurfaceKHR(ctx_.instance(), surface_, nullptr);
}

void Swapchain::destroy_swapchain(VkSwapchainKHR old) {
    for (VkSemaphore s : render_finished_) vkDestroySemaphore(ctx_.device(), s, nullptr);
    render_finished_.clear();
    if (old) vkDestroySwapchainKHR(ctx_.device(), old, nullptr);
}

bool Swapchain::rebuild() {
    uint32_t w = 0, h = 0;
    window_.framebuffer_size(w, h);
    if (w == 0 || h == 0) return false;
    // Presentation engines may still hold the old images: idle the device before replacing them.
    vkDeviceWaitIdle(ctx_.device());
    VkSurfaceCapabilitiesKHR caps;
    VK_CHECK(vkGetPhysicalDeviceSurfaceCapabilitiesKHR(ctx_.physical_device(), surface_, &caps));
    if (caps.currentExtent.width != UINT32_MAX) {
        extent_ = caps.currentExtent;
    } else {
        extent_ = {std::clamp(w, caps.minImageExtent.width, caps.maxImageExtent.width),
                   std::clamp(h, caps.minImageExtent.height, caps.maxImageExtent.height)};
    }
    if (extent_.width == 0 || extent_.height == 0) return false;
    uint32_t image_count = std::max(caps.minImageCount + 1, 3u);
    if (caps.maxImageCount) image_count = std::min(image_count, caps.maxImageCount);

    VkPresentModeKHR mode = VK_PRESENT_MODE_FIFO_KHR;  // always available; vsync on
    if (!vsync_) {
        uint32_t n = 0;
        vkGetPhysicalDeviceSurfacePresentModesKHR(ctx_.physical_device(), surface_, &n, nullptr);
        std::vector<VkPresentModeKHR> modes(n);
        vkGetPhysicalDeviceSurfacePresentModesKHR(ctx_.physical_device(), surface_, &n, modes.data());
        for (VkPresentModeKHR m : modes)
            if (m == VK_PRESENT_MODE_MAILBOX_KHR || (m == VK_PRESENT_MODE_IMMEDIATE_KHR && mode == VK_PRESENT_MODE_FIFO_KHR))
                mode = m;
    }

    VkSwapchainCreateInfoKHR ci{VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR};
    ci.surface = surface_;
    ci.minImageCount = image_count;
    ci.imageFormat = format_;
    ci.imageColorSpace = VK_COLOR_SPACE_SRGB_NONLINEAR_KHR;
    ci.imageExtent = extent_;
    ci.imageArrayLayers = 1;
    ci.imageUsage = VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT;
    ci.imageSharingMode = VK_SHARING_MODE_EXCLUSIVE;
    ci.preTransform = caps.currentTransform;
    ci.compositeAlpha = VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR;
    ci.presentMode = mode;
    ci.clipped = VK_TRUE;
    VkSwapchainKHR old = swapchain_;
    ci.oldSwapchain = old;
    VK_CHECK(vkCreateSwapchainKHR(ctx_.device(), &ci, nullptr, &swapchain_));
    destroy_swapchain(old);

    uint32_t n = 0;
    vkGetSwapchainImagesKHR(ctx_.device(), swapchain_, &n, nullptr);
    images_.resize(n);
    vkGetSwapchainImagesKHR(ctx_.device(), swapchain_, &n, images_.data());
    VkSemaphoreCreateInfo si{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
    render_finished_.resize(n);
    for (auto& s : render_finished_) VK_CHECK(vkCreateSemaphore(ctx_.device(), &si, nullptr, &s));
    dirty_ = false;
    ++generation_;
    return true;
}

bool Swapchain::acquire(VkSemaphore acquired, uint32_t& index) {
    if (dirty_ && !rebuild()) return false;
    VkResult r = vkAcquireNextImageKHR(ctx_.device(), swapchain_, UINT64_MAX, acquired, VK_NULL_HANDLE, &index);
    if (r == VK_ERROR_OUT_OF_DATE_KHR) {
        rebuild();
        return false;
    }
    if (r == VK_SUBOPTIMAL_KHR) {
        dirty_ = true;  // present this image, rebuild afterwards
        return true;
    }
    VK_CHECK(r);
    return true;
}

void Swapchain::present(uint32_t index) {
    VkPresentInfoKHR pi{VK_STRUCTURE_TYPE_PRESENT_INFO_KHR};
    pi.waitSemaphoreCount = 1;
    pi.pWaitSemaphores = &render_finished_[index];
    pi.swapchainCount = 1;
    pi.pSwapchains = &swapchain_;
    pi.pImageIndices = &index;
    VkResult r = vkQueuePresentKHR(ctx_.queue(), &pi);
    uint32_t w = 0, h = 0;
    window_.framebuffer_size(w, h);
    if (r == VK_ERROR_OUT_OF_DATE_KHR || r == VK_SUBOPTIMAL_KHR || w != extent_.width || h != extent_.height) {
        dirty_ = true;
        return;
    }
    VK_CHECK(r);
}

void Swapchain::set_vsync(bool v) {
    if (v == vsync_) return;
    vsync_ = v;
    dirty_ = true;
}

}  // namespace engine
