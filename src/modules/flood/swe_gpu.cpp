// The flood solver's GPU runner; see swe_gpu.hpp.
#include "modules/flood/swe_gpu.hpp"

#include <algorithm>
#include <map>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "context.hpp"
#include "flood/swe_shared.h"
#include "pipeline.hpp"
#include "resources.hpp"

namespace infrascape::flood {

static_assert(sizeof(gpu::SwePush) == 112, "SwePush must match shaders/flood/swe_shared.h");
static_assert(sizeof(gpu::SweClock) == 80 && sizeof(gpu::SwePartial) == 32 && sizeof(gpu::SweLogEntry) == 32 &&
                  sizeof(gpu::SweClockPush) == 48,
              "the clock's structs must match shaders/flood/swe_shared.h");
static_assert(sizeof(gpu::SweReducePush) == 32, "SweReducePush must match shaders/flood/swe_shared.h");

struct SweGpu::Impl {
    engine::Context* ctx = nullptr;
    SweGrid grid;
    float datum = 0;
    engine::Buffer state[3], bed, sources, ledger, speed, slopes, clock, partials;
    // The step (swe_step.comp), its first-order-only build (swe_step_first.comp) and the inertial scheme's step
    // (swe_inertial.comp), which share set layouts.
    engine::Pipeline pipe, first_pipe, speed_pipe, slope_pipe, clock_pipe, reduce_pipe;
    // The inertial step's builds for this grid's roughness: [0] theta 1 (Bates's original), [1] any theta.
    engine::Pipeline inertial_pipe[2];
    VkDescriptorSet reduce_sets[3]{};
    uint32_t reduce_per_invocation = 4, reduce_groups = 1;
    // The adaptive clock (enable_clock): per-slot logs in host-visible memory, written by the clock passes.
    ClockConfig clock_config;
    bool clocked = false, has_table = false;
    engine::Buffer forcing;
    std::vector<engine::Buffer> logs;
    std::vector<uint32_t> log_used;
    std::vector<VkDescriptorSet> clock_sets;
    uint32_t partial_count = 0;
    std::unique_ptr<engine::DescriptorAllocator> descriptors;
    VkDescriptorSet speed_sets[3]{}, slope_sets[3]{};
    std::map<int, VkDescriptorSet> step_sets;  // by in * 9 + out * 3 + start
    gpu::SwePush push{};
    int current = 0;

    VkDescriptorSet step_set(int in, int out, int start) {
        const int key = in * 9 + out * 3 + start;
        auto it = step_sets.find(key);
        if (it != step_sets.end()) return it->second;
        VkDescriptorSet set = descriptors->allocate(pipe.set_layout());
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, state[in])
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, state[out])
            .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, bed)
            .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, sources)
            .buffer(4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, ledger)
            .buffer(5, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, slopes)
            .buffer(6, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, state[start])
            .buffer(7, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, clock)
            .write(ctx->device(), set);
        return step_sets[key] = set;
    }

    void record_slopes(VkCommandBuffer cmd, int in) {
        state[in].use(cmd, engine::Access::ComputeRead);
        bed.use(cmd, engine::Access::ComputeRead);
        slopes.use(cmd, engine::Access::ComputeWrite);
        slope_pipe.bind(cmd, slope_sets[in]);
        slope_pipe.push(cmd, push);
        engine::dispatch_2d(cmd, grid.nx, grid.ny, SWE_LOCAL, SWE_LOCAL);
        slopes.use(cmd, engine::Access::ComputeRead);
    }

    void record_flow(VkCommandBuffer cmd, const gpu::SwePush& p, int in, int out, int start) {
        bed.use(cmd, engine::Access::ComputeRead);
        sources.use(cmd, engine::Access::ComputeRead);
        state[in].use(cmd, engine::Access::ComputeRead);
        state[start].use(cmd, engine::Access::ComputeRead);
        state[out].use(cmd, engine::Access::ComputeWrite);
        ledger.use(cmd, engine::Access::ComputeWrite);
        if (p.dims.w & SWE_CLOCK) clock.use(cmd, engine::Access::ComputeRead);
        const engine::Pipeline& step = (p.dims.w & SWE_INERTIAL)                  ? inertial_pipe[p.scheme.x == 1.0f ? 0 : 1]
                                       : (p.dims.w & (SWE_STAGE1 | SWE_STAGE2)) ? pipe
                                                                                : first_pipe;
        step.bind(cmd, step_set(in, out, start));
        step.push(cmd, p);
        engine::dispatch_2d(cmd, grid.nx, grid.ny, SWE_LOCAL, SWE_LOCAL);
    }
    bool infiltrating = false;
};

SweGpu::SweGpu(engine::Context& gpu, const SweGrid& grid, const SweState& initial) : impl_(std::make_unique<Impl>()) {
    if (!grid.soil_per_cell.empty()) throw std::invalid_argument("SweGpu: per-cell soils are not on the GPU yet");
    if (!grid.manning_per_cell.empty() && grid.manning_per_cell.size() != grid.cells())
        throw std::invalid_argument("SweGpu: manning_per_cell size differs");
    const size_t n = grid.cells();
    if (grid.z.size() != n || initial.h.size() != n || initial.hu.size() != n || initial.hv.size() != n)
        throw std::invalid_argument("SweGpu: grid and state sizes differ");
    Impl& m = *impl_;
    m.ctx = &gpu;
    m.grid = grid;
    m.infiltrating = grid.infiltration.ks_m_per_s > 0.0;
    const double zmin = *std::min_element(grid.z.begin(), grid.z.end());
    m.datum = float(zmin);
    std::vector<float> z(n);
    for (size_t k = 0; k < n; ++k) z[k] = float(grid.z[k] - zmin);
    std::vector<glm::vec4> s(n);
    for (size_t k = 0; k < n; ++k)
        s[k] = glm::vec4(float(initial.h[k]), float(initial.hu[k]), float(initial.hv[k]),
                         initial.infiltrated_m.empty() ? 0.0f : float(initial.infiltrated_m[k]));
    const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    for (auto& b : m.state) b = engine::Buffer(gpu, n * 16, storage, engine::MemoryKind::Device, "flood state");
    m.slopes = engine::Buffer(gpu, n * 32, storage, engine::MemoryKind::Device, "flood slopes");
    m.state[0].upload(s.data(), n * 16);
    m.bed = engine::Buffer(gpu, n * 4, storage, engine::MemoryKind::Device, "flood bed");
    m.bed.upload(z.data(), n * 4);
    m.sources = engine::Buffer(gpu, n * 16, storage, engine::MemoryKind::Device, "flood sources");
    m.ledger = engine::Buffer(gpu, n * 16, storage, engine::MemoryKind::Device, "flood ledger");
    // The clock's inputs: the initial state's wave speed and water as the first "partials" (the clock reads them
    // before the first step), and a clock with no pending step.
    // The reduction: runs of cells per invocation, enough that one dispatch has at most 65535 workgroups; one
    // partial per subgroup, SWE_REDUCE_SLOTS per workgroup (slots of larger subgroups stay 0).
    m.reduce_per_invocation = std::max<uint32_t>(4, uint32_t((n + 65535ull * SWE_REDUCE_LOCAL - 1) / (65535ull * SWE_REDUCE_LOCAL)));
    m.reduce_groups = uint32_t((n + uint64_t(m.reduce_per_invocation) * SWE_REDUCE_LOCAL - 1) /
                               (uint64_t(m.reduce_per_invocation) * SWE_REDUCE_LOCAL));
    m.partial_count = m.reduce_groups * SWE_REDUCE_SLOTS;
    std::vector<gpu::SwePartial> parts(m.partial_count, gpu::SwePartial{glm::vec4(0), glm::vec4(0)});
    double h_sum = 0;
    for (double h : initial.h) h_sum += h;
    parts[0].a = glm::vec4(float(infrascape::flood::max_wave_speed(grid, initial)), float(h_sum), 0, 0);
    m.partials = engine::Buffer(gpu, parts.size() * sizeof(gpu::SwePartial), storage, engine::MemoryKind::Device,
                                "flood partials");
    m.partials.upload(parts.data(), parts.size() * sizeof(gpu::SwePartial));
    const gpu::SweClock clock0{glm::vec4(0), glm::uvec4(0), glm::vec4(0), glm::uvec4(0xffffffffu), glm::vec4(0)};
    m.clock = engine::Buffer(gpu, sizeof(gpu::SweClock), storage, engine::MemoryKind::Device, "flood clock");
    m.clock.upload(&clock0, sizeof(clock0));
    const auto cs = VK_SHADER_STAGE_COMPUTE_BIT;
    std::vector<engine::Binding> step_bindings;
    for (uint32_t b = 0; b < 8; ++b) step_bindings.push_back({b, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs});
    m.pipe = engine::Pipeline::compute(gpu, "flood/swe_step.comp", step_bindings, sizeof(gpu::SwePush), "flood step");
    m.first_pipe =
        engine::Pipeline::compute(gpu, "flood/swe_step_first.comp", step_bindings, sizeof(gpu::SwePush), "flood first-order step");
    const std::string inertial = grid.manning_per_cell.empty() ? "flood/swe_inertial" : "flood/swe_inertial_manning";
    m.inertial_pipe[0] = engine::Pipeline::compute(gpu, inertial + ".comp", step_bindings, sizeof(gpu::SwePush), "flood inertial step");
    m.inertial_pipe[1] =
        engine::Pipeline::compute(gpu, inertial + "_theta.comp", step_bindings, sizeof(gpu::SwePush), "flood inertial step (theta)");
    m.slope_pipe = engine::Pipeline::compute(gpu, "flood/swe_slopes.comp",
                                             {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}, {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                              {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}},
                                             sizeof(gpu::SwePush), "flood slopes");
    m.speed = engine::Buffer(gpu, 4, storage | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                             engine::MemoryKind::Device, "flood wave speed");
    m.speed_pipe = engine::Pipeline::compute(gpu, "flood/swe_wave_speed.comp",
                                             {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}, {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}},
                                             sizeof(gpu::SwePush), "flood wave speed");
    m.descriptors = std::make_unique<engine::DescriptorAllocator>(gpu);
    for (int from = 0; from < 3; ++from) {
        m.speed_sets[from] = m.descriptors->allocate(m.speed_pipe.set_layout());
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.state[from])
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.speed)
            .write(gpu.device(), m.speed_sets[from]);
        m.slope_sets[from] = m.descriptors->allocate(m.slope_pipe.set_layout());
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.state[from])
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.bed)
            .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.slopes)
            .write(gpu.device(), m.slope_sets[from]);
    }
}

SweGpu::~SweGpu() = default;

void SweGpu::enable_clock(const ClockConfig& config) {
    Impl& m = *impl_;
    if (m.clocked) throw std::logic_error("SweGpu::enable_clock: already enabled");
    if (config.log_slots == 0 || config.log_capacity == 0 || !(config.max_dt_s > 0))
        throw std::invalid_argument("SweGpu::enable_clock: invalid configuration");
    m.clock_config = config;
    if (m.clock_config.cfl <= 0) m.clock_config.cfl = default_cfl(m.grid);
    const auto cs = VK_SHADER_STAGE_COMPUTE_BIT;
    m.clock_pipe = engine::Pipeline::compute(*m.ctx, "flood/swe_clock.comp",
                                             {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}, {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                              {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}, {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}},
                                             sizeof(gpu::SweClockPush), "flood clock");
    // An empty forcing table until set_forcing_table (the clock evaluates nothing from it then).
    m.forcing = engine::Buffer(*m.ctx, 64 * 1024, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device,
                               "flood forcing table");
    const std::vector<glm::vec4> empty(4, glm::vec4(0));
    m.forcing.upload(empty.data(), empty.size() * sizeof(glm::vec4));
    m.reduce_pipe = engine::Pipeline::compute(*m.ctx, "flood/swe_reduce.comp",
                                              {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}, {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
                                               {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs}},
                                              sizeof(gpu::SweReducePush), "flood reduce");
    for (int st = 0; st < 3; ++st) {
        m.reduce_sets[st] = m.descriptors->allocate(m.reduce_pipe.set_layout());
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.state[st])
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.ledger)
            .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.partials)
            .write(m.ctx->device(), m.reduce_sets[st]);
    }
    for (uint32_t s = 0; s < config.log_slots; ++s) {
        m.logs.emplace_back(*m.ctx, VkDeviceSize(config.log_capacity) * sizeof(gpu::SweLogEntry),
                            VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Readback, "flood step log");
        VkDescriptorSet set = m.descriptors->allocate(m.clock_pipe.set_layout());
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.partials)
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.clock)
            .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.logs.back())
            .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, m.forcing)
            .write(m.ctx->device(), set);
        m.clock_sets.push_back(set);
    }
    m.log_used.assign(config.log_slots, 0);
    m.clocked = true;
}

void SweGpu::set_forcing_table(const ForcingTable& t) {
    Impl& m = *impl_;
    if (!m.clocked) throw std::logic_error("SweGpu::set_forcing_table: enable_clock first");
    if (t.inflows.size() > 4) throw std::invalid_argument("SweGpu: at most 4 point inflows");
    auto bits = [](uint32_t u) {
        float f;
        std::memcpy(&f, &u, 4);
        return f;
    };
    std::vector<glm::vec4> v(SWE_FORCING_PATH, glm::vec4(0));
    double length = 0;
    for (size_t k = 0; k < t.storm_path.size(); ++k) {
        if (k) length += std::hypot(t.storm_path[k][0] - t.storm_path[k - 1][0], t.storm_path[k][1] - t.storm_path[k - 1][1]);
        v.push_back(glm::vec4(float(t.storm_path[k][0]), float(t.storm_path[k][1]), float(length), 0));
    }
    const size_t inflow_at = v.size();
    v.resize(v.size() + t.inflows.size(), glm::vec4(0));
    for (size_t e = 0; e < t.inflows.size(); ++e) {
        const auto& in = t.inflows[e];
        if (in.i >= m.grid.nx || in.j >= m.grid.ny) throw std::invalid_argument("SweGpu: an inflow cell outside the grid");
        if (in.t_s.empty() || in.t_s.size() != in.q_m3_per_s.size())
            throw std::invalid_argument("SweGpu: an inflow hydrograph needs rows of time and discharge");
        v[inflow_at + e] = glm::vec4(bits(uint32_t(m.grid.index(in.i, in.j))), bits(uint32_t(v.size())),
                                     bits(uint32_t(in.t_s.size())), 0);
        for (size_t r = 0; r < in.t_s.size(); ++r) v.push_back(glm::vec4(float(in.t_s[r]), float(in.q_m3_per_s[r]), 0, 0));
    }
    v[SWE_FORCING_HEADER] = glm::vec4(bits(uint32_t(t.storm_path.size())), bits(uint32_t(t.inflows.size())), 0, 0);
    v[SWE_FORCING_STORM] = glm::vec4(float(t.storm_start_s), float(t.storm_end_s), float(length), 0);
    if (v.size() * sizeof(glm::vec4) > m.forcing.size())
        throw std::invalid_argument("SweGpu: the forcing table is too large (storm path and hydrograph rows: at most " +
                                    std::to_string(m.forcing.size() / sizeof(glm::vec4) - 8) + " in all)");
    m.forcing.upload(v.data(), v.size() * sizeof(glm::vec4));
    m.has_table = true;
}

uint32_t SweGpu::record_window(VkCommandBuffer cmd, double window_s, uint32_t steps, const std::vector<Forcing>& forcing,
                               uint32_t slot, const WindowForcing& wf) {
    Impl& m = *impl_;
    if (!m.clocked) throw std::logic_error("SweGpu::record_window: enable_clock first");
    slot %= uint32_t(m.logs.size());
    steps = std::min(steps, m.clock_config.log_capacity - m.log_used[slot]);
    engine::Buffer& log = m.logs[slot];
    auto clock_pass = [&](uint32_t log_index, bool start, bool finish) {
        m.partials.use(cmd, engine::Access::ComputeRead);
        m.clock.use(cmd, engine::Access::ComputeWrite);
        log.use(cmd, engine::Access::ComputeWrite);
        const gpu::SweClockPush cp{glm::uvec4(m.partial_count, log_index, start ? 1u : 0u, finish ? 1u : 0u),
                                   glm::vec4(float(window_s), float(m.grid.dx), float(m.clock_config.cfl),
                                             float(m.clock_config.max_dt_s)),
                                   glm::vec4(float(wf.end_s), float(wf.storm_radius_m), float(wf.storm_peak_m_per_s),
                                             float(m.grid.dx * m.grid.dx))};
        m.clock_pipe.bind(cmd, m.clock_sets[slot]);
        m.clock_pipe.push(cmd, cp);
        vkCmdDispatch(cmd, 1, 1, 1);
    };
    const Forcing none;
    for (uint32_t k = 0; k < steps; ++k) {
        clock_pass(m.log_used[slot] + k, k == 0, false);
        const Forcing& f = forcing.empty() ? none : forcing[std::min<size_t>(k, forcing.size() - 1)];
        record_step_flags(cmd, 0.0, m.has_table ? none : f, SWE_CLOCK | (m.has_table ? SWE_FORCING_TABLE : 0u));
        // The step's partials for the next clock pass.
        m.state[m.current].use(cmd, engine::Access::ComputeRead);
        m.ledger.use(cmd, engine::Access::ComputeRead);
        m.partials.use(cmd, engine::Access::ComputeWrite);
        const gpu::SweReducePush rp{glm::uvec4(uint32_t(m.grid.cells()), m.reduce_per_invocation, m.grid.inertial ? 1u : 0u, 0),
                                    glm::vec4(float(m.grid.g), 0, 0, 0)};
        m.reduce_pipe.bind(cmd, m.reduce_sets[m.current]);
        m.reduce_pipe.push(cmd, rp);
        vkCmdDispatch(cmd, m.reduce_groups, 1, 1);
    }
    if (steps > 0) clock_pass(0, false, true);
    else clock_pass(0, true, true);  // the log is full: the window's time still counts, left for later windows
    m.log_used[slot] += steps;
    log.use(cmd, engine::Access::HostRead);
    return steps;
}

std::vector<SweGpu::LogEntry> SweGpu::take_log(uint32_t slot) {
    Impl& m = *impl_;
    if (!m.clocked) return {};
    slot %= uint32_t(m.logs.size());
    engine::Buffer& log = m.logs[slot];
    log.invalidate();
    const auto* e = static_cast<const gpu::SweLogEntry*>(log.mapped());
    const double a = m.grid.dx * m.grid.dx;
    std::vector<LogEntry> out(m.log_used[slot]);
    for (uint32_t k = 0; k < m.log_used[slot]; ++k)
        out[k] = LogEntry{e[k].a.x, e[k].a.y, e[k].a.z * a, e[k].a.w, e[k].b.x * a, e[k].b.y * a, e[k].b.z * a, e[k].b.w};
    m.log_used[slot] = 0;
    return out;
}

double SweGpu::dx() const { return impl_->grid.dx; }
engine::Buffer& SweGpu::state_buffer() { return impl_->state[impl_->current]; }
engine::Buffer& SweGpu::bed_buffer() { return impl_->bed; }
double SweGpu::datum() const { return impl_->datum; }

void SweGpu::set_sources(const StepSources& src) {
    Impl& m = *impl_;
    const SweGrid& g = m.grid;
    const size_t n = g.cells();
    // Per-cell rates: the optional rain raster, and point inflows spread over their cell's area.
    std::vector<glm::vec4> rates(n, glm::vec4(0));
    if (!src.rain_m_per_s_cells.empty())
        for (size_t k = 0; k < n; ++k) rates[k].x = float(src.rain_m_per_s_cells[k]);
    for (const auto& [i, j, q] : src.inflows) rates[g.index(i, j)].y += float(q / (g.dx * g.dx));
    if (!g.walls.empty())  // a negative rain rate marks a wall: no rain of any kind there (swe_step.comp)
        for (size_t k = 0; k < n; ++k)
            if (g.walls[k]) rates[k].x = -1.0f;
    if (!g.manning_per_cell.empty())
        for (size_t k = 0; k < n; ++k) rates[k].z = float(g.g * g.manning_per_cell[k] * g.manning_per_cell[k]);
    m.sources.upload(rates.data(), n * 16);
    uint32_t open = 0;
    for (int e = 0; e < 4; ++e)
        if (g.boundary[e] == Boundary::Open) open |= 1u << e;
    uint32_t flags = m.infiltrating ? SWE_INFILTRATION : 0u;
    if (!g.manning_per_cell.empty()) flags |= SWE_MANNING_CELLS;
    if (g.limiter == Limiter::VanLeer) flags |= SWE_VAN_LEER;
    if (g.inertial) flags |= SWE_INERTIAL;
    m.push = gpu::SwePush{glm::uvec4(g.nx, g.ny, open, flags),
                          glm::vec4(float(g.dx), 0.0f, float(g.g), float(g.g * g.manning_n * g.manning_n)),
                          glm::vec4(float(src.rain_m_per_s), float(g.infiltration.ks_m_per_s),
                                    float(g.infiltration.suction_m), float(g.infiltration.moisture_deficit)),
                          glm::vec4(0), glm::uvec4(0xffffffffu), glm::vec4(0),
                          glm::vec4(float(g.inertial_theta), 0, 0, 0)};
}

void SweGpu::set_uniform_rain(double m_per_s) {
    if (!(m_per_s >= 0)) throw std::invalid_argument("SweGpu: negative rain rate");
    impl_->push.sources.x = float(m_per_s);
}

void SweGpu::record_step(VkCommandBuffer cmd, double dt) { record_step(cmd, dt, Forcing{}); }

void SweGpu::record_step(VkCommandBuffer cmd, double dt, const Forcing& f) { record_step_flags(cmd, dt, f, 0); }

void SweGpu::record_step_flags(VkCommandBuffer cmd, double dt, const Forcing& f, uint32_t extra_flags) {
    Impl& m = *impl_;
    if (f.inflows.size() > 4) throw std::invalid_argument("SweGpu: at most 4 point inflows per step");
    gpu::SwePush push = m.push;
    push.step.y = float(dt);
    push.dims.w |= extra_flags;
    push.storm = glm::vec4(float(f.storm_x_m), float(f.storm_y_m), float(f.storm_radius_m), float(f.storm_peak_m_per_s));
    for (size_t e = 0; e < f.inflows.size(); ++e) {
        const auto& [i, j, q] = f.inflows[e];
        if (i >= m.grid.nx || j >= m.grid.ny) throw std::invalid_argument("SweGpu: an inflow cell outside the grid");
        push.inflow_cells[int(e)] = uint32_t(m.grid.index(i, j));
        push.inflow_rates[int(e)] = float(q / (m.grid.dx * m.grid.dx));
    }
    const int a = m.current, b = (m.current + 1) % 3, c = (m.current + 2) % 3;
    if (!m.grid.second_order || m.grid.inertial) {
        m.record_flow(cmd, push, a, b, a);
        m.current = b;
        return;
    }
    // Heun: slopes of U, U1 = U + dt L(U); slopes of U1, U' = (U + U1 + dt L(U1)) / 2 and the sources.
    m.record_slopes(cmd, a);
    gpu::SwePush stage = push;
    stage.dims.w |= SWE_STAGE1;
    m.record_flow(cmd, stage, a, b, a);
    m.record_slopes(cmd, b);
    stage = push;
    stage.dims.w |= SWE_STAGE2;
    m.ledger.use(cmd, engine::Access::ComputeWrite);  // stage 2 adds to stage 1's outflow
    m.record_flow(cmd, stage, b, c, a);
    m.current = c;
}

void SweGpu::run(double dt, uint32_t steps, const StepSources& src) {
    set_sources(src);
    impl_->ctx->submit_and_wait([&](VkCommandBuffer cmd) {
        for (uint32_t s = 0; s < steps; ++s) record_step(cmd, dt);
    });
}

double SweGpu::max_wave_speed() {
    Impl& m = *impl_;
    m.ctx->submit_and_wait([&](VkCommandBuffer cmd) {
        m.speed.use(cmd, engine::Access::TransferDst);
        vkCmdFillBuffer(cmd, m.speed.handle(), 0, 4, 0);
        m.speed.use(cmd, engine::Access::ComputeWrite);
        m.state[m.current].use(cmd, engine::Access::ComputeRead);
        m.speed_pipe.bind(cmd, m.speed_sets[m.current]);
        m.speed_pipe.push(cmd, m.push);
        engine::dispatch_2d(cmd, m.grid.nx, m.grid.ny, SWE_LOCAL, SWE_LOCAL);
        m.speed.use(cmd, engine::Access::TransferSrc);
    });
    float v = 0;
    m.speed.download(&v, 4);
    return v;
}

SweState SweGpu::state() const {
    const Impl& m = *impl_;
    const size_t n = m.grid.cells();
    std::vector<glm::vec4> s(n);
    const_cast<engine::Buffer&>(m.state[m.current]).download(s.data(), n * 16);
    SweState out;
    out.h.resize(n);
    out.hu.resize(n);
    out.hv.resize(n);
    if (m.infiltrating) out.infiltrated_m.resize(n);
    for (size_t k = 0; k < n; ++k) {
        out.h[k] = s[k].x;
        out.hu[k] = s[k].y;
        out.hv[k] = s[k].z;
        if (m.infiltrating) out.infiltrated_m[k] = s[k].w;
    }
    return out;
}

std::vector<BenchKernel> bench_kernels(engine::Context& gpu) {
    std::vector<BenchKernel> out;
    // The first-order finite volumes at three sizes, then the inertial scheme at 1024^2.
    const std::pair<uint32_t, bool> cases[] = {{512u, false}, {1024u, false}, {2048u, false}, {1024u, true}};
    for (const auto& [n, inertial] : cases) {
        SweGrid g;
        g.inertial = inertial;
        g.nx = g.ny = n;
        g.dx = 10.0;
        g.z.resize(g.cells());
        SweState s = SweState::dry(g);
        for (uint32_t j = 0; j < n; ++j)
            for (uint32_t i = 0; i < n; ++i) {
                const size_t k = g.index(i, j);
                g.z[k] = 200.0 - 0.002 * i * g.dx + 0.5 * std::sin(i * 0.05) * std::cos(j * 0.07);
                s.h[k] = 1.0 + 0.5 * std::sin(j * 0.03);
                s.hu[k] = 0.5 * s.h[k];  // a momentum, or the inertial scheme's East face discharge
            }
        g.boundary = {Boundary::Closed, Boundary::Open, Boundary::Closed, Boundary::Closed};
        g.manning_n = 0.035;
        auto solver = std::make_shared<SweGpu>(gpu, g, s);
        StepSources rain;
        rain.rain_m_per_s = 50.0 / 3.6e6;
        solver->set_sources(rain);
        SweGpu::ClockConfig clock;
        clock.log_slots = 1;
        solver->enable_clock(clock);
        const double dt = 0.45 * g.dx / (0.5 + std::sqrt(9.81 * 1.5));
        BenchKernel k;
        k.name = std::string(inertial ? "flood.step inertial (" : "flood.step (") + std::to_string(n) + "^2, clocked)";
        k.item_unit = "cell updates";
        k.items = double(n) * n;
        // The least traffic per cell: the step reads the state (16 B), bed (4 B) and sources (16 B) and writes
        // the state (16 B) and ledger (16 B); the reduction reads the state and ledger again (32 B).
        k.bytes = double(n) * n * 100;
        // One step as the flood module takes it: the clock pass (the CFL dt from the last step's partials), the
        // step, and the reduction of its partials. The window is half a CFL step, so each run is one whole step of that length.
        k.record = [solver, dt](VkCommandBuffer cmd) {
            solver->take_log(0);  // the bench never reads the log: keep it from filling up
            solver->record_window(cmd, 0.5 * dt, 1, {}, 0);
        };
        out.push_back(std::move(k));
    }
    return out;
}

}  // namespace infrascape::flood
