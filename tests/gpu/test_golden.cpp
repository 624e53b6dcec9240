// Golden images: small fixed scenes rendered headless on the software device and compared with the
// baselines in tests/golden/baseline/. A pixel differs when any channel differs by more than
// kPixelThreshold (of 255); a test fails when more than kAllowedFraction of the pixels differ. On failure
// the actual and a diff image are written to <build>/golden-failures/. To refresh the baselines after
// an intended change: scripts/refresh_goldens.sh (it sets INFRASCAPE_UPDATE_GOLDENS=1 and runs these).
#include <catch2/catch.hpp>

#include <cstdlib>

#include "capture.hpp"
#include "gpu_test_support.hpp"

namespace {

constexpr int kPixelThreshold = 24;
constexpr double kAllowedFraction = 0.005;

struct Case {
    const char* name;
    const char* scene;  // relative to tests/golden/scenes
    double t_s;
    bool panels;
};

void check_golden(const Case& c) {
    const auto root = test::source_dir() / "tests/golden";
    test::Frame f = test::render_scene(root / "scenes" / c.scene, c.t_s, 480, 270, c.panels);
    const auto baseline = root / "baseline" / (std::string(c.name) + ".png");
    if (std::getenv("INFRASCAPE_UPDATE_GOLDENS")) {
        engine::write_png(baseline, f.rgba.data(), f.width, f.height);
        WARN("baseline written: " << baseline);
        return;
    }
    REQUIRE(std::filesystem::exists(baseline));
    uint32_t bw = 0, bh = 0;
    std::vector<uint8_t> base = engine::read_png(baseline, bw, bh);
    REQUIRE(bw == f.width);
    REQUIRE(bh == f.height);
    size_t differing = 0;
    std::vector<uint8_t> diff(base.size(), 0);
    for (size_t p = 0; p < size_t(bw) * bh; ++p) {
        int worst = 0;
        for (int ch = 0; ch < 3; ++ch) worst = std::max(worst, std::abs(int(base[p * 4 + ch]) - int(f.rgba[p * 4 + ch])));
        if (worst > kPixelThreshold) ++differing;
        diff[p * 4 + 0] = uint8_t(std::min(255, worst * 4));
        diff[p * 4 + 1] = diff[p * 4 + 2] = uint8_t(worst > kPixelThreshold ? 0 : std::min(255, worst * 4));
        diff[p * 4 + 3] = 255;
    }
    const double fraction = double(differing) / (double(bw) * bh);
    if (fraction > kAllowedFraction) {
        const auto out = std::filesystem::path(INFRASCAPE_BINARY_DIR) / "golden-failures";
        engine::write_png(out / (std::string(c.name) + "_actual.png"), f.rgba.data(), f.width, f.height);
        engine::write_png(out / (std::string(c.name) + "_diff.png"), diff.data(), f.width, f.height);
        FAIL(c.name << ": " << fraction * 100 << "% of pixels differ by more than " << kPixelThreshold
                    << " (allowed " << kAllowedFraction * 100 << "%); actual and diff in " << out);
    }
}

}  // namespace

TEST_CASE("golden: terrain and sky", "[golden]") { check_golden({"terrain_sky", "terrain_sky.toml", 0, false}); }

TEST_CASE("golden: example heat field with legend, buildings and caption", "[golden]") {
    check_golden({"example_heat", "example_heat.toml", 600, false});
}

TEST_CASE("golden: module panel with generated widgets and a plot", "[golden]") {
    check_golden({"example_panel", "example_heat.toml", 600, true});
}

TEST_CASE("golden: city after 120 years", "[golden][city]") {
    check_golden({"city", "city_small.toml", 120 * 365.25 * 86400, false});
}

TEST_CASE("golden: generated grid at 19:00 with towers, wires, particles and substations", "[golden][grid]") {
    check_golden({"grid", "grid_small.toml", 19 * 3600.0, false});
}

TEST_CASE("rendering the same scene twice gives identical images", "[golden]") {
    const auto scene = test::source_dir() / "tests/golden/scenes/example_heat.toml";
    test::Frame a = test::render_scene(scene, 300, 320, 180, true);
    test::Frame b = test::render_scene(scene, 300, 320, 180, true);
    CHECK(a.rgba == b.rgba);
}

TEST_CASE("restarting the clock returns the scene to its first frame", "[golden]") {
    const auto scene = test::source_dir() / "tests/golden/scenes/example_heat.toml";
    const test::Frame fresh = test::render_scene(scene, 0, 320, 180, false);
    infrascape::SessionOptions so;
    so.validation = true;
    so.width = 320;
    so.height = 180;
    infrascape::Session s(scene, so);
    std::vector<uint8_t> after(s.target().readback_bytes());
    {
        engine::Buffer readback(s.gpu(), after.size(), VK_BUFFER_USAGE_TRANSFER_DST_BIT, engine::MemoryKind::Readback, "rb");
        infrascape::FrameSubmitter submitter(s.gpu());
        VkCommandBuffer cmd = submitter.begin();
        s.timer().begin_frame(cmd, 0);
        s.advance_to(600, cmd, 0);  // ten minutes of heating
        s.record_frame(cmd, 0, 1.0 / 30, false);
        submitter.submit_and_wait();
        s.frame_complete(0);
        s.restart_clock();
        for (int k = 0; k < 4; ++k) {  // as render_scene: four frames at t = 0
            cmd = submitter.begin();
            s.timer().begin_frame(cmd, 0);
            s.advance_to(0, cmd, 0);
            s.record_frame(cmd, 0, 1.0 / 30, false);
            if (k == 3) s.target().record_readback(cmd, readback);
            submitter.submit_and_wait();
            s.frame_complete(0);
        }
        readback.invalidate();
        std::memcpy(after.data(), readback.mapped(), after.size());
    }
    CHECK(s.time_s() == 0);
    CHECK(after == fresh.rgba);
    CHECK(s.gpu().validation_messages() == 0);
}

TEST_CASE("golden: flood in a small valley half an hour into a storm", "[golden][flood]") {
    check_golden({"flood", "flood_small.toml", 1800.0, false});
}
