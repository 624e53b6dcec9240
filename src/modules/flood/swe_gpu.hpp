// The flood solver on the GPU: the first-order pass of shaders/flood/swe_step.comp over a grid's state, with
// ping-pong state buffers allocated once. The second-order passes and the GPU reduction of the wave speed for
// the time step come with the flood module; this runner is what the GPU-versus-reference test drives.
#pragma once

#include <memory>
#include <vector>

#include "modules/flood/swe_reference.hpp"

namespace engine {
class Context;
}

namespace infrascape::flood {

class SweGpu {
public:
    // Uploads the bed (relative to its minimum, so float keeps the digits of eta = h + z) and the state.
    // Throws std::invalid_argument for a second-order or per-cell-soil grid (not on the GPU yet).
    SweGpu(engine::Context& gpu, const SweGrid& grid, const SweState& initial);
    ~SweGpu();
    SweGpu(const SweGpu&) = delete;
    SweGpu& operator=(const SweGpu&) = delete;

    // Runs `steps` steps of length dt with the same sources each step (rain and inflows), in one submission.
    void run(double dt, uint32_t steps, const StepSources& sources);
    // The current state (h, hu, hv, and F when infiltrating), read back.
    SweState state() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace infrascape::flood
