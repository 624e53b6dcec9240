#version 450
// The hall's bounding box (36 vertices from gl_VertexIndex); the fragment shader marches the air inside it.
#include "common/frame.glsl"

layout(std430, binding = 0) readonly buffer Geometry { vec4 origin; vec4 size; uvec4 dims; } geo;  // see volume.frag
layout(location = 0) out vec3 v_world;

void main() {
    // Two triangles per face of the unit cube, outward-facing (counter-clockwise seen from outside).
    const ivec3 corners[8] = ivec3[8](ivec3(0, 0, 0), ivec3(1, 0, 0), ivec3(1, 1, 0), ivec3(0, 1, 0), ivec3(0, 0, 1),
                                      ivec3(1, 0, 1), ivec3(1, 1, 1), ivec3(0, 1, 1));
    const int idx[36] = int[36](0, 2, 1, 0, 3, 2,   // bottom (-z)
                                4, 5, 6, 4, 6, 7,   // top (+z)
                                0, 1, 5, 0, 5, 4,   // south (-y)
                                2, 3, 7, 2, 7, 6,   // north (+y)
                                1, 2, 6, 1, 6, 5,   // east (+x)
                                3, 0, 4, 3, 4, 7);  // west (-x)
    v_world = geo.origin.xyz + vec3(corners[idx[gl_VertexIndex]]) * geo.size.xyz;
    gl_Position = frame.view_proj * vec4(v_world, 1.0);
}
