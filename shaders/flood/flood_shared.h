// Structs shared by the flood module's drawing and statistics shaders and src/modules/flood/flood_module.cpp
// (size asserts there). std430: vec4/uvec4 members only.
#ifndef FLOOD_FLOOD_SHARED_H
#define FLOOD_FLOOD_SHARED_H

#ifdef __cplusplus
#include <glm/glm.hpp>
namespace infrascape::flood::gpu {
using vec4 = glm::vec4;
using uvec4 = glm::uvec4;
#endif

// Overlay fields the statistics pass writes for the terrain overlay (FloodStatsPush.dims.z).
#define FLOOD_SHOW_NONE 0u
#define FLOOD_SHOW_MAX_DEPTH 1u
#define FLOOD_SHOW_ARRIVAL 2u
#define FLOOD_SHOW_HAZARD 3u

struct FloodStatsPush {
    uvec4 dims;  // x: nx, y: ny, z: FLOOD_SHOW_*, w: 1 to update the statistics (once per window)
    vec4 t;      // x: flood time now (s), y: arrival depth (m), z: least depth for speeds (m), w: 0
};

// Where the water surface and the particles find the grid: world position of cell (0, 0)'s centre, the cell
// size and the bed's datum (the solver stores the bed relative to it).
struct FloodGeometry {
    vec4 origin;  // x, y: world metres of cell (0, 0)'s centre, z: cell size (m), w: datum (m)
    uvec4 dims;   // x: nx, y: ny, zw: unused (the water sheet's stride and row length come per draw, water.vert)
};

struct FloodParticle {
    vec4 pos;   // xyz world metres, w: opacity (0: waiting to be respawned)
    vec4 misc;  // xy: velocity (m/s), z: age (s), w: random state (bits)
};

struct FloodParticlePush {
    uvec4 dims;  // x: nx, y: ny, z: particles, w: frame counter
    vec4 move;   // x: playback seconds this frame times the speed-up, y: lifetime (s), z: least depth (m), w: 0
};

#ifdef __cplusplus
}  // namespace infrascape::flood::gpu
#endif
#endif
