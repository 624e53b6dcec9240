// The Vulkan context: instance (with the validation layer and a debug messenger when asked), the
// physical device choice (discrete first, `--device N` overrides), the logical device with Vulkan 1.3
// features (dynamic rendering, synchronization2, timeline semaphores), one universal queue, the
// per-frame deletion queues, and immediate submission for uploads and readbacks.
#pragma once

#include <vulkan/vulkan.h>

#include "memory_pool.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace engine {

struct ContextOptions {
    bool validation = false;                       // VK_LAYER_KHRONOS_validation + synchronization validation
    std::vector<const char*> instance_extensions;  // e.g. from glfwGetRequiredInstanceExtensions
    bool swapchain = false;                        // enable VK_KHR_swapchain on the device
    int device_index = -1;                         // -1: choose (discrete > integrated > virtual > cpu)
};

struct DeviceInfo {
    uint32_t index;
    std::string name;
    std::string type;  // "discrete", "integrated", "virtual", "cpu", "other"
    uint32_t api_version;
};

// How many frames the CPU may record ahead of the GPU. Deletion queues hold one slot per frame.
inline constexpr uint32_t kFramesInFlight = 2;

class Context {
public:
    explicit Context(const ContextOptions& options);
    ~Context();
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    static std::vector<DeviceInfo> list_devices();

    VkInstance instance() const { return instance_; }
    VkPhysicalDevice physical_device() const { return physical_; }
    VkDevice device() const { return device_; }
    VkQueue queue() const { return queue_; }
    uint32_t queue_family() const { return queue_family_; }
    const VkPhysicalDeviceProperties& properties() const { return properties_; }
    // 16-bit values in storage buffers (storageBuffer16BitAccess), enabled when the device has it.
    bool storage_16bit() const { return storage16_; }
    const VkPhysicalDeviceMemoryProperties& memory_properties() const { return memory_properties_; }
    std::string device_name() const { return properties_.deviceName; }
    bool validation_enabled() const { return validation_; }
    VkCommandPool transient_pool() const { return transient_pool_; }

    uint32_t find_memory_type(uint32_t type_bits, VkMemoryPropertyFlags required,
                              VkMemoryPropertyFlags preferred = 0) const;
    // Where buffers and images get their memory (memory_pool.hpp), and what each owner holds.
    MemoryPool& memory() { return *memory_; }
    const MemoryPool& memory() const { return *memory_; }

    // Names an object for validation messages and debuggers (no-op without validation).
    void set_name(VkObjectType type, uint64_t handle, const char* name) const;

    // [SECTION] Deletion queue. Destroying a resource hands its release to the current frame slot;
    // it runs when that slot comes round again, after the frame loop has waited on that slot's fence.
    void defer(std::function<void()> release);
    void begin_frame_slot(uint32_t slot);  // caller has waited on the slot's fence
    void release_all();                    // waits for the device to go idle first

    // [SECTION] Immediate submission: records with `record`, submits, and waits on a timeline semaphore.
    void submit_and_wait(const std::function<void(VkCommandBuffer)>& record);

    // Validation messages seen so far (warnings and errors). Tests fail when this is not zero.
    uint64_t validation_messages() const { return validation_messages_.load(); }
    void count_validation_message() { ++validation_messages_; }

private:
    void create_instance(const ContextOptions& options);
    void pick_device(int index);
    void create_device(const ContextOptions& options);

    bool validation_ = false;
    bool storage16_ = false;
    VkInstance instance_ = VK_NULL_HANDLE;
    VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
    VkPhysicalDevice physical_ = VK_NULL_HANDLE;
    VkPhysicalDeviceProperties properties_{};
    VkPhysicalDeviceMemoryProperties memory_properties_{};
    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    uint32_t queue_family_ = 0;
    VkCommandPool transient_pool_ = VK_NULL_HANDLE;
    VkSemaphore immediate_timeline_ = VK_NULL_HANDLE;
    uint64_t immediate_value_ = 0;
    PFN_vkSetDebugUtilsObjectNameEXT set_name_fn_ = nullptr;

    std::unique_ptr<MemoryPool> memory_;
    std::array<std::vector<std::function<void()>>, kFramesInFlight> deletion_{};
    uint32_t slot_ = 0;
    std::atomic<uint64_t> validation_messages_{0};
};

}  // namespace engine
