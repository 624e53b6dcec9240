// Vulkan instance, device and queue set-up; see context.hpp.
#include "context.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "vk_check.hpp"

namespace engine {

namespace {

const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

VKAPI_ATTR VkBool32 VKAPI_CALL debug_callback(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                              VkDebugUtilsMessageTypeFlagsEXT type,
                                              const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
    auto* ctx = static_cast<Context*>(user);
    const char* level = (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) ? "error" : "warning";
    std::fprintf(stderr, "vulkan validation %s: %s\n", level, data->pMessage ? data->pMessage : "");
    ctx->count_validation_message();
    return VK_FALSE;
}

const char* device_type_name(VkPhysicalDeviceType t) {
    switch (t) {
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete";
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated";
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual";
        case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
        default: return "other";
    }
}

int device_rank(VkPhysicalDeviceType t) {
    switch (t) {
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0;
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1;
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
        case VK_PHYSICAL_DEVICE_TYPE_CPU: return 3;
        default: return 4;
    }
}

bool layer_available(const char* name) {
    uint32_t count = 0;
    vkEnumerateInstanceLayerProperties(&count, nullptr);
    std::vector<VkLayerProperties> layers(count);
    vkEnumerateInstanceLayerProperties(&count, layers.data());
    return std::any_of(layers.begin(), layers.end(),
                       [&](const VkLayerProperties& l) { return std::strcmp(l.layerName, name) == 0; });
}

std::vector<VkPhysicalDevice> enumerate(VkInstance instance) {
    uint32_t count = 0;
    VK_CHECK(vkEnumeratePhysicalDevices(instance, &count, nullptr));
    std::vector<VkPhysicalDevice> devices(count);
    VK_CHECK(vkEnumeratePhysicalDevices(instance, &count, devices.data()));
    // Only devices that speak Vulkan 1.3 can run the engine.
    std::erase_if(devices, [](VkPhysicalDevice d) {
        VkPhysicalDeviceProperties p;
        vkGetPhysicalDeviceProperties(d, &p);
        return p.apiVersion < VK_API_VERSION_1_3;
    });
    return devices;
}

}  // namespace

std::vector<DeviceInfo> Context::list_devices() {
    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.apiVersion = VK_API_VERSION_1_3;
    VkInstanceCreateInfo ci{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    ci.pApplicationInfo = &app;
    VkInstance instance;
    VK_CHECK(vkCreateInstance(&ci, nullptr, &instance));
    std::vector<DeviceInfo> out;
    uint32_t i = 0;
    for (VkPhysicalDevice d : enumerate(instance)) {
        VkPhysicalDeviceProperties p;
        vkGetPhysicalDeviceProperties(d, &p);
        out.push_back({i++, p.deviceName, device_type_name(p.deviceType), p.apiVersion});
    }
    vkDestroyInstance(instance, nullptr);
    return out;
}

Context::Context(const ContextOptions& options) {
    create_instance(options);
    pick_device(options.device_index);
    create_device(options);
    // 64 MiB blocks: a few per memory type cover a scene; resources above 16 MiB get their own allocation.
    memory_ = std::make_unique<MemoryPool>(device_, memory_properties_, VkDeviceSize(64) << 20);
}

void Context::create_instance(const ContextOptions& options) {
    validation_ = options.validation;
    if (validation_ && !layer_available(kValidationLayer))
        throw std::runtime_error(
            "--validate needs the Vulkan validation layer (Debian package vulkan-validationlayers)");

    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.pApplicationName = "infrascape";
    app.pEngineName = "infrascape-engine";
    app.apiVersion = VK_API_VERSION_1_3;

    std::vector<const char*> extensions = options.instance_extensions;
    if (validation_) extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);

    VkDebugUtilsMessengerCreateInfoEXT messenger_ci{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
    messenger_ci.messageSeverity =
        VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
    messenger_ci.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                               VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                               VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
    messenger_ci.pfnUserCallback = debug_callback;
    messenger_ci.pUserData = this;

    // Synchronization validation catches missing or wrong barriers (compute -> graphics hand-offs).
    VkValidationFeatureEnableEXT enables[] = {VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT};
    VkValidationFeaturesEXT features{VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT};
    features.enabledValidationFeatureCount = 1;
    features.pEnabledValidationFeatures = enables;
    features.pNext = &messenger_ci;

    VkInstanceCreateInfo ci{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    ci.pApplicationInfo = &app;
    ci.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
    ci.ppEnabledExtensionNames = extensions.data();
    if (validation_) {
        ci.enabledLayerCount = 1;
        ci.ppEnabledLayerNames = &kValidationLayer;
        ci.pNext = &features;
    }
    VK_CHECK(vkCreateInstance(&ci, nullptr, &instance_));

    if (validation_) {
        auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance_, "vkCreateDebugUtilsMessengerEXT"));
        VK_CHECK(create(instance_, &messenger_ci, nullptr, &messenger_));
        set_name_fn_ = reinterpret_cast<PFN_vkSetDebugUtilsObjectNameEXT>(
            vkGetInstanceProcAddr(instance_, "vkSetDebugUtilsObjectNameEXT"));
    }
}

void Context::pick_device(int index) {
    std::vector<VkPhysicalDevice> devices = enumerate(instance_);
    if (devices.empty())
        throw std::runtime_error(
            "no Vulkan 1.3 device found (install mesa-vulkan-drivers for the llvmpipe software device)");
    if (index >= 0) {
        if (index >= static_cast<int>(devices.size()))
            throw std::runtime_error("--device " + std::to_string(index) + ": only " +
                                     std::to_string(devices.size()) + " Vulkan 1.3 device(s); see `infrascape devices`");
        physical_ = devices[index];
    } else {
        physical_ = *std::min_element(devices.begin(), devices.end(), [](VkPhysicalDevice a, VkPhysicalDevice b) {
            VkPhysicalDeviceProperties pa, pb;
            vkGetPhysicalDeviceProperties(a, &pa);
            vkGetPhysicalDeviceProperties(b, &pb);
            return device_rank(pa.deviceType) < device_rank(pb.deviceType);
        });
    }
    vkGetPhysicalDeviceProperties(physical_, &properties_);
    vkGetPhysicalDeviceMemoryProperties(physical_, &memory_properties_);
}

void Context::create_device(const ContextOptions& options) {
    uint32_t count = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(physical_, &count, nullptr);
    std::vector<VkQueueFamilyProperties> families(count);
    vkGetPhysicalDeviceQueueFamilyProperties(physical_, &count, families.data());
    bool found = false;
    for (uint32_t i = 0; i < count; ++i) {
        // One universal queue (graphics + compute + transfer) keeps the synchronization simple; present
        // support is checked against the surface by the swapchain.
        if ((families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT) && (families[i].queueFlags & VK_QUEUE_COMPUTE_BIT)) {
            queue_family_ = i;
            found = true;
            break;
        }
    }
    if (!found) throw std::runtime_error(std::string(properties_.deviceName) + " has no graphics+compute queue");

    float priority = 1.0f;
    VkDeviceQueueCreateInfo qci{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    qci.queueFamilyIndex = queue_family_;
    qci.queueCount = 1;
    qci.pQueuePriorities = &priority;

    // glslc targeting Vulkan 1.3 declares workgroup sizes with LocalSizeId, which needs maintenance4.
    VkPhysicalDeviceVulkan13Features have13{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES};
    VkPhysicalDeviceVulkan11Features have11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
    have13.pNext = &have11;
    VkPhysicalDeviceFeatures2 have{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    have.pNext = &have13;
    vkGetPhysicalDeviceFeatures2(physical_, &have);
    if (!have13.dynamicRendering || !have13.synchronization2 || !have13.maintenance4)
        throw std::runtime_error(std::string(properties_.deviceName) +
                                 " lacks a Vulkan 1.3 feature the engine needs (dynamicRendering, synchronization2, "
                                 "maintenance4)");
    VkPhysicalDeviceVulkan13Features f13{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES};
    f13.maintenance4 = VK_TRUE;
    f13.dynamicRendering = VK_TRUE;
    f13.synchronization2 = VK_TRUE;
    // 16-bit storage where the device has it: the LBM's optional FP16 populations (datacenter.populations).
    VkPhysicalDeviceVulkan11Features f11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
    f11.storageBuffer16BitAccess = have11.storageBuffer16BitAccess;
    f11.pNext = &f13;
    storage16_ = have11.storageBuffer16BitAccess == VK_TRUE;
    VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    f12.timelineSemaphore = VK_TRUE;
    f12.scalarBlockLayout = VK_TRUE;
    f12.pNext = &f11;
    VkPhysicalDeviceFeatures2 f2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    f2.pNext = &f12;
    VkPhysicalDeviceFeatures supported{};
    vkGetPhysicalDeviceFeatures(physical_, &supported);
    f2.features.fillModeNonSolid = supported.fillModeNonSolid;
    f2.features.samplerAnisotropy = supported.samplerAnisotropy;
    f2.features.wideLines = supported.wideLines;

    std::vector<const char*> extensions;
    if (options.swapchain) extensions.push_back(VK_KHR_SWAPCHAIN_EXTENSION_NAME);

    VkDeviceCreateInfo ci{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    ci.pNext = &f2;
    ci.queueCreateInfoCount = 1;
    ci.pQueueCreateInfos = &qci;
    ci.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
    ci.ppEnabledExtensionNames = extensions.data();
    VK_CHECK(vkCreateDevice(physical_, &ci, nullptr, &device_));
    vkGetDeviceQueue(device_, queue_family_, 0, &queue_);

    VkCommandPoolCreateInfo pci{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pci.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT | VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pci.queueFamilyIndex = queue_family_;
    VK_CHECK(vkCreateCommandPool(device_, &pci, nullptr, &transient_pool_));

    VkSemaphoreTypeCreateInfo tci{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
    tci.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
    tci.initialValue = 0;
    VkSemaphoreCreateInfo sci{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
    sci.pNext = &tci;
    VK_CHECK(vkCreateSemaphore(device_, &sci, nullptr, &immediate_timeline_));
}

Context::~Context() {
    if (device_) {
        release_all();
        memory_.reset();
        vkDestroySemaphore(device_, immediate_timeline_, nullptr);
        vkDestroyCommandPool(device_, transient_pool_, nullptr);
        vkDestroyDevice(device_, nullptr);
    }
    if (messenger_) {
        auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
        destroy(instance_, messenger_, nullptr);
    }
    if (instance_) vkDestroyInstance(instance_, nullptr);
}

uint32_t Context::find_memory_type(uint32_t type_bits, VkMemoryPropertyFlags required,
                                   VkMemoryPropertyFlags preferred) const {
    for (int pass = 0; pass < 2; ++pass) {
        VkMemoryPropertyFlags want = pass == 0 ? (required | preferred) : required;
        for (uint32_t i = 0; i < memory_properties_.memoryTypeCount; ++i)
            if ((type_bits & (1u << i)) && (memory_properties_.memoryTypes[i].propertyFlags & want) == want)
                return i;
    }
    throw std::runtime_error("no Vulkan memory type with the required properties");
}

void Context::set_name(VkObjectType type, uint64_t handle, const char* name) const {
    if (!set_name_fn_ || !name) return;
    VkDebugUtilsObjectNameInfoEXT info{VK_STRUCTURE_TYPE_DEBUG_UTILS_OBJECT_NAME_INFO_EXT};
    info.objectType = type;
    info.objectHandle = handle;
    info.pObjectName = name;
    set_name_fn_(device_, &info);
}

void Context::defer(std::function<void()> release) { deletion_[slot_].push_back(std::move(release)); }

void Context::begin_frame_slot(uint32_t slot) {
    slot_ = slot % kFramesInFlight;
    auto queue = std::move(deletion_[slot_]);
    deletion_[slot_].clear();
    // Release in reverse order of destruction requests: views before images, and so on.
    for (auto it = queue.rbegin(); it != queue.rend(); ++it) (*it)();
}

void Context::release_all() {
    vkDeviceWaitIdle(device_);
    // Releasing can defer more releases (a wrapper owning wrappers); loop until quiet.
    for (bool any = true; any;) {
        any = false;
        for (uint32_t s = 0; s < kFramesInFlight; ++s) {
            if (deletion_[s].empty()) continue;
            any = true;
            auto queue = std::move(deletion_[s]);
            deletion_[s].clear();
            for (auto it = queue.rbegin(); it != queue.rend(); ++it) (*it)();
        }
    }
}

void Context::submit_and_wait(const std::function<void(VkCommandBuffer)>& record) {
    VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    ai.commandPool = transient_pool_;
    ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    ai.commandBufferCount = 1;
    VkCommandBuffer cmd;
    VK_CHECK(vkAllocateCommandBuffers(device_, &ai, &cmd));
    VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    VK_CHECK(vkBeginCommandBuffer(cmd, &bi));
    record(cmd);
    VK_CHECK(vkEndCommandBuffer(cmd));

    const uint64_t signal_value = ++immediate_value_;
    VkSemaphoreSubmitInfo signal{VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO};
    signal.semaphore = immediate_timeline_;
    signal.value = signal_value;
    signal.stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
    VkCommandBufferSubmitInfo cbi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO};
    cbi.commandBuffer = cmd;
    VkSubmitInfo2 si{VK_STRUCTURE_TYPE_SUBMIT_INFO_2};
    si.commandBufferInfoCount = 1;
    si.pCommandBufferInfos = &cbi;
    si.signalSemaphoreInfoCount = 1;
    si.pSignalSemaphoreInfos = &signal;
    VK_CHECK(vkQueueSubmit2(queue_, 1, &si, VK_NULL_HANDLE));

    VkSemaphoreWaitInfo wi{VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO};
    wi.semaphoreCount = 1;
    wi.pSemaphores = &immediate_timeline_;
    wi.pValues = &signal_value;
    VK_CHECK(vkWaitSemaphores(device_, &wi, UINT64_MAX));
    vkFreeCommandBuffers(device_, transient_pool_, 1, &cmd);
}

}  // namespace engine
