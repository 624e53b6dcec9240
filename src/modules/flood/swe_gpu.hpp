// The flood solver on the GPU: the passes of shaders/flood/swe_slopes.comp and swe_step.comp (first order through
// its first-order-only build swe_step_first.comp, or second order by Heun's two stages), or the local-inertial
// scheme's swe_inertial.comp, over a grid's state in three rotating state buffers allocated once, and the
// wave-speed reduction for the time step. What the flood module drives.
#pragma once

#include <vulkan/vulkan.h>

#include "resources.hpp"

#include <array>
#include <memory>
#include <tuple>
#include <vector>

#include "core/module.hpp"
#include "modules/flood/swe_reference.hpp"

namespace engine {
class Context;
}

namespace infrascape::flood {

class SweGpu {
public:
    // Uploads the bed (relative to its minimum, so float keeps the digits of eta = h + z) and the state.
    // Throws std::invalid_argument for a per-cell-soil grid (not on the GPU yet).
    SweGpu(engine::Context& gpu, const SweGrid& grid, const SweState& initial);
    ~SweGpu();
    SweGpu(const SweGpu&) = delete;
    SweGpu& operator=(const SweGpu&) = delete;

    // Runs `steps` steps of length dt with the same sources each step (rain and inflows), in one submission.
    void run(double dt, uint32_t steps, const StepSources& sources);
    // The sources later steps use, and the recording of one step (for callers that batch their own work).
    void set_sources(const StepSources& sources);
    // Changes only the uniform rain of later steps (push constants, no upload): what a ramped rain rate needs.
    void set_uniform_rain(double m_per_s);
    void record_step(VkCommandBuffer cmd, double dt);
    // What changes from step to step, carried in the step's push constants (no buffer writes, so steps
    // recorded back to back each see their own): a storm cell and up to four point inflows, on top of the
    // sources set by set_sources.
    struct Forcing {
        double storm_x_m = 0, storm_y_m = 0;  // centre, metres from the centre of cell (0, 0)
        double storm_radius_m = 0, storm_peak_m_per_s = 0;
        std::vector<std::tuple<uint32_t, uint32_t, double>> inflows;  // (i, j, Q m^3/s), at most 4
    };
    void record_step(VkCommandBuffer cmd, double dt, const Forcing& forcing);

    // Adaptive stepping with the time step chosen on the GPU (shaders/flood/swe_clock.comp): before each step a
    // clock pass reduces the partials the last step's reduction pass (swe_reduce.comp) wrote per subgroup to the
    // largest wave speed and sets
    // dt = min(cfl dx / speed, max_dt, time left in the window), so no step waits for the CPU. The host reads
    // what each step did from a per-slot log once the slot's submission has finished.
    struct ClockConfig {
        double cfl = 0;          // 0: kCfl2D, or kCfl2DSecondOrder for second order
        double max_dt_s = 10.0;  // largest step (a dry or still domain)
        uint32_t log_slots = 2;  // frames in flight that each keep a log
        uint32_t log_capacity = 8192;  // steps per slot between reads
    };
    struct LogEntry {
        double dt_s = 0, wave_speed = 0;  // the step's dt and the largest wave speed it was chosen from
        double volume_m3 = 0;             // stored water after the step
        double outflow_m3 = 0, infiltrated_m3 = 0, rain_m3 = 0, inflow_m3 = 0;  // the step's ledger terms
        double left_s = 0;                // time of the window still to go after it
    };
    void enable_clock(const ClockConfig& config);
    // A forcing table for clocked steps: the clock pass then evaluates the storm cell's position and each
    // inflow's hydrograph at the middle of every step on the GPU's own clock (exact volumes, no estimate of
    // step times on the host), and the per-step Forcing passed to record_window is ignored.
    struct ForcingTable {
        std::vector<std::array<double, 2>> storm_path;  // metres from cell (0, 0)'s centre; empty: no storm
        double storm_start_s = 0, storm_end_s = 0;
        struct Inflow {
            uint32_t i = 0, j = 0;
            std::vector<double> t_s, q_m3_per_s;  // piecewise linear, end values held outside (Hydrograph::at)
        };
        std::vector<Inflow> inflows;  // at most 4
    };
    void set_forcing_table(const ForcingTable& table);
    // What the clock needs per window with a forcing table: where the window ends on the flood clock, and the
    // storm's radius and peak rate (which the timeline may ramp).
    struct WindowForcing {
        double end_s = 0;
        double storm_radius_m = 0, storm_peak_m_per_s = 0;
    };
    // Records `steps` clocked steps that advance a window of `window_s` seconds, plus whatever earlier windows
    // left undone when their steps ran out; forcing[k] (the last one for k past the end; none when empty)
    // drives step k. Steps whose window is already done copy the state (dt = 0). Returns the steps recorded:
    // fewer than asked when the slot's log is full.
    uint32_t record_window(VkCommandBuffer cmd, double window_s, uint32_t steps, const std::vector<Forcing>& forcing,
                           uint32_t slot, const WindowForcing& window);
    uint32_t record_window(VkCommandBuffer cmd, double window_s, uint32_t steps, const std::vector<Forcing>& forcing,
                           uint32_t slot) {
        return record_window(cmd, window_s, steps, forcing, slot, WindowForcing{});
    }
    // The slot's log since the last call (call after the slot's submission finished), and clears it.
    std::vector<LogEntry> take_log(uint32_t slot);
    double dx() const;
    // The current state buffer (vec4 h, hu, hv, F per cell) and the bed (float per cell, metres above datum()).
    engine::Buffer& state_buffer();
    engine::Buffer& bed_buffer();
    double datum() const;

    // The largest wave speed max(|u|, |v|) + sqrt(g h) over the current state, reduced on the GPU (m/s).
    double max_wave_speed();
    // The current state (h, hu, hv, and F when infiltrating), read back.
    SweState state() const;

private:
    void record_step_flags(VkCommandBuffer cmd, double dt, const Forcing& forcing, uint32_t extra_flags);
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Bench kernels of the flood step (first order) on 512^2, 1024^2 and 2048^2 valleys of 10 m cells, every cell
// wet (the worst case): the flood module's bench rows until the module itself registers them.
std::vector<BenchKernel> bench_kernels(engine::Context& gpu);

}  // namespace infrascape::flood
