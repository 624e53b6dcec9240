// Dear ImGui (1.86) on the engine's one render path: the overlay is drawn onto the render output through
// the target's overlay pass, in a window and headless alike, so screenshots and videos show exactly
// what the viewer shows. In a window the GLFW backend feeds input; headless, the size and time step are
// set directly so frames are deterministic.
#pragma once

#include <vulkan/vulkan.h>

#include <filesystem>

struct ImFont;

namespace engine {

class Context;
class RenderTarget;
class Window;

class UiLayer {
public:
    // `font_file`: a TTF (assets/fonts/DejaVuSans.ttf); ImGui's built-in font is used when it is missing.
    UiLayer(Context& ctx, RenderTarget& target, Window* window, const std::filesystem::path& font_file,
            float scale = 1.0f);
    ~UiLayer();
    UiLayer(const UiLayer&) = delete;
    UiLayer& operator=(const UiLayer&) = delete;

    void new_frame(uint32_t width, uint32_t height, double dt_s);
    void render(VkCommandBuffer cmd, RenderTarget& target);  // ends the ImGui frame and draws it

    ImFont* body_font() const { return body_; }
    ImFont* large_font() const { return large_; }

private:
    Context& ctx_;
    Window* window_;
    VkDescriptorPool pool_ = VK_NULL_HANDLE;
    ImFont* body_ = nullptr;
    ImFont* large_ = nullptr;
};

}  // namespace engine
