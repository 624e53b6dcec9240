// World-level scene blocks that every scene has, [world] and [terrain], the procedural terrain they
// describe, and the sun's position for the scene's site and clock.
#pragma once

#include <array>
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

// World metres (x east, y north) of a latitude/longitude around the scene's site (world.latitude_deg,
// world.longitude_deg at the origin): an equirectangular projection on the mean Earth radius, true to scale
// along the site's parallel and every meridian (about 1% off in x at 500 km north or south of it). Every
// module that places things by longitude and latitude uses it, so all share one frame.
std::array<double, 2> lonlat_to_world(double lat_deg, double lon_deg, double site_lat_deg, double site_lon_deg);

// "2025-07-04 03:00:00 UTC"
std::string format_utc(double epoch_s);

}  // namespace infrascape
