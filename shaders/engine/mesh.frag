#version 450
// Lit instanced meshes; alpha of the instance colour is an emissive strength (lights at night, alarms).
#include "common/frame.glsl"

layout(location = 0) in vec3 v_world;
layout(location = 1) in vec3 v_normal;
layout(location = 2) in vec4 v_color;
layout(location = 0) out vec4 out_color;

void main() {
    vec3 lit = shade(v_color.rgb, normalize(v_normal), v_world);
    out_color = vec4(lit + v_color.rgb * v_color.a, 1.0);
}
