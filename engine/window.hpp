// A GLFW window and its Vulkan swapchain. Acquire semaphores and fences live per frame in flight; the
// semaphore signalled for presentation lives per swapchain image. The swapchain is rebuilt on resize and
// OUT_OF_DATE; a minimized window (zero-sized surface) pauses rendering instead of rebuilding.
#pragma once

#include <vulkan/vulkan.h>

#include <string>
#include <vector>

struct GLFWwindow;

namespace engine {

class Context;

class Window {
public:
    Window(const std::string& title, uint32_t width, uint32_t height);
    ~Window();
    Window(const Window&) = delete;
    Window& operator=(const Window&) = delete;

    static bool display_available();  // false without X11/Wayland (e.g. no DISPLAY)
    static std::vector<const char*> required_instance_extensions();

    GLFWwindow* handle() const { return window_; }
    bool should_close() const;
    void request_close();
    void poll();
    void framebuffer_size(uint32_t& width, uint32_t& height) const;
    void set_size(uint32_t width, uint32_t height);
    void set_title(const std::string& title);

private:
    GLFWwindow* window_ = nullptr;
};

class Swapchain {
public:
    Swapchain(Context& ctx, Window& window, bool vsync);
    ~Swapchain();
    Swapchain(const Swapchain&) = delete;
    Swapchain& operator=(const Swapchain&) = delete;

    // Acquires the next image, signalling `acquired`. Returns false when the swapchain had to be rebuilt or
    // the window is minimized: skip this frame (its fence must not be reset).
    bool acquire(VkSemaphore acquired, uint32_t& image_index);
    // Presents, waiting on the image's render-finished semaphore. Rebuilds when out of date or suboptimal.
    void present(uint32_t image_index);
    void set_vsync(bool vsync);
    bool vsync() const { return vsync_; }

    VkImage image(uint32_t i) const { return images_[i]; }
    VkSemaphore render_finished(uint32_t i) const { return render_finished_[i]; }
    VkExtent2D extent() const { return extent_; }
    VkFormat format() const { return format_; }
    uint32_t image_count() const { return static_cast<uint32_t>(images_.size()); }
    uint64_t generation() const { return generation_; }  // bumps on every rebuild

private:
    bool rebuild();  // false when the surface has zero size (minimized)
    void destroy_swapchain(VkSwapchainKHR old);
    Context& ctx_;
    Window& window_;
    VkSurfaceKHR surface_ = VK_NULL_HANDLE;
    VkSwapchainKHR swapchain_ = VK_NULL_HANDLE;
    VkFormat format_ = VK_FORMAT_B8G8R8A8_SRGB;
    VkExtent2D extent_{};
    std::vector<VkImage> images_;
    std::vector<VkSemaphore> render_finished_;
    bool vsync_ = true;
    bool dirty_ = false;
    uint64_t generation_ = 0;
};

}  // namespace engine
