// The Grid module; see grid_module.hpp and src/modules/README.md.
#include "modules/grid/grid_module_impl.hpp"

namespace infrascape::grid {

// [SECTION] Bench kernels

std::vector<BenchKernel> GridModule::bench_kernels(engine::Context& gpu) {
    std::vector<BenchKernel> out;
    const auto cs = VK_SHADER_STAGE_COMPUTE_BIT;
    const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    {
        // One force-directed layout iteration on 2000 free buses in a ring with chords (ACTIVSg2000's size):
        // an all-pairs kernel, bound by arithmetic, not memory; its items are bus pairs.
        struct State {
            engine::Pipeline pipe;
            std::unique_ptr<engine::DescriptorAllocator> descriptors;
            engine::Buffer pos[2], offset, nbr, anchor;
            VkDescriptorSet sets[2]{};
            int current = 0;
            uint32_t n = 2000;
        };
        auto st = std::make_shared<State>();
        const uint32_t n = st->n;
        Case ring;
        for (uint32_t b = 0; b < n; ++b) ring.buses.push_back(Bus{int(b + 1)});
        for (uint32_t b = 0; b < n; ++b) {
            Branch br;
            br.from = int(b + 1), br.to = int((b + 1) % n + 1), br.x_pu = 0.1;
            ring.branches.push_back(br);
            br.to = int((b * 7 + 13) % n + 1);
            if (br.to != br.from) ring.branches.push_back(br);
        }
        const Adjacency adj = bus_adjacency(ring);
        std::vector<Tether> free(n);
        std::vector<std::array<float, 4>> anchors;
        const std::vector<std::array<float, 4>> start = initial_layout(adj, free, 500000, 1, anchors);
        for (auto& b : st->pos) b = engine::Buffer(gpu, n * 16, storage, engine::MemoryKind::Device, "bench layout");
        st->pos[0].upload(start.data(), n * 16);
        st->offset = engine::Buffer(gpu, adj.offset.size() * 4, storage, engine::MemoryKind::Device, "bench offsets");
        st->offset.upload(adj.offset.data(), adj.offset.size() * 4);
        st->nbr = engine::Buffer(gpu, adj.neighbours.size() * 4, storage, engine::MemoryKind::Device, "bench adjacency");
        st->nbr.upload(adj.neighbours.data(), adj.neighbours.size() * 4);
        st->anchor = engine::Buffer(gpu, n * 16, storage, engine::MemoryKind::Device, "bench anchors");
        st->anchor.upload(anchors.data(), n * 16);
        st->pipe = engine::Pipeline::compute(gpu, "grid/layout.comp",
                                             {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}, {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                              {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}, {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                              {4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}},
                                             sizeof(gpu::LayoutPush), "bench grid layout");
        st->descriptors = std::make_unique<engine::DescriptorAllocator>(gpu);
        for (int from = 0; from < 2; ++from) {
            st->sets[from] = st->descriptors->allocate(st->pipe.set_layout());
            engine::DescriptorWriter()
                .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->pos[from])
                .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->pos[1 - from])
                .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->offset)
                .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->nbr)
                .buffer(4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->anchor)
                .write(gpu.device(), st->sets[from]);
        }
        const LayoutSchedule schedule = layout_schedule(n, 500000, 300);
        BenchKernel k;
        k.name = "grid.layout iteration (2000 buses)";
        k.item_unit = "bus pairs";
        k.items = double(n) * n;
        k.bytes = double(n) * 16 * 2 + adj.neighbours.size() * 4.0 + n * 16.0;
        k.record = [st, schedule](VkCommandBuffer cmd) {
            for (auto* b : {&st->offset, &st->nbr, &st->anchor}) b->use(cmd, engine::Access::ComputeRead);
            st->pos[st->current].use(cmd, engine::Access::ComputeRead);
            st->pos[1 - st->current].use(cmd, engine::Access::ComputeWrite);
            gpu::LayoutPush push{glm::vec4(schedule.k_m, schedule.temperature(10), schedule.half_extent_m, schedule.gravity),
                                 glm::uvec4(st->n, 0, 0, 0)};
            st->pipe.bind(cmd, st->sets[st->current]);
            st->pipe.push(cmd, push);
            vkCmdDispatch(cmd, (st->n + 63) / 64, 1, 1);
            st->current = 1 - st->current;
        };
        out.push_back(std::move(k));
    }
    {
        // Flow particles: one million riding 4000 branches of 8 spans each.
        struct State {
            engine::Pipeline pipe;
            std::unique_ptr<engine::DescriptorAllocator> descriptors;
            engine::Buffer particles, paths, states, spans;
            VkDescriptorSet set = VK_NULL_HANDLE;
            uint32_t count = 1u << 20, branches = 4000;
        };
        auto st = std::make_shared<State>();
        std::vector<gpu::BranchPath> paths(st->branches);
        std::vector<gpu::BranchState> states(st->branches);
        std::vector<gpu::Span> spans;
        for (uint32_t b = 0; b < st->branches; ++b) {
            paths[b] = {glm::uvec4(b * 8, 8, 0, 1), glm::vec4(8000, 0, 0, 0)};
            states[b].flow = glm::vec4(50.0f + float(b % 400), 0.5f, 1, -1);
            for (int t = 0; t < 8; ++t)
                spans.push_back({glm::vec4(float(t) * 1000, float(b) * 100, 30, float(b)),
                                 glm::vec4(float(t + 1) * 1000, float(b) * 100, 30, 10)});
        }
        std::vector<gpu::Particle> particles(st->count);
        for (uint32_t i = 0; i < st->count; ++i)
            particles[i] = {glm::vec4(float(i % st->branches), float(i % 997) / 997, float(i % 13) / 13, 0), glm::vec4(0)};
        st->particles = engine::Buffer(gpu, particles.size() * sizeof(gpu::Particle), storage, engine::MemoryKind::Device,
                                       "bench particles");
        st->particles.upload(particles.data(), particles.size() * sizeof(gpu::Particle));
        st->paths = engine::Buffer(gpu, paths.size() * sizeof(gpu::BranchPath), storage, engine::MemoryKind::Device, "bench paths");
        st->paths.upload(paths.data(), paths.size() * sizeof(gpu::BranchPath));
        st->states = engine::Buffer(gpu, states.size() * sizeof(gpu::BranchState), storage, engine::MemoryKind::Device,
                                    "bench states");
        st->states.upload(states.data(), states.size() * sizeof(gpu::BranchState));
        st->spans = engine::Buffer(gpu, spans.size() * sizeof(gpu::Span), storage, engine::MemoryKind::Device, "bench spans");
        st->spans.upload(spans.data(), spans.size() * sizeof(gpu::Span));
        st->pipe = engine::Pipeline::compute(gpu, "grid/particles.comp",
                                             {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}, {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                              {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}, {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}},
                                             sizeof(gpu::ParticlePush), "bench grid particles");
        st->descriptors = std::make_unique<engine::DescriptorAllocator>(gpu);
        st->set = st->descriptors->allocate(st->pipe.set_layout());
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->particles)
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->paths)
            .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->states)
            .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->spans)
            .write(gpu.device(), st->set);
        BenchKernel k;
        k.name = "grid.particles (1M)";
        k.item_unit = "particles";
        k.items = st->count;
        // The least traffic: each particle read and written once, each branch's path, state and spans read once
        // (many particles share a branch, so those reads mostly hit the cache).
        k.bytes = double(st->count) * 2 * sizeof(gpu::Particle) +
                  double(st->branches) * (sizeof(gpu::BranchPath) + sizeof(gpu::BranchState) + 8 * sizeof(gpu::Span));
        k.record = [st](VkCommandBuffer cmd) {
            for (auto* b : {&st->paths, &st->states, &st->spans}) b->use(cmd, engine::Access::ComputeRead);
            st->particles.use(cmd, engine::Access::ComputeWrite);
            gpu::ParticlePush push{glm::vec4(1.0f / 30, 1.0f, 10.0f, 1e4f), glm::uvec4(st->count, st->branches, 0, 0)};
            st->pipe.bind(cmd, st->set);
            st->pipe.push(cmd, push);
            engine::dispatch_2d(cmd, st->count, 1, 64, 1);
        };
        out.push_back(std::move(k));
    }
    return out;
}

std::unique_ptr<Module> create() { return std::make_unique<GridModule>(); }

}  // namespace infrascape::grid
