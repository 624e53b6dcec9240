// Dynamic resolution against frame-time models solved by hand: a frame of fixed work a plus pixel work b s^2
// settles where a + b s^2 meets the target band, however it starts; spikes in single frames do not move it.
#include <catch2/catch.hpp>

#include <cmath>

#include "dynamic_resolution.hpp"

namespace {

// Runs `frames` frames of a + b s^2 milliseconds; returns the final scale.
float settle(engine::DynamicResolution& d, double a, double b, int frames = 2000) {
    for (int i = 0; i < frames; ++i) d.update(a + b * d.scale() * d.scale());
    return d.scale();
}

}  // namespace

TEST_CASE("dynamic resolution settles in the target band", "[unit][dynres]") {
    engine::DynamicResolution::Options o;
    o.target_ms = 50;
    // a = 20 ms fixed, b = 60 ms at full scale: 50 ms at s = sqrt(0.5) = 0.707; the band [42.5, 50] ms is
    // s in [0.61, 0.707], so the steps of 0.05 that fit are 0.65 and 0.70.
    for (float start : {0.5f, 0.75f, 1.0f}) {
        engine::DynamicResolution d(o, start);
        const float s = settle(d, 20, 60);
        INFO("start " << start << " settled at " << s);
        const double ms = 20 + 60 * double(s) * s;
        CHECK(ms <= 50.0);
        CHECK(ms >= 0.85 * 50 - 60 * 0.1);  // within a step of the band's floor
        CHECK((std::abs(s - 0.65f) < 1e-4 || std::abs(s - 0.70f) < 1e-4));
    }
}

TEST_CASE("dynamic resolution stays at its bounds when the target is out of reach or easy", "[unit][dynres]") {
    engine::DynamicResolution::Options o;
    o.target_ms = 50;
    engine::DynamicResolution slow(o, 0.75f);
    CHECK(settle(slow, 80, 40) == Approx(o.min_scale));  // 80 ms before any pixel: the floor
    engine::DynamicResolution fast(o, 0.5f);
    CHECK(settle(fast, 5, 20) == Approx(o.max_scale));  // 25 ms at full scale: full resolution
}

TEST_CASE("dynamic resolution ignores a spike in one frame of a window", "[unit][dynres]") {
    engine::DynamicResolution::Options o;
    o.target_ms = 50;
    engine::DynamicResolution d(o, 0.7f);
    for (int i = 0; i < 80; ++i) d.update(i % 8 == 3 ? 400.0 : 45.0);  // one solver stall every window
    CHECK(d.scale() == Approx(0.7f));
}

TEST_CASE("dynamic resolution ignores frames without a time", "[unit][dynres]") {
    engine::DynamicResolution::Options o;
    engine::DynamicResolution d(o, 0.8f);
    for (int i = 0; i < 40; ++i) d.update(std::nan(""));
    for (int i = 0; i < 40; ++i) d.update(0.0);
    CHECK(d.scale() == Approx(0.8f));
}

TEST_CASE("dynamic resolution recovers when the frame gets cheaper", "[unit][dynres]") {
    engine::DynamicResolution::Options o;
    o.target_ms = 50;
    engine::DynamicResolution d(o, 1.0f);
    CHECK(settle(d, 20, 60) < 0.75f);  // held below the scale that was over the target
    CHECK(settle(d, 5, 30) == Approx(1.0f));  // 35 ms at full scale once the fixed work falls
}
