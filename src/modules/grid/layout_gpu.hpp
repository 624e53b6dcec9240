// The force-directed bus layout on the GPU (shaders/grid/layout.comp): iterations recorded back to back in
// one submission, ping-ponging two position buffers. Used by the grid module at attach and by the test that
// compares it with the C++ reference (layout_iteration in layout.hpp).
#pragma once

#include <array>
#include <vector>

#include "modules/grid/layout.hpp"

namespace engine {
class Context;
}

namespace infrascape::grid {

// Runs `iterations` of the schedule (temperatures of iterations 0 .. iterations-1) from `start` (with the
// tether circles in `anchors`, as initial_layout gives them) and returns the positions read back.
std::vector<std::array<float, 4>> run_layout_gpu(engine::Context& gpu, const Adjacency& adj,
                                                 const std::vector<std::array<float, 4>>& start,
                                                 const std::vector<std::array<float, 4>>& anchors,
                                                 const LayoutSchedule& schedule, uint32_t iterations);

}  // namespace infrascape::grid
