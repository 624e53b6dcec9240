// `infrascape bench`: the device's copy bandwidth as its roofline, then every registered module kernel's
// throughput and effective bandwidth as a fraction of it, then the frame time of a reference scene.
// Kernel times come from GPU timestamps around repeated dispatches; the frame time is wall time per
// submitted and completed frame (headless, no readback).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "app/frame_submitter.hpp"
#include "app/session.hpp"
#include "modules/datacenter/lbm_gpu.hpp"
#include "modules/grid/case.hpp"
#include "modules/grid/hosting.hpp"
#include "modules/grid/opf.hpp"
#include "modules/grid/power_flow.hpp"
#include "pipeline.hpp"
#include "resources.hpp"

namespace infrascape {

namespace {

struct Row {
    std::string name, unit;
    double items_per_s = 0, gb_per_s = 0, ms = 0;
};

// Times `record` repeated `repeat` times with GPU timestamps; returns seconds per run (median of 3).
double time_kernel(engine::Context& gpu, const std::function<void(VkCommandBuffer)>& record, uint32_t repeat) {
    VkQueryPoolCreateInfo qci{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
    qci.queryType = VK_QUERY_TYPE_TIMESTAMP;
    qci.queryCount = 2;
    VkQueryPool pool;
    VK_CHECK(vkCreateQueryPool(gpu.device(), &qci, nullptr, &pool));
    std::vector<double> runs;
    for (int trial = 0; trial < 4; ++trial) {
        gpu.submit_and_wait([&](VkCommandBuffer cmd) {
            vkCmdResetQueryPool(cmd, pool, 0, 2);
            vkCmdWriteTimestamp2(cmd, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, pool, 0);
            for (uint32_t r = 0; r < repeat; ++r) record(cmd);
            vkCmdWriteTimestamp2(cmd, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, pool, 1);
        });
        uint64_t ticks[2];
        VK_CHECK(vkGetQueryPoolResults(gpu.device(), pool, 0, 2, sizeof ticks, ticks, sizeof(uint64_t),
                                       VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
        if (trial > 0)  // the first run warms caches and pipelines
            runs.push_back(double(ticks[1] - ticks[0]) * gpu.properties().limits.timestampPeriod * 1e-9 / repeat);
    }
    vkDestroyQueryPool(gpu.device(), pool, nullptr);
    std::sort(runs.begin(), runs.end());
    return runs[runs.size() / 2];
}

struct CopyPush {
    uint32_t count, row_stride;
};

// The exit code of a bench run: 3 when --validate saw validation messages.
int validation_exit(const engine::Context& gpu) {
    if (gpu.validation_enabled() && gpu.validation_messages()) {
        std::fprintf(stderr, "infrascape: the validation layer reported messages\n");
        return 3;
    }
    return 0;
}

struct CopyRow {
    std::string name;
    double gb_per_s = 0;  // bytes read plus bytes written
};

// Copy kernels (shaders/engine/copy.glsl) over 64 MiB (512 MiB on a GPU). Devices differ in which runs fastest
// (on llvmpipe, more words per invocation), and the fastest is the roofline.
std::vector<CopyRow> measure_copies(engine::Context& gpu, bool is_cpu, uint32_t repeat) {
    const VkDeviceSize max_range = gpu.properties().limits.maxStorageBufferRange;
    const VkDeviceSize bytes = std::min<VkDeviceSize>(is_cpu ? (64u << 20) : (512u << 20), max_range);
    engine::Buffer src(gpu, bytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "bench src");
    engine::Buffer dst(gpu, bytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "bench dst");
    gpu.submit_and_wait([&](VkCommandBuffer cmd) {
        src.use(cmd, engine::Access::TransferDst);
        vkCmdFillBuffer(cmd, src.handle(), 0, bytes, 0x3f800000u);
    });
    struct Variant {
        const char* name;
        const char* shader;
        uint32_t local, per_invocation;
    };
    const Variant variants[] = {{"copy, 1 x 16 B per invocation, 256 per group", "engine/copy.comp", 256, 1},
                                {"copy, 4 x 16 B per invocation, 256 per group", "engine/copy_x4.comp", 256, 4},
                                {"copy, 16 x 16 B per invocation, 1024 per group", "engine/copy_1024_x16.comp", 1024, 16}};
    engine::DescriptorAllocator descriptors(gpu);
    const auto& limits = gpu.properties().limits;
    std::vector<CopyRow> rows;
    for (const Variant& v : variants) {
        if (v.local > limits.maxComputeWorkGroupSize[0] || v.local > limits.maxComputeWorkGroupInvocations) continue;
        engine::Pipeline copy = engine::Pipeline::compute(
            gpu, v.shader,
            {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
             {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT}},
            sizeof(CopyPush), "bench copy");
        VkDescriptorSet set = descriptors.allocate(copy.set_layout());
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, src)
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, dst)
            .write(gpu.device(), set);
        const uint32_t words = uint32_t(bytes / 16), row = 256 * 1024;
        const uint32_t invocations = (words + v.per_invocation - 1) / v.per_invocation;
        const double t = time_kernel(gpu, [&](VkCommandBuffer cmd) {
            src.use(cmd, engine::Access::ComputeRead);
            dst.use(cmd, engine::Access::ComputeWrite);
            copy.bind(cmd, set);
            copy.push(cmd, CopyPush{words, row});
            engine::dispatch_2d(cmd, row, (invocations + row - 1) / row, v.local, 1);
        }, repeat);
        rows.push_back({v.name, 2.0 * double(bytes) / t / 1e9});
    }
    return rows;
}

void print_copies(const std::vector<CopyRow>& copies, bool json) {
    if (json) {
        std::printf("  \"copy_kernels\": [\n");
        for (size_t i = 0; i < copies.size(); ++i)
            std::printf("    {\"name\": \"%s\", \"gb_per_s\": %.3f}%s\n", copies[i].name.c_str(), copies[i].gb_per_s,
                        i + 1 < copies.size() ? "," : "");
        std::printf("  ],\n");
    } else {
        for (const CopyRow& c : copies) std::printf("  %-50s %8.2f GB/s\n", c.name.c_str(), c.gb_per_s);
    }
}

// CPU solvers timed against published reference times (median of `runs`, seconds).
struct CpuRow {
    std::string name;
    double seconds = 0, reference_s = 0;  // reference: MATPOWER 8.1-dev under GNU Octave 7.3, 2 cores
};

template <class F>
double median_seconds(F&& f, int runs) {
    std::vector<double> t;
    for (int r = 0; r < runs; ++r) {
        auto t0 = std::chrono::steady_clock::now();
        f();
        t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

// The grid issue's CPU benchmarks, on the MATPOWER cases in ../shared/data/matpower when present.
std::vector<CpuRow> grid_bench(std::string& note) {
    const std::filesystem::path dir = std::filesystem::path(INFRASCAPE_SOURCE_DIR) / "../shared/data/matpower";
    if (!std::filesystem::exists(dir / "case_ACTIVSg10k.m") || !std::filesystem::exists(dir / "case_ACTIVSg2000.m")) {
        note = "grid solvers skipped: " + dir.lexically_normal().string() + " (the MATPOWER test cases) is absent";
        return {};
    }
    using namespace infrascape::grid;
    const Case big = load_matpower(dir / "case_ACTIVSg10k.m", "case_ACTIVSg10k.m");
    const Case mid = load_matpower(dir / "case_ACTIVSg2000.m", "case_ACTIVSg2000.m");
    std::vector<CpuRow> rows;
    rows.push_back({"grid DC power flow, ACTIVSg10k", median_seconds([&] { dc_power_flow(big); }, 5), 0.24});
    rows.push_back({"grid AC power flow, ACTIVSg10k", median_seconds([&] { ac_power_flow(big); }, 3), 0.45});
    rows.push_back({"grid PTDF + LODF, ACTIVSg2000", median_seconds([&] { lodf(mid, ptdf(mid)); }, 3), 1.34});
    rows.push_back({"grid N-1 screening, ACTIVSg2000", median_seconds([&] { n_minus_1(mid); }, 3), 0});
    return rows;
}

// `bench --hosting`: hosting capacity of every bus of ACTIVSg2000 with N-1 and of ACTIVSg10k without, each with
// its units free down to 0 MW (the cases cannot serve their own load in the DC model at their PMINs), against
// the brute force: a bisection to 0.5 MW over full DC OPF solves at every bus, estimated from one such solve.
int hosting_bench(const BenchOptions& o) {
    using namespace infrascape::grid;
    const std::filesystem::path dir = std::filesystem::path(INFRASCAPE_SOURCE_DIR) / "../shared/data/matpower";
    struct Run {
        const char* file;
        bool n1;
        HostingResult r;
        double seconds = 0, opf_s = 0, brute_s = 0;
        int buses = 0;
    };
    std::vector<Run> runs = {{"case_ACTIVSg2000", true, {}}, {"case_ACTIVSg10k", false, {}}};
    for (Run& run : runs) {
        const std::filesystem::path path = dir / (std::string(run.file) + ".m");
        if (!std::filesystem::exists(path)) {
            std::fprintf(stderr, "infrascape: bench --hosting needs %s (../shared beside the project root)\n", path.c_str());
            return 2;
        }
        Case c = load_matpower(path, path.filename().string());
        for (Gen& g : c.gens) g.pmin_mw = std::min(g.pmin_mw, 0.0);
        HostingOptions ho;
        ho.n_minus_1 = run.n1;
        auto t0 = std::chrono::steady_clock::now();
        run.r = hosting_capacity(c, ho);
        run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        OpfOptions oo;
        oo.n_minus_1 = run.n1;
        t0 = std::chrono::steady_clock::now();
        dc_opf(c, oo);
        run.opf_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        double steps = 0;
        for (const BusHosting& h : run.r.buses)
            if (std::isfinite(h.bound_mw)) steps += std::ceil(std::log2(std::max(1.0, h.bound_mw / 0.5))), ++run.buses;
        run.brute_s = steps * run.opf_s;
    }
    if (o.json) {
        std::printf("{\n  \"hosting\": [\n");
        for (size_t i = 0; i < runs.size(); ++i) {
            const Run& r = runs[i];
            std::printf("    {\"case\": \"%s\", \"contingencies\": \"%s\", \"buses\": %d, \"seconds\": %.3f, "
                        "\"setup_s\": %.3f, \"bound_s\": %.3f, \"lp_s\": %.3f, \"lp_solves\": %ld, \"rows_added\": %ld, "
                        "\"opf_solve_s\": %.3f, \"brute_force_estimate_s\": %.0f}%s\n",
                        r.file, r.n1 ? "n-1" : "none", r.buses, r.seconds, r.r.setup_s, r.r.bound_s, r.r.exact_s, r.r.lp_solves,
                        r.r.rows_added, r.opf_s, r.brute_s, i + 1 < runs.size() ? "," : "");
        }
        std::printf("  ]\n}\n");
        return 0;
    }
    std::printf("%-18s %5s %6s %9s  %-44s %12s\n", "hosting capacity", "N-1", "buses", "seconds",
                "of which: set-up, bound, LPs (LPs solved, rows)", "brute force");
    for (const Run& r : runs)
        std::printf("%-18s %5s %6d %9.2f  %6.2f, %5.2f, %6.2f (%6ld, %7ld)         %9.0f s (%d bisection steps x %.2f s OPF)\n",
                    r.file + 5, r.n1 ? "yes" : "no", r.buses, r.seconds, r.r.setup_s, r.r.bound_s, r.r.exact_s, r.r.lp_solves,
                    r.r.rows_added, r.brute_s, int(std::lround(r.brute_s / std::max(1e-9, r.opf_s))), r.opf_s);
    std::printf("goal: every bus of ACTIVSg2000 with N-1, and of ACTIVSg10k without, each in under 60 s on 2 cores\n");
    return 0;
}

// `bench --lbm N`: the hall kernel and the plain D3Q19 BGK kernel on an N^3 box.
int lbm_bench(engine::Context& gpu, const BenchOptions& o, const std::vector<CopyRow>& copies, double roofline,
              uint32_t repeat) {
    std::vector<BenchKernel> kernels;
    try {
        kernels = datacenter::lbm_cube_kernels(gpu, o.lbm);
    } catch (const std::runtime_error& e) {
        std::fprintf(stderr, "infrascape: --lbm %u: %s\n", o.lbm, e.what());
        return 2;
    }
    const size_t count = kernels.size();  // hall, plain, and the hall with FP16 populations where supported
    std::vector<double> mlups(count), gbs(count);
    for (size_t k = 0; k < count; ++k) {
        const double s = time_kernel(gpu, kernels[k].record, repeat);
        mlups[k] = kernels[k].items / s / 1e6;
        gbs[k] = kernels[k].bytes / s / 1e9;
    }
    if (o.json) {
        std::printf("{\n  \"device\": \"%s\",\n  \"lbm_n\": %u,\n", gpu.device_name().c_str(), o.lbm);
        print_copies(copies, true);
        std::printf("  \"copy_gb_per_s\": %.3f,\n  \"lbm_hall_mlups\": %.4f,\n  \"lbm_hall_gb_per_s\": %.3f,\n"
                    "  \"lbm_srt_mlups\": %.4f,\n  \"lbm_srt_gb_per_s\": %.3f",
                    roofline, mlups[0], gbs[0], mlups[1], gbs[1]);
        if (count > 2)
            std::printf(",\n  \"lbm_hall_fp16_mlups\": %.4f,\n  \"lbm_hall_fp16_gb_per_s\": %.3f", mlups[2], gbs[2]);
        std::printf("\n}\n");
    } else {
        std::printf("device: %s\n", gpu.device_name().c_str());
        std::printf("copy bandwidth (roofline): %.2f GB/s, the fastest of\n", roofline);
        print_copies(copies, false);
        std::printf("\n");
        std::printf("%-40s %10s %10s %9s\n", "kernel", "MLUPs/s", "GB/s", "of copy");
        for (size_t k = 0; k < count; ++k)
            std::printf("%-40s %10.3f %10.2f %8.1f%%\n", kernels[k].name.c_str(), mlups[k], gbs[k],
                        100.0 * gbs[k] / roofline);
    }
    return validation_exit(gpu);
}

// A scene's frame time at 1280x720 as a user gets it on this device (headless, stepping included: wall time per
// submitted and completed frame, the median after two warm-up frames), the GPU time of each pass, and the device
// memory it holds by owner.
struct SceneTiming {
    std::string scene;
    double frame_ms = 0;
    float render_scale = 1;                 // the world pass's fraction of 1280x720, by the device's default quality
    std::map<std::string, double> passes;  // GPU ms per pass (on llvmpipe without the binned rasterization)
    std::vector<engine::MemoryUse> memory;
    VkDeviceSize reserved = 0;
    uint32_t allocations = 0;
};

SceneTiming time_scene(const std::filesystem::path& scene, const BenchOptions& o, bool is_cpu, engine::Context& gpu) {
    SessionOptions so;
    so.validation = o.common.validation;
    so.device = o.common.device;
    so.msaa = 0;  // by quality, as a user gets it on this device
    so.render_scale = 0;
    Session session(scene, so);
    FrameSubmitter submitter(session.gpu());
    std::vector<double> ms;
    const int frames = is_cpu ? 6 : 30;
    for (int f = 0; f < frames; ++f) {
        auto t0 = std::chrono::steady_clock::now();
        VkCommandBuffer cmd = submitter.begin();
        session.timer().begin_frame(cmd, 0);
        session.advance_to(double(f + 1) * session.world().speed / 30.0, cmd, 0);
        session.record_frame(cmd, 0, 1.0 / 30, false);
        submitter.submit_and_wait();
        session.frame_complete(0);
        if (f >= 2) ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    SceneTiming t;
    t.scene = scene.filename().string();
    t.frame_ms = ms[ms.size() / 2];
    t.render_scale = session.render_scale();
    t.passes = session.timer().smoothed_ms();
    t.memory = session.gpu().memory().usage();
    t.reserved = session.gpu().memory().bytes_reserved();
    t.allocations = session.gpu().memory().device_allocations();
    if (session.gpu().validation_messages()) gpu.count_validation_message();
    return t;
}

// `bench --scenes`: every shipped scene's frame time and passes.
int scenes_bench(engine::Context& gpu, const BenchOptions& o, bool is_cpu) {
    std::vector<std::filesystem::path> scenes;
    for (const auto& entry : std::filesystem::directory_iterator(default_scene_path().parent_path()))
        if (entry.path().extension() == ".toml") scenes.push_back(entry.path());
    std::sort(scenes.begin(), scenes.end());
    std::vector<SceneTiming> timings;
    for (const auto& scene : scenes) timings.push_back(time_scene(scene, o, is_cpu, gpu));
    if (o.json) {
        std::printf("{\n  \"device\": \"%s\",\n  \"scenes\": [\n", gpu.device_name().c_str());
        for (size_t i = 0; i < timings.size(); ++i) {
            const SceneTiming& t = timings[i];
            std::printf("    {\"scene\": \"%s\", \"frame_ms\": %.3f, \"fps\": %.3f, \"render_scale\": %.2f, "
                        "\"memory_bytes\": %llu, \"passes_ms\": {",
                        t.scene.c_str(), t.frame_ms, 1000.0 / t.frame_ms, t.render_scale, (unsigned long long)t.reserved);
            size_t k = 0;
            for (const auto& [pass, ms] : t.passes) std::printf("%s\"%s\": %.4f", k++ ? ", " : "", pass.c_str(), ms);
            std::printf("}}%s\n", i + 1 < timings.size() ? "," : "");
        }
        std::printf("  ]\n}\n");
    } else {
        std::printf("device: %s\n\n%-24s %10s %8s %6s %10s  %s\n", gpu.device_name().c_str(), "scene (1280x720)", "frame ms",
                    "fps", "scale", "memory", "GPU passes (ms; on llvmpipe without the binned rasterization)");
        for (const SceneTiming& t : timings) {
            std::string passes;
            for (const auto& [pass, ms] : t.passes) {
                char text[96];
                std::snprintf(text, sizeof text, "%s%s %.1f", passes.empty() ? "" : ", ", pass.c_str(), ms);
                passes += text;
            }
            std::printf("%-24s %10.1f %8.1f %6.2f %7.0f MiB  %s\n", t.scene.c_str(), t.frame_ms, 1000.0 / t.frame_ms,
                        t.render_scale, double(t.reserved) / 1048576.0, passes.c_str());
        }
    }
    return validation_exit(gpu);
}

}  // namespace

int bench_command(const BenchOptions& o) {
    if (o.hosting) return hosting_bench(o);  // CPU only: no device needed
    engine::ContextOptions co;
    co.validation = o.common.validation;
    co.device_index = o.common.device;
    auto gpu = std::make_unique<engine::Context>(co);
    const bool is_cpu = gpu->properties().deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
    const uint32_t repeat = is_cpu ? 3 : 50;

    // [SECTION] `--scenes`: every shipped scene, nothing else.
    if (o.scenes) return scenes_bench(*gpu, o, is_cpu);

    // [SECTION] Roofline: the fastest copy kernel.
    const std::vector<CopyRow> copies = measure_copies(*gpu, is_cpu, repeat);
    gpu->release_all();
    double roofline = 0;
    for (const CopyRow& c : copies) roofline = std::max(roofline, c.gb_per_s);

    // [SECTION] `--lbm N`: the LBM kernels only, for comparison with FluidX3D.
    if (o.lbm > 0) return lbm_bench(*gpu, o, copies, roofline, repeat);


    // [SECTION] Module kernels.
    std::vector<Row> rows;
    for (const ModuleEntry& e : module_registry()) {
        std::unique_ptr<Module> m = e.create();
        for (const BenchKernel& k : m->bench_kernels(*gpu)) {
            const double s = time_kernel(*gpu, k.record, repeat);
            rows.push_back({k.name, k.item_unit, k.items / s, k.bytes / s / 1e9, s * 1e3});
        }
        gpu->release_all();  // each module's kernels give their memory back before the next module's
    }

    // [SECTION] CPU solvers.
    std::string cpu_note;
    const std::vector<CpuRow> cpu = grid_bench(cpu_note);

    // [SECTION] Reference scene frame time (1280x720, the default scene).
    const SceneTiming reference = time_scene(o.scene.empty() ? default_scene_path() : o.scene, o, is_cpu, *gpu);
    const double frame_ms = reference.frame_ms;
    const std::vector<engine::MemoryUse>& memory = reference.memory;
    const VkDeviceSize memory_reserved = reference.reserved;
    const uint32_t memory_allocations = reference.allocations;

    if (o.json) {
        std::printf("{\n  \"device\": \"%s\",\n", gpu->device_name().c_str());
        print_copies(copies, true);
        std::printf("  \"copy_gb_per_s\": %.3f,\n  \"kernels\": [\n", roofline);
        for (size_t i = 0; i < rows.size(); ++i)
            std::printf("    {\"name\": \"%s\", \"unit\": \"%s\", \"items_per_s\": %.6g, \"ms\": %.4f, "
                        "\"gb_per_s\": %.3f, \"fraction_of_copy\": %.4f}%s\n",
                        rows[i].name.c_str(), rows[i].unit.c_str(), rows[i].items_per_s, rows[i].ms, rows[i].gb_per_s,
                        rows[i].gb_per_s / roofline, i + 1 < rows.size() ? "," : "");
        std::printf("  ],\n  \"cpu\": [\n");
        for (size_t i = 0; i < cpu.size(); ++i)
            std::printf("    {\"name\": \"%s\", \"seconds\": %.6f, \"reference_seconds\": %.3f}%s\n", cpu[i].name.c_str(),
                        cpu[i].seconds, cpu[i].reference_s, i + 1 < cpu.size() ? "," : "");
        std::printf("  ],\n  \"reference_frame_ms\": %.3f,\n  \"reference_render_scale\": %.2f,\n", frame_ms,
                    reference.render_scale);
        std::printf("  \"reference_memory\": {\"reserved_bytes\": %llu, \"device_allocations\": %u, \"owners\": [\n",
                    (unsigned long long)memory_reserved, memory_allocations);
        for (size_t i = 0; i < memory.size(); ++i)
            std::printf("    {\"owner\": \"%s\", \"bytes\": %llu, \"resources\": %u}%s\n", memory[i].owner.c_str(),
                        (unsigned long long)memory[i].bytes, memory[i].resources, i + 1 < memory.size() ? "," : "");
        std::printf("  ]}\n}\n");
    } else {
        std::printf("device: %s\n", gpu->device_name().c_str());
        std::printf("copy bandwidth (roofline): %.2f GB/s (read + write), the fastest of\n", roofline);
        print_copies(copies, false);
        std::printf("\n");
        std::printf("%-38s %14s %-14s %10s %10s %9s\n", "kernel", "throughput", "unit/s", "ms/run", "GB/s", "of copy");
        for (const Row& r : rows)
            std::printf("%-38s %14.4g %-14s %10.3f %10.2f %8.1f%%\n", r.name.c_str(), r.items_per_s, r.unit.c_str(),
                        r.ms, r.gb_per_s, 100.0 * r.gb_per_s / roofline);
        std::printf("\n%-36s %12s %16s %9s\n", "CPU solver", "seconds", "MATPOWER/Octave", "speed-up");
        for (const CpuRow& r : cpu) {
            if (r.reference_s > 0)
                std::printf("%-36s %12.4f %15.2fs %8.1fx\n", r.name.c_str(), r.seconds, r.reference_s, r.reference_s / r.seconds);
            else
                std::printf("%-36s %12.4f %16s %9s\n", r.name.c_str(), r.seconds, "-", "-");
        }
        if (!cpu_note.empty()) std::printf("%s\n", cpu_note.c_str());
        std::printf("\nreference scene frame time (1280x720, default scene, render scale %.2f): %.1f ms\n",
                    reference.render_scale, frame_ms);
        std::printf("reference scene device memory: %.1f MiB in %u allocations\n", double(memory_reserved) / 1048576.0,
                    memory_allocations);
        for (const engine::MemoryUse& u : memory)
            std::printf("  %-28s %9.1f MiB %6u resources\n", u.owner.c_str(), double(u.bytes) / 1048576.0, u.resources);
    }
    return validation_exit(*gpu);
}

}  // namespace infrascape
