// `infrascape render` (headless frames to MP4 or PNGs) and `infrascape run` (simulation only, exports).
// Both advance the simulation in fixed steps that depend only on the frame number or the end time, never
// on how fast the machine is, so the same command gives the same result.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>

#include "app/commands.hpp"
#include "app/frame_submitter.hpp"
#include "app/progress.hpp"
#include "app/session.hpp"
#include "capture.hpp"

namespace infrascape {

namespace {

// `render --profile`: each pass's mean GPU time over the frames after the first two, and the CPU's wall time per
// frame spent stepping the simulation, drawing (record, submit and wait for the frame) and writing it out.
struct Profile {
    std::map<std::string, double> gpu_ms;
    double sim_ms = 0, draw_ms = 0, record_ms = 0, write_ms = 0;
    uint32_t frames = 0;
};

void print_profile(const Profile& p, uint32_t frames) {
    if (p.frames == 0) {
        std::printf("profile: render at least 3 frames\n");
        return;
    }
    const double n = p.frames;
    std::printf("profile over %u of %u frames (ms per frame):\n", p.frames, frames);
    std::printf("  CPU  simulation steps %8.2f   drawing %8.2f (recording %.2f)   writing %8.2f   total %8.2f\n",
                p.sim_ms / n, p.draw_ms / n, p.record_ms / n, p.write_ms / n, (p.sim_ms + p.draw_ms + p.write_ms) / n);
    double world = 0;
    for (const auto& [pass, ms] : p.gpu_ms) {
        std::printf("  GPU  %-28s %8.2f\n", pass.c_str(), ms / n);
        if (pass.rfind("world.", 0) == 0) world += ms / n;
    }
    std::printf("  GPU  %-28s %8.2f\n", "world (sum)", world);
}

int validation_exit(const engine::Context& gpu) {
    if (gpu.validation_enabled() && gpu.validation_messages() > 0) {
        std::fprintf(stderr, "infrascape: the validation layer reported %llu message(s)\n",
                     (unsigned long long)gpu.validation_messages());
        return 3;
    }
    return 0;
}

bool is_video_path(const std::filesystem::path& p) {
    std::string ext = p.extension().string();
    for (char& c : ext) c = char(std::tolower(c));
    return ext == ".mp4";
}

}  // namespace

int render_command(const RenderOptions& o) {
    const bool video = is_video_path(o.output);
    if (video && engine::find_ffmpeg().empty())
        throw std::runtime_error(
            "ffmpeg not found: install the Debian package ffmpeg to write MP4, or render PNG frames with -o DIR");
    if (video && (o.width % 2 || o.height % 2))
        throw std::runtime_error("MP4 (H.264, yuv420p) needs an even width and height");

    SessionOptions so;
    so.validation = o.common.validation;
    so.device = o.common.device;
    so.width = o.width;
    so.height = o.height;
    so.msaa = o.msaa;
    if (!o.quality.empty()) so.quality = parse_quality(o.quality);
    so.render_scale = o.render_scale;
    Session session(o.scene, so);
    const WorldSettings& w = session.world();

    uint32_t frames = 0;
    if (o.frames) {
        frames = *o.frames;
    } else {
        frames = o.duration_s ? uint32_t(std::lround(*o.duration_s * o.fps)) : session.playback_frames(o.from_s, w.duration_s, o.fps);
    }
    if (frames == 0) throw std::runtime_error("nothing to render: --frames or --duration gives 0 frames");

    std::unique_ptr<engine::VideoWriter> writer;
    if (video) {
        writer = std::make_unique<engine::VideoWriter>(o.output, o.width, o.height, o.fps);
    } else {
        std::filesystem::create_directories(o.output);
    }

    engine::Buffer readback(session.gpu(), session.target().readback_bytes(), VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                            engine::MemoryKind::Readback, "frame readback");
    FrameSubmitter submitter(session.gpu());
    std::vector<uint8_t> pixels(session.target().readback_bytes());
    Progress progress("render", frames, o.quiet);
    Profile profile;
    double t = o.from_s;  // each frame moves on by world.speed / fps as the timeline has it then
    for (uint32_t f = 0; f < frames; ++f) {
        if (f > 0) t = session.next_frame_time(t, o.fps);
        const auto t0 = std::chrono::steady_clock::now();
        VkCommandBuffer cmd = submitter.begin();
        session.timer().begin_frame(cmd, 0);
        // The steps go in a submission of their own, so what modules read back after them (clocks, gauges,
        // labels) is current when the frame's overlay is drawn.
        // Long jumps (--from) go in batches, as under `run`, so modules that adapt to what they read back (the
        // flood's time steps) see regular updates.
        while (session.advance_to(t, cmd, 0, 16) > 0) {
            submitter.submit_and_wait();
            session.frame_complete(0);
            cmd = submitter.begin();
            session.timer().begin_frame(cmd, 0);
        }
        const auto t1 = std::chrono::steady_clock::now();
        session.record_frame(cmd, 0, 1.0 / o.fps, o.panels);
        session.target().record_readback(cmd, readback);
        const auto t1b = std::chrono::steady_clock::now();
        submitter.submit_and_wait();
        session.frame_complete(0);
        const auto t2 = std::chrono::steady_clock::now();
        readback.invalidate();
        std::memcpy(pixels.data(), readback.mapped(), pixels.size());
        if (writer) {
            writer->write(pixels.data());
        } else {
            char name[32];
            std::snprintf(name, sizeof name, "frame_%06u.png", f);
            engine::write_png(o.output / name, pixels.data(), o.width, o.height);
        }
        if (o.profile && f >= 2) {
            using ms = std::chrono::duration<double, std::milli>;
            profile.sim_ms += ms(t1 - t0).count();
            profile.draw_ms += ms(t2 - t1).count();
            profile.record_ms += ms(t1b - t1).count();
            profile.write_ms += ms(std::chrono::steady_clock::now() - t2).count();
            for (const auto& [pass, gpu_ms] : session.timer().last_ms()) profile.gpu_ms[pass] += gpu_ms;
            ++profile.frames;
        }
        progress.update(f + 1);
    }
    if (writer) writer->finish();
    if (o.profile) print_profile(profile, frames);
    std::printf("wrote %u frame%s (%ux%u, %u fps, simulated %s) to %s\n", frames, frames == 1 ? "" : "s", o.width,
                o.height, o.fps, hms(t).c_str(), o.output.c_str());
    return validation_exit(session.gpu());
}

int run_command(const RunOptions& o) {
    SessionOptions so;
    so.validation = o.common.validation;
    so.device = o.common.device;
    so.render_targets = false;
    Session session(o.scene, so);
    FrameSubmitter submitter(session.gpu());
    const double dt = session.world().dt_s;
    const uint64_t total = uint64_t(std::floor(o.until_s / dt + 1e-9));
    // Batches of steps per submission, so CPU readers (metrics, outputs) see regular updates.
    const uint32_t batch = 16;
    Progress progress("run", total, false);
    while (session.steps() < total) {
        VkCommandBuffer cmd = submitter.begin();
        session.timer().begin_frame(cmd, 0);
        session.advance_to(o.until_s, cmd, 0, batch);
        for (auto& m : session.modules()) {
            FrameInfo frame{cmd};
            m->before_draw(frame);
        }
        submitter.submit_and_wait();
        session.frame_complete(0);
        progress.update(session.steps());
    }
    session.export_all(o.export_dir);
    std::printf("simulated %s in %llu steps of %g s; exports in %s\n", hms(session.time_s()).c_str(),
                (unsigned long long)session.steps(), dt, o.export_dir.c_str());
    for (auto& m : session.modules())
        for (const Metric& x : m->metrics()) std::printf("  %s.%s = %g %s\n", m->instance().c_str(), x.name.c_str(), x.value, x.unit.c_str());
    return validation_exit(session.gpu());
}

}  // namespace infrascape
