// The module interface: what a simulation (city, flood, grid, datacenter, and the example) gives the
// application. A module declares its parameters once, steps on the GPU with a given dt, draws itself in
// the world pass and its legend/labels in the overlay, draws its panel, publishes outputs that other
// modules may read, writes its exports, and registers its bench kernels. See src/modules/README.md.
#pragma once

#include <vulkan/vulkan.h>

#include <glm/glm.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/coupling.hpp"
#include "core/projection.hpp"
#include "core/world.hpp"
#include "core/output_bus.hpp"
#include "mesh.hpp"
#include "scene/params.hpp"

namespace engine {
class Context;
class WorldRenderer;
class GpuTimer;
struct ColormapTables;
struct FramePush;
struct Heightfield;
}  // namespace engine

namespace infrascape {

struct WorldInfo {
    std::filesystem::path scene_dir;   // relative paths in the scene resolve against this
    std::filesystem::path asset_dir;   // the project's assets/
    const engine::Heightfield* terrain = nullptr;
    double extent_m = 0;
    double start_epoch_s = 0;          // simulation time 0, seconds since 1970 UTC
    double latitude_deg = 0, longitude_deg = 0;
    double utc_offset_h = 0;           // local time = UTC + this (world.utc_offset_h)
    uint64_t seed = 1;
    const Projection* projection = nullptr;  // world.crs; null: equirectangular about the site
    // World metres of a latitude/longitude in the world's projection (core/projection.hpp).
    std::array<double, 2> lonlat(double lat_deg, double lon_deg) const {
        return projection ? projection->to_world(lat_deg, lon_deg) : lonlat_to_world(lat_deg, lon_deg, latitude_deg, longitude_deg);
    }
};

struct AttachContext {
    engine::Context& gpu;
    engine::WorldRenderer& world;
    const WorldInfo& info;
    const ParamStore& params;  // every "<module>.<key>" value from the scene, defaults filled in
    const engine::ColormapTables& colormaps;
    bool draws = true;  // false under `infrascape run`: no frames are drawn, skip per-frame drawing work
    // True in the viewer, where frames follow the wall clock: a module may then compute slow CPU work on a worker
    // thread and use it a step or two late. `run` and `render` are false: every step in order, bit-identical.
    bool interactive = false;
};

struct StepContext {
    VkCommandBuffer cmd;
    double t_s;        // simulation time at the start of this step
    double dt_s;       // fixed step
    uint32_t slot;     // frame slot (for per-frame readback buffers)
    const ParamStore& params;
    engine::GpuTimer* timer;  // may be null; wrap each pass in begin/end
};

// What before_draw gets each frame.
struct FrameInfo {
    VkCommandBuffer cmd;
    double wall_dt_s = 0;  // this frame's share of playback (1/fps when recording); runs on while paused
    const engine::FramePush* push = nullptr;  // this frame's camera; null when no frame is drawn (`run`)
    float viewport_w = 1, viewport_h = 1;     // pixels of the world pass (the output's times the render scale): detail
    float size_h = 1;  // height in pixels to size marks of a fixed screen size by (lines, sprites): see DrawContext
    double fov_deg = 45;                      // vertical field of view
    uint32_t slot = 0;                        // the frame slot whose frame_complete() follows this frame's submission
    // The session's time and this module's live parameters: a module that steps rarely (a city, every quarter-year
    // in a world) still draws with this frame's light and the panel's settings.
    double t_s = 0;
    const ParamStore* params = nullptr;
};

struct DrawContext {
    VkCommandBuffer cmd;
    const engine::FramePush& push;
    engine::WorldRenderer& world;
    float viewport_w = 1, viewport_h = 1;  // pixels of the world pass (the output's times the render scale)
    // The height in pixels that lines and sprites of a fixed screen size are sized by: the output's, so they keep
    // their size on screen as the render scale moves, but no more than 1.5 world-pass pixels per output pixel's
    // worth (below a render scale of 2/3 they widen, so a thin line does not fall between the world's pixels).
    float size_h = 1;
};

struct OverlayContext {
    const engine::ColormapTables& colormaps;
    double t_s;
    const ParamStore& params;
};

struct PanelContext {
    ParamStore& params;  // widgets write here; changes take effect on the next step
    const engine::ColormapTables& colormaps;
    double t_s;
    // Moves the viewer's camera to look at a world point from this distance (m); empty without a viewer.
    std::function<void(const glm::dvec3& point, double distance_m)> focus;
};

struct Metric {
    std::string name, unit;
    double value;
};

// One kernel the bench times: `record` is recorded `repeat` times between timestamps. `bytes` is the
// minimum memory traffic of one run (reads + writes) that its effective bandwidth is reckoned from.
struct BenchKernel {
    std::string name;
    std::string item_unit;  // "cell updates", "particles", ...
    double items = 0, bytes = 0;
    std::function<void(VkCommandBuffer)> record;
};

class Module {
public:
    virtual ~Module() = default;
    virtual std::string name() const = 0;   // the scene block and the dotted prefix: "example"
    virtual std::string title() const = 0;  // the panel's title
    virtual BlockSpec block() const = 0;    // the parameter declarations (name, type, unit, range, help)

    // A module whose input is the ground itself (a DEM) gives the world's terrain here, in world coordinates;
    // the session calls this on every module of the scene before any attaches, and the first terrain given (in
    // registry order) replaces the procedural [terrain], so every module (WorldInfo::terrain), the renderer and
    // the camera share one ground. Throw InputError or ParamError for bad input, as in attach.
    virtual std::optional<engine::Heightfield> provide_terrain(const ParamStore& params, const WorldInfo& info) {
        return std::nullopt;
    }
    // A module whose ground is finer than the world's and covers only part of it (a valley's DEM in a state)
    // gives it here, in world coordinates, after the world's terrain is known (info.terrain): the session lays it
    // into that terrain as an inset, which every module then samples and the renderer draws in place of the
    // coarse ground under it.
    virtual std::optional<engine::Heightfield> provide_inset(const ParamStore& params, const WorldInfo& info) {
        return std::nullopt;
    }
    // After the scene is read: read input files (throw InputError for bad ones), create GPU resources.
    virtual void attach(AttachContext& ctx) = 0;
    // Publishes this module's outputs for other modules (called once after attach).
    virtual void publish(OutputBus& bus) {}
    // [SECTION] Ports: what this module reads from other modules at the world's coupling step (declared, so
    // that `infrascape schema --couplings` lists every exchange), and the step itself: read the inputs through
    // ctx (which logs each value and honours the world.couple_<name> switches) and keep them for the next
    // steps. Called every world.coupling_s, from t = 0, in registry order, before that time's step.
    virtual std::vector<InputPort> inputs() const { return {}; }
    virtual void couple(CouplingContext& ctx) {}
    // The step this module would take on its own (a city's quarter-year, a grid's 5 minutes); a scene
    // without world.dt_s steps at the smallest of these among its modules (1 s when none gives one).
    virtual std::optional<double> natural_step_s(const ParamStore& params) const { return std::nullopt; }
    // Records one fixed simulation step into ctx.cmd.
    virtual void step(StepContext& ctx) = 0;
    // Finishes background work (the viewer's worker threads, AttachContext::interactive), so that the state is
    // complete up to the last step taken: before exports, and in tests.
    virtual void settle() {}
    // After the frame that contains `slot`'s steps has finished on the GPU: read back what was copied.
    virtual void frame_complete(uint32_t slot) {}
    // Before the world pass (outside rendering): barriers for what compute wrote and draws will read,
    // visibility culling with this frame's camera, and purely visual animation (particles) that runs in
    // playback time, which keeps running while the simulation is paused.
    virtual void before_draw(FrameInfo& frame) {}
    virtual void draw(DrawContext& ctx) {}
    virtual void overlay(OverlayContext& ctx) {}  // legends and labels, shown in renders too
    virtual void panel(PanelContext& ctx) {}      // inside the module's ImGui window, after the parameters
    // A click in the viewer (a left click without a drag) along `ray` (world coordinates): a module that has
    // something under it selects it (e.g. a rack for its cut-away) and returns its name; empty when nothing.
    virtual std::string pick(const glm::dvec3& origin, const glm::dvec3& dir) { return {}; }
    // A Shift + left drag in the viewer, with the ray under the cursor each frame: a module that moves something
    // with it (a slice plane) writes the new value into `params` (so its slider follows) and returns true.
    virtual bool drag(const glm::dvec3& origin, const glm::dvec3& dir, ParamStore& params) { return false; }
    virtual std::vector<Metric> metrics() const { return {}; }
    // Writes this module's results into `dir` (DIR/<module>/, created by the caller).
    virtual void export_results(const std::filesystem::path& dir, double t_s, const ParamStore& params) {}
    // Simulation seconds per second of playback this module's scenes want (e.g. a city's years per
    // second); when a module gives one, it replaces world.speed.
    virtual std::optional<double> preferred_speed(const ParamStore& params) const { return std::nullopt; }
    virtual std::vector<BenchKernel> bench_kernels(engine::Context& gpu) { return {}; }

    // The scene block this module runs as: name() for a single [city] table, "city:houston" for a [[city]]
    // entry with id = "houston". The module's own code still reads its parameters as "city.<key>" (the
    // session hands each instance a store of its own values) and publishes as "city.<output>" (the session
    // renames them to the instance on the output bus).
    std::string instance() const { return instance_.empty() ? name() : instance_; }
    void set_instance(std::string block) { instance_ = std::move(block); }

private:
    std::string instance_;
};

// A parameter value that the scene reader accepted but a module cannot use (a grid too large for the
// device's memory, say). The session reports it at the value's place in the scene file.
class ParamError : public std::runtime_error {
public:
    ParamError(std::string param, const std::string& message) : std::runtime_error(message), param_(std::move(param)) {}
    const std::string& param() const { return param_; }

private:
    std::string param_;
};

// The registry: every module the program knows, in src/modules/registry.cpp (one line each).
struct ModuleEntry {
    const char* name;
    std::unique_ptr<Module> (*create)();
};
const std::vector<ModuleEntry>& module_registry();

// Commands that modules add to the command line: `infrascape <name> ...` (e.g. `infrascape grid pf`),
// listed in the same registry file. `run` gets the arguments after the name and returns the exit code.
struct CommandEntry {
    const char* name;
    int (*run)(const std::vector<std::string>& args);
};
const std::vector<CommandEntry>& command_registry();
std::unique_ptr<Module> create_module(const std::string& name);  // null when unknown

}  // namespace infrascape
