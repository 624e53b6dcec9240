// The exploratory desktop viewer: a GLFW window showing the scene, with the time controls, module panels,
// performance panel and camera controls. It renders through the same Session path as `render`, then
// blits the output to the swapchain.
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "app/commands.hpp"
#include "app/session.hpp"
#include "capture.hpp"
#include "dynamic_resolution.hpp"
#include "vk_check.hpp"
#include "window.hpp"

namespace infrascape {

namespace {

struct FrameSlot {
    VkCommandPool pool = VK_NULL_HANDLE;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    VkFence fence = VK_NULL_HANDLE;
    VkSemaphore acquired = VK_NULL_HANDLE;
    bool submitted = false;
};

void swapchain_barrier(VkCommandBuffer cmd, VkImage image, VkImageLayout from, VkImageLayout to,
                       VkPipelineStageFlags2 src_stage, VkAccessFlags2 src_access, VkPipelineStageFlags2 dst_stage,
                       VkAccessFlags2 dst_access) {
    VkImageMemoryBarrier2 b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER_2};
    b.srcStageMask = src_stage;
    b.srcAccessMask = src_access;
    b.dstStageMask = dst_stage;
    b.dstAccessMask = dst_access;
    b.oldLayout = from;
    b.newLayout = to;
    b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    b.image = image;
    b.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    VkDependencyInfo dep{VK_STRUCTURE_TYPE_DEPENDENCY_INFO};
    dep.imageMemoryBarrierCount = 1;
    dep.pImageMemoryBarriers = &b;
    vkCmdPipelineBarrier2(cmd, &dep);
}

std::string screenshot_name(const std::filesystem::path& dir) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d_%H%M%S", &tm);
    for (int k = 0;; ++k) {
        std::filesystem::path p = dir / ("infrascape_" + std::string(stamp) + (k ? "_" + std::to_string(k) : "") + ".png");
        if (!std::filesystem::exists(p)) return p.string();
    }
}

struct ViewerState {
    bool playing = true;
    double speed_multiplier = 1.0;
    double sim_target = 0;
    bool show_keys = false, show_perf = true, show_time = true, show_panels = true;
    bool screenshot = false;
    bool quit = false;
    bool behind = false;
    std::string status;
    double status_until = 0;
};

void draw_keys_help(ViewerState& v) {
    if (!v.show_keys) return;
    ImGui::SetNextWindowPos(ImVec2(ImGui::GetIO().DisplaySize.x * 0.5f, ImGui::GetIO().DisplaySize.y * 0.5f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
    if (ImGui::Begin("Keys (F1)", &v.show_keys, ImGuiWindowFlags_AlwaysAutoResize)) {
        const char* rows[][2] = {
            {"Left drag", "orbit around the target"},
            {"Right / middle drag", "pan"},
            {"Scroll", "zoom"},
            {"Double-click terrain", "focus on that point"},
        {"Click", "select (a rack: its cut-away)"},
        {"Shift + drag", "move a slice plane (data hall)"},
            {"Tab", "switch orbit / fly camera"},
            {"W A S D, Q E", "fly (fly mode; Shift: faster)"},
            {"1 .. 9", "go to bookmark (scene camera keys fill them)"},
            {"Ctrl + 1 .. 9", "store the view as a bookmark"},
            {"C", "follow the scene's camera path again"},
            {"Space", "play / pause"},
            {"Right arrow", "single step (paused)"},
            {"+ / -", "faster / slower"},
            {"R", "restart the clock"},
            {"F1", "this help"},
            {"F2", "show / hide panels"},
            {"F12", "screenshot (PNG)"},
            {"Esc", "quit"},
        };
        if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_RowBg)) {
            for (auto& r : rows) {
                ImGui::TableNextRow();
                ImGui::TableSetColumnIndex(0);
                ImGui::TextUnformatted(r[0]);
                ImGui::TableSetColumnIndex(1);
                ImGui::TextUnformatted(r[1]);
            }
            ImGui::EndTable();
        }
    }
    ImGui::End();
}

}  // namespace

int viewer_command(const ViewerOptions& o) {
    if (!engine::Window::display_available()) {
        std::fprintf(stderr,
                     "infrascape: no display (DISPLAY and WAYLAND_DISPLAY are not set), so the viewer cannot open a "
                     "window.\nRender the scene instead:  infrascape render %s -o out.mp4\n",
                     o.scene.c_str());
        return 1;
    }
    engine::Window window("Infrascape", o.width, o.height);
    SessionOptions so;
    so.validation = o.common.validation;
    so.device = o.common.device;
    so.width = o.width;
    so.height = o.height;
    so.msaa = o.msaa;
    if (!o.quality.empty()) so.quality = parse_quality(o.quality);
    so.render_scale = o.render_scale;
    so.window = &window;
    Session session(o.scene, so);
    // Medium quality (the default on a software device) holds the target frame rate by the world's resolution,
    // unless --render-scale fixes it; the View menu switches it on and off.
    engine::DynamicResolution::Options dro;
    dro.target_ms = 1000.0 / o.target_fps;
    engine::DynamicResolution dynres(dro, session.render_scale());
    bool dynamic = o.render_scale == 0 && session.quality() == Quality::Medium;
    window.set_title("Infrascape: " + session.world().title);
    engine::Context& gpu = session.gpu();
    auto swapchain = std::make_unique<engine::Swapchain>(gpu, window, o.vsync);

    std::array<FrameSlot, engine::kFramesInFlight> slots;
    for (FrameSlot& s : slots) {
        VkCommandPoolCreateInfo pci{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
        pci.queueFamilyIndex = gpu.queue_family();
        VK_CHECK(vkCreateCommandPool(gpu.device(), &pci, nullptr, &s.pool));
        VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
        ai.commandPool = s.pool;
        ai.commandBufferCount = 1;
        VK_CHECK(vkAllocateCommandBuffers(gpu.device(), &ai, &s.cmd));
        VkFenceCreateInfo fci{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
        fci.flags = VK_FENCE_CREATE_SIGNALED_BIT;
        VK_CHECK(vkCreateFence(gpu.device(), &fci, nullptr, &s.fence));
        VkSemaphoreCreateInfo sci{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
        VK_CHECK(vkCreateSemaphore(gpu.device(), &sci, nullptr, &s.acquired));
    }

    ViewerState v;
    const WorldSettings& world = session.world();
    std::unique_ptr<engine::Buffer> screenshot_buffer;
    std::string screenshot_path;

    session.draw_viewer_ui = [&] {
        ImGuiIO& io = ImGui::GetIO();
        if (ImGui::BeginMainMenuBar()) {
            if (ImGui::BeginMenu("File")) {
                if (ImGui::MenuItem("Screenshot", "F12")) v.screenshot = true;
                if (ImGui::MenuItem("Quit", "Esc")) v.quit = true;
                ImGui::EndMenu();
            }
            if (ImGui::BeginMenu("View")) {
                ImGui::MenuItem("Panels", "F2", &v.show_panels);
                ImGui::MenuItem("Time controls", nullptr, &v.show_time);
                ImGui::MenuItem("Performance", nullptr, &v.show_perf);
                ImGui::MenuItem("Follow camera path", "C", &session.follow_path);
                bool fly = session.camera().mode() == engine::CameraController::Mode::Fly;
                if (ImGui::MenuItem("Fly camera", "Tab", &fly))
                    session.camera().set_mode(fly ? engine::CameraController::Mode::Fly : engine::CameraController::Mode::Orbit);
                bool vsync = swapchain->vsync();
                if (ImGui::MenuItem("Vsync", nullptr, &vsync)) swapchain->set_vsync(vsync);
                ImGui::Separator();
                if (ImGui::MenuItem("Dynamic resolution", nullptr, &dynamic) && dynamic)
                    dynres = engine::DynamicResolution(dro, session.render_scale());
                float scale = session.render_scale();
                ImGui::SetNextItemWidth(160);
                if (ImGui::SliderFloat("render scale", &scale, engine::kMinRenderScale, 1.0f, "%.2f")) {
                    dynamic = false;  // a scale set by hand holds
                    session.set_render_scale(scale);
                }
                float fps = float(1000.0 / dro.target_ms);
                ImGui::SetNextItemWidth(160);
                if (ImGui::SliderFloat("target fps", &fps, 5.0f, 120.0f, "%.0f")) {
                    dro.target_ms = 1000.0 / fps;
                    dynres.set_target_ms(dro.target_ms);
                }
                ImGui::EndMenu();
            }
            if (ImGui::BeginMenu("Modules")) {
                for (auto& m : session.modules()) ImGui::MenuItem(m->title().c_str(), nullptr, false, false);
                if (session.modules().empty()) ImGui::MenuItem("(none in this scene)", nullptr, false, false);
                ImGui::EndMenu();
            }
            if (ImGui::BeginMenu("Help")) {
                ImGui::MenuItem("Keys", "F1", &v.show_keys);
                ImGui::EndMenu();
            }
            ImGui::EndMainMenuBar();
        }
        if (v.show_time) {
            ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y - 10), ImGuiCond_Always, ImVec2(0.5f, 1.0f));
            ImGui::Begin("Time", nullptr, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoMove);
            if (ImGui::Button(v.playing ? "Pause" : "Play", ImVec2(60, 0))) v.playing = !v.playing;
            ImGui::SameLine();
            if (ImGui::Button("Step")) {
                v.playing = false;
                v.sim_target = (session.steps() + 1) * world.dt_s;
            }
            ImGui::SameLine();
            if (ImGui::Button("Restart")) {
                session.restart_clock();
                v.sim_target = 0;
            }
            ImGui::SameLine();
            ImGui::SetNextItemWidth(180);
            double lo = 0.1, hi = 1000;
            ImGui::SliderScalar("speed", ImGuiDataType_Double, &v.speed_multiplier, &lo, &hi, "x%.3g",
                                ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
            ImGui::SameLine();
            ImGui::Text("%s  (t = %.0f s, %g sim-s per s)%s", session.clock_text().c_str(), session.time_s(),
                        session.speed() * v.speed_multiplier, v.behind ? "  [simulation slower than requested]" : "");
            ImGui::End();
        }
        if (!v.show_perf) session.caption_margin_px = 0.0f;
        if (v.show_perf) {
            // Bottom left, above the time bar: the top right holds the modules' status lines.
            ImGui::SetNextWindowPos(ImVec2(10, io.DisplaySize.y - 60), ImGuiCond_Always, ImVec2(0.0f, 1.0f));
            ImGui::Begin("Performance", &v.show_perf, ImGuiWindowFlags_AlwaysAutoResize);
            ImGui::Text("%s", gpu.device_name().c_str());
            ImGui::Text("%.1f FPS (%.1f ms)", io.Framerate, 1000.0f / std::max(io.Framerate, 0.001f));
            ImGui::Text("world %ux%u (render scale %.2f%s)", session.target().world_width(), session.target().world_height(),
                        session.render_scale(), dynamic ? ", dynamic" : "");
            if (session.timer().supported()) {
                // One line per pass and module: folded by default (a world of many modules has dozens).
                if (ImGui::TreeNode("GPU passes")) {
                    for (const auto& [pass, ms] : session.timer().smoothed_ms()) ImGui::Text("%-28s %7.2f ms", pass.c_str(), ms);
                    ImGui::TreePop();
                }
            } else {
                ImGui::TextUnformatted("GPU timestamps not supported on this device");
            }
            const engine::MemoryPool& memory = session.gpu().memory();
            if (ImGui::TreeNode("mem", "Device memory: %.1f MiB in %u allocations",
                                double(memory.bytes_reserved()) / 1048576.0, memory.device_allocations())) {
                for (const engine::MemoryUse& u : memory.usage())
                    ImGui::Text("%-28s %8.1f MiB  %4u resources", u.owner.c_str(), double(u.bytes) / 1048576.0, u.resources);
                ImGui::TreePop();
            }
            // Captions keep clear of this window from the next frame on.
            session.caption_margin_px = ImGui::GetWindowPos().x + ImGui::GetWindowSize().x;
            ImGui::End();
        }
        if (!v.status.empty() && ImGui::GetTime() < v.status_until) {
            ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, 40), ImGuiCond_Always, ImVec2(0.5f, 0));
            ImGui::Begin("status", nullptr, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoInputs);
            ImGui::TextUnformatted(v.status.c_str());
            ImGui::End();
        }
        draw_keys_help(v);

        // Keyboard and mouse go to the camera when no ImGui widget wants them.
        if (!io.WantCaptureKeyboard) {
            if (ImGui::IsKeyPressed(GLFW_KEY_F1)) v.show_keys = !v.show_keys;
            if (ImGui::IsKeyPressed(GLFW_KEY_F2)) v.show_panels = !v.show_panels;
            if (ImGui::IsKeyPressed(GLFW_KEY_F12)) v.screenshot = true;
            if (ImGui::IsKeyPressed(GLFW_KEY_ESCAPE)) v.quit = true;
            if (ImGui::IsKeyPressed(GLFW_KEY_SPACE)) v.playing = !v.playing;
            if (ImGui::IsKeyPressed(GLFW_KEY_RIGHT) && !v.playing) v.sim_target = (session.steps() + 1) * world.dt_s;
            if (ImGui::IsKeyPressed(GLFW_KEY_EQUAL) || ImGui::IsKeyPressed(GLFW_KEY_KP_ADD))
                v.speed_multiplier = std::min(1000.0, v.speed_multiplier * 2);
            if (ImGui::IsKeyPressed(GLFW_KEY_MINUS) || ImGui::IsKeyPressed(GLFW_KEY_KP_SUBTRACT))
                v.speed_multiplier = std::max(0.1, v.speed_multiplier / 2);
            if (ImGui::IsKeyPressed(GLFW_KEY_R)) {
                session.restart_clock();
                v.sim_target = 0;
            }
            if (ImGui::IsKeyPressed(GLFW_KEY_C)) session.follow_path = true;
            if (ImGui::IsKeyPressed(GLFW_KEY_TAB))
                session.camera().set_mode(session.camera().mode() == engine::CameraController::Mode::Orbit
                                              ? engine::CameraController::Mode::Fly
                                              : engine::CameraController::Mode::Orbit);
            for (int k = 0; k < 9; ++k) {
                if (!ImGui::IsKeyPressed(GLFW_KEY_1 + k)) continue;
                if (io.KeyCtrl) {
                    session.camera().bookmarks[k] = session.view();
                    v.status = "bookmark " + std::to_string(k + 1) + " stored";
                    v.status_until = ImGui::GetTime() + 2;
                } else if (session.camera().bookmarks[k]) {
                    if (session.follow_path) session.camera().set(session.view());
                    session.follow_path = false;
                    session.camera().transition_to(*session.camera().bookmarks[k], 1.2);
                }
            }
            if (session.camera().mode() == engine::CameraController::Mode::Fly) {
                glm::dvec3 d(0);
                if (ImGui::IsKeyDown(GLFW_KEY_W)) d.y += 1;
                if (ImGui::IsKeyDown(GLFW_KEY_S)) d.y -= 1;
                if (ImGui::IsKeyDown(GLFW_KEY_D)) d.x += 1;
                if (ImGui::IsKeyDown(GLFW_KEY_A)) d.x -= 1;
                if (ImGui::IsKeyDown(GLFW_KEY_E)) d.z += 1;
                if (ImGui::IsKeyDown(GLFW_KEY_Q)) d.z -= 1;
                if (glm::length(d) > 0) {
                    if (session.follow_path) session.camera().set(session.view());
                    session.follow_path = false;
                    session.camera().fly_move(d, world.extent_m * (io.KeyShift ? 0.3 : 0.06), io.DeltaTime);
                }
            }
        }
        if (!io.WantCaptureMouse) {
            const bool drag_l = ImGui::IsMouseDragging(ImGuiMouseButton_Left);
            const bool drag_r = ImGui::IsMouseDragging(ImGuiMouseButton_Right) || ImGui::IsMouseDragging(ImGuiMouseButton_Middle);
            if (drag_l || drag_r || io.MouseWheel != 0) {
                if (session.follow_path) session.camera().set(session.view());
                session.follow_path = false;
            }
            const bool fly = session.camera().mode() == engine::CameraController::Mode::Fly;
            // Shift + left drag moves what a module lets the user drag (a slice plane) instead of the camera.
            bool dragged = false;
            if (drag_l && io.KeyShift) {
                engine::Ray ray = engine::pixel_ray(session.view(), io.MousePos.x, io.MousePos.y, io.DisplaySize.x, io.DisplaySize.y);
                dragged = session.drag(ray.origin, ray.dir);
            }
            if (drag_l && !dragged) fly ? session.camera().fly_look(io.MouseDelta.x, io.MouseDelta.y)
                                        : session.camera().orbit_drag(io.MouseDelta.x, io.MouseDelta.y);
            if (drag_r) fly ? session.camera().fly_look(io.MouseDelta.x, io.MouseDelta.y)
                            : session.camera().pan_drag(io.MouseDelta.x, io.MouseDelta.y);
            if (io.MouseWheel != 0) session.camera().zoom(io.MouseWheel);
            // A click without a drag picks what a module has under the cursor (a rack for its cut-away).
            if (ImGui::IsMouseReleased(ImGuiMouseButton_Left) && !ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left) &&
                io.MouseDragMaxDistanceSqr[0] < 9.0f) {
                engine::CameraState cam = session.view();
                engine::Ray ray = engine::pixel_ray(cam, io.MousePos.x, io.MousePos.y, io.DisplaySize.x, io.DisplaySize.y);
                for (auto& m : session.modules()) {
                    const std::string picked = m->pick(ray.origin, ray.dir);
                    if (picked.empty()) continue;
                    v.status = m->title() + ": " + picked;
                    v.status_until = ImGui::GetTime() + 3;
                    break;
                }
            }
            if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
                engine::CameraState cam = session.view();
                engine::Ray ray = engine::pixel_ray(cam, io.MousePos.x, io.MousePos.y, io.DisplaySize.x, io.DisplaySize.y);
                double t = 0;
                if (session.world_renderer().terrain().raycast(ray, t)) {
                    session.follow_path = false;
                    session.camera().set(cam);
                    session.camera().focus(ray.origin + ray.dir * t, std::max(glm::length(cam.position - cam.target) * 0.5, 50.0));
                }
            }
        }
    };

    auto last = std::chrono::steady_clock::now();
    uint64_t frame = 0, rendered = 0;
    while (!window.should_close() && !v.quit) {
        window.poll();
        uint32_t fw = 0, fh = 0;
        window.framebuffer_size(fw, fh);
        if (fw == 0 || fh == 0) {  // minimized: wait for events, render nothing
            glfwWaitEventsTimeout(0.1);
            last = std::chrono::steady_clock::now();
            continue;
        }
        if (o.resize_test && o.frames) {
            if (rendered == *o.frames / 3) window.set_size(o.width * 2 / 3, o.height * 2 / 3);
            if (rendered == 2 * *o.frames / 3) window.set_size(o.width, o.height);
        }
        const uint32_t slot = uint32_t(frame % engine::kFramesInFlight);
        FrameSlot& s = slots[slot];
        VK_CHECK(vkWaitForFences(gpu.device(), 1, &s.fence, VK_TRUE, UINT64_MAX));
        if (s.submitted) {
            session.frame_complete(slot);
            s.submitted = false;
            if (screenshot_buffer && !screenshot_path.empty()) {
                screenshot_buffer->invalidate();
                engine::write_png(screenshot_path, static_cast<uint8_t*>(screenshot_buffer->mapped()),
                                  session.target().width(), session.target().height());
                v.status = "screenshot saved: " + screenshot_path;
                v.status_until = ImGui::GetTime() + 3;
                std::printf("screenshot: %s\n", screenshot_path.c_str());
                screenshot_path.clear();
            }
        }
        gpu.begin_frame_slot(slot);
        uint32_t image = 0;
        if (!swapchain->acquire(s.acquired, image)) continue;  // rebuilt or minimized: the fence stays signalled
        VK_CHECK(vkResetFences(gpu.device(), 1, &s.fence));

        const VkExtent2D extent = swapchain->extent();
        session.resize(extent.width, extent.height);
        auto now = std::chrono::steady_clock::now();
        const double frame_s = std::chrono::duration<double>(now - last).count();
        const double wall_dt = std::min(frame_s, 0.25);
        last = now;
        if (dynamic && rendered > 0) session.set_render_scale(dynres.update(frame_s * 1000.0));
        session.camera().update(wall_dt);
        if (v.playing) v.sim_target = std::max(v.sim_target, session.time_s()) + wall_dt * session.speed() * v.speed_multiplier;

        VK_CHECK(vkResetCommandPool(gpu.device(), s.pool, 0));
        VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
        bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
        VK_CHECK(vkBeginCommandBuffer(s.cmd, &bi));
        session.timer().begin_frame(s.cmd, slot);
        // At most a frame's worth of steps; a backlog is dropped (the simulation runs slower than asked).
        const uint32_t max_steps = 240;
        session.advance_to(v.sim_target, s.cmd, slot, max_steps);
        v.behind = v.sim_target > session.time_s() + world.dt_s;
        if (v.behind) v.sim_target = session.time_s();
        session.record_frame(s.cmd, slot, wall_dt, v.show_panels);

        engine::Image& out = session.target().output();
        if (v.screenshot) {
            v.screenshot = false;
            screenshot_buffer = std::make_unique<engine::Buffer>(gpu, session.target().readback_bytes(),
                                                                 VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                                                 engine::MemoryKind::Readback, "screenshot");
            session.target().record_readback(s.cmd, *screenshot_buffer);
            std::filesystem::create_directories(o.screenshot_dir);
            screenshot_path = screenshot_name(o.screenshot_dir);
        }
        out.use(s.cmd, engine::Access::TransferSrc);
        VkImage target_image = swapchain->image(image);
        swapchain_barrier(s.cmd, target_image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                          VK_PIPELINE_STAGE_2_TRANSFER_BIT, 0, VK_PIPELINE_STAGE_2_TRANSFER_BIT,
                          VK_ACCESS_2_TRANSFER_WRITE_BIT);
        VkImageBlit blit{};
        blit.srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
        blit.srcOffsets[1] = {int32_t(session.target().width()), int32_t(session.target().height()), 1};
        blit.dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
        blit.dstOffsets[1] = {int32_t(extent.width), int32_t(extent.height), 1};
        vkCmdBlitImage(s.cmd, out.handle(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, target_image,
                       VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &blit, VK_FILTER_LINEAR);
        swapchain_barrier(s.cmd, target_image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR,
                          VK_PIPELINE_STAGE_2_TRANSFER_BIT, VK_ACCESS_2_TRANSFER_WRITE_BIT,
                          VK_PIPELINE_STAGE_2_NONE, 0);
        VK_CHECK(vkEndCommandBuffer(s.cmd));

        VkSemaphoreSubmitInfo wait{VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO};
        wait.semaphore = s.acquired;
        wait.stageMask = VK_PIPELINE_STAGE_2_TRANSFER_BIT;
        VkSemaphoreSubmitInfo signal{VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO};
        signal.semaphore = swapchain->render_finished(image);
        signal.stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
        VkCommandBufferSubmitInfo cbi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO};
        cbi.commandBuffer = s.cmd;
        VkSubmitInfo2 si{VK_STRUCTURE_TYPE_SUBMIT_INFO_2};
        si.waitSemaphoreInfoCount = 1;
        si.pWaitSemaphoreInfos = &wait;
        si.commandBufferInfoCount = 1;
        si.pCommandBufferInfos = &cbi;
        si.signalSemaphoreInfoCount = 1;
        si.pSignalSemaphoreInfos = &signal;
        VK_CHECK(vkQueueSubmit2(gpu.queue(), 1, &si, s.fence));
        s.submitted = true;
        swapchain->present(image);
        ++frame;
        ++rendered;
        if (o.frames && rendered >= *o.frames) break;
    }

    vkDeviceWaitIdle(gpu.device());
    for (uint32_t i = 0; i < slots.size(); ++i)
        if (slots[i].submitted) session.frame_complete(i);
    if (screenshot_buffer && !screenshot_path.empty()) {
        screenshot_buffer->invalidate();
        engine::write_png(screenshot_path, static_cast<uint8_t*>(screenshot_buffer->mapped()), session.target().width(),
                          session.target().height());
        std::printf("screenshot: %s\n", screenshot_path.c_str());
    }
    for (FrameSlot& s : slots) {
        vkDestroySemaphore(gpu.device(), s.acquired, nullptr);
        vkDestroyFence(gpu.device(), s.fence, nullptr);
        vkDestroyCommandPool(gpu.device(), s.pool, nullptr);
    }
    swapchain.reset();
    std::printf("viewer closed after %llu frames\n", (unsigned long long)rendered);
    if (gpu.validation_enabled() && gpu.validation_messages()) {
        std::fprintf(stderr, "infrascape: the validation layer reported %llu message(s)\n",
                     (unsigned long long)gpu.validation_messages());
        return 3;
    }
    return 0;
}

}  // namespace infrascape
