// The engine's device memory sub-allocation (engine/memory_pool.hpp) on the headless device with validation on:
// thousands of buffers in a handful of device allocations without overlapping, freed ranges merged and reused,
// bytes charged to their owners, and a request beyond the heap refused with what holds it.
#include <catch2/catch.hpp>

#include <cstring>
#include <memory>
#include <vector>

#include "context.hpp"
#include "gpu_test_support.hpp"
#include "memory_pool.hpp"
#include "resources.hpp"

TEST_CASE("thousands of buffers share a few device allocations without overlapping", "[gpu][memory]") {
    auto gpu = test::validated_context();
    const uint32_t before = gpu->memory().device_allocations();
    const VkDeviceSize used_before = gpu->memory().bytes_in_use();
    {
        std::vector<engine::Buffer> buffers;
        // Sizes that are not multiples of each other, mapped (Upload) so their contents can be checked directly.
        for (uint32_t i = 0; i < 3000; ++i)
            buffers.emplace_back(*gpu, 16 + 4 * (i % 97), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Upload, "small");
        for (uint32_t i = 0; i < buffers.size(); ++i) std::memset(buffers[i].mapped(), int(i % 251), buffers[i].size());
        bool intact = true;
        for (uint32_t i = 0; i < buffers.size(); ++i) {
            const auto* p = static_cast<const unsigned char*>(buffers[i].mapped());
            for (VkDeviceSize b = 0; b < buffers[i].size(); ++b) intact = intact && p[b] == i % 251;
        }
        CHECK(intact);  // no two buffers share a byte
        // And device-local storage buffers beside them, written through the GPU and read back.
        std::vector<engine::Buffer> device;
        for (uint32_t i = 0; i < 200; ++i) {
            device.emplace_back(*gpu, 1024 + 64 * (i % 13), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "device");
            std::vector<uint32_t> v(device.back().size() / 4, i);
            device.back().upload(v.data(), device.back().size());
        }
        for (uint32_t i = 0; i < device.size(); i += 37) {
            std::vector<uint32_t> v(device[i].size() / 4);
            device[i].download(v.data(), device[i].size());
            CHECK(v == std::vector<uint32_t>(v.size(), i));
        }
        INFO(gpu->memory().device_allocations() << " device allocations for 3,200 buffers");
        CHECK(gpu->memory().device_allocations() <= before + 4);
    }
    gpu->release_all();
    CHECK(gpu->memory().bytes_in_use() == used_before);
    CHECK(gpu->validation_messages() == 0);
}

TEST_CASE("freed ranges merge with their neighbours and are reused; owners are charged what they hold", "[gpu][memory]") {
    auto gpu = test::validated_context();
    engine::MemoryPool pool(gpu->device(), gpu->memory_properties(), VkDeviceSize(1) << 20);
    const uint32_t type = gpu->find_memory_type(~0u, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT);
    VkMemoryRequirements req{4096, 256, ~0u};
    engine::Allocation a, b, c;
    {
        engine::MemoryOwner owner(pool, "alpha");
        a = pool.allocate(req, type, false);
        b = pool.allocate(req, type, false);
    }
    c = pool.allocate(req, type, false);
    REQUIRE(a.memory == b.memory);
    REQUIRE(b.memory == c.memory);
    CHECK(b.offset == a.offset + 4096);
    CHECK(c.offset == b.offset + 4096);
    CHECK(a.offset % 256 == 0);
    const auto use = pool.usage();
    REQUIRE(use.size() == 2);
    CHECK(use[0].owner == "alpha");
    CHECK(use[0].bytes == 8192);
    CHECK(use[0].resources == 2);
    CHECK(use[1].owner == "engine");
    CHECK(use[1].bytes == 4096);
    // Free the first two: one 8 KiB range at a's offset, which an 8 KiB request then takes.
    pool.free(b);
    pool.free(a);
    req.size = 8192;
    const engine::Allocation d = pool.allocate(req, type, false);
    CHECK(d.memory == a.memory);
    CHECK(d.offset == a.offset);
    // A request above a quarter of a block gets its own allocation.
    req.size = 512 * 1024;
    const engine::Allocation e = pool.allocate(req, type, false);
    CHECK(e.block == -1);
    CHECK(pool.device_allocations() == 2);
    pool.free(c);
    pool.free(d);
    pool.free(e);
    CHECK(pool.bytes_in_use() == 0);
    CHECK(pool.device_allocations() == 1);  // the last block of its kind is kept for the next resource
    CHECK(gpu->validation_messages() == 0);
}

TEST_CASE("a request beyond the heap is refused before allocating, saying what holds the heap", "[gpu][memory]") {
    auto gpu = test::validated_context();
    // The device's own memory types over a heap said to hold 3 MiB.
    VkPhysicalDeviceMemoryProperties small = gpu->memory_properties();
    for (uint32_t h = 0; h < small.memoryHeapCount; ++h) small.memoryHeaps[h].size = 3u << 20;
    engine::MemoryPool pool(gpu->device(), small, VkDeviceSize(1) << 20);
    const uint32_t type = gpu->find_memory_type(~0u, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT);
    VkMemoryRequirements req{2u << 20, 256, ~0u};  // dedicated (above a quarter of a block)
    engine::Allocation held;
    {
        engine::MemoryOwner owner(pool, "flood");
        held = pool.allocate(req, type, false);
    }
    engine::MemoryOwner owner(pool, "city:houston");
    try {
        pool.allocate(req, type, false);
        FAIL("a second 2 MiB fitted a 3 MiB heap");
    } catch (const engine::OutOfDeviceMemory& e) {
        const std::string what = e.what();
        INFO(what);
        CHECK(what.find("city:houston needs 2.0 MiB more") != std::string::npos);
        CHECK(what.find("(3.0 MiB) already holds 2.0 MiB (flood 2.0 MiB)") != std::string::npos);
    }
    CHECK(pool.device_allocations() == 1);
    pool.free(held);
    CHECK(gpu->validation_messages() == 0);
}
