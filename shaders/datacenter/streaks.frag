#version 450
// A tracer streak fades from its head to its tail.
layout(location = 0) in vec4 v_color;
layout(location = 1) in float v_along;
layout(location = 0) out vec4 out_color;

void main() { out_color = vec4(v_color.rgb, v_color.a * (1.0 - v_along) * 0.9); }
