// Device memory sub-allocation: buffers and images take ranges of large blocks (one VkDeviceMemory per block,
// per memory type, buffers and images in separate pools so bufferImageGranularity never matters), so a scene
// with many modules and levels of detail stays far below the 4,096 allocations some drivers allow. Written by
// hand: VMA is not packaged in Debian 12 (README "Written by hand").
//
// Each block keeps its free ranges in an ordered map (offset -> size): allocation takes the first range that
// fits with the alignment, freeing merges a range with its free neighbours, so no defragmentation is needed
// for the engine's pattern (a few hundred resources, most living as long as the scene). A request larger than a
// quarter of a block gets a dedicated allocation. Host-visible blocks are mapped once, for good.
//
// Every allocation is charged to the owner named by the innermost MemoryOwner scope (a module's name while the
// session attaches or steps it; "engine" otherwise), and usage() reports the bytes per owner. Before creating a
// block or a dedicated allocation, the pool checks the heap's size and throws OutOfDeviceMemory with what is in
// use and by whom, rather than letting the driver fail somewhere inside a module.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace engine {

class OutOfDeviceMemory : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Allocation {
    VkDeviceMemory memory = VK_NULL_HANDLE;
    VkDeviceSize offset = 0, size = 0;
    void* mapped = nullptr;  // at `offset`, for host-visible memory
    bool coherent = true;
    uint32_t type = 0;
    int32_t block = -1;  // index into the pool's blocks of that kind; -1: dedicated
    uint32_t owner = 0;  // index into the owner names
};

struct MemoryUse {
    std::string owner;
    VkDeviceSize bytes = 0;  // bound to its resources (aligned sizes)
    uint32_t resources = 0;
};

class MemoryPool {
public:
    MemoryPool(VkDevice device, const VkPhysicalDeviceMemoryProperties& properties, VkDeviceSize block_bytes);
    ~MemoryPool();  // frees every block (the resources must be gone)
    MemoryPool(const MemoryPool&) = delete;
    MemoryPool& operator=(const MemoryPool&) = delete;

    // A range for a resource with these requirements in memory type `type`. Throws OutOfDeviceMemory when the
    // heap cannot hold it, std::runtime_error when the driver refuses.
    Allocation allocate(const VkMemoryRequirements& req, uint32_t type, bool image);
    void free(const Allocation& a);

    // The owner later allocations are charged to (MemoryOwner sets and restores it).
    std::string owner() const;
    void set_owner(const std::string& owner);

    std::vector<MemoryUse> usage() const;  // per owner with bytes in use, largest first
    VkDeviceSize bytes_in_use() const;     // bound to resources
    VkDeviceSize bytes_reserved() const;   // device memory held (blocks and dedicated allocations)
    uint32_t device_allocations() const;   // VkDeviceMemory objects held

private:
    struct Block {
        VkDeviceMemory memory = VK_NULL_HANDLE;
        VkDeviceSize size = 0;
        void* mapped = nullptr;
        std::map<VkDeviceSize, VkDeviceSize> free;  // offset -> size
        uint32_t type = 0;
        bool image = false;
        uint32_t live = 0;
    };
    VkDeviceMemory create_memory(VkDeviceSize size, uint32_t type, void** mapped);
    void check_heap(uint32_t type, VkDeviceSize size) const;
    uint32_t owner_index(const std::string& name);

    VkDevice device_;
    VkPhysicalDeviceMemoryProperties props_;
    VkDeviceSize block_bytes_;
    mutable std::mutex mutex_;
    std::vector<Block> blocks_;
    std::vector<VkDeviceSize> heap_reserved_;  // per heap
    std::vector<std::string> owners_;
    std::vector<MemoryUse> use_;  // per owner index
    uint32_t current_owner_ = 0;
    uint32_t dedicated_ = 0;
};

// Charges the allocations made while it lives to `owner` (nests; restores the previous owner).
class MemoryOwner {
public:
    MemoryOwner(MemoryPool& pool, const std::string& owner) : pool_(pool), previous_(pool.owner()) { pool.set_owner(owner); }
    ~MemoryOwner() { pool_.set_owner(previous_); }
    MemoryOwner(const MemoryOwner&) = delete;
    MemoryOwner& operator=(const MemoryOwner&) = delete;

private:
    MemoryPool& pool_;
    std::string previous_;
};

}  // namespace engine
