// GPU runner of the force-directed layout; see layout_gpu.hpp.
#include "modules/grid/layout_gpu.hpp"

#include <stdexcept>

#include "context.hpp"
#include "grid/grid_shared.h"
#include "pipeline.hpp"
#include "resources.hpp"

namespace infrascape::grid {

static_assert(sizeof(gpu::LayoutPush) == 32, "LayoutPush must match shaders/grid/grid_shared.h");

std::vector<std::array<float, 4>> run_layout_gpu(engine::Context& gpu, const Adjacency& adj,
                                                 const std::vector<std::array<float, 4>>& start,
                                                 const std::vector<std::array<float, 4>>& anchors,
                                                 const LayoutSchedule& s, uint32_t iterations) {
    const size_t n = start.size();
    if (n == 0) return {};
    if (adj.offset.size() != n + 1 || anchors.size() != n)
        throw std::invalid_argument("run_layout_gpu: adjacency, positions and anchors differ in size");
    const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    engine::Buffer pos[2] = {
        engine::Buffer(gpu, n * 16, storage, engine::MemoryKind::Device, "grid layout positions 0"),
        engine::Buffer(gpu, n * 16, storage, engine::MemoryKind::Device, "grid layout positions 1")};
    pos[0].upload(start.data(), n * 16);
    engine::Buffer offset(gpu, adj.offset.size() * 4, storage, engine::MemoryKind::Device, "grid layout offsets");
    offset.upload(adj.offset.data(), adj.offset.size() * 4);
    // A buffer may not be empty: an edgeless graph still gets one (unused) entry.
    std::vector<uint32_t> neighbours = adj.neighbours.empty() ? std::vector<uint32_t>{0} : adj.neighbours;
    engine::Buffer nbr(gpu, neighbours.size() * 4, storage, engine::MemoryKind::Device, "grid layout adjacency");
    nbr.upload(neighbours.data(), neighbours.size() * 4);
    engine::Buffer anchor(gpu, n * 16, storage, engine::MemoryKind::Device, "grid layout anchors");
    anchor.upload(anchors.data(), n * 16);

    const std::vector<engine::Binding> bindings = {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                   {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                   {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                   {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                   {4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT}};
    engine::Pipeline pipe = engine::Pipeline::compute(gpu, "grid/layout.comp", bindings, sizeof(gpu::LayoutPush), "grid layout");
    engine::DescriptorAllocator descriptors(gpu);
    VkDescriptorSet sets[2];
    for (int from = 0; from < 2; ++from) {
        sets[from] = descriptors.allocate(pipe.set_layout());
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, pos[from])
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, pos[1 - from])
            .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, offset)
            .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, nbr)
            .buffer(4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, anchor)
            .write(gpu.device(), sets[from]);
    }
    // Batches of iterations per submission keep each command buffer's run short (watchdogs on real GPUs).
    int current = 0;
    uint32_t done = 0;
    while (done < iterations) {
        const uint32_t batch = std::min<uint32_t>(iterations - done, 32);
        gpu.submit_and_wait([&](VkCommandBuffer cmd) {
            offset.use(cmd, engine::Access::ComputeRead);
            nbr.use(cmd, engine::Access::ComputeRead);
            anchor.use(cmd, engine::Access::ComputeRead);
            for (uint32_t it = done; it < done + batch; ++it) {
                pos[current].use(cmd, engine::Access::ComputeRead);
                pos[1 - current].use(cmd, engine::Access::ComputeWrite);
                gpu::LayoutPush push{glm::vec4(s.k_m, s.temperature(it), s.half_extent_m, s.gravity),
                                     glm::uvec4(uint32_t(n), uint32_t(adj.neighbours.size()), 0, 0)};
                pipe.bind(cmd, sets[current]);
                pipe.push(cmd, push);
                vkCmdDispatch(cmd, uint32_t((n + 63) / 64), 1, 1);
                current = 1 - current;
            }
        });
        done += batch;
    }
    std::vector<std::array<float, 4>> out(n);
    pos[current].download(out.data(), n * 16);
    return out;
}

}  // namespace infrascape::grid
