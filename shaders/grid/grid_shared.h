// Structs shared by the grid module's shaders and C++ (src/modules/grid/grid_module.cpp, layout.cpp), with
// size asserts on the C++ side. std430: vec4/uvec4 members only.
#ifndef GRID_SHARED_H
#define GRID_SHARED_H

// Segments per wire span (a parabola drawn as this many straight pieces; six vertices each).
#define GRID_WIRE_SEGMENTS 6u
// Vertices of the chord draw start here (gl_VertexIndex includes firstVertex): wires.vert tells the lists apart.
#define GRID_WIRE_CHORD_BASE 0x40000000u

#ifdef __cplusplus
#include <glm/glm.hpp>
#include <cstdint>
namespace infrascape::grid::gpu {
using vec4 = glm::vec4;
using uvec4 = glm::uvec4;
using uint = uint32_t;
#endif

// Fruchterman-Reingold layout, one iteration (shaders/grid/layout.comp; reference: layout.cpp).
struct LayoutPush {
    vec4 params;   // x: k (ideal edge length, m), y: temperature (largest move, m), z: half extent (m), w: gravity
    uvec4 counts;  // x: buses, y: adjacency entries
};

// One span of wire between two towers (shaders/grid/wires.vert).
struct Span {
    vec4 a;  // xyz: attachment point on the first tower (m), w: branch index (as float)
    vec4 b;  // xyz: on the second tower, w: sag at mid-span (m)
};

// One branch as particles see it: its spans are first_span .. first_span + spans - 1.
struct BranchPath {
    uvec4 spans;   // x: first span, y: span count, z: from bus, w: to bus
    vec4 len;      // x: total length (m), yzw unused (not "length": a GLSL built-in)
};

// Per-branch live state, uploaded each grid step.
struct BranchState {
    vec4 flow;  // x: P from-end (MW), y: loading (fraction of rating; 0 unrated), z: 1 in service / 0 out,
                // w: playback time (s) of the trip, or -1
};

struct Particle {
    vec4 state;  // x: branch, y: position along it (0..1), z: phase (random), w: spark age (s, <0: none)
    vec4 pos;    // xyz world position (written for drawing), w: brightness
};

struct ParticlePush {
    vec4 params;  // x: playback dt (s), y: playback time (s), z: speed per MW (m/s per MW), w: max speed (m/s)
    uvec4 counts; // x: particles, y: branches
};

#ifdef __cplusplus
}  // namespace infrascape::grid::gpu
#endif
#endif
