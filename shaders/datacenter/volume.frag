#version 450
// Volume rendering of the hall's air temperature: a ray from the box's front face marched through the lattice
// (nearest cell, a step of 0.7 cells), front-to-back emission-absorption through the inferno colormap. Cool air
// is transparent; opacity grows with temperature over the upper part of the colour range, so hot plumes and
// recirculation stand out. A ray stops at a solid cell (racks, units, containment), which the lattice knows.
// The cells' places in the colour range and the bricks come from volume_bricks.comp, once a frame.
// Empty-space skipping: a ray crosses a brick of 4 x 4 x 4 cells that volume_bricks.comp marks clear (cool air
// alone, which adds nothing) in one jump, to the last of its own samples inside the brick (tested again), so the
// image is the one the full march gives. The march ends where the ray leaves the box or its opacity reaches 0.97.
// frame.extra: z opacity scale, w: 1 to skip clear bricks.
#include "common/frame.glsl"

layout(std430, binding = 0) readonly buffer Geometry { vec4 origin; vec4 size; uvec4 dims; } geo;  // origin xyz, w: cell (m)
layout(std430, binding = 4) readonly buffer Lut { vec4 lut[256]; };
layout(std430, binding = 5) readonly buffer Bricks { uint bricks[]; };  // volume_bricks.comp
layout(std430, binding = 6) readonly buffer Cells { float cells[]; };   // t in the colour range; -1: solid
layout(location = 0) in vec3 v_world;
layout(location = 0) out vec4 out_color;

vec3 inferno(float t) {
    const float x = clamp(t, 0.0, 1.0) * 255.0;
    const int a = min(int(x), 254);
    return mix(lut[a].rgb, lut[a + 1].rgb, x - float(a));
}

void main() {
    const vec3 dir = normalize(v_world - frame.camera_pos.xyz);
    const float cell = geo.origin.w;
    const float step_m = 0.7 * cell;
    const int steps = int(min(400.0, length(geo.size.xyz) / step_m + 1.0));
    const uvec3 nb = (geo.dims.xyz + 3u) / 4u;
    const bool skip = frame.extra.w > 0.5;
    vec3 colour = vec3(0.0);
    float alpha = 0.0;
    // Sample k lies at (k + 0.5) step_m along the ray from where it enters the box.
    int k = 0;
    for (int s = 0; s < 400 && k < steps && alpha < 0.97; ++s) {
        const vec3 p = v_world + dir * ((float(k) + 0.5) * step_m);
        const vec3 g = (p - geo.origin.xyz) / cell;
        if (any(lessThan(g, vec3(0.0))) || any(greaterThanEqual(g, vec3(geo.dims.xyz)))) break;
        const uvec3 c3 = uvec3(g);
        const uvec3 b3 = c3 >> 2u;
        if (skip && bricks[(b3.z * nb.y + b3.y) * nb.x + b3.x] == 0u) {
            // Towards the brick's far faces: to the last sample before the nearest exit, which is tested again
            // (a sample by the face may fall either side of it in float), so no sample beyond the brick is skipped.
            // An axis the ray does not move along has no exit.
            const vec3 far_face = geo.origin.xyz + vec3(b3 * 4u + uvec3(greaterThan(dir, vec3(0.0))) * 4u) * cell;
            const vec3 to_face = far_face - v_world;
            const vec3 t_exit = vec3(dir.x != 0.0 ? to_face.x / dir.x : 1e30, dir.y != 0.0 ? to_face.y / dir.y : 1e30,
                                     dir.z != 0.0 ? to_face.z / dir.z : 1e30);
            const float exit_m = min(t_exit.x, min(t_exit.y, t_exit.z));
            k = max(k + 1, int(ceil(exit_m / step_m - 0.5)) - 1);
            continue;
        }
        const float t = cells[(c3.z * geo.dims.y + c3.y) * geo.dims.x + c3.x];
        if (t < 0.0) break;  // a solid cell
        const float a = frame.extra.z * 0.3 * smoothstep(0.55, 1.0, t) * (step_m / 0.3);
        colour += (1.0 - alpha) * a * inferno(t);
        alpha += (1.0 - alpha) * a;
        ++k;
    }
    if (alpha < 0.004) discard;
    out_color = vec4(colour / alpha, alpha);
}
