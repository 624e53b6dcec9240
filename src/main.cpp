// infrascape: the command line. Opens the viewer, renders headless, runs simulations with exports,
// benchmarks the device, and prints the scene schema. Exit codes: 0 success, 1 failure, 2 bad input,
// 3 validation-layer messages under --validate.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "app/session.hpp"
#include "app/sweep/sweep.hpp"
#include "context.hpp"
#include "mesh.hpp"
#include "scene/scene.hpp"
#include "vk_check.hpp"

using namespace infrascape;

namespace {

const char* kVersion = "0.1.0";

const char* kMainHelp = R"(infrascape: live 3D simulations of the infrastructure under modern life, on Vulkan.

Usage:
  infrascape [SCENE] [viewer options]     open the viewer (scenes/default.toml when no scene is given)
  infrascape view SCENE [viewer options]  the same, with an explicit scene (or a collected sweep's folder: its
                                          probability map over the terrain)
  infrascape render SCENE -o OUT.mp4|OUTDIR [options]
                                          render headless to an MP4 (H.264) or a folder of PNG frames
  infrascape run SCENE --until DURATION --export DIR
                                          run the simulation headless and write each module's exports
  infrascape bench [--json]               measure the device: copy bandwidth, module kernels, frame time, memory
  infrascape schema [BLOCK]               print every scene key with type, unit, range, default and help
  infrascape schema --couplings           list every value modules exchange at the coupling step, in order
  infrascape devices                      list the Vulkan 1.3 devices (for --device N)
  infrascape grid pf|n1 CASE.m ...        power flow and N-1 screening on a MATPOWER case (see grid --help)
  infrascape sweep plan|run|submit|status|collect ...
                                          ensembles of a scene with varied parameters, here or as a Slurm
                                          job array (see sweep --help)
  infrascape COMMAND --help               help for one command

Options for every command that uses the GPU:
  --device N     use Vulkan device N (default: the first discrete GPU, else the best available)
  --validate     enable the Vulkan validation layer (with synchronization validation); exit code 3
                 when it reports anything

Exit codes: 0 success, 1 failure, 2 bad input (scene, file or argument), 3 validation messages.
)";

const char* kViewerHelp = R"(Usage: infrascape [view] [SCENE] [options]

Opens the scene in a window. Without a display (no DISPLAY or WAYLAND_DISPLAY) it says so and suggests
`infrascape render`. Press F1 in the viewer for the keys. A folder is taken as a collected sweep: the first of
its view_*.toml scenes (in DIR/collected or DIR), which show a probability map over the terrain.

Options:
  --size WxH        window size (default 1280x720)
  --quality Q       low, medium or high (default: medium on a software device such as llvmpipe, high on a
                    GPU): low draws one sample without anti-aliasing, the terrain within 2 px of its full
                    detail and the world at half the window's width and height, upscaled; medium one sample
                    with FXAA, terrain within 1 px, and a dynamic resolution (a render scale from 0.5 to 1)
                    that holds --target-fps; high 4x multisampling, 0.5 px, full resolution
  --msaa N          multisample anti-aliasing samples: 1, 2, 4 or 8 (default: by --quality)
  --render-scale S  draw the world at S (0.25 to 1) of the window's width and height and upscale it, fixed
                    (default: by --quality); the panels and text stay sharp
  --target-fps N    the frame rate the dynamic resolution holds (default 20)
  --no-vsync        present without waiting for vertical blank
  --frames N        close after N frames (for tests and scripted checks)
  --resize-test     resize the window during the run (with --frames; for tests)
  --screenshots DIR where F12 writes PNG screenshots (default: the current folder)
  --device N, --validate
)";

const char* kRenderHelp = R"(Usage: infrascape render SCENE -o OUT.mp4|OUTDIR [options]

Renders the scene headless (no window system needed) at a fixed time step: each frame moves simulation time on
by world.speed / fps (world.speed as the scene's timeline has it then; constant: frame f shows f * speed / fps).
The same command gives the same frames on every run.
An output ending in .mp4 is encoded by the ffmpeg program (H.264, yuv420p); anything else is a folder
that receives frame_000000.png, frame_000001.png, ...

Options:
  -o, --output PATH   MP4 file or folder of PNG frames (required)
  --size WxH          frame size (default 1280x720; MP4 needs even numbers)
  --fps N             frames per second (default 30)
  --duration S        seconds of video (default: until the scene's world.duration at its world.speed)
  --frames N          number of frames (instead of --duration)
  --from T            simulation time of the first frame (e.g. 17h; default 0)
  --panels            include the module panels in the frames (the legend, clock and captions always show)
  --quality Q         low, medium or high, as for `infrascape view` (default: medium on a software device, high
                      on a GPU); the render scale is fixed: 0.5 low, 0.75 medium, 1 high
  --msaa N            anti-aliasing samples (default: by --quality)
  --render-scale S    draw the world at S (0.25 to 1) of the frame's width and height and upscale it
                      (default: by --quality); the legend, clock and captions stay sharp
  --quiet             no progress bar
  --profile           print each pass's mean GPU time and the CPU time per frame (simulation, drawing)
  --device N, --validate
)";

const char* kRunHelp = R"(Usage: infrascape run SCENE --until DURATION --export DIR

Runs the simulation headless, without drawing, to simulation time DURATION and writes each module's
exports under DIR/<module>/, and under DIR/world/ the values modules exchanged (couplings.csv) and every
published scalar output at each coupling step (outputs.csv). A duration is a number with an optional unit: s, min, h, d, y (seconds
when bare), e.g. 90, 15min, 6h, 2d, 50y.

Options:
  --until DURATION   simulation time to stop at (required)
  --export DIR       folder for the exports (required)
  --device N, --validate
)";

const char* kBenchHelp = R"(Usage: infrascape bench [--json] [--scene SCENE]
       infrascape bench --lbm N [--json]
       infrascape bench --scenes [--json]
       infrascape bench --hosting [--json]

Prints the device name, a copy kernel's bandwidth in GB/s (read + write) as the device's roofline, then
each registered module kernel's throughput and its effective GB/s as a fraction of that roofline, then
the frame time of a reference scene (default scenes/default.toml at 1280x720) and the device memory it
holds, by owner (module, terrain, engine).

With --lbm N, only the roofline and two lattice Boltzmann kernels on an N^3 box, for comparison with
FluidX3D's benchmark: the data hall's step (D3Q19 TRT + Smagorinsky + D3Q7 heat with buoyancy, walls
all round) and a plain D3Q19 BGK FP32 step on a periodic box, then the hall's step with FP16 populations where
the device has 16-bit storage buffers. --json prints lbm_hall_mlups, lbm_srt_mlups and lbm_hall_fp16_mlups
(million lattice updates per second) with their effective GB/s.

The frame times are at the default quality for the device, with its fixed render scale (as `render` has it:
0.75 on a software device, 1 on a GPU; the viewer's dynamic resolution moves it).

With --scenes, every scene in scenes/ at 1280x720 at the default quality for the device: the frame time
of its first frames (headless: stepping and drawing, without the viewer's panels or presentation), the
GPU time of each pass and the device memory held.

With --hosting, no device: the grid's hosting capacity (`infrascape grid hosting`) on every bus of
ACTIVSg2000 with N-1 and of ACTIVSg10k without contingencies (units free down to 0 MW), with the time of
its set-up, screening bound and LPs, next to an estimate of the brute force (a bisection to 0.5 MW over full
DC OPF solves at every bus, from the time of one solve). Needs ../shared/data/matpower.

Options:
  --json          machine-readable output
  --scene SCENE   reference scene for the frame time
  --lbm N         LBM kernels only, on an N^3 box (N from 8 to 1024)
  --scenes        every shipped scene's frame time, passes and memory
  --hosting       the grid's hosting capacity on the ACTIVSg cases, nothing else
  --device N, --validate
)";

const char* kSchemaHelp = R"(Usage: infrascape schema [BLOCK]
       infrascape schema --couplings

Prints every scene-file key with its type, unit, range, default and help: all blocks, or one of them
(world, terrain, a module's name, or timeline, camera, caption). --couplings lists the world's coupling
step: each coupling with its world.couple_<name> switch, then every module's inputs in the order the
step reads them (the modules' registry order), each with its unit and what the module does with it.
)";

struct Args {
    std::vector<std::string> items;
    size_t i = 0;
    bool more() const { return i < items.size(); }
    const std::string& peek() const { return items[i]; }
    std::string next(const std::string& option) {
        if (i >= items.size()) throw std::invalid_argument(option + " needs a value");
        return items[i++];
    }
};

uint32_t parse_uint(const std::string& option, const std::string& text, uint32_t lo, uint32_t hi) {
    char* end = nullptr;
    unsigned long v = std::strtoul(text.c_str(), &end, 10);
    if (text.empty() || *end || v < lo || v > hi)
        throw std::invalid_argument(option + " must be a whole number from " + std::to_string(lo) + " to " +
                                    std::to_string(hi) + ", got '" + text + "'");
    return uint32_t(v);
}

void parse_size(const std::string& text, uint32_t& w, uint32_t& h) {
    size_t x = text.find('x');
    if (x == std::string::npos) throw std::invalid_argument("--size must look like 1280x720, got '" + text + "'");
    w = parse_uint("--size width", text.substr(0, x), 16, 16384);
    h = parse_uint("--size height", text.substr(x + 1), 16, 16384);
}

double parse_seconds(const std::string& option, const std::string& text) {
    double s = 0;
    if (!parse_duration(text, s) || s < 0)
        throw std::invalid_argument(option + " must be a duration (a number with an optional unit s, min, h, d or y), got '" +
                                    text + "'");
    return s;
}

bool common_option(Args& a, const std::string& opt, CommonOptions& c) {
    if (opt == "--validate") {
        c.validation = true;
        return true;
    }
    if (opt == "--device") {
        c.device = int(parse_uint("--device", a.next(opt), 0, 64));
        return true;
    }
    return false;
}

bool wants_help(const std::vector<std::string>& items) {
    for (const std::string& s : items)
        if (s == "--help" || s == "-h") return true;
    return false;
}

[[noreturn]] void unknown_option(const std::string& opt, const char* command) {
    throw std::invalid_argument("unknown option '" + opt + "' for " + command + "; see `infrascape " + command +
                                " --help`");
}

int viewer_main(Args& a) {
    ViewerOptions o;
    while (a.more()) {
        std::string opt = a.next("");
        if (common_option(a, opt, o.common)) continue;
        if (opt == "--size") parse_size(a.next(opt), o.width, o.height);
        else if (opt == "--msaa") o.msaa = parse_uint(opt, a.next(opt), 1, 8);
        else if (opt == "--quality") parse_quality(o.quality = a.next(opt));
        else if (opt == "--render-scale") o.render_scale = parse_render_scale(a.next(opt));
        else if (opt == "--target-fps") o.target_fps = parse_uint(opt, a.next(opt), 1, 1000);
        else if (opt == "--no-vsync") o.vsync = false;
        else if (opt == "--frames") o.frames = parse_uint(opt, a.next(opt), 1, 1u << 30);
        else if (opt == "--resize-test") o.resize_test = true;
        else if (opt == "--screenshots") o.screenshot_dir = a.next(opt);
        else if (!opt.empty() && opt[0] == '-') unknown_option(opt, "view");
        else if (o.scene.empty()) o.scene = opt;
        else throw std::invalid_argument("more than one scene given: '" + o.scene.string() + "' and '" + opt + "'");
    }
    if (o.scene.empty()) o.scene = default_scene_path();
    std::error_code ec;
    if (std::filesystem::is_directory(o.scene, ec)) o.scene = sweep::view_scene_of(o.scene);  // a collected sweep
    return viewer_command(o);
}

int render_main(Args& a) {
    RenderOptions o;
    while (a.more()) {
        std::string opt = a.next("");
        if (common_option(a, opt, o.common)) continue;
        if (opt == "-o" || opt == "--output") o.output = a.next(opt);
        else if (opt == "--size") parse_size(a.next(opt), o.width, o.height);
        else if (opt == "--fps") o.fps = parse_uint(opt, a.next(opt), 1, 240);
        else if (opt == "--duration") o.duration_s = parse_seconds(opt, a.next(opt));
        else if (opt == "--frames") o.frames = parse_uint(opt, a.next(opt), 1, 1u << 30);
        else if (opt == "--from") o.from_s = parse_seconds(opt, a.next(opt));
        else if (opt == "--msaa") o.msaa = parse_uint(opt, a.next(opt), 1, 8);
        else if (opt == "--quality") parse_quality(o.quality = a.next(opt));
        else if (opt == "--render-scale") o.render_scale = parse_render_scale(a.next(opt));
        else if (opt == "--panels") o.panels = true;
        else if (opt == "--quiet") o.quiet = true;
        else if (opt == "--profile") o.profile = true;
        else if (!opt.empty() && opt[0] == '-') unknown_option(opt, "render");
        else if (o.scene.empty()) o.scene = opt;
        else throw std::invalid_argument("more than one scene given: '" + o.scene.string() + "' and '" + opt + "'");
    }
    if (o.scene.empty()) throw std::invalid_argument("render needs a scene file; see `infrascape render --help`");
    if (o.output.empty()) throw std::invalid_argument("render needs -o OUT.mp4 or -o OUTDIR");
    if (o.duration_s && o.frames) throw std::invalid_argument("give --duration or --frames, not both");
    return render_command(o);
}

int run_main(Args& a) {
    RunOptions o;
    std::optional<double> until;
    while (a.more()) {
        std::string opt = a.next("");
        if (common_option(a, opt, o.common)) continue;
        if (opt == "--until") until = parse_seconds(opt, a.next(opt));
        else if (opt == "--export") o.export_dir = a.next(opt);
        else if (!opt.empty() && opt[0] == '-') unknown_option(opt, "run");
        else if (o.scene.empty()) o.scene = opt;
        else throw std::invalid_argument("more than one scene given: '" + o.scene.string() + "' and '" + opt + "'");
    }
    if (o.scene.empty()) throw std::invalid_argument("run needs a scene file; see `infrascape run --help`");
    if (!until) throw std::invalid_argument("run needs --until DURATION");
    if (o.export_dir.empty()) throw std::invalid_argument("run needs --export DIR");
    o.until_s = *until;
    return run_command(o);
}

int bench_main(Args& a) {
    BenchOptions o;
    while (a.more()) {
        std::string opt = a.next("");
        if (common_option(a, opt, o.common)) continue;
        if (opt == "--json") o.json = true;
        else if (opt == "--scene") o.scene = a.next(opt);
        else if (opt == "--lbm") o.lbm = parse_uint(opt, a.next(opt), 8, 1024);
        else if (opt == "--scenes") o.scenes = true;
        else if (opt == "--hosting") o.hosting = true;
        else unknown_option(opt, "bench");
    }
    return bench_command(o);
}

std::string couplings_text() {
    std::string out = "Couplings (each switched by world.couple_<name>, on by default):\n";
    for (const CouplingDoc& c : coupling_docs()) out += "  " + std::string(c.name) + ": " + c.help + "\n";
    out += "\nThe coupling step, every world.coupling_s (300 s by default), in this order; '*' is any instance id:\n";
    int order = 0;
    for (const ModuleEntry& e : module_registry()) {
        const auto m = e.create();
        const std::vector<InputPort> in = m->inputs();
        if (in.empty()) continue;
        out += "  " + std::to_string(++order) + ". " + e.name + " reads\n";
        for (const InputPort& p : in)
            out += "       " + p.name + " [" + (p.unit.empty() ? "-" : p.unit) + "] (" + p.coupling + "): " + p.help + "\n";
    }
    out += "\nEvery value read is a column of DIR/world/couplings.csv under `infrascape run --export DIR`.\n";
    return out;
}

int schema_main(Args& a) {
    std::string only;
    if (a.more() && a.peek() == "--couplings") {
        a.next("");
        if (a.more()) throw std::invalid_argument("schema --couplings takes nothing else");
        std::cout << couplings_text();
        return 0;
    }
    if (a.more()) only = a.next("");
    if (a.more()) throw std::invalid_argument("schema takes at most one block name");
    std::cout << schema_text(all_block_specs(), only);
    return 0;
}

int devices_main() {
    for (const engine::DeviceInfo& d : engine::Context::list_devices())
        std::printf("%u: %s (%s, Vulkan %u.%u)\n", d.index, d.name.c_str(), d.type.c_str(), VK_API_VERSION_MAJOR(d.api_version),
                    VK_API_VERSION_MINOR(d.api_version));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);  // a dead ffmpeg is reported by its exit status, not by killing us
    Args a;
    for (int i = 1; i < argc; ++i) a.items.push_back(argv[i]);
    std::string command = a.more() ? a.peek() : "";
    static const std::vector<std::string> commands = {"view", "render", "run", "bench", "schema", "devices"};
    const bool named = std::find(commands.begin(), commands.end(), command) != commands.end();
    if (named) a.i++;
    try {
        // A module's own command: `infrascape grid pf ...`.
        for (const CommandEntry& e : command_registry())
            if (command == e.name) return e.run(std::vector<std::string>(a.items.begin() + 1, a.items.end()));
        if (command == "sweep") return sweep::sweep_cli(std::vector<std::string>(a.items.begin() + 1, a.items.end()));
        if (command == "--version") {
            std::printf("infrascape %s\n", kVersion);
            return 0;
        }
        if (!named && (command == "--help" || command == "-h" || command == "help")) {
            std::fputs(kMainHelp, stdout);
            return 0;
        }
        if (wants_help(a.items)) {
            const char* text = command == "render"   ? kRenderHelp
                               : command == "run"    ? kRunHelp
                               : command == "bench"  ? kBenchHelp
                               : command == "schema" ? kSchemaHelp
                               : command == "devices" ? "Usage: infrascape devices\n\nLists the Vulkan 1.3 devices and their numbers for --device N.\n"
                                                      : kViewerHelp;
            std::fputs(text, stdout);
            return 0;
        }
        if (command == "render") return render_main(a);
        if (command == "run") return run_main(a);
        if (command == "bench") return bench_main(a);
        if (command == "schema") return schema_main(a);
        if (command == "devices") return devices_main();
        return viewer_main(a);
    } catch (const InputError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    } catch (const engine::ModelError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "infrascape: %s\n", e.what());
        return 2;
    } catch (const engine::VulkanError& e) {
        std::fprintf(stderr, "infrascape: Vulkan error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "infrascape: %s\n", e.what());
        return 1;
    }
}
