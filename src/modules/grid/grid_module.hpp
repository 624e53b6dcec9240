// The Grid module: a transmission network in the 3D world through days of weather. Buses come from a
// MATPOWER case (placed by a gazetteer and a force-directed layout on the GPU) or from the synthetic grid
// generator; every 5 minutes of simulated time the load, cooling, PV and battery model (scenario.hpp) sets the
// operating point, an island-aware DC power flow with dwell-based line tripping (cascade.hpp) solves it, and
// the lines show their loading, their flows as particles, and what trips.
#pragma once

#include <memory>

#include "core/module.hpp"

namespace infrascape::grid {

std::unique_ptr<Module> create();

}  // namespace infrascape::grid
