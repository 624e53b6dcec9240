// GPU timestamp queries per pass: begin/end around each pass while recording (at most kMaxPasses a
// frame; more go untimed, same-named passes are summed); once the frame's fence
// has signalled, collect() reads the results. Times are smoothed for display in the performance panel.
#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <map>
#include <string>
#include <vector>

#include "context.hpp"

namespace engine {

class GpuTimer {
public:
    static constexpr uint32_t kMaxPasses = 64;
    explicit GpuTimer(Context& ctx);
    ~GpuTimer();
    GpuTimer(const GpuTimer&) = delete;
    GpuTimer& operator=(const GpuTimer&) = delete;

    bool supported() const { return pool_ != VK_NULL_HANDLE; }
    void begin_frame(VkCommandBuffer cmd, uint32_t slot);  // resets the slot's queries
    void begin(VkCommandBuffer cmd, const std::string& pass);
    void end(VkCommandBuffer cmd);
    void collect(uint32_t slot);  // after the slot's fence: updates the per-pass times
    // Last frame's milliseconds per pass (exact), and an exponential moving average for display.
    const std::vector<std::pair<std::string, double>>& last_ms() const { return last_ms_; }
    const std::map<std::string, double>& smoothed_ms() const { return smoothed_ms_; }

private:
    Context& ctx_;
    VkQueryPool pool_ = VK_NULL_HANDLE;
    double ns_per_tick_ = 1.0;
    uint32_t slot_ = 0;
    bool open_ = false;  // a begin() that recorded a timestamp awaits its end()
    std::array<std::vector<std::string>, kFramesInFlight> names_;
    std::vector<std::pair<std::string, double>> last_ms_;
    std::map<std::string, double> smoothed_ms_;
};

}  // namespace engine
