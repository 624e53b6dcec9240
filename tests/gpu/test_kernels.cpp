// GPU compute kernels against their CPU references, on the headless device with validation on.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "gpu_test_support.hpp"
#include "modules/example/diffusion_reference.hpp"
#include "pipeline.hpp"
#include "resources.hpp"

using namespace infrascape::example;

namespace {
struct DiffusePush {
    uint32_t nx, ny;
    float dt_s, r, cooling;
};
}  // namespace

TEST_CASE("example diffusion kernel matches its C++ reference", "[gpu][example]") {
    auto gpu = test::validated_context();
    {
        // A grid that is not a multiple of the 16x16 workgroup, random data, a source and cooling.
        DiffusionGrid g{67, 45, 12.5};
        const size_t n = size_t(g.nx) * g.ny;
        std::mt19937 rng(3);
        std::uniform_real_distribution<float> uni(0.0f, 5.0f);
        std::vector<float> t(n), src(n);
        for (auto& v : t) v = uni(rng);
        for (auto& v : src) v = uni(rng) * 1e-3f;
        const float dt = 2.0f, d = 15.0f, cooling = 1e-3f;

        engine::Buffer a(*gpu, n * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "a");
        engine::Buffer b(*gpu, n * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "b");
        engine::Buffer s(*gpu, n * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "s");
        a.upload(t.data(), n * 4);
        s.upload(src.data(), n * 4);
        engine::Pipeline p = engine::Pipeline::compute(
            *gpu, "example/diffuse.comp",
            {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
             {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
             {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT}},
            sizeof(DiffusePush), "test diffuse");
        engine::DescriptorAllocator alloc(*gpu);
        VkDescriptorSet ab = alloc.allocate(p.set_layout()), ba = alloc.allocate(p.set_layout());
        engine::DescriptorWriter().buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, a).buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, b)
            .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, s).write(gpu->device(), ab);
        engine::DescriptorWriter().buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, b).buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, a)
            .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, s).write(gpu->device(), ba);
        const int steps = 20;
        gpu->submit_and_wait([&](VkCommandBuffer cmd) {
            s.use(cmd, engine::Access::ComputeRead);
            for (int k = 0; k < steps; ++k) {
                engine::Buffer& in = k % 2 ? b : a;
                engine::Buffer& out = k % 2 ? a : b;
                in.use(cmd, engine::Access::ComputeRead);
                out.use(cmd, engine::Access::ComputeWrite);
                p.bind(cmd, k % 2 ? ba : ab);
                p.push(cmd, DiffusePush{g.nx, g.ny, dt, d / float(g.dx_m * g.dx_m), cooling});
                engine::dispatch_2d(cmd, g.nx, g.ny, 16, 16);
            }
        });
        std::vector<float> gpu_result(n), ref = t, tmp;
        a.download(gpu_result.data(), n * 4);  // an even number of steps ends in `a`
        for (int k = 0; k < steps; ++k) {
            diffusion_step(g, ref, src, dt, d, cooling, tmp);
            ref.swap(tmp);
        }
        double max_rel = 0;
        for (size_t k = 0; k < n; ++k) max_rel = std::max(max_rel, double(std::abs(gpu_result[k] - ref[k]) / (std::abs(ref[k]) + 1e-3f)));
        INFO("max relative difference " << max_rel);
        CHECK(max_rel < 1e-5);  // same scheme and order; only FMA contraction may differ
    }
    gpu->release_all();
    CHECK(gpu->validation_messages() == 0);
}

TEST_CASE("the bench's copy kernels copy exactly", "[gpu]") {
    auto gpu = test::validated_context();
    struct Variant {
        const char* shader;
        uint32_t local, per_invocation;
    };
    for (const Variant v : {Variant{"engine/copy.comp", 256, 1}, Variant{"engine/copy_x4.comp", 256, 4},
                            Variant{"engine/copy_1024_x16.comp", 1024, 16}}) {
        INFO(v.shader);
        const uint32_t words = 70000;  // not a multiple of the workgroup or the row
        std::vector<uint32_t> in(words * 4), out(words * 4, 0);
        for (size_t i = 0; i < in.size(); ++i) in[i] = uint32_t(i * 2654435761u);
        engine::Buffer src(*gpu, in.size() * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "src");
        engine::Buffer dst(*gpu, in.size() * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "dst");
        src.upload(in.data(), in.size() * 4);
        engine::Pipeline p = engine::Pipeline::compute(
            *gpu, v.shader,
            {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
             {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT}},
            8, "copy");
        engine::DescriptorAllocator alloc(*gpu);
        VkDescriptorSet set = alloc.allocate(p.set_layout());
        engine::DescriptorWriter().buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, src).buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, dst)
            .write(gpu->device(), set);
        const uint32_t row = 4096;
        const uint32_t invocations = (words + v.per_invocation - 1) / v.per_invocation;
        gpu->submit_and_wait([&](VkCommandBuffer cmd) {
            src.use(cmd, engine::Access::ComputeRead);
            dst.use(cmd, engine::Access::ComputeWrite);
            p.bind(cmd, set);
            uint32_t push[2] = {words, row};
            p.push(cmd, push, 8);
            engine::dispatch_2d(cmd, row, (invocations + row - 1) / row, v.local, 1);
        });
        dst.download(out.data(), out.size() * 4);
        CHECK(out == in);
    }
    gpu->release_all();
    CHECK(gpu->validation_messages() == 0);
}
