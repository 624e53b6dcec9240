// The command-line commands. Each returns the process exit code: 0 success, 1 failure, 2 bad input
// (a scene, a file, an argument), 3 when --validate saw validation messages.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace infrascape {

struct CommonOptions {
    bool validation = false;
    int device = -1;
};

struct RenderOptions {
    CommonOptions common;
    std::filesystem::path scene, output;
    uint32_t width = 1280, height = 720, fps = 30, msaa = 0;  // msaa 0: by quality (Session)
    std::string quality;                                        // empty: by device (Session)
    float render_scale = 0;                                     // 0: by quality (Session)
    std::optional<double> duration_s;  // video seconds
    std::optional<uint32_t> frames;
    double from_s = 0;  // simulation time of the first frame
    bool panels = false;
    bool quiet = false;
    bool profile = false;  // print the mean GPU time of each pass and the CPU time per frame
};
int render_command(const RenderOptions& o);

struct RunOptions {
    CommonOptions common;
    std::filesystem::path scene, export_dir;
    double until_s = 0;
};
int run_command(const RunOptions& o);

struct BenchOptions {
    CommonOptions common;
    bool json = false;
    std::filesystem::path scene;  // the reference scene for the frame time
    uint32_t lbm = 0;             // > 0: only the copy roofline and the LBM kernels on an lbm^3 box
    bool scenes = false;          // only every shipped scene's frame time, GPU passes and memory
    bool hosting = false;         // only the grid's hosting capacity on ACTIVSg2000 (N-1) and ACTIVSg10k
};
int bench_command(const BenchOptions& o);

struct ViewerOptions {
    CommonOptions common;
    std::filesystem::path scene;
    uint32_t width = 1280, height = 720, msaa = 0;  // msaa 0: by quality (Session)
    std::string quality;                            // empty: by device (Session)
    float render_scale = 0;                         // 0: by quality, dynamic at medium (Session, viewer)
    double target_fps = 20;                         // the frame rate the dynamic resolution holds
    bool vsync = true;
    std::optional<uint32_t> frames;  // exit after this many frames (tests)
    bool resize_test = false;        // resize the window during the run (tests)
    std::filesystem::path screenshot_dir = ".";
};
int viewer_command(const ViewerOptions& o);

// Headless frame recording shared by render, run and bench: one command buffer, submitted and waited.
}  // namespace infrascape
