// Where a grid's buses go on the map. Buses come with positions from the generator, from a gazetteer
// (a CSV of place names with latitude and longitude, matched to bus names such as 'ODESSA 2 0'), or not
// at all; the rest are placed by a force-directed layout (Fruchterman and Reingold 1991) that runs as a
// compute shader (shaders/grid/layout.comp). This file holds the placement logic, the gazetteer reader and
// the C++ reference of one layout iteration that the shader mirrors.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "modules/grid/case.hpp"

namespace infrascape::grid {

struct Place {
    std::string name;  // upper case
    double lat_deg = 0, lon_deg = 0;
};

// Reads a gazetteer CSV with the header `name,lat_deg,lon_deg` (names may be quoted). Throws
// infrascape::InputError "file:line:col: ..." for anything malformed; see tests/grid/corpus/places_*.
std::vector<Place> load_places(const std::filesystem::path& file, const std::string& shown);

// The place a bus name refers to: the name upper-cased with trailing numbers removed ('ODESSA 2 0' -> 'ODESSA').
std::string place_of_bus(const std::string& bus_name);

// Map metres (x east, y north) of a latitude/longitude around the scene's site: an equirectangular
// projection with the site at the origin, accurate to a few tenths of a percent over a state-sized map.
std::array<double, 2> project(double lat_deg, double lon_deg, double site_lat_deg, double site_lon_deg);

// Bus adjacency (in-service branches, parallel branches once) in compressed-row form.
struct Adjacency {
    std::vector<uint32_t> offset;  // buses + 1
    std::vector<uint32_t> neighbours;
};
Adjacency bus_adjacency(const Case& c);

// Substations: buses joined by transformers (a branch with a turns ratio, or between different base
// voltages) stand at one site. Returns the site of each bus (0 .. count-1, in order of first bus).
std::vector<int> substation_sites(const Case& c, size_t& count);
// The adjacency of sites over the lines (non-transformer, in-service branches) between different sites.
Adjacency site_adjacency(const Case& c, const std::vector<int>& site_of, size_t count);

// Where a bus may go: free (radius < 0), or tethered within `radius_m` of (x_m, y_m) (radius 0: pinned there).
// Buses named after a place are tethered around the place, within a radius that grows with the number of
// buses there (a city's many substations spread over its area); a generator's buses are pinned.
struct Tether {
    double x_m = 0, y_m = 0, radius_m = -1;
};

// Positions for the layout's start: a tethered bus on a sunflower spiral (Vogel 1979) inside its tether
// circle, so the buses of one place start spread over its area; every free bus at the mean of its already
// placed neighbours (breadth first from the tethered ones) plus a small deterministic jitter, or at a
// deterministic pseudo-random point of the map when none reaches it. Returns x, y, 0, mode per bus (mode 1:
// tethered, 0: free); `anchors` receives x, y, radius, 0 per bus for the layout iterations.
std::vector<std::array<float, 4>> initial_layout(const Adjacency& adj, const std::vector<Tether>& tethers,
                                                 double half_extent_m, uint64_t seed,
                                                 std::vector<std::array<float, 4>>& anchors);

struct LayoutSchedule {
    float k_m = 0;           // ideal edge length
    float start_temp_m = 0;  // largest move of the first iteration; falls linearly to 0
    uint32_t iterations = 0;
    float half_extent_m = 0;
    float gravity = 0;       // pull toward the centre, relative to an edge's attraction (1 / sqrt(n))
    float temperature(uint32_t iteration) const { return start_temp_m * (1.0f - float(iteration) / float(iterations)); }
};
// The schedule for n buses on a square of half side half_extent_m (k = C sqrt(area / n), C = 0.5).
LayoutSchedule layout_schedule(size_t buses, double half_extent_m, uint32_t iterations);

// One Fruchterman-Reingold iteration, in float, in the order the shader adds terms (the C++ reference), plus
// a gravity toward the centre (-p |p| gravity / k). A tethered bus (mode 1) is also attracted to its anchor
// like along an edge, and after the move pulled back inside its anchor circle.
void layout_iteration(const Adjacency& adj, const std::vector<std::array<float, 4>>& in,
                      const std::vector<std::array<float, 4>>& anchors, std::vector<std::array<float, 4>>& out,
                      float k_m, float temp_m, float half_extent_m, float gravity = 0.0f);

}  // namespace infrascape::grid
