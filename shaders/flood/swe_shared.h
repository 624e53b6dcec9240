// Structs shared by the flood solver's shaders and C++ (src/modules/flood/swe_gpu.cpp), with size asserts on
// the C++ side. std430: vec4/uvec4 members only.
#ifndef FLOOD_SWE_SHARED_H
#define FLOOD_SWE_SHARED_H

#ifdef __cplusplus
#include <glm/glm.hpp>
namespace infrascape::flood::gpu {
using vec4 = glm::vec4;
using uvec4 = glm::uvec4;
#endif

#define SWE_LOCAL 16

// SwePush.dims.w bits.
#define SWE_INFILTRATION 1u  // Green-Ampt on
#define SWE_VAN_LEER 2u      // slope limiter van Leer (else minmod)
#define SWE_STAGE1 4u        // second order, Heun stage 1: flow with slopes, no sources
#define SWE_STAGE2 8u        // second order, Heun stage 2: flow with slopes, average with the step's start, sources
#define SWE_CLOCK 16u        // dt comes from the clock buffer (the GPU's CFL step)
#define SWE_MANNING_CELLS 32u  // g n^2 per cell from the sources buffer (.z) instead of step.w
#define SWE_FORCING_TABLE 64u  // the storm and the inflows come from the clock (evaluated at each step's middle)
#define SWE_INERTIAL 128u      // the local-inertial scheme (swe_inertial.comp): hu, hv are East/North face discharges,
                               // and the wave speed of the time step is sqrt(g h)
#define SWE_REDUCE_LOCAL 256  // swe_reduce.comp's workgroup; subgroups have at least 4 invocations, so a workgroup
#define SWE_REDUCE_SLOTS 64   // writes at most 64 partials (one per subgroup)

struct SwePush {
    uvec4 dims;     // x: nx, y: ny, z: open-edge bits (1 West, 2 East, 4 South, 8 North), w: SWE_* flags
    vec4 step;      // x: dx (m), y: dt (s), z: g (m/s^2), w: g n^2 (Manning)
    vec4 sources;   // x: uniform rain (m/s), y: Green-Ampt Ks (m/s), z: suction (m), w: moisture deficit
    vec4 storm;     // a Gaussian storm cell this step: x, y centre (m from cell (0,0)'s centre), z radius (m), w peak (m/s)
    uvec4 inflow_cells;  // up to four point inflows this step: cell index, or 0xffffffff for none
    vec4 inflow_rates;   // their discharge spread over the cell (m/s)
    vec4 scheme;         // x: the inertial scheme's theta (de Almeida et al. 2012), y, z, w: 0
};

// The adaptive clock (swe_clock.comp, and swe_step.comp with SWE_CLOCK). Before each step a one-workgroup
// clock pass reduces the workgroup partials the previous step wrote, logs that step for the host, and sets the
// next step's dt = min(CFL dx / max wave speed, largest dt, time left in the window); a step whose window is
// used up has dt = 0 and only copies the state.
struct SweClock {
    vec4 t;   // x: dt of the pending step (s), y: time left in the window (s), z: wave speed before it (m/s),
              // w: the pending step's middle on the flood clock (s)
    uvec4 u;  // x: 1 when a step is pending (set, not yet logged), y: its log index, z, w: 0
    // The pending step's forcing, evaluated by the clock pass at the step's middle from the forcing table
    // (SWE_FORCING_TABLE): the storm cell as in SwePush.storm, point inflows as in SwePush.inflow_cells/rates.
    vec4 storm;
    uvec4 inflow_cells;
    vec4 inflow_rates;
};

// One subgroup's share of a step (swe_reduce.comp, after each clocked step): the new state's largest wave speed
// and its water, and the step's ledger terms. Volumes as depth sums (multiply by dx^2), outflow in m^3.
struct SwePartial {
    vec4 a;  // x: max wave speed (m/s), y: sum of h (m), z: outflow (m^3), w: sum of infiltrated depth (m)
    vec4 b;  // x: sum of rain depth added (m), y: sum of inflow depth added (m), z, w: 0
};

// One entry of the step log the clock writes for the host (the clock pass after the step).
struct SweLogEntry {
    vec4 a;  // x: dt of the step (s), y: wave speed before it (m/s), z: sum of h after it (m), w: outflow (m^3)
    vec4 b;  // x: infiltrated depth sum (m), y: rain depth sum (m), z: inflow depth sum (m), w: time left (s)
};

struct SweReducePush {
    uvec4 n;  // x: cells, y: cells per invocation, z: 1 for the inertial scheme (wave speed sqrt(g h)), w: 0
    vec4 g;   // x: g (m/s^2), y, z, w: 0
};

struct SweClockPush {
    uvec4 n;  // x: partials to reduce, y: log index of the step this pass sets up, z: 1 starts a window,
              // w: 1 only logs the pending step (the pass after a window's last step)
    vec4 w;   // x: window length added at a start (s), y: dx (m), z: CFL number, w: largest dt (s)
    vec4 f;   // x: the window's end on the flood clock (s), y: storm radius (m), z: storm peak (m/s), w: cell area (m^2)
};

// The forcing table the clock evaluates (swe_clock.comp): a storm cell's path and times, and up to four point
// inflows with piecewise-linear hydrographs. Stored as vec4s: [0] header, [1] storm times, then the path points,
// then one entry per inflow, then the hydrograph rows.
#define SWE_FORCING_HEADER 0   // uvec4 bits: x path points, y inflows, z, w: 0
#define SWE_FORCING_STORM 1    // x: start (s), y: end (s), z: path length (m), w: 0
#define SWE_FORCING_PATH 2     // path point: x, y (m from cell (0, 0)'s centre), z: distance along the path (m)
                               // inflow: x: cell index (bits), y: first row, z: rows; row: x: t (s), y: Q (m^3/s)

#ifdef __cplusplus
}  // namespace infrascape::flood::gpu
#endif
#endif
