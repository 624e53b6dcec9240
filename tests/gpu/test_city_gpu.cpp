// The city automaton's compute passes against the C++ reference, cell for cell, for the same seed.
#include <catch2/catch.hpp>

#include "city/ca_shared.h"
#include "gpu_test_support.hpp"
#include "modules/city/sleuth.hpp"
#include "pipeline.hpp"
#include "resources.hpp"

using namespace infrascape::city;

namespace {

struct StatsPush {
    float origin_cell[4], centre[4];
    uint32_t nx, ny, pad0, pad1;
};

// Runs the given passes (0 spontaneous, 1 spread, 2 roads) on the GPU from `in`. Before each generation the
// statistics pass counts the built cells, as the module does.
std::vector<uint32_t> run_gpu(engine::Context& gpu, const CaGrid& in, const CaRates& r, uint32_t seed,
                              uint32_t first_generation, const std::vector<int>& passes, int generations) {
    const size_t cells = in.state.size();
    engine::Buffer a(gpu, cells * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "a");
    engine::Buffer b(gpu, cells * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "b");
    engine::Buffer slope(gpu, cells * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "slope");
    engine::Buffer stats(gpu, 16, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "stats");
    engine::Buffer near_new(gpu, cells * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "near new");
    a.upload(in.state.data(), cells * 4);
    slope.upload(in.slope_weight.data(), cells * 4);
    // Pass B alone has no pass A to mark new growth: give it the mask of its input's new cells.
    const bool spread_alone = passes.size() == 1 && passes[0] == 1;
    if (spread_alone) {
        std::vector<uint32_t> mask(cells, 0);
        const int nx = int(in.nx), ny = int(in.ny), rr = r.road_radius;
        for (int j = 0; j < ny; ++j)
            for (int i = 0; i < nx; ++i)
                if (in.state[size_t(j) * nx + i] & CA_NEW)
                    for (int dj = -rr; dj <= rr; ++dj)
                        for (int di = -rr; di <= rr; ++di)
                            if (i + di >= 0 && j + dj >= 0 && i + di < nx && j + dj < ny) mask[size_t(j + dj) * nx + i + di] = 1;
        near_new.upload(mask.data(), cells * 4);
    }
    const std::vector<engine::Binding> bindings = {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                   {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                   {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                   {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                   {4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT}};
    engine::Pipeline count = engine::Pipeline::compute(gpu, "city/stats.comp", {bindings[0], bindings[1]}, sizeof(StatsPush), "stats");
    const char* shaders[3] = {"city/ca_spontaneous.comp", "city/ca_spread.comp", "city/ca_roads.comp"};
    engine::DescriptorAllocator alloc(gpu);
    engine::Pipeline pipes[3];
    VkDescriptorSet sets[3][2];
    for (int p = 0; p < 3; ++p) {
        pipes[p] = engine::Pipeline::compute(gpu, shaders[p], bindings, sizeof(CaPush), shaders[p]);
        for (int from = 0; from < 2; ++from) {
            sets[p][from] = alloc.allocate(pipes[p].set_layout());
            engine::DescriptorWriter()
                .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, from ? b : a)
                .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, from ? a : b)
                .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, slope)
                .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, stats)
                .buffer(4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, near_new)
                .write(gpu.device(), sets[p][from]);
        }
    }
    VkDescriptorSet count_sets[2];
    for (int from = 0; from < 2; ++from) {
        count_sets[from] = alloc.allocate(count.set_layout());
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, from ? b : a)
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, stats)
            .write(gpu.device(), count_sets[from]);
    }
    int current = 0;
    gpu.submit_and_wait([&](VkCommandBuffer cmd) {
        slope.use(cmd, engine::Access::ComputeRead);
        for (int g = 0; g < generations; ++g) {
            stats.use(cmd, engine::Access::TransferDst);
            vkCmdFillBuffer(cmd, stats.handle(), 0, 16, 0);
            stats.use(cmd, engine::Access::ComputeWrite);
            (current ? b : a).use(cmd, engine::Access::ComputeRead);
            count.bind(cmd, count_sets[current]);
            count.push(cmd, StatsPush{{0, 0, 1, 0}, {0, 0, 1000, 0}, in.nx, in.ny, 0, 0});
            engine::dispatch_2d(cmd, in.nx, in.ny, 16, 16);
            stats.use(cmd, engine::Access::ComputeRead);
            if (!spread_alone) {
                near_new.use(cmd, engine::Access::TransferDst);
                vkCmdFillBuffer(cmd, near_new.handle(), 0, VK_WHOLE_SIZE, 0);
            }
            for (int p : passes) {
                near_new.use(cmd, p == 0 ? engine::Access::ComputeWrite : engine::Access::ComputeRead);
                const CaPush push = make_ca_push(in.nx, in.ny, first_generation + uint32_t(g), seed, r);
                engine::Buffer& src = current ? b : a;
                engine::Buffer& dst = current ? a : b;
                src.use(cmd, engine::Access::ComputeRead);
                dst.use(cmd, engine::Access::ComputeWrite);
                pipes[p].bind(cmd, sets[p][current]);
                pipes[p].push(cmd, push);
                engine::dispatch_2d(cmd, in.nx, in.ny, CA_LOCAL_X, CA_LOCAL_Y);
                current = 1 - current;
            }
        }
    });
    std::vector<uint32_t> out(cells);
    (current ? b : a).download(out.data(), cells * 4);
    return out;
}

CaGrid random_grid(uint32_t nx, uint32_t ny, uint32_t seed) {
    CaGrid g;
    g.nx = nx;
    g.ny = ny;
    g.state.resize(size_t(nx) * ny);
    g.slope_weight.resize(g.state.size());
    for (uint32_t k = 0; k < g.state.size(); ++k) {
        float u = ca_random(seed, 99, k, 0), v = ca_random(seed, 98, k, 0);
        uint32_t s = u < 0.25f ? CA_URBAN : u < 0.30f ? CA_ROAD : u < 0.33f ? CA_WATER : u < 0.34f ? CA_EXCLUDED : 0u;
        if ((s & CA_URBAN) && v < 0.3f) s |= CA_NEW | (v < 0.15f ? CA_NEW_SPONT : 0u);
        if ((k % nx) % 4 == 0 && v > 0.8f) s |= CA_ROAD;
        g.state[k] = s;
        g.slope_weight[k] = ca_random(seed, 97, k, 0);
    }
    return g;
}

}  // namespace

TEST_CASE("city automaton: each rule on the GPU equals the C++ reference cell for cell", "[gpu][city]") {
    auto gpu = test::validated_context();
    {
        const CaGrid g = random_grid(37, 29, 5);  // not a multiple of the 16x16 workgroup
        CaRates r;
        r.p_spont = 0.2f;
        r.p_breed = 0.6f;
        r.p_spread = 0.7f;
        r.p_road = 0.5f;
        r.road_radius = 3;
        r.road_spacing = 4;
        const uint32_t built = uint32_t(ca_counts(g).built);
        r.target_built = built + 50;  // a partial demand: the rules run at 50/80 of their rates
        r.ramp = 80;
        SECTION("spontaneous") { CHECK(run_gpu(*gpu, g, r, 11, 3, {0}, 1) == ca_pass_spontaneous(g, r, 11, 3, built).state); }
        SECTION("breed, spread and road-influenced") { CHECK(run_gpu(*gpu, g, r, 11, 3, {1}, 1) == ca_pass_spread(g, r, 11, 3, built).state); }
        SECTION("roads") { CHECK(run_gpu(*gpu, g, r, 11, 3, {2}, 1) == ca_pass_roads(g, r).state); }
        SECTION("twelve whole generations") {
            CaGrid ref = g;
            r.target_built = built + 400;  // demand met part way through: the pressure falls generation by generation
            r.ramp = 200;
            for (uint32_t gen = 0; gen < 12; ++gen) ref = ca_generation(ref, r, 11, gen);
            CHECK(run_gpu(*gpu, g, r, 11, 0, {0, 1, 2}, 12) == ref.state);
        }
    }
    gpu->release_all();
    CHECK(gpu->validation_messages() == 0);
}
