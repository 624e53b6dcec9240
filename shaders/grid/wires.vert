#version 450
// Transmission lines as sagging wires between towers: each span is a parabola (the small-sag form of the
// catenary) cut into segments and drawn as a camera-facing ribbon at least `extra.y` pixels wide, so lines
// read at a state-wide view and look like wires up close. Vertices come from gl_VertexIndex alone.
// Colour: the branch's loading through the colormap; overloads pulse; tripped lines go dark with a flash.
#include "common/frame.glsl"
#include "grid/grid_shared.h"

#define SEGMENTS GRID_WIRE_SEGMENTS

layout(std430, binding = 0) readonly buffer Spans { Span spans[]; };
layout(std430, binding = 1) readonly buffer States { BranchState states[]; };
layout(std430, binding = 2) readonly buffer Lut { vec4 lut[256]; };  // loading 0..1.2 -> linear colour
layout(std430, binding = 3) readonly buffer Visible { uint visible[]; };  // written by wires_cull.comp

layout(location = 0) out vec4 v_color;
layout(location = 1) out vec3 v_world;

// extra: x: wire width (m), y: smallest width (pixels), z: playback time (s), w: viewport height (pixels)
void main() {
    // Two lists (wires_cull.comp): spans drawn sagging, SEGMENTS pieces each, and spans drawn as their chord.
    uint v = uint(gl_VertexIndex), segments = SEGMENTS;
    if (v >= GRID_WIRE_CHORD_BASE) {
        v -= GRID_WIRE_CHORD_BASE;
        segments = 1u;
    }
    const uint per_span = segments * 6u;
    const uint span_index = visible[v / per_span];
    const uint r = v % per_span;
    const uint seg = r / 6u, corner = r % 6u;
    const uint t_of[6] = uint[6](0u, 1u, 1u, 0u, 1u, 0u);
    const float side_of[6] = float[6](-1.0, -1.0, 1.0, -1.0, 1.0, 1.0);
    const Span sp = spans[span_index];
    const float s = float(seg + t_of[corner]) / float(segments);
    vec3 p = mix(sp.a.xyz, sp.b.xyz, s);
    p.z -= sp.b.w * 4.0 * s * (1.0 - s);

    // Width: at least extra.y pixels at this distance (the vertical field of view is read from the matrix).
    const vec3 to_cam = frame.camera_pos.xyz - p;
    const float dist = length(to_cam);
    const vec4 clip = frame.view_proj * vec4(p, 1.0);
    const vec4 clip_up = frame.view_proj * vec4(p + vec3(0.0, 0.0, dist * 0.01), 1.0);
    const float px_per_m = abs(clip_up.y / clip_up.w - clip.y / clip.w) * 0.5 * frame.extra.w / (dist * 0.01);
    const BranchState st = states[uint(sp.a.w)];
    // Overloaded lines are drawn wider, so that a short one still catches the eye.
    const float emphasis = st.flow.y > 1.0 && st.flow.z >= 1.0 ? 2.5 : 1.0;
    const float width = max(frame.extra.x, frame.extra.y / max(px_per_m, 1e-9)) * emphasis;
    vec3 along = sp.b.xyz - sp.a.xyz;
    vec3 side = normalize(cross(along, to_cam));
    p += side * (side_of[corner] * 0.5 * width);
    v_world = p;
    gl_Position = frame.view_proj * vec4(p, 1.0);

    const float t = frame.extra.z;
    vec3 c;
    float glow = 0.0;
    if (st.flow.z <= 0.0) {  // tripped: dark, with a flash that fades over 1.5 s of playback
        c = vec3(0.03);
        const float age = st.flow.w >= 0.0 ? t - st.flow.w : 1e9;
        if (age >= 0.0 && age < 1.5) {
            c = vec3(1.0, 0.55, 0.15);
            glow = 3.0 * (1.0 - age / 1.5);
        }
    } else if (st.flow.y > 0.0) {
        const float x = clamp(st.flow.y / 1.2, 0.0, 1.0);
        c = lut[uint(x * 255.0 + 0.5)].rgb;
        glow = 0.35;
        if (st.flow.y > 1.0) glow = 0.8 + 1.6 * pow(0.5 + 0.5 * sin(6.2831853 * 1.5 * t), 2.0);  // overload pulse
    } else {
        c = vec3(0.55, 0.58, 0.62);  // unrated branch
        glow = 0.2;
    }
    if (st.flow.z > 0.0 && st.flow.z < 1.0) {  // in service but in a dark island
        c *= 0.15;
        glow = 0.0;
    }
    v_color = vec4(c, glow);
}
