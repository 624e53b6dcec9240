#version 450
// A streak fades from its head to its tail.
#include "common/frame.glsl"

layout(location = 0) in float v_alpha;
layout(location = 1) in float v_along;
layout(location = 0) out vec4 out_color;

void main() { out_color = vec4(0.92, 0.97, 1.0, v_alpha * (1.0 - v_along) * 0.85); }
