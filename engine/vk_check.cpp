// Names for VkResult values, so errors read "vkCreateDevice(...) failed: VK_ERROR_INITIALIZATION_FAILED".
#include "vk_check.hpp"

namespace engine {

const char* vk_result_name(VkResult r) {
    switch (r) {
#define NAME(x) \
    case x:     \
        return #x;
        NAME(VK_SUCCESS)
        NAME(VK_NOT_READY)
        NAME(VK_TIMEOUT)
        NAME(VK_EVENT_SET)
        NAME(VK_EVENT_RESET)
        NAME(VK_INCOMPLETE)
        NAME(VK_ERROR_OUT_OF_HOST_MEMORY)
        NAME(VK_ERROR_OUT_OF_DEVICE_MEMORY)
        NAME(VK_ERROR_INITIALIZATION_FAILED)
        NAME(VK_ERROR_DEVICE_LOST)
        NAME(VK_ERROR_MEMORY_MAP_FAILED)
        NAME(VK_ERROR_LAYER_NOT_PRESENT)
        NAME(VK_ERROR_EXTENSION_NOT_PRESENT)
        NAME(VK_ERROR_FEATURE_NOT_PRESENT)
        NAME(VK_ERROR_INCOMPATIBLE_DRIVER)
        NAME(VK_ERROR_TOO_MANY_OBJECTS)
        NAME(VK_ERROR_FORMAT_NOT_SUPPORTED)
        NAME(VK_ERROR_FRAGMENTED_POOL)
        NAME(VK_ERROR_UNKNOWN)
        NAME(VK_ERROR_OUT_OF_POOL_MEMORY)
        NAME(VK_ERROR_INVALID_EXTERNAL_HANDLE)
        NAME(VK_ERROR_FRAGMENTATION)
        NAME(VK_ERROR_SURFACE_LOST_KHR)
        NAME(VK_ERROR_NATIVE_WINDOW_IN_USE_KHR)
        NAME(VK_SUBOPTIMAL_KHR)
        NAME(VK_ERROR_OUT_OF_DATE_KHR)
        NAME(VK_ERROR_VALIDATION_FAILED_EXT)
#undef NAME
        default:
            return "VK_RESULT_UNKNOWN";
    }
}

static std::string describe(const char* call, VkResult result, const char* file, int line) {
    return std::string(call) + " failed: " + vk_result_name(result) + " (" + file + ":" + std::to_string(line) +
           ")";
}

VulkanError::VulkanError(const char* call, VkResult result, const char* file, int line)
    : std::runtime_error(describe(call, result, file, line)), result_(result) {}

}  // namespace engine
