#version 450
// GPU-driven wire drawing (shaders/grid/wires.vert): every span of wire in the view is appended to one of two
// lists, by how much its sag would show on screen. A span whose sag spans less than `sag_px` pixels is drawn as
// its straight chord (one segment, six vertices); a nearer one as the sagging parabola (GRID_WIRE_SEGMENTS
// segments). At a state-wide view nearly every span is a chord: a sixth of the vertices, the same picture.
// Writes the vertexCount of two VkDrawIndirectCommands, which the CPU zeroed: [0] the sagging spans (slots
// 0.., firstVertex 0), [1] the chords (slots span_count.., firstVertex GRID_WIRE_CHORD_BASE + span_count * 6).
#include "grid/grid_shared.h"
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Spans { Span spans[]; };
layout(std430, binding = 1) writeonly buffer Visible { uint visible[]; };
layout(std430, binding = 2) buffer Indirect { uvec4 draws[2]; };  // VkDrawIndirectCommand x2
layout(push_constant) uniform Push {
    mat4 view_proj;
    vec4 camera;  // xyz (m), w: pixels per radian of the view
    vec4 params;  // x: the projection's vertical scale (1/tan(fov/2)), y: sag (px) below which a chord is drawn,
                  // z: the widest a wire is drawn in metres, w: ... in pixels, as a share of the clip volume
    uvec4 counts; // x: spans
} p;

void main() {
    const uint i = gl_GlobalInvocationID.x + gl_NumWorkGroups.x * gl_WorkGroupSize.x * gl_GlobalInvocationID.y;
    if (i >= p.counts.x) return;
    const Span s = spans[i];
    const vec3 centre = 0.5 * (s.a.xyz + s.b.xyz) - vec3(0.0, 0.0, 0.5 * s.b.w);
    const float radius = 0.5 * distance(s.a.xyz, s.b.xyz) + s.b.w + p.params.z;
    // Bounding sphere against the clip volume: a radius r shifts clip x and y by at most r times the scale.
    const vec4 c = p.view_proj * vec4(centre, 1.0);
    const float margin = radius * p.params.x * 1.5 + abs(c.w) * p.params.w;
    if (c.w < -radius || c.x < -c.w - margin || c.x > c.w + margin || c.y < -c.w - margin || c.y > c.w + margin) return;
    const float dist = max(distance(centre, p.camera.xyz) - radius, 1e-3);
    if (s.b.w * p.camera.w / dist >= p.params.y) {
        const uint slot = atomicAdd(draws[0].x, GRID_WIRE_SEGMENTS * 6u) / (GRID_WIRE_SEGMENTS * 6u);
        visible[slot] = i;
    } else {
        const uint slot = atomicAdd(draws[1].x, 6u) / 6u;
        visible[p.counts.x + slot] = i;
    }
}
