#version 450
// Power-flow particles as camera-facing glowing sprites (six vertices each, from gl_VertexIndex), at least
// extra.y pixels wide; sparks (particles of a tripped branch) are orange.
#include "common/frame.glsl"
#include "grid/grid_shared.h"

layout(std430, binding = 0) readonly buffer Particles { Particle particles[]; };

layout(location = 0) out vec2 v_uv;
layout(location = 1) out vec4 v_color;

void main() {
    const uint i = uint(gl_VertexIndex) / 6u, corner = uint(gl_VertexIndex) % 6u;
    const vec2 corners[6] = vec2[6](vec2(-1, -1), vec2(1, -1), vec2(1, 1), vec2(-1, -1), vec2(1, 1), vec2(-1, 1));
    const Particle q = particles[i];
    const vec2 c = corners[corner];
    v_uv = c;
    if (q.pos.w <= 0.0) {
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);  // outside the clip volume: culled
        v_color = vec4(0.0);
        return;
    }
    const vec3 p = q.pos.xyz;
    const float dist = length(frame.camera_pos.xyz - p);
    const vec4 clip = frame.view_proj * vec4(p, 1.0);
    const vec4 clip_up = frame.view_proj * vec4(p + vec3(0.0, 0.0, dist * 0.01), 1.0);
    const float px_per_m = abs(clip_up.y / clip_up.w - clip.y / clip.w) * 0.5 * frame.extra.w / (dist * 0.01);
    const float size = max(frame.extra.x, frame.extra.y / max(px_per_m, 1e-9));
    // Billboard axes: right = perpendicular to the view in the ground plane, up = camera's up.
    const vec3 fwd = normalize(p - frame.camera_pos.xyz);
    vec3 right = normalize(cross(fwd, vec3(0.0, 0.0, 1.0)) + vec3(1e-6, 0.0, 0.0));
    vec3 up = cross(right, fwd);
    gl_Position = frame.view_proj * vec4(p + (right * c.x + up * c.y) * 0.5 * size, 1.0);
    const bool spark = q.state.w > 0.5;
    v_color = spark ? vec4(1.0, 0.55, 0.15, q.pos.w) : vec4(1.0, 0.95, 0.7, q.pos.w);
}
