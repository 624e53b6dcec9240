#version 450
// Power-flow particles: each rides one branch from its sending end toward its receiving end at a speed that
// follows |P| (direction: the sign of P at the from end), wrapping around at the end. On a tripped branch the
// particles fall as sparks for two seconds and then go dark. Positions follow the same sagging spans the wires
// use, so particles ride the wires. Runs in playback time (params.x), also while the simulation is paused.
#include "grid/grid_shared.h"

layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer Particles { Particle particles[]; };
layout(std430, binding = 1) readonly buffer Paths { BranchPath paths[]; };
layout(std430, binding = 2) readonly buffer States { BranchState states[]; };
layout(std430, binding = 3) readonly buffer Spans { Span spans[]; };
layout(push_constant) uniform Push { ParticlePush p; };

float hash(uint x) {  // integer hash (Wang / Jenkins style) to [0, 1)
    x = (x ^ 61u) ^ (x >> 16);
    x *= 9u;
    x = x ^ (x >> 4);
    x *= 0x27d4eb2du;
    x = x ^ (x >> 15);
    return float(x) * (1.0 / 4294967296.0);
}

vec3 along(BranchPath path, float u) {
    const float x = clamp(u, 0.0, 1.0) * float(path.spans.y);
    const uint k = min(uint(x), path.spans.y - 1u);
    const float s = x - float(k);
    const Span sp = spans[path.spans.x + k];
    vec3 pos = mix(sp.a.xyz, sp.b.xyz, s);
    pos.z -= sp.b.w * 4.0 * s * (1.0 - s);
    return pos;
}

void main() {
    const uint i = gl_GlobalInvocationID.x + gl_NumWorkGroups.x * gl_WorkGroupSize.x * gl_GlobalInvocationID.y;
    if (i >= p.counts.x) return;
    Particle q = particles[i];
    const uint b = uint(q.state.x);
    const BranchPath path = paths[b];
    const BranchState st = states[b];
    const float dt = p.params.x, now = p.params.y;
    q.state.w = st.flow.z <= 0.0 ? 1.0 : 0.0;  // spark flag for drawing
    if (st.flow.z <= 0.0) {  // tripped
        const float age = st.flow.w >= 0.0 ? now - st.flow.w : 1e9;
        if (age >= 0.0 && age < 2.0) {
            vec3 base = along(path, q.state.y);
            const float a = 6.2831853 * hash(i * 7u + 1u), r = path.len.x * 0.01 * (0.3 + hash(i * 7u + 2u));
            const vec3 burst = vec3(cos(a), sin(a), 1.5 * hash(i * 7u + 3u)) * r * age;
            const float fall = 0.5 * 9.81 * age * age * path.len.x * 0.002;
            q.pos = vec4(base + burst - vec3(0.0, 0.0, fall), 3.0 * (1.0 - age / 2.0));
        } else {
            q.pos.w = 0.0;
        }
        particles[i] = q;
        return;
    }
    const float mw = st.flow.x;
    const float speed = min(abs(mw) * p.params.z, p.params.w);  // m/s of playback
    float u = q.state.y + sign(mw) * speed * dt / max(path.len.x, 1.0);
    u = fract(u);
    q.state.y = u;
    // Brightness grows with the flow; nearly idle lines show few, dim particles; dark islands none.
    const float share = clamp(abs(mw) / 200.0, 0.08, 1.0);
    float bright = q.state.z < share ? 0.35 + 0.5 * share : 0.0;
    if (st.flow.z < 1.0) bright = 0.0;
    q.pos = vec4(along(path, u), bright);
    particles[i] = q;
}
