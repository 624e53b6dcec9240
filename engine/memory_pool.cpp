// Device memory sub-allocation; see memory_pool.hpp.
#include "memory_pool.hpp"

#include <algorithm>
#include <cstdio>

#include "vk_check.hpp"

namespace engine {

namespace {

VkDeviceSize align_up(VkDeviceSize v, VkDeviceSize a) { return a <= 1 ? v : (v + a - 1) / a * a; }

std::string mib(VkDeviceSize bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MiB", double(bytes) / 1048576.0);
    return text;
}

}  // namespace

MemoryPool::MemoryPool(VkDevice device, const VkPhysicalDeviceMemoryProperties& properties, VkDeviceSize block_bytes)
    : device_(device), props_(properties), block_bytes_(block_bytes), heap_reserved_(properties.memoryHeapCount, 0) {
    owner_index("engine");
}

MemoryPool::~MemoryPool() {
    for (Block& b : blocks_)
        if (b.memory) vkFreeMemory(device_, b.memory, nullptr);
}

VkDeviceMemory MemoryPool::create_memory(VkDeviceSize size, uint32_t type, void** mapped) {
    check_heap(type, size);
    VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    ai.allocationSize = size;
    ai.memoryTypeIndex = type;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    VK_CHECK(vkAllocateMemory(device_, &ai, nullptr, &memory));
    if (props_.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)
        VK_CHECK(vkMapMemory(device_, memory, 0, VK_WHOLE_SIZE, 0, mapped));
    heap_reserved_[props_.memoryTypes[type].heapIndex] += size;
    return memory;
}

void MemoryPool::check_heap(uint32_t type, VkDeviceSize size) const {
    const uint32_t heap = props_.memoryTypes[type].heapIndex;
    const VkDeviceSize capacity = props_.memoryHeaps[heap].size;
    if (heap_reserved_[heap] + size <= capacity) return;
    std::string who;
    for (const MemoryUse& u : use_)
        if (u.bytes) who += (who.empty() ? "" : ", ") + u.owner + " " + mib(u.bytes);
    throw OutOfDeviceMemory("device memory: " + owners_[current_owner_] + " needs " + mib(size) + " more, but heap " +
                            std::to_string(heap) + " (" + mib(capacity) + ") already holds " + mib(heap_reserved_[heap]) +
                            (who.empty() ? "" : " (" + who + ")"));
}

Allocation MemoryPool::allocate(const VkMemoryRequirements& req, uint32_t type, bool image) {
    std::lock_guard lock(mutex_);
    Allocation a;
    a.type = type;
    a.owner = current_owner_;
    a.coherent = props_.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    a.size = req.size;
    if (req.size > block_bytes_ / 4) {  // dedicated
        void* mapped = nullptr;
        a.memory = create_memory(req.size, type, &mapped);
        a.mapped = mapped;
        ++dedicated_;
    } else {
        auto place = [&](int32_t bi) {
            Block& b = blocks_[size_t(bi)];
            for (auto it = b.free.begin(); it != b.free.end(); ++it) {
                const VkDeviceSize start = align_up(it->first, req.alignment);
                const VkDeviceSize end = it->first + it->second;
                if (start + req.size > end) continue;
                const VkDeviceSize range_start = it->first;
                b.free.erase(it);
                if (start > range_start) b.free[range_start] = start - range_start;
                if (start + req.size < end) b.free[start + req.size] = end - (start + req.size);
                a.memory = b.memory;
                a.offset = start;
                a.block = bi;
                a.mapped = b.mapped ? static_cast<char*>(b.mapped) + start : nullptr;
                ++b.live;
                return true;
            }
            return false;
        };
        bool placed = false;
        for (size_t bi = 0; bi < blocks_.size() && !placed; ++bi)
            if (blocks_[bi].memory && blocks_[bi].type == type && blocks_[bi].image == image) placed = place(int32_t(bi));
        if (!placed) {
            Block b;
            b.size = block_bytes_;
            b.type = type;
            b.image = image;
            b.memory = create_memory(b.size, type, &b.mapped);
            b.free[0] = b.size;
            // Reuse a slot a freed block left.
            auto slot = std::find_if(blocks_.begin(), blocks_.end(), [](const Block& x) { return !x.memory; });
            int32_t bi;
            if (slot != blocks_.end()) {
                *slot = std::move(b);
                bi = int32_t(slot - blocks_.begin());
            } else {
                blocks_.push_back(std::move(b));
                bi = int32_t(blocks_.size() - 1);
            }
            place(bi);
        }
    }
    MemoryUse& u = use_[a.owner];
    u.bytes += a.size;
    ++u.resources;
    return a;
}

void MemoryPool::free(const Allocation& a) {
    if (!a.memory) return;
    std::lock_guard lock(mutex_);
    MemoryUse& u = use_[a.owner];
    u.bytes -= a.size;
    --u.resources;
    const uint32_t heap = props_.memoryTypes[a.type].heapIndex;
    if (a.block < 0) {
        vkFreeMemory(device_, a.memory, nullptr);
        heap_reserved_[heap] -= a.size;
        --dedicated_;
        return;
    }
    Block& b = blocks_[size_t(a.block)];
    VkDeviceSize start = a.offset, size = a.size;
    auto next = b.free.lower_bound(start);
    if (next != b.free.end() && start + size == next->first) {  // merge with the range after
        size += next->second;
        next = b.free.erase(next);
    }
    if (next != b.free.begin()) {  // and with the range before
        auto prev = std::prev(next);
        if (prev->first + prev->second == start) {
            start = prev->first;
            size += prev->second;
            b.free.erase(prev);
        }
    }
    b.free[start] = size;
    // An empty block goes back to the driver, unless it is the last of its kind (the next resource would
    // only allocate it again).
    if (--b.live == 0) {
        const auto same = std::count_if(blocks_.begin(), blocks_.end(),
                                        [&](const Block& x) { return x.memory && x.type == b.type && x.image == b.image; });
        if (same > 1) {
            vkFreeMemory(device_, b.memory, nullptr);
            heap_reserved_[heap] -= b.size;
            b = Block{};
        }
    }
}

uint32_t MemoryPool::owner_index(const std::string& name) {
    for (size_t i = 0; i < owners_.size(); ++i)
        if (owners_[i] == name) return uint32_t(i);
    owners_.push_back(name);
    use_.push_back(MemoryUse{name, 0, 0});
    return uint32_t(owners_.size() - 1);
}

std::string MemoryPool::owner() const {
    std::lock_guard lock(mutex_);
    return owners_[current_owner_];
}

void MemoryPool::set_owner(const std::string& owner) {
    std::lock_guard lock(mutex_);
    current_owner_ = owner_index(owner);
}

std::vector<MemoryUse> MemoryPool::usage() const {
    std::lock_guard lock(mutex_);
    std::vector<MemoryUse> out;
    for (const MemoryUse& u : use_)
        if (u.resources) out.push_back(u);
    std::sort(out.begin(), out.end(), [](const MemoryUse& a, const MemoryUse& b) { return a.bytes > b.bytes; });
    return out;
}

VkDeviceSize MemoryPool::bytes_in_use() const {
    std::lock_guard lock(mutex_);
    VkDeviceSize s = 0;
    for (const MemoryUse& u : use_) s += u.bytes;
    return s;
}

VkDeviceSize MemoryPool::bytes_reserved() const {
    std::lock_guard lock(mutex_);
    VkDeviceSize s = 0;
    for (VkDeviceSize h : heap_reserved_) s += h;
    return s;
}

uint32_t MemoryPool::device_allocations() const {
    std::lock_guard lock(mutex_);
    uint32_t n = dedicated_;
    for (const Block& b : blocks_) n += b.memory ? 1 : 0;
    return n;
}

}  // namespace engine
