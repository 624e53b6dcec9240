#version 450
// Airflow tracers as camera-facing streaks from each particle back along its velocity, coloured by the air
// temperature of its cell (frame.extra: x streak length per m/s (s), y width (px), z metres per pixel per metre
// of distance, w: 0). Six vertices per particle.
#include "common/frame.glsl"
#include "datacenter/lbm_shared.h"

layout(std430, binding = 0) readonly buffer Particles { vec4 particles[]; };
layout(std430, binding = 1) readonly buffer Geometry { vec4 origin; vec4 size; uvec4 dims; } geo;
layout(std430, binding = 2) readonly buffer Moments { vec4 moments[]; };
layout(std430, binding = 3) readonly buffer Lut { vec4 lut[256]; };
layout(std430, binding = 4) readonly buffer Range { vec4 range; } tr;  // x, y: temperature range (C)

layout(location = 0) out vec4 v_color;
layout(location = 1) out float v_along;

void main() {
    const uint id = uint(gl_VertexIndex) / 6u, corner = uint(gl_VertexIndex) % 6u;
    const vec4 a = particles[2u * id], b = particles[2u * id + 1u];
    if (a.w <= 0.0 || length(b.xyz) < 1e-3) {
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
        v_color = vec4(0.0);
        v_along = 0.0;
        return;
    }
    const vec2 corners[6] = vec2[6](vec2(0, -1), vec2(1, -1), vec2(1, 1), vec2(0, -1), vec2(1, 1), vec2(0, 1));
    const vec2 c = corners[corner];
    const vec3 head = a.xyz, tail = head - b.xyz * frame.extra.x;
    const vec3 pos = mix(head, tail, c.x);
    const vec3 dir = normalize(head - tail + vec3(1e-6, 0.0, 0.0));
    const vec3 side = normalize(cross(dir, normalize(frame.camera_pos.xyz - pos)) + vec3(0.0, 1e-6, 0.0));
    const float m_per_px = length(frame.camera_pos.xyz - pos) * frame.extra.z;
    gl_Position = frame.view_proj * vec4(pos + side * c.y * 0.5 * frame.extra.y * m_per_px, 1.0);
    const vec3 g = (head - geo.origin.xyz) / geo.origin.w;
    const uvec3 cc = uvec3(clamp(g, vec3(0.0), vec3(geo.dims.xyz) - 1.0));
    const float t = clamp((moments[(cc.z * geo.dims.y + cc.y) * geo.dims.x + cc.x].w - tr.range.x) / max(tr.range.y - tr.range.x, 1e-3), 0.0, 1.0);
    const float x = t * 255.0;
    const int i = min(int(x), 254);
    v_color = vec4(mix(lut[i].rgb, lut[i + 1].rgb, x - float(i)) * 1.3 + 0.15, a.w);
    v_along = c.x;
}
