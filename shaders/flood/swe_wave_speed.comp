#version 450
// The largest wave speed max(|u|, |v|) + sqrt(g h) (the inertial scheme: sqrt(g h)) over wet cells, for the CFL
// time step (swe_reference.cpp
// max_wave_speed): a shared-memory tree reduction per workgroup, then one atomicMax per workgroup on the float's
// bits (non-negative IEEE floats order like their bit patterns as unsigned integers).
#include "flood/swe_shared.h"

layout(local_size_x = SWE_LOCAL, local_size_y = SWE_LOCAL) in;
layout(std430, binding = 0) readonly buffer State { vec4 s[]; };
layout(std430, binding = 1) buffer Result { uint max_bits; };
layout(push_constant) uniform Push { SwePush p; };

shared float part[SWE_LOCAL * SWE_LOCAL];

void main() {
    const uint i = gl_GlobalInvocationID.x, j = gl_GlobalInvocationID.y;
    float speed = 0.0;
    if (i < p.dims.x && j < p.dims.y) {
        const vec4 c = s[j * p.dims.x + i];
        const float u = (p.dims.w & SWE_INERTIAL) != 0u ? 0.0 : max(abs(c.y / c.x), abs(c.z / c.x));
        if (c.x > 1e-6) speed = u + sqrt(p.step.z * c.x);
    }
    const uint l = gl_LocalInvocationIndex;
    part[l] = speed;
    barrier();
    for (uint stride = SWE_LOCAL * SWE_LOCAL / 2u; stride > 0u; stride >>= 1u) {
        if (l < stride) part[l] = max(part[l], part[l + stride]);
        barrier();
    }
    if (l == 0u && part[0] > 0.0) atomicMax(max_bits, floatBitsToUint(part[0]));
}
