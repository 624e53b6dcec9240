#version 450
// Flow tracers as streaks: a camera-facing quad from the particle back along its velocity (frame.extra: x streak
// length per m/s (m), y width (px), z metres per pixel per metre of distance); six vertices per particle from gl_VertexIndex.
#include "common/frame.glsl"
#include "flood/flood_shared.h"

layout(std430, binding = 0) readonly buffer Particles { FloodParticle particles[]; };

layout(location = 0) out float v_alpha;
layout(location = 1) out float v_along;

void main() {
    const uint id = uint(gl_VertexIndex) / 6u, corner = uint(gl_VertexIndex) % 6u;
    const FloodParticle q = particles[id];
    if (q.pos.w <= 0.0 || length(q.misc.xy) < 1e-3) {
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
        v_alpha = 0.0;
        v_along = 0.0;
        return;
    }
    const vec2 corners[6] = vec2[6](vec2(0, -1), vec2(1, -1), vec2(1, 1), vec2(0, -1), vec2(1, 1), vec2(0, 1));
    const vec2 c = corners[corner];
    const vec3 head = q.pos.xyz;
    const vec3 tail = head - vec3(q.misc.xy * frame.extra.x, 0.0);
    const vec3 p = mix(head, tail, c.x);
    const vec3 dir = normalize(head - tail + vec3(1e-6, 0.0, 0.0));
    const vec3 to_cam = normalize(frame.camera_pos.xyz - p);
    const vec3 side = normalize(cross(dir, to_cam) + vec3(0.0, 1e-6, 0.0));
    const float dist = length(frame.camera_pos.xyz - p);
    const float m_per_px = dist * frame.extra.z;
    gl_Position = frame.view_proj * vec4(p + side * c.y * 0.5 * frame.extra.y * m_per_px, 1.0);
    v_alpha = q.pos.w;
    v_along = c.x;
}
