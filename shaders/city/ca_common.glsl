// Shared by the city automaton passes: bindings, push constants, the counter-based random numbers and
// the neighbour directions, all mirroring src/modules/city/sleuth.cpp.
#ifndef CITY_CA_COMMON_GLSL
#define CITY_CA_COMMON_GLSL

#include "city/ca_shared.h"

layout(local_size_x = CA_LOCAL_X, local_size_y = CA_LOCAL_Y) in;
layout(std430, binding = 0) readonly buffer StateIn { uint state_in[]; };
layout(std430, binding = 1) writeonly buffer StateOut { uint state_out[]; };
layout(std430, binding = 2) readonly buffer SlopeWeight { float slope_weight[]; };
layout(std430, binding = 3) readonly buffer Stats { uint built; uint roads; uint weight_sum; uint pad; } stats;
// "New growth within road_radius": cleared before each generation, marked by pass A around each
// spontaneous cell (rare, so scattering is cheap), read by pass B's road-influenced rule. Equal to the
// reference's square search, which is exactly this set.
layout(std430, binding = 4) buffer NearNew { uint near_new[]; };

layout(push_constant) uniform CaPush {
    uint nx, ny, generation, seed;
    float p_spont, p_breed, p_spread, p_road;
    int road_radius, road_spacing;
    uint target_built, ramp;
    uint stream_key[11];  // ca_stream_key(seed, generation, stream), from the CPU
} pc;

// Housing demand, as ca_pressure() in src/modules/city/sleuth.cpp: integers, then one exact conversion.
float pressure() {
    if (stats.built >= pc.target_built) return 0.0;
    uint ramp = max(pc.ramp, 1u);
    uint q = min(pc.target_built - stats.built, ramp) * 256u / ramp;
    return float(q) * (1.0 / 256.0);
}

uint ca_hash(uint x) {
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

float ca_random(uint cell, uint stream) {
    uint h = ca_hash(pc.stream_key[stream] ^ (cell * 0x9e3779b9u));
    return float(h >> 8) * (1.0 / 16777216.0);
}

const int kDx[8] = int[8](1, 1, 0, -1, -1, -1, 0, 1);
const int kDy[8] = int[8](0, 1, 1, 1, 0, -1, -1, -1);

bool free_cell(uint s) { return (s & (CA_URBAN | CA_ROAD | CA_WATER | CA_EXCLUDED)) == 0u; }
bool inside(int i, int j) { return i >= 0 && j >= 0 && i < int(pc.nx) && j < int(pc.ny); }
uint pick_direction(float u) { return min(uint(u * 8.0), 7u); }

#endif
