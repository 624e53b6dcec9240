#version 450
// A soft round glow, added to what is behind it.
layout(location = 0) in vec2 v_uv;
layout(location = 1) in vec4 v_color;
layout(location = 0) out vec4 out_color;

void main() {
    const float r2 = dot(v_uv, v_uv);
    if (r2 > 1.0) discard;
    const float a = (1.0 - r2) * (1.0 - r2);
    out_color = vec4(v_color.rgb * v_color.a * a, 1.0);
}
