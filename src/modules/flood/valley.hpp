// A procedural Texas Hill Country valley for the flash-flood scenarios: a river meandering West -> East
// between flat terraces (the floodplain where camps sit), steep stair-stepped limestone hills on both sides,
// and side creeks cut into the hills that join the river. Channels are conditioned so that water can always
// run downhill along them (no pits), which lets the shallow-water solver route a storm over the headwaters
// through the creeks and down the river without the DEM itself holding the water back.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/raster.hpp"

namespace infrascape::flood {

struct ValleySpec {
    uint32_t nx = 384, ny = 256;        // cells
    double cell_m = 25.0;               // square cells
    double relief_m = 110.0;            // hilltops above the valley floor
    uint32_t tributaries = 4;           // side creeks joining the main river
    double river_slope = 0.0025;        // main channel bed gradient (m/m), falling West -> East
    double outlet_elevation_m = 420.0;  // channel bed at the east edge
    uint64_t seed = 1;
};

struct Valley {
    // geo.x0 = geo.y0 = cell_m / 2 (so map coordinates are metres from the SW corner), geo.cell = cell_m, wkt
    // empty. Orientation as everywhere in the flood module: v[j * nx + i], i West -> East, j South -> North.
    Raster dem;
    // The main river's centreline from the west edge (headwaters) to the east edge (outlet), map coordinates,
    // points about one cell apart (never more than one cell), and the cumulative distance along it for each.
    std::vector<std::array<double, 2>> river;
    std::vector<double> river_km;  // cumulative distance in km, same size as river, river_km[0] = 0
    // Each tributary's centreline from its upper end to its junction with the main river (the last point is a
    // point of `river`), points at most one cell apart.
    std::vector<std::vector<std::array<double, 2>>> creeks;
    // A point at `along_km` down the main river, `offset_m` to the side (positive: left bank looking
    // downstream, i.e. north-ish for a W->E river); clamps along_km into the river's length.
    std::array<double, 2> point_along_river(double along_km, double offset_m = 0) const;
};

// Deterministic: the same spec gives bitwise the same Valley. Walking the cells nearest to the river's points
// from west to east the elevation never increases, and the same along each creek down to its junction (the
// junction cell is the river's own cell there, so a creek meets the river at its bed level).
// Throws std::invalid_argument for nx or ny < 16, nx * ny > kMaxRasterCells, cell_m <= 0, relief_m < 0,
// river_slope <= 0, any of them or outlet_elevation_m not finite, or more than 64 tributaries.
Valley generate_valley(const ValleySpec& spec);

}  // namespace infrascape::flood
