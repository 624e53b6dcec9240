#version 450
// Airflow tracers: each particle moves with the air velocity of the cell it is in for this frame's playback time
// (times a speed-up), so on screen their speed follows the air's; a particle that enters a solid, leaves the hall
// or grows old is respawned at a random air cell. Each keeps the temperature of its cell for its colour.
#include "datacenter/lbm_shared.h"

layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer Geometry { vec4 origin; vec4 size; uvec4 dims; } geo;  // volume.frag
layout(std430, binding = 1) readonly buffer Moments { vec4 moments[]; };
layout(std430, binding = 2) readonly buffer Mask { uint mask[]; };
layout(std430, binding = 3) readonly buffer Patches { LbmPatch patches[]; };
layout(std430, binding = 4) buffer Particles { vec4 particles[]; };  // [2i]: xyz, w opacity; [2i+1]: velocity (m/s), w: age
layout(push_constant) uniform Push { uvec4 n; vec4 move; } p;  // n.x: particles, n.y: frame; move.x: dt (s), .y: m/s per lattice speed, .z: lifetime (s)

uint hash(uint x) {
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

int cell_at(vec3 pos) {
    const vec3 g = (pos - geo.origin.xyz) / geo.origin.w;
    if (any(lessThan(g, vec3(0.0))) || any(greaterThanEqual(g, vec3(geo.dims.xyz)))) return -1;
    const uvec3 c = uvec3(g);
    return int((c.z * geo.dims.y + c.y) * geo.dims.x + c.x);
}
bool air(uint c) {
    const uint kind = patches[(mask[c >> 2] >> (8u * (c & 3u))) & 0xffu].kind.x;
    return kind != LBM_WALL && kind != LBM_INLET;
}

void main() {
    const uint id = gl_GlobalInvocationID.x;
    if (id >= p.n.x) return;
    vec4 a = particles[2u * id], b = particles[2u * id + 1u];
    const int c = cell_at(a.xyz);
    if (a.w > 0.0 && c >= 0 && air(uint(c)) && b.w < p.move.z) {
        const vec3 u = moments[c].xyz * p.move.y;
        a.xyz += u * p.move.x;
        b.xyz = u;
        b.w += p.move.x;
        const float life = b.w / p.move.z;
        a.w = clamp(min(life, 1.0 - life) * 8.0, 0.05, 1.0);
    } else {
        a.w = 0.0;
        const uint cells = geo.dims.x * geo.dims.y * geo.dims.z;
        uint r = hash(id * 7919u + p.n.y * 104729u);
        for (int t = 0; t < 6; ++t) {
            r = hash(r);
            const uint k = r % cells;
            if (!air(k)) continue;
            const uint x = k % geo.dims.x, y = (k / geo.dims.x) % geo.dims.y, z = k / (geo.dims.x * geo.dims.y);
            const vec3 j = vec3(hash(r ^ 1u) & 1023u, hash(r ^ 2u) & 1023u, hash(r ^ 3u) & 1023u) / 1023.0;
            a = vec4(geo.origin.xyz + (vec3(x, y, z) + j) * geo.origin.w, 0.05);
            b = vec4(moments[k].xyz * p.move.y, float(hash(r ^ 4u) % 1000u) / 1000.0 * p.move.z * 0.5);
            break;
        }
    }
    particles[2u * id] = a;
    particles[2u * id + 1u] = b;
}
