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

struct SwePush {
    uvec4 dims;     // x: nx, y: ny, z: open-edge bits (1 West, 2 East, 4 South, 8 North), w: 1 when infiltrating
    vec4 step;      // x: dx (m), y: dt (s), z: g (m/s^2), w: g n^2 (Manning)
    vec4 sources;   // x: uniform rain (m/s), y: Green-Ampt Ks (m/s), z: suction (m), w: moisture deficit
};

#ifdef __cplusplus
}  // namespace infrascape::flood::gpu
#endif
#endif
