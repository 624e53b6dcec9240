// Per-draw push constants shared by every world pipeline; mirrored by engine/shader_types.hpp
// (static_assert on its size). std430-compatible: vec4s only, no bare vec3.
#ifndef COMMON_FRAME_GLSL
#define COMMON_FRAME_GLSL

layout(push_constant) uniform FramePush {
    mat4 view_proj;
    vec4 camera_pos;  // xyz world metres, w = simulation time (s)
    vec4 sun_dir;     // xyz unit vector toward the sun, w = ambient strength
    vec4 fog;         // rgb linear fog colour, w = fog density (1/m)
    vec4 extra;       // per-draw: overlay range min, max, opacity, colormap row
} frame;

vec3 shade(vec3 albedo, vec3 n, vec3 world_pos) {
    vec3 l = normalize(frame.sun_dir.xyz);
    float sun_up = clamp(l.z * 4.0, 0.0, 1.0);
    float diffuse = max(dot(n, l), 0.0) * sun_up;
    // Hemisphere ambient: sky from above, warm bounce from the ground.
    float hemi = 0.5 + 0.5 * n.z;
    vec3 ambient = mix(vec3(0.30, 0.26, 0.22), vec3(0.55, 0.65, 0.85), hemi) * frame.sun_dir.w;
    vec3 lit = albedo * (ambient + vec3(1.0, 0.96, 0.88) * diffuse * 1.1);
    float dist = length(world_pos - frame.camera_pos.xyz);
    float fog_amount = 1.0 - exp(-dist * frame.fog.w);
    return mix(lit, frame.fog.rgb, clamp(fog_amount, 0.0, 1.0));
}

#endif
