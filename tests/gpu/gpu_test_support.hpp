// Shared pieces of the GPU tests: a validated headless context (any validation message fails the test)
// and headless rendering of a scene through the application's own Session.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "app/frame_submitter.hpp"
#include "app/session.hpp"
#include "context.hpp"

namespace test {

inline std::filesystem::path source_dir() { return INFRASCAPE_SOURCE_DIR; }

// A headless context with the validation layer on; the destructor-time check lives in the tests.
inline std::unique_ptr<engine::Context> validated_context() {
    engine::ContextOptions o;
    o.validation = true;
    return std::make_unique<engine::Context>(o);
}

struct Frame {
    uint32_t width = 0, height = 0;
    std::vector<uint8_t> rgba;
};

// Renders `scene` at simulation time t_s, the same way `infrascape render` does, with validation on.
inline Frame render_scene(const std::filesystem::path& scene, double t_s, uint32_t w, uint32_t h, bool panels) {
    infrascape::SessionOptions so;
    so.validation = true;
    so.width = w;
    so.height = h;
    infrascape::Session s(scene, so);
    Frame f{w, h, std::vector<uint8_t>(s.target().readback_bytes())};
    {
        engine::Buffer readback(s.gpu(), f.rgba.size(), VK_BUFFER_USAGE_TRANSFER_DST_BIT, engine::MemoryKind::Readback,
                                "test readback");
        infrascape::FrameSubmitter submitter(s.gpu());
        // Step in frame-sized chunks as the renderer does, so per-frame work (readbacks) also runs, and in
        // batches of 16 steps before each frame as `infrascape render` does, so modules that adapt to what they
        // read back (the flood's time steps) and their labels are current.
        const int frames = 4;
        for (int k = 1; k <= frames; ++k) {
            VkCommandBuffer cmd = submitter.begin();
            s.timer().begin_frame(cmd, 0);
            while (s.advance_to(t_s * k / frames, cmd, 0, 16) > 0) {
                submitter.submit_and_wait();
                s.frame_complete(0);
                cmd = submitter.begin();
                s.timer().begin_frame(cmd, 0);
            }
            s.record_frame(cmd, 0, 1.0 / 30, panels);
            if (k == frames) s.target().record_readback(cmd, readback);
            submitter.submit_and_wait();
            s.frame_complete(0);
        }
        readback.invalidate();
        std::memcpy(f.rgba.data(), readback.mapped(), f.rgba.size());
    }
    INFO("validation messages while rendering " << scene);
    CHECK(s.gpu().validation_messages() == 0);
    return f;
}

}  // namespace test
