// The City module; see city_module.hpp and src/modules/README.md.
#include "modules/city/city_module_impl.hpp"

namespace infrascape::city {

std::vector<BenchKernel> CityModule::bench_kernels(engine::Context& gpu) {
    // One automaton generation (three passes) on square grids with 10% built land and a road grid, independent
    // of any scene. Bytes: each pass reads and writes the state once and reads the slope weights.
    struct State {
        engine::Pipeline passes[3];
        std::unique_ptr<engine::DescriptorAllocator> descriptors;
        engine::Buffer a, b, slope, stats, near_new;
        VkDescriptorSet sets[3][2]{};
        uint32_t n = 0, generation = 0;
        int current = 0;
    };
    std::vector<BenchKernel> out;
    const std::vector<engine::Binding> bindings = {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                   {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                   {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                   {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                   {4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT}};
    const char* shaders[3] = {"city/ca_spontaneous.comp", "city/ca_spread.comp", "city/ca_roads.comp"};
    for (uint32_t n : {512u, 1024u, 2048u}) {
        auto st = std::make_shared<State>();
        st->n = n;
        const size_t cells = size_t(n) * n;
        std::vector<uint32_t> grid(cells, 0);
        for (size_t k = 0; k < cells; ++k) {
            const uint32_t i = uint32_t(k % n), j = uint32_t(k / n);
            if (i % 8 == 0 || j % 8 == 0) grid[k] = CA_ROAD;
            else if (ca_random(1, 0, uint32_t(k), 0) < 0.1f) grid[k] = CA_URBAN;
        }
        std::vector<float> slope(cells, 0.9f);
        st->a = engine::Buffer(gpu, cells * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "bench city a");
        st->b = engine::Buffer(gpu, cells * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "bench city b");
        st->slope = engine::Buffer(gpu, cells * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "bench slope");
        st->a.upload(grid.data(), cells * 4);
        st->slope.upload(slope.data(), cells * 4);
        st->stats = engine::Buffer(gpu, sizeof(GpuStats), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "bench stats");
        st->near_new = engine::Buffer(gpu, cells * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "bench near new");
        GpuStats none{0, 0, 0, 0};  // nothing built: the rules run at full rate
        st->stats.upload(&none, sizeof(none));
        st->descriptors = std::make_unique<engine::DescriptorAllocator>(gpu);
        for (int p = 0; p < 3; ++p) {
            st->passes[p] = engine::Pipeline::compute(gpu, shaders[p], bindings, sizeof(CaPush), shaders[p]);
            for (int from = 0; from < 2; ++from) {
                st->sets[p][from] = st->descriptors->allocate(st->passes[p].set_layout());
                engine::DescriptorWriter()
                    .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, from ? st->b : st->a)
                    .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, from ? st->a : st->b)
                    .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->slope)
                    .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->stats)
                    .buffer(4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->near_new)
                    .write(gpu.device(), st->sets[p][from]);
            }
        }
        BenchKernel k;
        k.name = "city.automaton (" + std::to_string(n) + "^2)";
        k.item_unit = "generations";
        k.items = 1;
        k.bytes = 3.0 * cells * 12 + cells * 4.0;  // three passes of state in/out and slope, plus the near-new mask
        k.record = [st](VkCommandBuffer cmd) {
            const CaRates r = ca_rates(SleuthCoefficients{}, st->n, st->n, 8);
            const CaPush push = make_ca_push(st->n, st->n, st->generation++, 7u, r);
            st->slope.use(cmd, engine::Access::ComputeRead);
            st->stats.use(cmd, engine::Access::ComputeRead);
            st->near_new.use(cmd, engine::Access::TransferDst);
            vkCmdFillBuffer(cmd, st->near_new.handle(), 0, VK_WHOLE_SIZE, 0);
            for (int p = 0; p < 3; ++p) {
                st->near_new.use(cmd, p == 0 ? engine::Access::ComputeWrite : engine::Access::ComputeRead);
                engine::Buffer& in = st->current ? st->b : st->a;
                engine::Buffer& out = st->current ? st->a : st->b;
                in.use(cmd, engine::Access::ComputeRead);
                out.use(cmd, engine::Access::ComputeWrite);
                st->passes[p].bind(cmd, st->sets[p][st->current]);
                st->passes[p].push(cmd, push);
                engine::dispatch_2d(cmd, st->n, st->n, CA_LOCAL_X, CA_LOCAL_Y);
                st->current = 1 - st->current;
            }
        };
        out.push_back(k);
    }
    return out;
}


std::unique_ptr<Module> create() { return std::make_unique<CityModule>(); }

}  // namespace infrascape::city
