// Flood module: the plain C++ reference solver of the 2D shallow-water equations (Godunov finite volumes, HLL
// flux, Audusse hydrostatic reconstruction, first or second order, wetting/drying, Manning friction, rain,
// point inflows, Green-Ampt infiltration). The GPU compute version mirrors it pass by pass and cell by cell.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <vector>

namespace infrascape::flood {

// Scheme summary (formulas and references at each function in swe_reference.cpp):
//  - cell-centred finite volumes on a uniform nx x ny grid of square cells (side dx), state h, hu, hv (+ the
//    cumulative infiltration F); cell (i, j) is stored at index j * nx + i, x grows with i (West -> East),
//    y with j (South -> North);
//  - HLL interface flux (Harten, Lax, van Leer 1983) with Toro's (2001, ch. 10) wave speeds, dry beds too;
//  - hydrostatic reconstruction (Audusse, Bouchut, Bristeau, Klein, Perthame 2004): a lake at rest stays at
//    rest over any bed, wet/dry fronts included, and depths stay non-negative under the CFL condition;
//  - first order: one forward-Euler step. Second order (`SweGrid::second_order`): MUSCL reconstruction of h,
//    of the free surface eta = h + z and of the velocities with a limiter (Audusse et al. 2004 sec. 3),
//    integrated in time with Heun's two-stage SSP Runge-Kutta scheme (Shu & Osher 1988; Gottlieb, Shu,
//    Tadmor 2001) at CFL 0.25. MUSCL-Hancock was not chosen: its half-step predictor needs extra fixes at
//    wet/dry fronts, while each Heun stage is a plain positive, well-balanced forward-Euler step;
//  - wet/dry fronts, second order: dry cells are first order (zero slopes); a wet cell's surface slope
//    ignores a dry neighbour whose bed is above the surface (it would drive a spurious current along
//    shores); the limiter keeps reconstructed depths >= 0 and the HLL flux handles dry faces;
//  - boundary cells are first order in h and eta along the edge normal (zero-gradient ghosts for slopes);
//  - after the flow update: rain and point inflows, Green-Ampt infiltration, semi-implicit Manning friction;
//  - cells with h <= kDryDepth have zero velocity.
// All arithmetic is in double: the reference isolates scheme error from rounding; a float GPU port is
// compared against it with a tolerance.
//
// Passes of one step for the GPU port. Each is a dispatch over all cells; each cell gathers from its 4
// neighbours; every face flux is evaluated by both of its cells with the same (West/South, East/North)
// ordering, so mass is conserved to rounding. Before each step: a max reduction of max_wave_speed (dt).
//   First order, 1 pass:
//     P1 flow + sources: reads h, hu, hv, z of the cell and its 4 neighbours, and F, rain rate and inflow
//        rate of the cell (point inflows rasterised by the host to a per-cell rate); computes the 4 face
//        fluxes (an open-edge ghost also needs the bed the inward neighbour shows at their shared face), the
//        forward-Euler update, then sources, infiltration and friction; writes h, hu, hv, F (ping-pong
//        buffers), and the cell's edge outflow and infiltrated depth for the ledger reductions.
//   Second order, 4 passes:
//     P1 slopes:  reads U = (h, hu, hv) and z of the cell and its 4 neighbours; writes 8 limited slopes per
//                 cell (h, eta, u, v along x and along y).
//     P2 stage 1: reads U, z and slopes of the cell and its 4 neighbours; writes U1 = U + dt L(U) and the
//                 cell's edge outflow.
//     P3 slopes:  as P1, on U1.
//     P4 stage 2: reads U1, z and slopes of the cell and its 4 neighbours, and U of the cell; writes
//                 U' = (U + U1 + dt L(U1)) / 2, then applies sources, infiltration and friction; writes F.
// Float-sensitivity caveats for the port:
//  - velocities are q / h, zeroed below kDryDepth = 1e-6 m; q / h of a nearly dry cell can still be large:
//    keep the threshold and never divide by a depth that was not tested against it;
//  - the momentum update is written in "deviatoric" form (face flux minus the hydrostatic pressure
//    g h*^2 / 2 of that side, plus g h (eta slope) in the cell): the large g h^2 / 2 terms never cancel
//    between the faces of a cell, so a lake at rest is balanced to the rounding of eta = h + z, in float too;
//  - eta = h + z loses digits when |z| >> h (terrain at 500 m, 1 cm of water: float keeps ~3e-5 m of eta):
//    store z relative to a local datum (e.g. the terrain's minimum) on the GPU;
//  - the HLL denominator sr - sl is >= 2 sqrt(g h) > 0 when a side is wet; both-dry faces return before it;
//  - Green-Ampt uses a closed form whose square root is written without cancellation;
//  - the open-edge fade divides by sqrt(g h) of the boundary cell, guarded by the kDryDepth test;
//  - accumulate the ledger (outflow, rain, infiltration) in double on the host: a float running sum rounds
//    by up to 6e-8 per addition, i.e. up to ~6e-4 after 1e4 steps, above the 1e-4 balance tests check.

inline constexpr double kDryDepth = 1e-6;           // m; below this a cell is dry and its velocity is zero
inline constexpr double kCfl2D = 0.45;              // Courant number for the first-order scheme
inline constexpr double kCfl2DSecondOrder = 0.25;   // ... for the second-order scheme (positivity, see .cpp)
inline constexpr double kOpenOutflowFroude = 0.03;  // outward Froude number from which an open edge is free
inline constexpr double kInertialAlpha = 0.6;       // dt = alpha dx / sqrt(g h_max) (Bates et al. 2010 eq. 12; see swe_reference.cpp)

enum class Edge : uint32_t { West = 0, East = 1, South = 2, North = 3 };
enum class Boundary : uint32_t {
    Closed,  // reflective wall: ghost cell mirrors the cell with the normal velocity negated
    Open,  // free outflow: zero gradient of the free surface eta and of the velocity. The ghost's bed is the
           // cell's bed raised towards the bed of the cell's inward neighbour (at their shared face) while
           // the outward flow is slow: fully raised at rest or for inflow, the cell's own bed from an outward
           // Froude number of kOpenOutflowFroude up. Raised, the boundary face has the same hydrostatic
           // "throat" as the cell's opposite face, which keeps a lake at rest touching an open edge over any
           // bed at rest and stable; at the cell's own bed, water running downhill leaves freely. See
           // open_ghost() in the .cpp for why the plain copy of the cell is unstable there, and the
           // limitations (slow outflows are throttled; a lake disturbed hard enough at an edge can drain;
           // rivers back up near the edge).
};
enum class Limiter : uint32_t { Minmod, VanLeer };  // slope limiter of the second-order reconstruction

// Green & Ampt (1911) infiltration: potential rate f = Ks (1 + psi dtheta / F), F the cumulative infiltrated
// depth (Chow, Maidment & Mays 1988, sec. 4.3). suction_m or moisture_deficit 0 gives the constant rate Ks.
struct GreenAmpt {
    double ks_m_per_s = 0.0;        // saturated hydraulic conductivity Ks; 0 disables infiltration
    double suction_m = 0.0;         // wetting-front suction head psi (> 0)
    double moisture_deficit = 0.0;  // dtheta = effective porosity - initial water content, in [0, 1]
};

struct SweGrid {
    uint32_t nx = 0, ny = 0;
    double dx = 1.0;        // m, cell side
    std::vector<double> z;  // m, bed elevation per cell (nx * ny)
    std::array<Boundary, 4> boundary{Boundary::Closed, Boundary::Closed, Boundary::Closed, Boundary::Closed};
    double manning_n = 0.0;     // s / m^(1/3); 0 disables friction
    std::vector<double> manning_per_cell;  // optional, nx * ny (>= 0); overrides manning_n
    double g = 9.81;            // m / s^2
    bool second_order = false;  // MUSCL + Heun (SSP-RK2) instead of first-order Godunov + Euler
    // The local-inertial scheme of Bates, Horritt & Fewtrell (2010) instead of finite volumes (see inertial_step in
    // swe_reference.cpp). The state's hu and hv then hold the discharges per unit width at the cell's East and
    // North faces (m^2/s), not cell momenta.
    bool inertial = false;
    // de Almeida et al. (2012) weighting of the inertial scheme's face discharge against its two neighbours along
    // the flow direction: 1 is Bates et al.'s original (and LISFLOOD-FP's default); below 1 it damps the
    // oscillations of shallow, nearly frictionless flows.
    double inertial_theta = 1.0;
    Limiter limiter = Limiter::Minmod;
    GreenAmpt infiltration;                // soil everywhere, unless soil_per_cell is given
    std::vector<GreenAmpt> soil_per_cell;  // optional, nx * ny; overrides `infiltration`
    // Optional, nx * ny: 1 marks a wall cell (a DEM's NODATA) that takes no rain; its bed must stand above every
    // water surface (the flood module puts it 1000 m above the DEM's top), so no water ever enters it.
    std::vector<uint8_t> walls;

    [[nodiscard]] std::size_t cells() const { return static_cast<size_t>(nx) * ny; }
    [[nodiscard]] std::size_t index(uint32_t i, uint32_t j) const { return static_cast<size_t>(j) * nx + i; }
};

struct SweState {
    std::vector<double> h, hu, hv;      // m, m^2/s, m^2/s per cell
    std::vector<double> infiltrated_m;  // Green-Ampt F, cumulative infiltrated depth per cell (empty = all 0)

    static SweState dry(const SweGrid& grid);  // all zero, sized for the grid
};

struct StepSources {
    double rain_m_per_s = 0.0;               // uniform rain rate over every cell (>= 0)
    std::vector<double> rain_m_per_s_cells;  // optional per-cell rate (nx * ny, >= 0) added to the uniform
                                             // rate: a rain raster or a moving storm cell
    std::vector<std::tuple<uint32_t, uint32_t, double>> inflows;  // (i, j, Q in m^3/s >= 0) into one cell
};

struct StepReport {
    std::array<double, 4> outflow_edge_m3{};  // net volume that left through each edge (index by Edge)
    double outflow_m3 = 0.0;                  // sum over edges (negative if water came in at an open edge)
    double rain_m3 = 0.0;
    double inflow_m3 = 0.0;
    double infiltrated_m3 = 0.0;  // volume that went into the soil this step
    double clipped_m3 = 0.0;      // volume added by clipping negative depths to 0 (0 under CFL)
};

// Largest max(|u|, |v|) + sqrt(g h) over wet cells (m/s), or sqrt(g h) for the inertial scheme (Bates et al.
// 2010 eq. 12); 0 when everything is dry.
double max_wave_speed(const SweGrid& grid, const SweState& state);

// The scheme's own Courant number: kInertialAlpha, kCfl2DSecondOrder or kCfl2D.
double default_cfl(const SweGrid& grid);

// dt = cfl * dx / max_wave_speed; cfl = 0 picks default_cfl(grid). Returns
// max_dt when the domain is dry or the speed is tiny.
double cfl_time_step(const SweGrid& grid, const SweState& state, double cfl = 0.0, double max_dt = 1.0);

// One step of length dt (the caller keeps dt within the CFL limit). Throws std::invalid_argument on
// inconsistent sizes, negative rates, or an inflow cell outside the grid.
StepReport swe_step(const SweGrid& grid, SweState& state, double dt, const StepSources& sources = {});

// Sum of h * dx^2 (m^3), accumulated in double.
double stored_volume(const SweGrid& grid, const SweState& state);

// Running mass balance: stored volume against initial + rain + inflow - outflow - infiltration.
struct MassLedger {
    double initial_m3 = 0.0, rain_m3 = 0.0, inflow_m3 = 0.0, clipped_m3 = 0.0, infiltrated_m3 = 0.0;
    std::array<double, 4> outflow_edge_m3{};

    void add(const StepReport& r);
    [[nodiscard]] double outflow_m3() const;
    [[nodiscard]] double expected_m3() const;  // initial + rain + inflow + clipped - outflow - infiltrated
};

}  // namespace infrascape::flood
