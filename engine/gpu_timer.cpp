// GPU timestamp queries; see gpu_timer.hpp.
#include "gpu_timer.hpp"

#include <algorithm>

#include "vk_check.hpp"

namespace engine {

GpuTimer::GpuTimer(Context& ctx) : ctx_(ctx) {
    uint32_t count = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(ctx.physical_device(), &count, nullptr);
    std::vector<VkQueueFamilyProperties> families(count);
    vkGetPhysicalDeviceQueueFamilyProperties(ctx.physical_device(), &count, families.data());
    if (families[ctx.queue_family()].timestampValidBits == 0 ||
        !ctx.properties().limits.timestampComputeAndGraphics)
        return;  // no timestamps: the panel shows CPU frame times only
    ns_per_tick_ = ctx.properties().limits.timestampPeriod;
    VkQueryPoolCreateInfo ci{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
    ci.queryType = VK_QUERY_TYPE_TIMESTAMP;
    ci.queryCount = 2 * kMaxPasses * kFramesInFlight;
    VK_CHECK(vkCreateQueryPool(ctx.device(), &ci, nullptr, &pool_));
}

GpuTimer::~GpuTimer() {
    if (!pool_) return;
    VkDevice device = ctx_.device();
    VkQueryPool pool = pool_;
    ctx_.defer([device, pool] { vkDestroyQueryPool(device, pool, nullptr); });
}

void GpuTimer::begin_frame(VkCommandBuffer cmd, uint32_t slot) {
    slot_ = slot % kFramesInFlight;
    names_[slot_].clear();
    if (pool_) vkCmdResetQueryPool(cmd, pool_, slot_ * 2 * kMaxPasses, 2 * kMaxPasses);
}

void GpuTimer::begin(VkCommandBuffer cmd, const std::string& pass) {
    open_ = false;
    if (!pool_ || names_[slot_].size() >= kMaxPasses) return;  // over the budget: this pass goes untimed
    open_ = true;
    uint32_t q = slot_ * 2 * kMaxPasses + 2 * static_cast<uint32_t>(names_[slot_].size());
    names_[slot_].push_back(pass);
    vkCmdWriteTimestamp2(cmd, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, pool_, q);
}

void GpuTimer::end(VkCommandBuffer cmd) {
    if (!pool_ || !open_) return;
    open_ = false;
    uint32_t q = slot_ * 2 * kMaxPasses + 2 * static_cast<uint32_t>(names_[slot_].size() - 1) + 1;
    vkCmdWriteTimestamp2(cmd, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, pool_, q);
}

void GpuTimer::collect(uint32_t slot) {
    slot %= kFramesInFlight;
    const auto& names = names_[slot];
    if (!pool_ || names.empty()) return;
    std::vector<uint64_t> ticks(2 * names.size());
    VkResult r = vkGetQueryPoolResults(ctx_.device(), pool_, slot * 2 * kMaxPasses,
                                       static_cast<uint32_t>(ticks.size()), ticks.size() * sizeof(uint64_t),
                                       ticks.data(), sizeof(uint64_t), VK_QUERY_RESULT_64_BIT);
    if (r != VK_SUCCESS) return;  // VK_NOT_READY: keep the previous values
    // A pass recorded several times in a frame (one per simulation step) is reported as its total.
    last_ms_.clear();
    for (size_t i = 0; i < names.size(); ++i) {
        double ms = double(ticks[2 * i + 1] - ticks[2 * i]) * ns_per_tick_ * 1e-6;
        auto it = std::find_if(last_ms_.begin(), last_ms_.end(), [&](const auto& e) { return e.first == names[i]; });
        if (it == last_ms_.end())
            last_ms_.emplace_back(names[i], ms);
        else
            it->second += ms;
    }
    for (const auto& [name, ms] : last_ms_) {
        auto [it, fresh] = smoothed_ms_.try_emplace(name, ms);
        if (!fresh) it->second = 0.9 * it->second + 0.1 * ms;
    }
}

}  // namespace engine
