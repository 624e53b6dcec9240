#version 450
// Appends an instance for each built cell and each road or water cell to four compact lists (houses,
// blocks, high-rises, ground slabs), counting them in the instanceCount of four indirect draw commands,
// so only what exists is drawn. A building's height follows the residents it houses (population shared by
// centrality, see stats.comp), and its height picks the model: houses up to 2 storeys, blocks up to 12,
// high-rises above. The order of the lists varies from run to run; opaque, depth-tested drawing makes the
// image independent of it. Its colour comes from the colormap by residents per hectare (or, as a map of the
// service areas, from the number of the grid bus that serves its block); at night its windows glow with its
// energy use, as far as the grid serves its block (CityPorts::service).
#include "city/ca_shared.h"

layout(local_size_x = 16, local_size_y = 16) in;

struct Instance {
    vec4 position_yaw;
    vec4 scale;
    vec4 color;
};
layout(std430, binding = 0) readonly buffer State { uint state[]; };
layout(std430, binding = 1) readonly buffer Stats { uint built; uint roads; uint weight_sum; uint pad; } stats;
layout(std430, binding = 2) readonly buffer Ground { float ground_z[]; };
layout(std430, binding = 3) readonly buffer Colormap { vec4 lut[256]; };
layout(std430, binding = 4) writeonly buffer Houses { Instance houses[]; };
layout(std430, binding = 5) writeonly buffer Surface { Instance surface[]; };
layout(std430, binding = 6) writeonly buffer Blocks { Instance blocks[]; };
layout(std430, binding = 7) writeonly buffer Highrises { Instance highrises[]; };
// Four VkDrawIndexedIndirectCommands (5 uints each): houses, blocks, high-rises, surface.
layout(std430, binding = 8) buffer Indirect { uint draw[20]; };
// The grid's service by block (16 x 16 over the city's cells): the share served, then the serving bus (-1: none).
layout(std430, binding = 9) readonly buffer Service { float served[256]; int serving_bus[256]; } service;

uint append(uint list) { return atomicAdd(draw[list * 5u + 1u], 1u); }

layout(push_constant) uniform Push {
    vec4 origin_cell;  // x0, y0 of cell (0,0) centre, cell size (m), population
    vec4 centre;       // x, y of the historic centre, density decay length (m), max residents per hectare (colour scale)
    vec4 look;         // night glow 0..1, storey height (m), residents per storey per hectare, 1: service-area map
    uint nx, ny;
    uint stride;       // level of detail: one instance for each stride x stride cells, from its corner cell
    uint pad1;
} pc;

// A colour per bus number: hues a golden-ratio turn apart, so neighbouring service areas differ.
vec3 bus_colour(int bus) {
    if (bus < 0) return vec3(0.45);
    const float h = fract(float(bus) * 0.6180339887);
    const vec3 k = clamp(abs(fract(h + vec3(1.0, 2.0 / 3.0, 1.0 / 3.0)) * 6.0 - 3.0) - 1.0, 0.0, 1.0);
    return mix(vec3(1.0), k, 0.7) * 0.85;
}

uint centrality(uint i, uint j) {
    vec2 p = pc.origin_cell.xy + vec2(i, j) * pc.origin_cell.z;
    float d = length(p - pc.centre.xy);
    return uint(exp(-d / pc.centre.z) * 256.0) + 1u;
}

float jitter(uint k, uint salt) {
    uint h = k * 0x9e3779b9u ^ salt;
    h ^= h >> 16; h *= 0x7feb352du; h ^= h >> 15; h *= 0x846ca68bu; h ^= h >> 16;
    return float(h >> 8) / 16777216.0;
}

void main() {
    uint i = gl_GlobalInvocationID.x, j = gl_GlobalInvocationID.y;
    if (i >= pc.nx || j >= pc.ny) return;
    // Seen from far (a cell under a pixel), a block of stride x stride cells is drawn as one instance from its
    // corner cell (a sample of the block: its buildings, densities and roads keep their shares on average).
    const uint st = max(pc.stride, 1u);
    if (i % st != 0u || j % st != 0u) return;
    uint k = j * pc.nx + i;
    uint s = state[k];
    const uint block = min(j * 16u / pc.ny, 15u) * 16u + min(i * 16u / pc.nx, 15u);
    const float lit = service.served[block];
    float cell = pc.origin_cell.z * float(st);
    const uint kc = min(j + st / 2u, pc.ny - 1u) * pc.nx + min(i + st / 2u, pc.nx - 1u);
    vec3 centre = vec3(pc.origin_cell.xy + (vec2(i, j) + 0.5 * float(st - 1u)) * pc.origin_cell.z, ground_z[kc]);

    bool building = (s & CA_URBAN) != 0u && (s & CA_ROAD) == 0u && stats.weight_sum > 0u;
    if (building) {
        float residents = pc.origin_cell.w * float(centrality(i, j)) / float(stats.weight_sum);
        float hectares = pc.origin_cell.z * pc.origin_cell.z / 10000.0;
        float per_ha = residents / hectares;
        float storeys = clamp(per_ha / pc.look.z, 1.0, 80.0);
        float footprint = cell * (0.55 + 0.25 * jitter(k, 1u));
        float t = clamp(per_ha / pc.centre.w, 0.0, 1.0);
        vec3 rgb = pc.look.w > 0.5 ? bus_colour(service.serving_bus[block]) : lut[uint(t * 255.0 + 0.5)].rgb;
        float glow = pc.look.x * lit * (0.25 + 0.75 * t);
        Instance b = Instance(vec4(centre.xy, centre.z - 1.0, jitter(k, 2u) * 0.3),
                              vec4(footprint, footprint * (0.8 + 0.4 * jitter(k, 3u)), storeys * pc.look.y, 0.0),
                              vec4(rgb, glow));
        if (storeys <= 2.0) houses[append(0u)] = b;
        else if (storeys <= 12.0) blocks[append(1u)] = b;
        else highrises[append(2u)] = b;
    }
    if ((s & CA_ROAD) != 0u) {
        surface[append(3u)] = Instance(vec4(centre.xy, centre.z + 0.3, 0.0), vec4(cell * 1.02, cell * 1.02, 0.6, 0.0),
                                       vec4(0.05, 0.05, 0.06, 0.35 * pc.look.x * lit));
    } else if ((s & CA_WATER) != 0u) {
        surface[append(3u)] = Instance(vec4(centre.xy, centre.z + 0.2, 0.0), vec4(cell * 1.02, cell * 1.02, 0.4, 0.0),
                                       vec4(0.06, 0.16, 0.28, 0.0));
    }
}
