#version 450
// Water coloured by depth through the depth colormap (a 256-entry linear-colour table; frame.extra: x top of the
// scale (m), y opacity), lit by the sun with a specular glint and a Fresnel share of sky, fogged like the terrain. Fast water
// is lightened toward white (foam) so the channel's thread reads at a glance.
#include "common/frame.glsl"

layout(location = 0) in vec3 v_world;
layout(location = 1) in vec3 v_normal;
layout(location = 2) in float v_depth;
layout(location = 3) in float v_speed;
layout(location = 0) out vec4 out_color;

layout(std430, binding = 3) readonly buffer Lut { vec4 lut[256]; };

vec3 depth_colour(float t) {
    const float x = clamp(t, 0.0, 1.0) * 255.0;
    const int a = min(int(x), 254);
    return mix(lut[a].rgb, lut[a + 1].rgb, x - float(a));
}

void main() {
    if (v_depth < 0.03) discard;
    const float t = clamp(v_depth / max(frame.extra.x, 1e-3), 0.0, 1.0);
    // Shallow water starts a little into the map so it still reads as water over pale limestone.
    vec3 albedo = depth_colour(0.25 + 0.75 * t);
    albedo = mix(albedo, vec3(0.85, 0.9, 0.92), clamp((v_speed - 2.0) / 6.0, 0.0, 0.45));
    const vec3 n = normalize(v_normal);
    const vec3 l = normalize(frame.sun_dir.xyz);
    const vec3 view = normalize(frame.camera_pos.xyz - v_world);
    const float sun_up = clamp(l.z * 4.0, 0.0, 1.0);
    const float diffuse = max(dot(n, l), 0.0) * sun_up;
    const float spec = pow(max(dot(n, normalize(l + view)), 0.0), 120.0) * sun_up;
    const float fresnel = 0.02 + 0.98 * pow(1.0 - max(dot(n, view), 0.0), 5.0);
    const vec3 sky = vec3(0.55, 0.65, 0.85) * frame.sun_dir.w * 1.4;
    vec3 c = albedo * (frame.sun_dir.w * 0.9 + 0.6 * diffuse);
    c = mix(c, sky, fresnel * 0.6) + vec3(1.0, 0.95, 0.85) * spec * 0.8;
    const float dist = length(v_world - frame.camera_pos.xyz);
    c = mix(c, frame.fog.rgb, clamp(1.0 - exp(-dist * frame.fog.w), 0.0, 1.0));
    const float alpha = frame.extra.y * mix(0.55, 1.0, smoothstep(0.0, 0.5, t)) * smoothstep(0.03, 0.12, v_depth);
    out_color = vec4(c, alpha);
}
