// Hydrological conditioning of a bed for the flood solver: depression filling, so that rain on a procedural or
// noisy DEM runs off to the rivers instead of filling thousands of artificial pits.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace infrascape::flood {

// Priority-Flood+epsilon (Barnes, Lehman & Mulla 2014, "Priority-flood: An optimal depression-filling and
// watershed-labeling algorithm for digital elevation models", Computers & Geosciences 62, Algorithm 3): raises
// every cell that has no descending path to an outlet to the level of its spill point plus `epsilon` per cell of
// distance, so every cell drains (along a strictly descending 8-connected path) to an outlet. Outlets are the
// cells on the edges marked in `outlet_edges` (West, East, South, North, as in swe_reference.hpp's Edge); walls
// (NaN in `z`, left unchanged) hold water like closed edges. z: nx * ny, row-major from the south. Returns the number of
// cells raised. O(n log n).
size_t fill_depressions(std::vector<double>& z, uint32_t nx, uint32_t ny, std::array<bool, 4> outlet_edges,
                        double epsilon = 0.005);

}  // namespace infrascape::flood
