// C++ mirrors of the structs in shaders/common/*.glsl. Each carries a static_assert on its size, so a
// change on one side that is not made on the other fails the build.
#pragma once

#include <glm/glm.hpp>

namespace engine {

struct FramePush {  // shaders/common/frame.glsl
    glm::mat4 view_proj;
    glm::vec4 camera_pos;  // xyz, w = simulation time (s)
    glm::vec4 sun_dir;     // xyz toward the sun, w = ambient strength
    glm::vec4 fog;         // rgb linear, w = density (1/m)
    glm::vec4 extra;       // per-draw
};
static_assert(sizeof(FramePush) == 128, "FramePush must match shaders/common/frame.glsl");

struct SkyPush {  // shaders/engine/sky.frag
    glm::mat4 inv_view_proj;
    glm::vec4 sun_dir;
    glm::vec4 camera_pos;
};
static_assert(sizeof(SkyPush) == 96, "SkyPush must match shaders/engine/sky.frag");

struct Instance {  // vertex input binding 1 of shaders/engine/mesh.vert; also writable by compute
    glm::vec4 position_yaw;  // xyz world metres, w = rotation about +Z (radians)
    glm::vec4 scale;         // xyz scale, w unused
    glm::vec4 color;         // linear rgb, a = emissive strength
};
static_assert(sizeof(Instance) == 48, "Instance must match shaders/engine/mesh.vert");

struct OverlayGeometry {  // shaders/engine/terrain.frag, binding 2
    glm::vec4 origin_spacing;  // x0, y0 (cell (0,0) centre), dx, dy
    glm::uvec4 dims;           // nx, ny, enabled, 0
    glm::vec4 style;           // x: fraction of the range over which the overlay fades in from transparent
    glm::vec4 holes[4];        // x0, y0, x1, y1: footprints of finer insets, cut out of the base terrain
    glm::uvec4 hole_count;     // x: holes in use
};
static_assert(sizeof(OverlayGeometry) == 128, "OverlayGeometry must match shaders/engine/terrain.frag");

}  // namespace engine
