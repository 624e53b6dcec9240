// The data hall's lattice Boltzmann solver on the GPU, mirroring LbmReference::step cell by cell in float over
// ping-pong population buffers. A step is three dispatches: the branch-free bulk step over every cell
// (shaders/datacenter/lbm_bulk.glsl, resting walls by address), the full scheme over the listed boundary cells
// (lbm_step.glsl: supplies, returns, cells next to fans or moving walls; an indirect dispatch), and the solid
// cells' restore (lbm_keep.comp); lbm_links.comp makes the link words and lists whenever a patch changes its kind
// or a wall starts to move. The geometry, patches, heat sources, parameters and initial populations are taken
// from an LbmReference built with its API, so the module and the tests describe a hall once.
#pragma once

#include <vulkan/vulkan.h>

#include <memory>
#include <string>
#include <vector>

#include "core/module.hpp"
#include "modules/datacenter/lbm_reference.hpp"

namespace engine {
class Context;
class Buffer;
}  // namespace engine

namespace infrascape::datacenter {

// Device memory a hall of nx x ny x nz cells needs (populations, heat, mask, moments) and whether it fits: each
// population part under maxStorageBufferRange, everything under the largest device-local heap. `why` says which
// limit a grid breaks.
struct LbmMemory {
    double bytes = 0;
    bool fits = true;
    std::string why;
};
LbmMemory lbm_memory(const engine::Context& gpu, uint32_t nx, uint32_t ny, uint32_t nz, bool fp16 = false);

// How the D3Q19 populations are stored (shaders/datacenter/lbm_storage.glsl): FP32, or FP16 (16-bit floats of the
// shifted populations f_q - w_q, FP32 arithmetic; half the populations' memory and traffic). The D3Q7 heat
// populations stay FP32.
enum class LbmStorage { Fp32, Fp16 };

class LbmGpu {
public:
    // Throws std::runtime_error when the grid does not fit the device (lbm_memory), or for FP16 storage on a device
    // without 16-bit storage buffers.
    LbmGpu(engine::Context& gpu, const LbmReference& initial, LbmStorage storage = LbmStorage::Fp32);
    ~LbmGpu();
    LbmGpu(const LbmGpu&) = delete;
    LbmGpu& operator=(const LbmGpu&) = delete;

    void set_params(const LbmParams& params);             // live: relaxation, forces, buoyancy
    void set_patches(const std::vector<Patch>& patches);  // live: fan speeds, supply temperatures (blocking upload)
    void set_heat_sources(const std::vector<float>& k_per_step);  // per cell (blocking upload)
    // The patch table updated inside a command buffer (ordered with the steps around it): per-frame changes
    // such as rack exhaust temperatures and failed units.
    void record_patches(VkCommandBuffer cmd, const std::vector<Patch>& patches);

    // One step. The moments and density buffers are written only when `write_moments` (the last step of a
    // batch: they cost a tenth of a step's traffic).
    void record_step(VkCommandBuffer cmd, bool write_moments = true);
    void run(uint32_t steps);  // steps in one submission, waited for; the last writes the moments

    // Read back (blocking): populations as LbmReference lays them out (f_q - w_q, g_q - w_q T_offset; FP16 ones
    // widened), and the
    // moments of the last step: (ux, uy, uz, T) per cell and rho per cell.
    std::vector<float> populations() const;
    std::vector<float> temperature_populations() const;
    std::vector<float> moments() const;  // 4 per cell
    std::vector<float> density() const;
    // Temperature sums over fixed groups of cells (each a list of cell indices), reduced on the GPU: after a step
    // that wrote the moments, record_probes fills probe_buffer() with probe_bytes() of partial sums, and
    // probe_sums turns a copy of them into each group's sum of T (C, in double). probes_now does it all, blocking.
    void set_probes(const std::vector<std::vector<uint32_t>>& groups);
    void record_probes(VkCommandBuffer cmd);
    engine::Buffer& probe_buffer();
    size_t probe_bytes() const;
    std::vector<double> probe_sums(const float* partials) const;
    std::vector<double> probes_now();
    // The moments buffer (vec4 per cell, written by the last step) for drawing and readback copies.
    engine::Buffer& moments_buffer();
    engine::Buffer& mask_buffer();     // one byte per cell, four to a uint
    engine::Buffer& patches_buffer();  // 256 LbmPatch

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Bench kernels: the LBM step (D3Q19 TRT + Smagorinsky + D3Q7 heat with buoyancy) on 64^3, 128^3 and a 256 x 128 x 64
// hall, as many as fit the device.
std::vector<BenchKernel> lbm_bench_kernels(engine::Context& gpu);
// `bench --lbm N`: the hall kernel and FluidX3D's plain case (D3Q19 BGK FP32, periodic) on an N^3 box, then the
// hall kernel with FP16 populations where the device has 16-bit storage, in that order. Throws std::runtime_error
// when N^3 does not fit the device.
std::vector<BenchKernel> lbm_cube_kernels(engine::Context& gpu, uint32_t n);

}  // namespace infrascape::datacenter
