// Dynamic resolution: the render scale (the world pass's fraction of the output's width and height) that holds
// a target frame time. Each window of frames gives its median frame time (a frame that waited on something
// else, a solver or the window system, does not move it); the scale then moves toward the one at which the
// frame would take the target if all of its time were in the world's pixels (time ~ scale^2), in whole steps:
// over the target at least one step down and at most `max_fall`; under 85% of the target (a dead band, so it
// settles) at least one step up and at most `max_rise`, but not back to a scale that was over the target in
// the last `ceiling_windows` windows. A frame whose time does not scale with pixels ends at `min_scale`.
#pragma once

#include <cstddef>
#include <vector>

namespace engine {

class DynamicResolution {
public:
    struct Options {
        double target_ms = 50;      // 20 frames per second
        float min_scale = 0.5f, max_scale = 1.0f;
        float step = 0.05f;         // scales are multiples of this
        float max_fall = 0.15f, max_rise = 0.05f;
        std::size_t window = 8;     // frames per decision
        int ceiling_windows = 30;   // how long a scale that was over the target is not tried again
    };
    DynamicResolution(const Options& o, float start_scale);

    // Feeds one frame's time; returns the scale for the next frame.
    float update(double frame_ms);
    float scale() const { return scale_; }
    double target_ms() const { return o_.target_ms; }
    void set_target_ms(double ms) { o_.target_ms = ms; }

private:
    float quantize(float s) const;

    Options o_;
    float scale_;
    std::vector<double> frames_;
    float ceiling_ = 2;  // the last scale over the target (above max_scale: none)
    int ceiling_windows_ = 0;
};

}  // namespace engine
