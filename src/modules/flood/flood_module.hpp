// The Flood module: flash floods over terrain. A DEM (ESRI ASCII grid or GeoTIFF) or the procedural hill-country
// valley (valley.hpp) is the bed of the GPU shallow-water solver (swe_gpu.hpp, shaders/flood/), which steps with
// the CFL time step chosen on the GPU under rain (uniform, a raster, a moving storm cell), hydrograph inflows and
// infiltration. The user sees the water over the terrain coloured by depth with flow tracers, gauges whose sirens
// sound at their warning depth, and how much warning each camp or building had. Exports: depth, maxima, arrival
// time and hazard rasters in the DEM's georeference, gauge series, the mass balance and the warning table.
#pragma once

#include <memory>

#include "core/module.hpp"

namespace infrascape::flood {

std::unique_ptr<Module> create();

}  // namespace infrascape::flood
