// A loaded scene running on the GPU: the context, the world renderer, the active modules, the simulation
// clock with its timeline, the camera, and the UI. The viewer, `render`, `run` and the tests all drive
// the same Session, so they share one render path and one simulation path.
#pragma once

#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "camera.hpp"
#include "colormap.hpp"
#include "context.hpp"
#include "core/module.hpp"
#include "core/output_bus.hpp"
#include "core/world.hpp"
#include "gpu_timer.hpp"
#include "render_target.hpp"
#include "scene/scene.hpp"
#include "ui_layer.hpp"
#include "world_renderer.hpp"

namespace engine {
class Window;
}

namespace infrascape {

std::filesystem::path asset_dir();         // the project's assets/ (INFRASCAPE_ASSET_DIR overrides)
std::filesystem::path default_scene_path();  // scenes/default.toml
std::vector<BlockSpec> all_block_specs();    // world, terrain, then every registered module

// Drawing quality: low: one sample, no anti-aliasing, terrain within 2 px, the world drawn at half the output's
// width and height and upscaled; medium: one sample with FXAA, terrain within 1 px, the world at 0.75 (in the
// viewer: a dynamic resolution that holds a frame time); high: 4x multisampling, terrain within 0.5 px, full
// resolution. Auto: medium on a software device, high on a GPU.
enum class Quality { Auto, Low, Medium, High };
Quality parse_quality(const std::string& name);  // "low", "medium", "high"; throws std::invalid_argument
float render_scale_for(Quality q);                 // 0.5, 0.75, 1
// --render-scale's value: a number in [0.25, 1]; throws std::invalid_argument with the message to print.
float parse_render_scale(const std::string& text);

struct SessionOptions {
    bool validation = false;
    int device = -1;
    uint32_t width = 1280, height = 720;
    uint32_t msaa = 4;  // 0: by quality: none on a software rasterizer (llvmpipe), where 4x costs 45% of a frame; 4 on a GPU
    Quality quality = Quality::Auto;
    float render_scale = 1;  // the world's fraction of the output's width and height; 0: by quality (render_scale_for)
    bool render_targets = true;  // false for `run`: simulation only, nothing drawn
    bool interactive = false;    // as the viewer (implied by a window): see AttachContext::interactive
    engine::Window* window = nullptr;
};

class Session {
public:
    // Reads the scene (throws InputError), creates the GPU context and attaches the scene's modules.
    Session(const std::filesystem::path& scene_file, const SessionOptions& options);
    ~Session();

    engine::Context& gpu() { return *gpu_; }
    const Scene& scene() const { return scene_; }
    const WorldSettings& world() const { return world_; }
    ParamStore& params() { return params_; }
    OutputBus& outputs() { return bus_; }
    std::vector<std::unique_ptr<Module>>& modules() { return modules_; }
    // The parameters module i reads: the scene's store for a single block, or for an instance ("city:houston")
    // a store of its own values under the module's name ("city.<key>"), refreshed from the scene's store here.
    ParamStore& module_params(size_t i);
    // Hands edits that module i made in its own store (panel, drag) back to the scene's store.
    void module_params_changed(size_t i);
    // Shift + drag: offers the ray to each module in turn; true when one moved something.
    bool drag(const glm::dvec3& origin, const glm::dvec3& dir);
    // Writes every module's exports under dir/<block>/ ("grid", "city:houston") and the coupling log as
    // dir/world/couplings.csv.
    void export_all(const std::filesystem::path& dir);  // settles first
    void settle();  // every module's background work finished (Module::settle)
    const CouplingLog& couplings() const { return couplings_; }
    engine::RenderTarget& target() { return *target_; }
    Quality quality() const { return quality_; }  // as resolved for the device (never Auto)
    // The world pass's size against the output's (kept across resizes); the viewer's dynamic resolution sets it.
    void set_render_scale(float scale);
    float render_scale() const { return render_scale_; }
    engine::GpuTimer& timer() { return *timer_; }
    engine::CameraController& camera() { return camera_; }

    // [SECTION] Simulation clock: fixed steps of world.dt_s; the timeline is applied before each step.
    double time_s() const { return steps_ * world_.dt_s; }
    // Simulated seconds per second of playback now: world.speed as the timeline has it at time_s() (a scene may
    // slow down for a storm and speed up again).
    double speed() const { return params_.number("world.speed"); }
    // Frames of playback from `from_s` until `until_s` at `fps`, following the timeline's world.speed.
    uint32_t playback_frames(double from_s, double until_s, double fps) const;
    // The simulation time of the frame after one at `t_s` shown at `fps` (with world.speed as it is now).
    double next_frame_time(double t_s, double fps) const { return t_s + speed() / fps; }
    uint64_t steps() const { return steps_; }
    // Records every whole step up to simulation time `target_s` (at most max_steps); returns steps taken.
    uint32_t advance_to(double target_s, VkCommandBuffer cmd, uint32_t slot, uint32_t max_steps = UINT32_MAX);

    // [SECTION] Frame
    void resize(uint32_t width, uint32_t height);
    // Whether the camera follows the scene's camera path (true until the user moves the camera).
    bool follow_path = true;
    // Pixels a caption keeps clear at the left (the viewer's performance window at the bottom left).
    float caption_margin_px = 0.0f;
    engine::CameraState view() const;
    // Records the world pass and the overlay into the render target. `ui` draws the viewer's panels.
    void record_frame(VkCommandBuffer cmd, uint32_t slot, double wall_dt_s, bool panels);
    void frame_complete(uint32_t slot);
    std::string clock_text() const;

    // Back to the scene's start: initial values, clock, and freshly attached modules (viewer's "restart").
    void restart_clock();

    const engine::ColormapTables& colormaps() const { return colormaps_; }
    engine::UiLayer* ui() { return ui_.get(); }
    engine::WorldRenderer& world_renderer() { return *world_renderer_; }

    // Hook for the viewer's own windows, drawn inside the ImGui frame after the overlays.
    std::function<void()> draw_viewer_ui;

private:
    void attach_modules();
    void update_lighting();
    void draw_overlay(bool panels);
    void draw_module_panel(Module& module, ParamStore& params);

    Scene scene_;
    WorldSettings world_;
    ParamStore params_;
    std::unique_ptr<Timeline> timeline_;
    std::unique_ptr<engine::Context> gpu_;
    engine::ColormapTables colormaps_;
    engine::Heightfield terrain_;
    std::unique_ptr<Projection> projection_;  // world.crs
    WorldInfo info_;
    std::unique_ptr<engine::WorldRenderer> world_renderer_;
    std::unique_ptr<engine::RenderTarget> target_;
    std::unique_ptr<engine::GpuTimer> timer_;
    std::unique_ptr<engine::UiLayer> ui_;
    std::vector<std::unique_ptr<Module>> modules_;
    std::vector<std::unique_ptr<ParamStore>> views_;  // per module: its own store when it is an instance, else null
    std::vector<uint64_t> strides_;                    // per module: world steps per step of its own
    OutputBus bus_;
    CouplingLog couplings_;
    CouplingLog outputs_;  // headless runs: every published scalar at each coupling step (world/outputs.csv)
    std::deque<std::pair<double, std::map<std::string, double>>> world_history_;  // for the world panel
    void draw_world_panel();
    double next_coupling_s_ = 0;
    void couple(double t_s);
    engine::CameraPath path_;
    engine::CameraController camera_;
    uint64_t steps_ = 0;
    uint32_t samples_ = 4;
    bool post_aa_ = false;
    Quality quality_ = Quality::High;
    float render_scale_ = 1;
    bool draws_ = true;
    bool interactive_ = false;  // the viewer (a window): see AttachContext::interactive
};

}  // namespace infrascape
