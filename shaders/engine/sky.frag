#version 450
// Sky: a gradient from horizon haze to zenith blue, with the sun's disc and glow; warmer and darker as
// the sun nears or passes the horizon. Mirrored by engine/shader_types.hpp (SkyPush).
layout(push_constant) uniform SkyPush {
    mat4 inv_view_proj;
    vec4 sun_dir;
    vec4 camera_pos;
} sky;

layout(location = 0) in vec2 v_ndc;
layout(location = 0) out vec4 out_color;

void main() {
    // The render target's viewport is flipped, so NDC y here points the same way as in the projection.
    vec4 far_point = sky.inv_view_proj * vec4(v_ndc, 0.0, 1.0);
    vec4 near_point = sky.inv_view_proj * vec4(v_ndc, 1.0, 1.0);
    vec3 dir = normalize(far_point.xyz / far_point.w - near_point.xyz / near_point.w);
    vec3 sun = normalize(sky.sun_dir.xyz);
    float day = clamp(sun.z * 3.0 + 0.3, 0.05, 1.0);
    float up = clamp(dir.z, -1.0, 1.0);
    vec3 zenith = vec3(0.10, 0.25, 0.60) * day;
    vec3 horizon = mix(vec3(0.85, 0.55, 0.35), vec3(0.62, 0.74, 0.88), clamp(sun.z * 4.0, 0.0, 1.0)) * day;
    vec3 ground = vec3(0.22, 0.25, 0.20) * day;
    vec3 color = up >= 0.0 ? mix(horizon, zenith, pow(up, 0.5)) : mix(horizon, ground, clamp(-up * 6.0, 0.0, 1.0));
    float cos_sun = max(dot(dir, sun), 0.0);
    color += vec3(1.0, 0.85, 0.6) * (pow(cos_sun, 400.0) * 8.0 + pow(cos_sun, 12.0) * 0.25) * clamp(sun.z * 10.0 + 1.0, 0.0, 1.0);
    out_color = vec4(color, 1.0);
}
