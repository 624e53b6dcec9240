// See dynamic_resolution.hpp.
#include "dynamic_resolution.hpp"

#include <algorithm>
#include <cmath>

namespace engine {

DynamicResolution::DynamicResolution(const Options& o, float start_scale) : o_(o) {
    scale_ = std::clamp(start_scale, o_.min_scale, o_.max_scale);
}

float DynamicResolution::quantize(float s) const {
    // Down to a whole step (the small margin keeps 0.7 / 0.05 from flooring to 13).
    const float q = std::floor(s / o_.step + 1e-3f) * o_.step;
    return std::clamp(q, o_.min_scale, o_.max_scale);
}

float DynamicResolution::update(double frame_ms) {
    if (!(frame_ms > 0) || !std::isfinite(frame_ms)) return scale_;
    frames_.push_back(frame_ms);
    if (frames_.size() < o_.window) return scale_;
    std::nth_element(frames_.begin(), frames_.begin() + std::ptrdiff_t(frames_.size() / 2), frames_.end());
    const double median = frames_[frames_.size() / 2];
    frames_.clear();
    const double t = o_.target_ms;
    if (ceiling_windows_ > 0 && --ceiling_windows_ == 0) ceiling_ = o_.max_scale + 1;
    if (median > t) {
        // At least one step down (or to the floor); this scale is
        // not tried again for a while, so a frame time between two steps does not make the scale oscillate.
        ceiling_ = scale_;
        ceiling_windows_ = o_.ceiling_windows;
        scale_ = std::min(quantize(std::max(scale_ * float(std::sqrt(t / median)), scale_ - o_.max_fall)),
                          quantize(scale_ - o_.step));
    } else if (median < 0.85 * t) {
        // At least one step up (the estimate falls short when part of the frame does not scale), below the
        // last scale that was over the target.
        const float wanted = std::max(scale_ * float(std::sqrt(0.85 * t / median)), scale_ + o_.step);
        const float next = quantize(std::min(wanted, scale_ + o_.max_rise));
        if (next < ceiling_ - 0.5f * o_.step) scale_ = next;
    }
    return scale_;
}

}  // namespace engine
