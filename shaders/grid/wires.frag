#version 450
// Wires: unlit colour (a line's loading must read the same by day and night) plus glow, through the fog.
#include "common/frame.glsl"

layout(location = 0) in vec4 v_color;
layout(location = 1) in vec3 v_world;
layout(location = 0) out vec4 out_color;

void main() {
    vec3 c = v_color.rgb * (0.75 + v_color.a);
    const float dist = length(v_world - frame.camera_pos.xyz);
    const float fog = clamp(1.0 - exp(-dist * frame.fog.w * 0.5), 0.0, 1.0);
    out_color = vec4(mix(c, frame.fog.rgb, fog * 0.6), 1.0);
}
