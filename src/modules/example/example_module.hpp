// The example module: heat released at a few sites spreads over the terrain by diffusion and cools
// back toward the ambient. It exists to show and test the module interface end to end: parameters,
// a GPU compute kernel with a CPU reference, an overlay field with a legend, instanced buildings
// coloured by a compute pass, a panel with a live plot, exports, published outputs and bench kernels.
#pragma once

#include <memory>

#include "core/module.hpp"

namespace infrascape::example {

std::unique_ptr<Module> create();

}  // namespace infrascape::example
