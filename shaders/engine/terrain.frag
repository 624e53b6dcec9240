#version 450
// Terrain shading: albedo from slope and height, sun + hemisphere light, distance fog, and an optional
// scalar overlay field (a module's output, one float per cell, NaN = no value) drawn through a colormap.
#include "common/frame.glsl"
#include "common/colormap.glsl"

layout(location = 0) in vec3 v_world;
layout(location = 1) in vec3 v_normal;
layout(location = 0) out vec4 out_color;

layout(set = 0, binding = 0) uniform sampler2D colormap_lut;
layout(std430, set = 0, binding = 1) readonly buffer OverlayField { float values[]; } field;
layout(set = 0, binding = 2) uniform OverlayGeometry {
    vec4 origin_spacing;  // x0, y0 of cell (0,0) centre, dx, dy
    uvec4 dims;           // nx, ny, enabled
    vec4 style;           // x: fade-in fraction of the range (anomaly fields are transparent near zero)
    vec4 holes[4];        // insets' footprints (x0, y0, x1, y1), drawn by meshes of their own
    uvec4 hole_count;
} overlay;

float cell(int i, int j) {
    i = clamp(i, 0, int(overlay.dims.x) - 1);
    j = clamp(j, 0, int(overlay.dims.y) - 1);
    return field.values[j * int(overlay.dims.x) + i];
}

void main() {
    // frame.extra.w: the colormap's index, plus 256 on the base terrain, which leaves the insets' footprints to them.
    const uint code = uint(frame.extra.w + 0.5);
    if (code >= 256u)
        for (uint h = 0u; h < overlay.hole_count.x; ++h) {
            const vec4 r = overlay.holes[h];
            if (all(greaterThan(v_world.xy, r.xy)) && all(lessThan(v_world.xy, r.zw))) discard;
        }
    const float cmap = float(code & 255u);
    vec3 n = normalize(v_normal);
    float slope = 1.0 - n.z;
    vec3 grass = vec3(0.16, 0.22, 0.09);
    vec3 dry = vec3(0.33, 0.30, 0.20);
    vec3 rock = vec3(0.30, 0.28, 0.26);
    float height_mix = smoothstep(0.0, 1.0, v_world.z / 400.0);
    vec3 albedo = mix(grass, dry, clamp(height_mix * 0.6, 0.0, 1.0));
    albedo = mix(albedo, rock, smoothstep(0.25, 0.5, slope));

    if (overlay.dims.z != 0u && frame.extra.z > 0.0) {
        vec2 g = (v_world.xy - overlay.origin_spacing.xy) / overlay.origin_spacing.zw;
        ivec2 c = ivec2(floor(g));
        vec2 f = g - vec2(c);
        float v00 = cell(c.x, c.y), v10 = cell(c.x + 1, c.y), v01 = cell(c.x, c.y + 1), v11 = cell(c.x + 1, c.y + 1);
        bool inside = g.x >= -0.5 && g.y >= -0.5 && g.x <= float(overlay.dims.x) - 0.5 && g.y <= float(overlay.dims.y) - 0.5;
        float v = mix(mix(v00, v10, f.x), mix(v01, v11, f.x), f.y);
        if (inside && !isnan(v)) {
            float t = (v - frame.extra.x) / max(frame.extra.y - frame.extra.x, 1e-20);
            vec3 c = colormap(colormap_lut, t, cmap);
            float alpha = frame.extra.z;
            if (overlay.style.x > 0.0) alpha *= smoothstep(0.0, overlay.style.x, t);
            albedo = mix(albedo, c, alpha);
        }
    }
    out_color = vec4(shade(albedo, n, v_world), 1.0);
}
