#version 450
// Instanced meshes: one draw for thousands of buildings, racks or towers. Per-instance position, yaw,
// scale and colour come from vertex binding 1 (engine::Instance).
#include "common/frame.glsl"

layout(location = 0) in vec3 in_pos;
layout(location = 1) in vec3 in_normal;
layout(location = 2) in vec4 inst_position_yaw;
layout(location = 3) in vec4 inst_scale;
layout(location = 4) in vec4 inst_color;

layout(location = 0) out vec3 v_world;
layout(location = 1) out vec3 v_normal;
layout(location = 2) out vec4 v_color;

void main() {
    float c = cos(inst_position_yaw.w), s = sin(inst_position_yaw.w);
    mat3 rot = mat3(c, s, 0.0, -s, c, 0.0, 0.0, 0.0, 1.0);
    vec3 p = rot * (in_pos * inst_scale.xyz) + inst_position_yaw.xyz;
    v_world = p;
    v_normal = rot * normalize(in_normal / inst_scale.xyz);
    v_color = inst_color;
    gl_Position = frame.view_proj * vec4(p, 1.0);
}
