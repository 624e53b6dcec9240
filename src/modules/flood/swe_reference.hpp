// Flood module: the plain C++ reference solver of the 2D shallow-water equations (first-order Godunov
// finite volumes, HLL flux, Audusse hydrostatic reconstruction, wetting/drying, Manning friction).
// The GPU compute version mirrors this scheme cell by cell; tests/flood checks it against analytic solutions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <vector>

namespace infrascape::flood {

// Scheme summary (details and references in swe_reference.cpp):
//  - cell-centred finite volumes on a uniform nx x ny grid of square cells (side dx), state h, hu, hv;
//    cell (i, j) is stored at index j * nx + i, x grows with i (West -> East), y with j (South -> North);
//  - first-order Godunov update, explicit Euler in time, HLL interface flux (Harten, Lax, van Leer 1983)
//    with Toro's (2001, ch. 10) wave speed estimates including the dry-bed cases;
//  - hydrostatic reconstruction (Audusse, Bouchut, Bristeau, Klein, Perthame 2004): a lake at rest stays
//    at rest over any bed, including wet/dry fronts, and h stays non-negative under the CFL condition;
//  - cells with h <= kDryDepth have zero velocity (momentum is zeroed after each step);
//  - semi-implicit Manning friction, rain and point inflows applied after the flux update.
// All arithmetic is in double: the reference isolates scheme error from rounding; a float GPU port is
// compared against it with a tolerance.

inline constexpr double kDryDepth = 1e-6;  // m; below this a cell is dry and its velocity is zero
inline constexpr double kCfl2D = 0.45;     // Courant number used by cfl_time_step

enum class Edge : uint32_t { West = 0, East = 1, South = 2, North = 3 };
enum class Boundary : uint32_t {
    Closed,  // reflective wall: ghost cell mirrors the cell with the normal momentum negated
    Open,    // free outflow: zero-gradient ghost cell (copy of the boundary cell). Known limitation: a lake at
             // rest over a non-flat bed touching an open edge is not stable to round-off (perturbations grow at
             // the edge cells, ~1e-8 m^2/s after ~1000 steps); flat-bed lakes and real outflows are fine.
};

struct SweGrid {
    uint32_t nx = 0, ny = 0;
    double dx = 1.0;                  // m, cell side
    std::vector<double> z;            // m, bed elevation per cell (nx * ny)
    std::array<Boundary, 4> boundary{Boundary::Closed, Boundary::Closed, Boundary::Closed, Boundary::Closed};
    double manning_n = 0.0;           // s / m^(1/3); 0 disables friction
    double g = 9.81;                  // m / s^2

    [[nodiscard]] std::size_t cells() const { return static_cast<size_t>(nx) * ny; }
    [[nodiscard]] std::size_t index(uint32_t i, uint32_t j) const { return static_cast<size_t>(j) * nx + i; }
};

struct SweState {
    std::vector<double> h, hu, hv;    // m, m^2/s, m^2/s per cell

    static SweState dry(const SweGrid& grid);  // all zero, sized for the grid
};

struct StepSources {
    double rain_m_per_s = 0.0;                                     // uniform rain rate over every cell (>= 0)
    std::vector<std::tuple<uint32_t, uint32_t, double>> inflows;  // (i, j, Q in m^3/s >= 0) into one cell
};

struct StepReport {
    std::array<double, 4> outflow_edge_m3{};  // net volume that left through each edge (index by Edge)
    double outflow_m3 = 0.0;                  // sum over edges (negative if water came in at an open edge)
    double rain_m3 = 0.0;
    double inflow_m3 = 0.0;
    double clipped_m3 = 0.0;                  // volume added by clipping negative depths to 0 (0 under CFL)
};

// Largest max(|u|, |v|) + sqrt(g h) over wet cells (m/s); 0 when everything is dry.
double max_wave_speed(const SweGrid& grid, const SweState& state);

// dt = cfl * dx / max_wave_speed; returns max_dt when the domain is dry or the speed is tiny.
double cfl_time_step(const SweGrid& grid, const SweState& state, double cfl = kCfl2D, double max_dt = 1.0);

// One explicit step of length dt (the caller keeps dt within the CFL limit). Throws std::invalid_argument
// on inconsistent sizes or an inflow cell outside the grid.
StepReport swe_step(const SweGrid& grid, SweState& state, double dt, const StepSources& sources = {});

// Sum of h * dx^2 (m^3), accumulated in double.
double stored_volume(const SweGrid& grid, const SweState& state);

// Running mass balance: stored volume against initial + rain + inflow - outflow.
struct MassLedger {
    double initial_m3 = 0.0, rain_m3 = 0.0, inflow_m3 = 0.0, clipped_m3 = 0.0;
    std::array<double, 4> outflow_edge_m3{};

    void add(const StepReport& r);
    [[nodiscard]] double outflow_m3() const;
    [[nodiscard]] double expected_m3() const;  // initial + rain + inflow + clipped - outflow
};

}  // namespace infrascape::flood
