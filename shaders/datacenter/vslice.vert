#version 450
// A vertical slice plane across the hall at y = frame.extra.z (world metres): two triangles spanning the hall's
// length and height; the fragment shader colours the air temperature on it.
#include "common/frame.glsl"

layout(std430, binding = 0) readonly buffer Geometry { vec4 origin; vec4 size; uvec4 dims; } geo;  // volume.frag
layout(location = 0) out vec3 v_world;

void main() {
    const vec2 q[6] = vec2[6](vec2(0, 0), vec2(1, 0), vec2(1, 1), vec2(0, 0), vec2(1, 1), vec2(0, 1));
    const vec2 c = q[gl_VertexIndex];
    v_world = vec3(geo.origin.x + c.x * geo.size.x, frame.extra.z, geo.origin.z + c.y * geo.size.z);
    gl_Position = frame.view_proj * vec4(v_world, 1.0);
}
