#version 450
// Flow tracers: each particle moves with the depth-averaged velocity of the cell under it (bilinear between
// cell centres) for this frame's playback time times a speed-up, so on screen their speed follows the flow.
// A particle that runs dry, leaves the grid or grows old is respawned at a random cell, kept only if that
// cell is wet (several tries per frame), so tracers gather where the water is.
#include "flood/flood_shared.h"

layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer State { vec4 s[]; };
layout(std430, binding = 1) readonly buffer Bed { float bed[]; };
layout(std430, binding = 2) readonly buffer Geometry { FloodGeometry geo; };
layout(std430, binding = 3) buffer Particles { FloodParticle particles[]; };
layout(push_constant) uniform Push { FloodParticlePush p; };

uint hash(uint x) {  // Chris Wellons' lowbias32
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

vec4 cell(int i, int j) {
    i = clamp(i, 0, int(geo.dims.x) - 1);
    j = clamp(j, 0, int(geo.dims.y) - 1);
    return s[uint(j) * geo.dims.x + uint(i)];
}

vec2 velocity(vec4 c) { return c.x > p.move.z ? c.yz / c.x : vec2(0.0); }

void main() {
    const uint id = gl_GlobalInvocationID.x;
    if (id >= p.dims.z) return;
    FloodParticle q = particles[id];
    const vec2 g = (q.pos.xy - geo.origin.xy) / geo.origin.z;  // cell coordinates
    const ivec2 c0 = ivec2(floor(g));
    const vec2 f = g - vec2(c0);
    const vec4 a = cell(c0.x, c0.y), b = cell(c0.x + 1, c0.y), c = cell(c0.x, c0.y + 1), d = cell(c0.x + 1, c0.y + 1);
    const ivec2 near = ivec2(floor(g + 0.5));
    const vec4 here = cell(near.x, near.y);
    const bool inside = g.x >= -0.5 && g.y >= -0.5 && g.x <= float(geo.dims.x) - 0.5 && g.y <= float(geo.dims.y) - 0.5;
    if (q.pos.w > 0.0 && inside && here.x > p.move.z && q.misc.z < p.move.y) {
        const vec2 v = mix(mix(velocity(a), velocity(b), f.x), mix(velocity(c), velocity(d), f.x), f.y);
        q.pos.xy += v * p.move.x;
        q.misc.xy = v;
        q.misc.z += p.move.x;
        const vec2 g2 = (q.pos.xy - geo.origin.xy) / geo.origin.z;
        const ivec2 n2 = ivec2(floor(g2 + 0.5));
        const uint k2 = uint(clamp(n2.y, 0, int(geo.dims.y) - 1)) * geo.dims.x + uint(clamp(n2.x, 0, int(geo.dims.x) - 1));
        q.pos.z = bed[k2] + s[k2].x + geo.origin.w + 0.15;
        // Fade in over the first tenth of the life and out over the last.
        const float life = q.misc.z / p.move.y;
        q.pos.w = clamp(min(life, 1.0 - life) * 10.0, 0.05, 1.0) * clamp(length(v) * 2.0, 0.2, 1.0);
    } else {
        q.pos.w = 0.0;
        uint r = q.misc.w == 0.0 ? hash(id * 9781u + 1u) : floatBitsToUint(q.misc.w);
        for (int t = 0; t < 8; ++t) {
            r = hash(r + p.dims.w);
            const uint k = r % (geo.dims.x * geo.dims.y);
            const vec4 st = s[k];
            if (st.x > max(p.move.z, 0.1)) {
                const uint i = k % geo.dims.x, j = k / geo.dims.x;
                const vec2 jitter = vec2(float(hash(r) & 1023u), float(hash(r ^ 0x9e3779b9u) & 1023u)) / 1023.0 - 0.5;
                q.pos = vec4(geo.origin.xy + (vec2(i, j) + jitter) * geo.origin.z, bed[k] + st.x + geo.origin.w + 0.15, 0.05);
                q.misc = vec4(velocity(st), float(hash(r) % 1000u) / 1000.0 * p.move.y * 0.5, 0.0);
                break;
            }
        }
        q.misc.w = uintBitsToFloat((r & 0x3fffffffu) | 0x1u);  // a normal float, never 0
    }
    particles[id] = q;
}
