// Headless frame submission: per-slot command buffers and fences, begin/submit/wait. Used by `render`,
// `run` and `bench`; the viewer has its own loop with a swapchain.
#pragma once

#include <vulkan/vulkan.h>

#include <array>

#include "context.hpp"
#include "vk_check.hpp"

namespace infrascape {

class FrameSubmitter {
public:
    explicit FrameSubmitter(engine::Context& ctx) : ctx_(ctx) {
        VkCommandPoolCreateInfo pci{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
        pci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
        pci.queueFamilyIndex = ctx.queue_family();
        VK_CHECK(vkCreateCommandPool(ctx.device(), &pci, nullptr, &pool_));
        VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
        ai.commandPool = pool_;
        ai.commandBufferCount = 1;
        VK_CHECK(vkAllocateCommandBuffers(ctx.device(), &ai, &cmd_));
        VkFenceCreateInfo fci{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
        VK_CHECK(vkCreateFence(ctx.device(), &fci, nullptr, &fence_));
    }
    ~FrameSubmitter() {
        vkDeviceWaitIdle(ctx_.device());
        vkDestroyFence(ctx_.device(), fence_, nullptr);
        vkDestroyCommandPool(ctx_.device(), pool_, nullptr);
    }
    FrameSubmitter(const FrameSubmitter&) = delete;
    FrameSubmitter& operator=(const FrameSubmitter&) = delete;

    VkCommandBuffer begin() {
        // The previous submission was waited for, so its deletion slot can be released too.
        ctx_.begin_frame_slot(0);
        VK_CHECK(vkResetCommandBuffer(cmd_, 0));
        VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
        bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
        VK_CHECK(vkBeginCommandBuffer(cmd_, &bi));
        return cmd_;
    }
    void submit_and_wait() {
        VK_CHECK(vkEndCommandBuffer(cmd_));
        VkCommandBufferSubmitInfo cbi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO};
        cbi.commandBuffer = cmd_;
        VkSubmitInfo2 si{VK_STRUCTURE_TYPE_SUBMIT_INFO_2};
        si.commandBufferInfoCount = 1;
        si.pCommandBufferInfos = &cbi;
        VK_CHECK(vkQueueSubmit2(ctx_.queue(), 1, &si, fence_));
        VK_CHECK(vkWaitForFences(ctx_.device(), 1, &fence_, VK_TRUE, UINT64_MAX));
        VK_CHECK(vkResetFences(ctx_.device(), 1, &fence_));
    }

private:
    engine::Context& ctx_;
    VkCommandPool pool_ = VK_NULL_HANDLE;
    VkCommandBuffer cmd_ = VK_NULL_HANDLE;
    VkFence fence_ = VK_NULL_HANDLE;
};

}  // namespace infrascape
