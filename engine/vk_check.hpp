// Vulkan error handling: a failed call during start-up or resource creation throws VulkanError naming
// the call, the VkResult and the source location. The frame loop treats OUT_OF_DATE/SUBOPTIMAL as events.
#pragma once

#include <vulkan/vulkan.h>

#include <stdexcept>
#include <string>

namespace engine {

const char* vk_result_name(VkResult result);

class VulkanError : public std::runtime_error {
public:
    VulkanError(const char* call, VkResult result, const char* file, int line);
    VkResult result() const { return result_; }

private:
    VkResult result_;
};

}  // namespace engine

#define VK_CHECK(call)                                                                \
    do {                                                                              \
        VkResult vk_check_result_ = (call);                                           \
        if (vk_check_result_ != VK_SUCCESS)                                           \
            throw ::engine::VulkanError(#call, vk_check_result_, __FILE__, __LINE__); \
    } while (0)
