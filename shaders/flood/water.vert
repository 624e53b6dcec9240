#version 450
// The water surface: one vertex per `stride` cells at the cell centres, at the free surface eta = h + z where
// the cell is wet. A dry vertex next to water takes its wettest neighbour's surface (so the sheet meets the
// terrain at the shore instead of sloping under it) and depth 0; the fragment shader cuts the sheet where the
// interpolated depth falls below a few centimetres.
#include "common/frame.glsl"
#include "flood/flood_shared.h"

layout(std430, binding = 0) readonly buffer State { vec4 s[]; };
layout(std430, binding = 1) readonly buffer Bed { float bed[]; };
layout(std430, binding = 2) readonly buffer Geometry { FloodGeometry geo; };

layout(location = 0) out vec3 v_world;
layout(location = 1) out vec3 v_normal;
layout(location = 2) out float v_depth;
layout(location = 3) out float v_speed;

const float kWet = 0.02;

float surface(int i, int j, out bool wet) {
    i = clamp(i, 0, int(geo.dims.x) - 1);
    j = clamp(j, 0, int(geo.dims.y) - 1);
    const uint k = uint(j) * geo.dims.x + uint(i);
    const float h = s[k].x;
    wet = h > kWet;
    return bed[k] + h;
}

// frame.extra: z: this draw's stride (cells between vertices; the sheet's level of detail), w: vertices a row.
void main() {
    const uint vx = uint(frame.extra.w), stride = uint(frame.extra.z);
    const int i = min(int((uint(gl_VertexIndex) % vx) * stride), int(geo.dims.x) - 1);
    const int j = min(int((uint(gl_VertexIndex) / vx) * stride), int(geo.dims.y) - 1);
    const uint k = uint(j) * geo.dims.x + uint(i);
    const vec4 c = s[k];
    bool wet;
    float eta = surface(i, j, wet);
    float depth = wet ? c.x : 0.0;
    if (!wet) {  // the highest wet neighbour's surface, or well below the bed when none is wet
        float best = bed[k] - 2.0;
        for (int dj = -1; dj <= 1; ++dj)
            for (int di = -1; di <= 1; ++di) {
                bool w;
                const float e = surface(i + di * int(stride), j + dj * int(stride), w);
                if (w) best = max(best, e);
            }
        eta = best;
    }
    // Normal from the surface of wet neighbours (a dry one counts as level with this vertex).
    bool wl, wr, wd, wu;
    const int st = int(stride);
    float el = surface(i - st, j, wl), er = surface(i + st, j, wr), ed = surface(i, j - st, wd), eu = surface(i, j + st, wu);
    el = wl ? el : eta;
    er = wr ? er : eta;
    ed = wd ? ed : eta;
    eu = wu ? eu : eta;
    const float span = 2.0 * float(st) * geo.origin.z;
    v_normal = normalize(vec3(-(er - el) / span, -(eu - ed) / span, 1.0));
    v_world = vec3(geo.origin.xy + vec2(i, j) * geo.origin.z, eta + geo.origin.w);
    v_depth = depth;
    v_speed = wet ? length(c.yz) / c.x : 0.0;
    gl_Position = frame.view_proj * vec4(v_world, 1.0);
}
