// World-level scene blocks that every scene has, [world] and [terrain], the procedural terrain they
// describe, and the sun's position for the scene's site and clock.
#pragma once

#include <string>

#include <glm/glm.hpp>

#include "mesh.hpp"
#include "scene/params.hpp"

namespace infrascape {

BlockSpec world_block();    // seed, extent, start, site, time step, speed, duration, title
BlockSpec terrain_block();  // procedural terrain: kind, relief, resolution

struct WorldSettings {
    std::string title;
    uint64_t seed = 1;
    double extent_m = 4000;
    double start_epoch_s = 0;
    double latitude_deg = 30, longitude_deg = -99;
    double dt_s = 1;
    double speed = 60;       // simulation seconds per second of playback at x1
    double duration_s = 1200;  // length of the story in simulation time
    double utc_offset_h = 0;   // local time = UTC + offset
    double coupling_s = 300;   // between coupling steps
};
WorldSettings world_settings(const ParamStore& params);

// Procedural terrain centred on the origin, `extent_m` wide: "flat", "hills" (fractal value noise) or
// "valley" (hills with a meandering river valley and terraces). Deterministic for a seed.
engine::Heightfield generate_terrain(const std::string& kind, double extent_m, uint32_t vertices_per_side,
                                     double relief_m, uint64_t seed);

// Distance (m) from (x, y) to the centre line of the "valley" terrain's river, which meanders west to east;
// +inf for other kinds. generate_terrain carves its valley floor around the same line.
double river_distance_m(const std::string& kind, double extent_m, double x_m, double y_m);

// The sun's direction (unit vector toward it; x east, y north, z up) at a UTC time and site, from the
// Astronomical Almanac's low-precision solar coordinates (accurate to about 0.01 degree for 1950-2050;
// Michalsky 1988, Solar Energy 40(3)). Also returns the elevation in degrees.
glm::dvec3 sun_direction(double epoch_s, double latitude_deg, double longitude_deg, double* elevation_deg = nullptr);

// The time the sun is drawn for: the clock itself; when playback runs faster than six simulated hours per
// second, the start's time of day on the current date (days would strobe between day and night); faster
// than ten simulated days per second, the start itself (seasons would strobe too).
double lighting_epoch(double start_epoch_s, double t_s, double speed);

// "2025-07-04 03:00:00 UTC"
std::string format_utc(double epoch_s);

}  // namespace infrascape
