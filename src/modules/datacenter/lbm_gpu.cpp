// The data hall's LBM on the GPU; see lbm_gpu.hpp.
#include "modules/datacenter/lbm_gpu.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include <glm/gtc/packing.hpp>

#include "context.hpp"
#include "datacenter/lbm_shared.h"
#include "pipeline.hpp"
#include "resources.hpp"

namespace infrascape::datacenter {

static_assert(sizeof(gpu::LbmPush) == 80 && sizeof(gpu::LbmPatch) == 32 && sizeof(gpu::LbmListHeader) == 16,
              "LBM structs must match shaders/datacenter/lbm_shared.h");

namespace {

constexpr uint32_t kParts[3][2] = {{0, 7}, {7, 13}, {13, 19}};  // population ranges of the three buffers
constexpr float kFp16Scale = 256.0f;  // FP16 populations are stored times this (lbm_storage.glsl LBM_FP16_SCALE)
constexpr uint32_t kProbeChunk = 256;  // cells per probe chunk (lbm_probe.comp)

gpu::LbmPush push_of(const LbmParams& p, uint32_t nx, uint32_t ny, uint32_t nz, float t_offset) {
    uint32_t flags = 0;
    if (p.periodic[0]) flags |= LBM_PERIODIC_X;
    if (p.periodic[1]) flags |= LBM_PERIODIC_Y;
    if (p.periodic[2]) flags |= LBM_PERIODIC_Z;
    if (p.thermal) flags |= LBM_THERMAL;
    if (p.collision == Collision::Trt) flags |= LBM_TRT;
    return gpu::LbmPush{glm::uvec4(nx, ny, nz, flags), glm::vec4(p.tau, p.magic, p.smagorinsky_cs, p.tau_thermal),
                        glm::vec4(p.body_force[0], p.body_force[1], p.body_force[2], p.prandtl_turbulent),
                        glm::vec4(p.gravity[0], p.gravity[1], p.gravity[2], p.beta_per_k),
                        glm::vec4(p.reference_c, t_offset, 0, 0)};
}

uint32_t kind_of(CellKind k) {
    switch (k) {
        case CellKind::Fluid: return LBM_FLUID;
        case CellKind::Wall: return LBM_WALL;
        case CellKind::Inlet: return LBM_INLET;
        case CellKind::Equilibrium: return LBM_EQUILIBRIUM;
        case CellKind::Outlet: return LBM_OUTLET;
    }
    return LBM_FLUID;
}

}  // namespace

LbmMemory lbm_memory(const engine::Context& gpu, uint32_t nx, uint32_t ny, uint32_t nz, bool fp16) {
    LbmMemory m;
    const double n = double(nx) * ny * nz;
    const double pop = fp16 ? 2 : 4;
    // Two copies of 19 (FP32 or FP16) + 7 (FP32) populations, heat, moments (16 B), density, link word, mask (1 B).
    m.bytes = n * (2 * (19 * pop + 7 * 4) + 4 + 16 + 4 + 4 + 1);
    const double part = n * 7 * 4;  // the largest population buffer (the heat populations')
    const double range = double(gpu.properties().limits.maxStorageBufferRange);
    double heap = 0;
    const auto& mp = gpu.memory_properties();
    for (uint32_t h = 0; h < mp.memoryHeapCount; ++h)
        if (mp.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) heap = std::max(heap, double(mp.memoryHeaps[h].size));
    char text[200];
    if (n * 16 > range || part > range) {
        std::snprintf(text, sizeof text, "%.0f cells need %.0f MiB per population buffer; the device allows %.0f MiB",
                      n, std::max(part, n * 16) / 1048576.0, range / 1048576.0);
        m.fits = false;
        m.why = text;
    } else if (heap > 0 && m.bytes > 0.8 * heap) {
        std::snprintf(text, sizeof text, "%.0f cells need %.0f MiB of device memory; the device has %.0f MiB",
                      n, m.bytes / 1048576.0, heap / 1048576.0);
        m.fits = false;
        m.why = text;
    }
    return m;
}

struct LbmGpu::Impl {
    engine::Context* ctx = nullptr;
    uint32_t nx = 0, ny = 0, nz = 0;
    size_t n = 0;
    float t_offset = 20;
    LbmParams params;
    engine::Buffer f[2][3], g[2], mask, patches, heat, moments, density, links, list, keep_list;
    bool fp16 = false;  // f holds 16-bit floats (LbmStorage::Fp16)
    // The bulk step's variants (lbm_bulk.glsl), indexed by (Smagorinsky ? 1 : 0) + (heat ? 2 : 0); the boundary
    // step (lbm_step.glsl) and the solid cells' restore (lbm_keep.comp) over their lists; the pass that makes the
    // link words and the lists (lbm_links.comp).
    engine::Pipeline bulk[4], boundary, keep, links_pipe;
    // Probes (lbm_probe.comp): chunks of at most kProbeChunk cells of one group.
    engine::Pipeline probe_pipe;
    engine::Buffer probe_cells, probe_chunks, probe_sums;
    VkDescriptorSet probe_set = VK_NULL_HANDLE;
    std::vector<uint32_t> chunk_group;  // per chunk
    std::vector<size_t> group_cells;    // per group: its cells
    float probe_offset = 0;  // subtracted on the GPU, added back in probe_sums
    std::unique_ptr<engine::DescriptorAllocator> descriptors;
    VkDescriptorSet sets[2]{}, links_set = VK_NULL_HANDLE;
    int current = 0;
    // The patch kinds the link words were made from (with a bit for a wall that moves).
    std::vector<uint32_t> kinds;
    bool links_stale = true;

    void note_kinds(const std::vector<gpu::LbmPatch>& table) {
        std::vector<uint32_t> k(table.size());
        for (size_t i = 0; i < table.size(); ++i)
            k[i] = table[i].kind.x | (table[i].u_t.x != 0 || table[i].u_t.y != 0 || table[i].u_t.z != 0 ? 0x100u : 0u);
        if (k != kinds) links_stale = true;
        kinds = std::move(k);
    }
    void record_links(VkCommandBuffer cmd) {
        const gpu::LbmListHeader empty{glm::uvec4(0, 1, 1, 0)};
        for (engine::Buffer* b : {&list, &keep_list}) {
            b->use(cmd, engine::Access::TransferDst);
            vkCmdUpdateBuffer(cmd, b->handle(), 0, sizeof empty, &empty);
            b->use(cmd, engine::Access::ComputeWrite);
        }
        mask.use(cmd, engine::Access::ComputeRead);
        patches.use(cmd, engine::Access::ComputeRead);
        links.use(cmd, engine::Access::ComputeWrite);
        links_pipe.bind(cmd, links_set);
        links_pipe.push(cmd, push_of(params, nx, ny, nz, t_offset));
        vkCmdDispatch(cmd, (nx + LBM_LOCAL_X - 1) / LBM_LOCAL_X, (ny + LBM_LOCAL_Y - 1) / LBM_LOCAL_Y, nz);
        links_stale = false;
    }
};

LbmGpu::LbmGpu(engine::Context& gpu, const LbmReference& ref, LbmStorage storage_kind) : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.ctx = &gpu;
    m.fp16 = storage_kind == LbmStorage::Fp16;
    if (m.fp16 && !gpu.storage_16bit())
        throw std::runtime_error("FP16 populations need 16-bit storage buffers, which " + gpu.device_name() + " lacks");
    m.nx = ref.nx();
    m.ny = ref.ny();
    m.nz = ref.nz();
    m.n = ref.cells();
    m.params = ref.params();
    m.t_offset = ref.temperature_offset_c();
    const LbmMemory mem = lbm_memory(gpu, m.nx, m.ny, m.nz, m.fp16);
    if (!mem.fits) throw std::runtime_error("the data hall's grid does not fit the GPU: " + mem.why);
    const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                       VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    const std::vector<float>& f0 = ref.populations();
    const std::vector<float>& g0 = ref.temperature_populations();
    for (int s = 0; s < 2; ++s) {
        for (int part = 0; part < 3; ++part) {
            const size_t count = size_t(kParts[part][1] - kParts[part][0]) * m.n;
            const float* from = f0.data() + size_t(kParts[part][0]) * m.n;
            if (m.fp16) {
                std::vector<uint16_t> half(count);
                for (size_t k = 0; k < count; ++k) half[k] = glm::packHalf1x16(from[k] * kFp16Scale);
                m.f[s][part] = engine::Buffer(gpu, count * 2, storage, engine::MemoryKind::Device, "lbm populations (fp16)");
                m.f[s][part].upload(half.data(), count * 2);
            } else {
                m.f[s][part] = engine::Buffer(gpu, count * 4, storage, engine::MemoryKind::Device, "lbm populations");
                m.f[s][part].upload(from, count * 4);
            }
        }
        m.g[s] = engine::Buffer(gpu, 7 * m.n * 4, storage, engine::MemoryKind::Device, "lbm heat populations");
        m.g[s].upload(g0.data(), 7 * m.n * 4);
    }
    std::vector<uint32_t> packed((m.n + 3) / 4, 0);
    for (size_t c = 0; c < m.n; ++c) packed[c / 4] |= uint32_t(ref.mask()[c]) << (8 * (c % 4));
    m.mask = engine::Buffer(gpu, packed.size() * 4, storage, engine::MemoryKind::Device, "lbm mask");
    m.mask.upload(packed.data(), packed.size() * 4);
    m.patches = engine::Buffer(gpu, 256 * sizeof(gpu::LbmPatch), storage, engine::MemoryKind::Device, "lbm patches");
    m.links = engine::Buffer(gpu, m.n * 4, storage, engine::MemoryKind::Device, "lbm links");
    m.list = engine::Buffer(gpu, sizeof(gpu::LbmListHeader) + m.n * 4, storage | VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT,
                            engine::MemoryKind::Device, "lbm boundary list");
    m.keep_list = engine::Buffer(gpu, sizeof(gpu::LbmListHeader) + m.n * 4, storage | VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT,
                                 engine::MemoryKind::Device, "lbm solid list");
    m.heat = engine::Buffer(gpu, m.n * 4, storage, engine::MemoryKind::Device, "lbm heat sources");
    set_heat_sources(ref.heat_sources());
    m.moments = engine::Buffer(gpu, m.n * 16, storage, engine::MemoryKind::Device, "lbm moments");
    m.density = engine::Buffer(gpu, m.n * 4, storage, engine::MemoryKind::Device, "lbm density");
    std::vector<glm::vec4> mom(m.n, glm::vec4(0, 0, 0, m.params.reference_c));
    m.moments.upload(mom.data(), m.n * 16);
    std::vector<float> ones(m.n, 1.0f);
    m.density.upload(ones.data(), m.n * 4);

    const auto cs = VK_SHADER_STAGE_COMPUTE_BIT;
    std::vector<engine::Binding> bindings;
    for (uint32_t b = 0; b < 16; ++b) bindings.push_back({b, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs});
    const std::string suffix = m.fp16 ? "_fp16.comp" : ".comp";
    const char* bulk_shaders[4] = {"datacenter/lbm_bulk_flow", "datacenter/lbm_bulk_les", "datacenter/lbm_bulk_heat",
                                   "datacenter/lbm_bulk_les_heat"};
    for (int v = 0; v < 4; ++v)
        m.bulk[v] = engine::Pipeline::compute(gpu, bulk_shaders[v] + suffix, bindings, sizeof(gpu::LbmPush), "lbm bulk step");
    m.boundary = engine::Pipeline::compute(gpu, "datacenter/lbm_step" + suffix, bindings, sizeof(gpu::LbmPush), "lbm boundary step");
    m.keep = engine::Pipeline::compute(gpu, "datacenter/lbm_keep" + suffix, bindings, sizeof(gpu::LbmPush), "lbm solid restore");
    m.links_pipe = engine::Pipeline::compute(gpu, "datacenter/lbm_links.comp",
                                             {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                              {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                              {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                              {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                              {4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}},
                                             sizeof(gpu::LbmPush), "lbm links");
    m.descriptors = std::make_unique<engine::DescriptorAllocator>(gpu);
    m.links_set = m.descriptors->allocate(m.links_pipe.set_layout());
    engine::DescriptorWriter()
        .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.mask)
        .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.patches)
        .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.links)
        .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.list)
        .buffer(4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.keep_list)
        .write(gpu.device(), m.links_set);
    set_patches(ref.patches());
    for (int s = 0; s < 2; ++s) {
        // One set serves the bulk, boundary and restore passes: their set layouts are defined identically.
        m.sets[s] = m.descriptors->allocate(m.boundary.set_layout());
        const int d = 1 - s;
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.f[s][0])
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.f[s][1])
            .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.f[s][2])
            .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.f[d][0])
            .buffer(4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.f[d][1])
            .buffer(5, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.f[d][2])
            .buffer(6, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.g[s])
            .buffer(7, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.g[d])
            .buffer(8, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.mask)
            .buffer(9, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.patches)
            .buffer(10, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.heat)
            .buffer(11, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.moments)
            .buffer(12, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.density)
            .buffer(13, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.links)
            .buffer(14, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.list)
            .buffer(15, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.keep_list)
            .write(gpu.device(), m.sets[s]);
    }
}

LbmGpu::~LbmGpu() = default;

void LbmGpu::set_params(const LbmParams& params) {
    if (params.periodic != impl_->params.periodic) impl_->links_stale = true;
    impl_->params = params;
}

static std::vector<gpu::LbmPatch> patch_table(const std::vector<Patch>& patches) {
    if (patches.size() > 256) throw std::invalid_argument("LbmGpu: at most 256 patches");
    std::vector<gpu::LbmPatch> table(256, gpu::LbmPatch{glm::vec4(0), glm::uvec4(0)});
    for (size_t k = 0; k < patches.size(); ++k)
        table[k] = gpu::LbmPatch{glm::vec4(patches[k].u[0], patches[k].u[1], patches[k].u[2], patches[k].temperature_c),
                                 glm::uvec4(kind_of(patches[k].kind), 0, 0, 0)};
    return table;
}

void LbmGpu::set_patches(const std::vector<Patch>& patches) {
    Impl& m = *impl_;
    const std::vector<gpu::LbmPatch> table = patch_table(patches);
    m.patches.upload(table.data(), table.size() * sizeof(gpu::LbmPatch));
    m.note_kinds(table);
}

void LbmGpu::record_patches(VkCommandBuffer cmd, const std::vector<Patch>& patches) {
    Impl& m = *impl_;
    const std::vector<gpu::LbmPatch> table = patch_table(patches);
    m.patches.use(cmd, engine::Access::TransferDst);
    vkCmdUpdateBuffer(cmd, m.patches.handle(), 0, table.size() * sizeof(gpu::LbmPatch), table.data());
    m.note_kinds(table);
}

void LbmGpu::set_heat_sources(const std::vector<float>& k) {
    Impl& m = *impl_;
    if (k.size() != m.n) throw std::invalid_argument("LbmGpu: heat sources size differs from the grid");
    m.heat.upload(k.data(), m.n * 4);
}

void LbmGpu::record_step(VkCommandBuffer cmd, bool write_moments) {
    Impl& m = *impl_;
    if (m.links_stale) m.record_links(cmd);
    const int s = m.current, d = 1 - s;
    for (int part = 0; part < 3; ++part) {
        m.f[s][part].use(cmd, engine::Access::ComputeRead);
        m.f[d][part].use(cmd, engine::Access::ComputeWrite);
    }
    m.g[s].use(cmd, engine::Access::ComputeRead);
    m.g[d].use(cmd, engine::Access::ComputeWrite);
    m.heat.use(cmd, engine::Access::ComputeRead);
    // Declared written on every step: the shaders may write them (synchronization validation goes by the binding).
    m.moments.use(cmd, engine::Access::ComputeWrite);
    m.density.use(cmd, engine::Access::ComputeWrite);
    gpu::LbmPush push = push_of(m.params, m.nx, m.ny, m.nz, m.t_offset);
    if (write_moments) push.dims.w |= LBM_WRITE_MOMENTS;
    // Every cell as fluid with resting walls, then the listed cells over it: the boundary step, the solid cells.
    const engine::Pipeline& bulk = m.bulk[(m.params.smagorinsky_cs > 0 ? 1 : 0) + (m.params.thermal ? 2 : 0)];
    m.links.use(cmd, engine::Access::ComputeRead);
    bulk.bind(cmd, m.sets[s]);
    bulk.push(cmd, push);
    vkCmdDispatch(cmd, (m.nx + LBM_LOCAL_X - 1) / LBM_LOCAL_X, (m.ny + LBM_LOCAL_Y - 1) / LBM_LOCAL_Y, m.nz);
    const std::pair<const engine::Pipeline*, engine::Buffer*> passes[2] = {{&m.boundary, &m.list}, {&m.keep, &m.keep_list}};
    for (const auto& [pipe, list] : passes) {
        // Each writes over the writes before it (a write-after-write barrier each).
        for (int part = 0; part < 3; ++part) m.f[d][part].use(cmd, engine::Access::ComputeWrite);
        m.g[d].use(cmd, engine::Access::ComputeWrite);
        m.moments.use(cmd, engine::Access::ComputeWrite);
        m.density.use(cmd, engine::Access::ComputeWrite);
        m.mask.use(cmd, engine::Access::ComputeRead);
        m.patches.use(cmd, engine::Access::ComputeRead);
        list->use(cmd, engine::Access::IndirectBuffer);
        list->use(cmd, engine::Access::ComputeRead);
        pipe->bind(cmd, m.sets[s]);
        pipe->push(cmd, push);
        vkCmdDispatchIndirect(cmd, list->handle(), 0);
    }
    m.current = d;
}

void LbmGpu::run(uint32_t steps) {
    impl_->ctx->submit_and_wait([&](VkCommandBuffer cmd) {
        for (uint32_t k = 0; k < steps; ++k) record_step(cmd, k + 1 == steps);
    });
}

std::vector<float> LbmGpu::populations() const {
    const Impl& m = *impl_;
    std::vector<float> out(19 * m.n);
    for (int part = 0; part < 3; ++part) {
        const size_t count = size_t(kParts[part][1] - kParts[part][0]) * m.n;
        float* to = out.data() + size_t(kParts[part][0]) * m.n;
        if (m.fp16) {
            std::vector<uint16_t> half(count);
            const_cast<engine::Buffer&>(m.f[m.current][part]).download(half.data(), count * 2);
            for (size_t k = 0; k < count; ++k) to[k] = glm::unpackHalf1x16(half[k]) / kFp16Scale;
        } else {
            const_cast<engine::Buffer&>(m.f[m.current][part]).download(to, count * 4);
        }
    }
    return out;
}

std::vector<float> LbmGpu::temperature_populations() const {
    const Impl& m = *impl_;
    std::vector<float> out(7 * m.n);
    const_cast<engine::Buffer&>(m.g[m.current]).download(out.data(), out.size() * 4);
    return out;
}

std::vector<float> LbmGpu::moments() const {
    const Impl& m = *impl_;
    std::vector<float> out(4 * m.n);
    const_cast<engine::Buffer&>(m.moments).download(out.data(), out.size() * 4);
    return out;
}

std::vector<float> LbmGpu::density() const {
    const Impl& m = *impl_;
    std::vector<float> out(m.n);
    const_cast<engine::Buffer&>(m.density).download(out.data(), out.size() * 4);
    return out;
}

void LbmGpu::set_probes(const std::vector<std::vector<uint32_t>>& groups) {
    Impl& m = *impl_;
    std::vector<uint32_t> cells;
    std::vector<glm::uvec2> chunks;
    m.chunk_group.clear();
    m.group_cells.clear();
    for (size_t gi = 0; gi < groups.size(); ++gi) {
        m.group_cells.push_back(groups[gi].size());
        for (size_t k = 0; k < groups[gi].size(); k += kProbeChunk) {
            chunks.emplace_back(uint32_t(cells.size() + k), uint32_t(std::min<size_t>(kProbeChunk, groups[gi].size() - k)));
            m.chunk_group.push_back(uint32_t(gi));
        }
        for (uint32_t c : groups[gi]) {
            if (c >= m.n) throw std::invalid_argument("LbmGpu::set_probes: a cell index is outside the grid");
            cells.push_back(c);
        }
    }
    m.probe_offset = m.params.reference_c;
    const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                       VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    // Never empty: a buffer needs a size.
    cells.resize(std::max<size_t>(cells.size(), 1));
    chunks.resize(std::max<size_t>(chunks.size(), 1));
    m.probe_cells = engine::Buffer(*m.ctx, cells.size() * 4, storage, engine::MemoryKind::Device, "lbm probe cells");
    m.probe_cells.upload(cells.data(), cells.size() * 4);
    m.probe_chunks = engine::Buffer(*m.ctx, chunks.size() * 8, storage, engine::MemoryKind::Device, "lbm probe chunks");
    m.probe_chunks.upload(chunks.data(), chunks.size() * 8);
    m.probe_sums = engine::Buffer(*m.ctx, chunks.size() * 4, storage, engine::MemoryKind::Device, "lbm probe sums");
    if (!m.probe_pipe) {
        const auto cs = VK_SHADER_STAGE_COMPUTE_BIT;
        m.probe_pipe = engine::Pipeline::compute(*m.ctx, "datacenter/lbm_probe.comp",
                                                 {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                                  {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                                  {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                                  {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}},
                                                 8, "lbm probes");
    }
    m.probe_set = m.descriptors->allocate(m.probe_pipe.set_layout());
    engine::DescriptorWriter()
        .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.moments)
        .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.probe_cells)
        .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.probe_chunks)
        .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.probe_sums)
        .write(m.ctx->device(), m.probe_set);
}

void LbmGpu::record_probes(VkCommandBuffer cmd) {
    Impl& m = *impl_;
    if (m.chunk_group.empty()) return;
    m.moments.use(cmd, engine::Access::ComputeRead);
    m.probe_cells.use(cmd, engine::Access::ComputeRead);
    m.probe_chunks.use(cmd, engine::Access::ComputeRead);
    m.probe_sums.use(cmd, engine::Access::ComputeWrite);
    struct {
        uint32_t chunks;
        float offset;
    } push{uint32_t(m.chunk_group.size()), m.probe_offset};
    m.probe_pipe.bind(cmd, m.probe_set);
    m.probe_pipe.push(cmd, push);
    vkCmdDispatch(cmd, (push.chunks + 63) / 64, 1, 1);
}

engine::Buffer& LbmGpu::probe_buffer() { return impl_->probe_sums; }
size_t LbmGpu::probe_bytes() const { return std::max<size_t>(impl_->chunk_group.size(), 1) * 4; }

std::vector<double> LbmGpu::probe_sums(const float* partials) const {
    const Impl& m = *impl_;
    std::vector<double> sums(m.group_cells.size(), 0.0);
    for (size_t k = 0; k < m.chunk_group.size(); ++k) sums[m.chunk_group[k]] += double(partials[k]);
    for (size_t g = 0; g < sums.size(); ++g) sums[g] += double(m.group_cells[g]) * double(m.probe_offset);
    return sums;
}

std::vector<double> LbmGpu::probes_now() {
    Impl& m = *impl_;
    m.ctx->submit_and_wait([&](VkCommandBuffer cmd) { record_probes(cmd); });
    std::vector<float> partials(probe_bytes() / 4);
    m.probe_sums.download(partials.data(), partials.size() * 4);
    return probe_sums(partials.data());
}

engine::Buffer& LbmGpu::moments_buffer() { return impl_->moments; }
engine::Buffer& LbmGpu::mask_buffer() { return impl_->mask; }
engine::Buffer& LbmGpu::patches_buffer() { return impl_->patches; }

namespace {

// A hall-like case: walls all round, a warm block of cells releasing heat, buoyancy and Smagorinsky on, air moving
// (a uniform start velocity), so every branch of the fluid path runs. Steps as the module runs them: in batches,
// the moments written by the batch's last step only.
BenchKernel hall_kernel(engine::Context& gpu, uint32_t nx, uint32_t ny, uint32_t nz, LbmStorage storage = LbmStorage::Fp32) {
    LbmParams p;
    p.tau = 0.51f;
    p.smagorinsky_cs = 0.16f;
    p.beta_per_k = 3.4e-3f;
    p.gravity = {0, 0, -1e-5f};
    p.tau_thermal = 0.52f;
    LbmReference hall(nx, ny, nz, p);
    hall.initialise(1.0f, {0.02f, 0.0f, 0.0f}, 22.0f);
    for (uint32_t z = 1; z < nz / 2; ++z)
        for (uint32_t y = ny / 3; y < ny / 2; ++y)
            for (uint32_t x = nx / 3; x < nx / 2; ++x) hall.set_heat_source(x, y, z, 1e-4f);
    const bool fp16 = storage == LbmStorage::Fp16;
    auto solver = std::make_shared<LbmGpu>(gpu, hall, storage);
    BenchKernel k;
    k.name = "datacenter.lbm (" + std::to_string(nx) + "x" + std::to_string(ny) + "x" + std::to_string(nz) +
             (fp16 ? ", fp16)" : ")");
    k.item_unit = "lattice updates";
    k.items = double(nx) * ny * nz;
    // The least traffic per cell: 19 + 7 populations read and written (208 B in FP32; the 19 at 2 B each in
    // FP16: 132 B), the link word and the heat source.
    k.bytes = k.items * (19 * (fp16 ? 4 : 8) + 7 * 8 + 4 + 4);
    k.record = [solver](VkCommandBuffer cmd) { solver->record_step(cmd, false); };
    return k;
}

// FluidX3D's benchmark case: D3Q19 BGK in FP32 on a periodic n^3 box, no heat, no walls, no force.
BenchKernel srt_kernel(engine::Context& gpu, uint32_t n) {
    LbmParams p;
    p.tau = 0.6f;
    p.collision = Collision::Bgk;
    p.thermal = false;
    p.periodic = {true, true, true};
    LbmReference box(n, n, n, p);
    box.initialise(1.0f, {0.01f, 0.0f, 0.0f}, 20.0f);
    auto solver = std::make_shared<LbmGpu>(gpu, box);
    BenchKernel k;
    k.name = "datacenter.lbm srt (" + std::to_string(n) + "^3)";
    k.item_unit = "lattice updates";
    k.items = double(n) * n * n;
    k.bytes = k.items * (19 * 8 + 4);  // populations read and written, the link word
    k.record = [solver](VkCommandBuffer cmd) { solver->record_step(cmd, false); };
    return k;
}

}  // namespace

std::vector<BenchKernel> lbm_bench_kernels(engine::Context& gpu) {
    std::vector<BenchKernel> out;
    const uint32_t sizes[3][3] = {{64, 64, 64}, {128, 128, 128}, {256, 128, 64}};
    for (const auto& sz : sizes)
        if (lbm_memory(gpu, sz[0], sz[1], sz[2]).fits) out.push_back(hall_kernel(gpu, sz[0], sz[1], sz[2]));
    return out;
}

std::vector<BenchKernel> lbm_cube_kernels(engine::Context& gpu, uint32_t n) {
    const LbmMemory mem = lbm_memory(gpu, n, n, n);
    if (!mem.fits) throw std::runtime_error("an LBM box of " + std::to_string(n) + "^3 does not fit the device: " + mem.why);
    std::vector<BenchKernel> out{hall_kernel(gpu, n, n, n), srt_kernel(gpu, n)};
    if (gpu.storage_16bit()) out.push_back(hall_kernel(gpu, n, n, n, LbmStorage::Fp16));
    return out;
}

}  // namespace infrascape::datacenter
