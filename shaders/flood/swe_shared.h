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

struct SwePush {
    uvec4 dims;     // x: nx, y: ny, z: open-edge bits (1 West, 2 East, 4 South, 8 North), w: SWE_* flags
    vec4 step;      // x: dx (m), y: dt (s), z: g (m/s^2), w: g n^2 (Manning)
    vec4 sources;   // x: uniform rain (m/s), y: Green-Ampt Ks (m/s), z: suction (m), w: moisture deficit
    vec4 storm;     // a Gaussian storm cell this step: x, y centre (m from cell (0,0)'s centre), z radius (m), w peak (m/s)
    uvec4 inflow_cells;  // up to four point inflows this step: cell index, or 0xffffffff for none
    vec4 inflow_rates;   // their discharge spread over the cell (m/s)
};

#ifdef __cplusplus
}  // namespace infrascape::flood::gpu
#endif
#endif
