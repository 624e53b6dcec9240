#version 450
// Terrain heightmap mesh: positions and normals from the CPU-built grid.
#include "common/frame.glsl"

layout(location = 0) in vec3 in_pos;
layout(location = 1) in vec3 in_normal;
layout(location = 0) out vec3 v_world;
layout(location = 1) out vec3 v_normal;

void main() {
    v_world = in_pos;
    v_normal = in_normal;
    gl_Position = frame.view_proj * vec4(in_pos, 1.0);
}
