// Plain C++ reference of the example module's scheme, used by the tests to check the GPU kernel.
// Explicit forward-time centred-space (FTCS) step of the heat equation with a source and Newtonian
// cooling on a uniform grid, zero-flux (Neumann) boundaries (cell-centred: the ghost cell equals the edge cell, so the
// scheme conserves heat exactly without sources or cooling):
//   T' = T + dt * ( D * (T_e + T_w + T_n + T_s - 4 T) / dx^2 + S - k T )
// Stable for D dt / dx^2 <= 1/4 (von Neumann analysis of the 5-point Laplacian; e.g. LeVeque 2007, 9.2).
#pragma once

#include <cstdint>
#include <vector>

namespace infrascape::example {

struct DiffusionGrid {
    uint32_t nx = 0, ny = 0;
    double dx_m = 1;
};

// One step, in single precision like the GPU (same operation order), from `in` to `out`.
void diffusion_step(const DiffusionGrid& g, const std::vector<float>& in, const std::vector<float>& source_k_per_s,
                    float dt_s, float diffusivity_m2_per_s, float cooling_per_s, std::vector<float>& out);

// Substeps needed to keep one step of dt_s stable (a safety factor below the 1/4 limit).
uint32_t stable_substeps(double dt_s, double dx_m, double diffusivity_m2_per_s);

}  // namespace infrascape::example
