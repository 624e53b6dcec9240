// World blocks, terrain generation and solar position; see world.hpp.
#include "core/world.hpp"
#include "core/coupling.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <limits>

namespace infrascape {


BlockSpec world_block() {
    BlockSpec b{"world", "World settings: site, clock and extent", {}};
    ParamSpec title;
    title.key = "title";
    title.type = ParamType::String;
    title.default_value = std::string("Infrascape");
    title.help = "scene title, shown in the window title and the HUD";
    title.live = false;
    b.params.push_back(title);
    b.params.push_back(integer_param("seed", 0, 9007199254740992.0, 1, "random seed for everything procedural"));
    b.params.push_back(number_param("extent_m", "m", 10, 1e7, 4000, "width of the square world, centred on the origin", false));
    ParamSpec start;
    start.key = "start";
    start.type = ParamType::DateTime;
    start.default_value = 1751668200.0;  // 2025-07-04T22:30:00Z, late afternoon in central Texas
    start.help = "date and time (UTC unless an offset is given) at simulation time 0";
    start.live = false;
    b.params.push_back(start);
    b.params.push_back(number_param("latitude_deg", "deg", -90, 90, 30.05, "site latitude (north positive)", false));
    b.params.push_back(number_param("longitude_deg", "deg", -180, 180, -99.15, "site longitude (east positive)", false));
    b.params.push_back(number_param("dt_s", "s", 1e-6, 1e9, 1.0, "fixed simulation time step", false));
    b.params.push_back(number_param("speed", "s/s", 1e-6, 1e12, 60, "simulation seconds per second of playback at x1"));
    ParamSpec duration;
    duration.key = "duration";
    duration.type = ParamType::Duration;
    duration.unit = "s";
    duration.min = 0;
    duration.default_value = 1200.0;
    duration.help = "length of the story in simulation time (default length of a render)";
    duration.live = false;
    b.params.push_back(duration);
    b.params.push_back(number_param("utc_offset_h", "h", -14, 14, 0,
                                    "local time zone's offset from UTC (Texas summer: -5), for the clock, days and hours", false));
    b.params.push_back(string_param("crs", "",
                                    "the world's projection: a projected CRS GDAL/PROJ know, in metres (\"EPSG:3083\", Texas "
                                    "Centric Albers Equal Area); empty: equirectangular about the site"));
    b.params.push_back(number_param("coupling_s", "s", 1, 1e9, 300,
                                    "simulation time between coupling steps, where modules exchange values through their ports"));
    for (const CouplingDoc& c : coupling_docs())
        b.params.push_back(bool_param(std::string("couple_") + c.name, true, std::string("coupling on: ") + c.help));
    return b;
}

BlockSpec terrain_block() {
    BlockSpec b{"terrain", "Procedural terrain (modules may bring their own elevation data)", {}};
    b.params.push_back(choice_param("kind", {"valley", "hills", "flat"}, "valley", "shape of the generated terrain", false));
    b.params.push_back(number_param("relief_m", "m", 0, 9000, 160, "height difference between valley floor and hill tops", false));
    b.params.push_back(integer_param("vertices", 17, 2049, 257, "terrain mesh vertices per side"));
    return b;
}

WorldSettings world_settings(const ParamStore& p) {
    WorldSettings w;
    w.title = p.text("world.title");
    w.seed = uint64_t(p.number("world.seed"));
    w.extent_m = p.number("world.extent_m");
    w.start_epoch_s = p.number("world.start");
    w.latitude_deg = p.number("world.latitude_deg");
    w.longitude_deg = p.number("world.longitude_deg");
    w.dt_s = p.number("world.dt_s");
    w.speed = p.number("world.speed");
    w.duration_s = p.number("world.duration");
    w.utc_offset_h = p.number("world.utc_offset_h");
    w.coupling_s = p.number("world.coupling_s");
    return w;
}

// [SECTION] Terrain

namespace {
uint64_t mix64(uint64_t x) {  // splitmix64 finaliser: a good integer hash
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}
double lattice(int64_t i, int64_t j, uint64_t seed) {
    uint64_t h = mix64(seed ^ mix64(uint64_t(i) * 0x632be59bd9b4e019ULL ^ mix64(uint64_t(j))));
    return double(h >> 11) / double(1ULL << 53) * 2.0 - 1.0;
}
double value_noise(double x, double y, uint64_t seed) {
    int64_t i = int64_t(std::floor(x)), j = int64_t(std::floor(y));
    double u = x - i, v = y - j;
    u = u * u * (3 - 2 * u);
    v = v * v * (3 - 2 * v);
    double a = lattice(i, j, seed), b = lattice(i + 1, j, seed), c = lattice(i, j + 1, seed),
           d = lattice(i + 1, j + 1, seed);
    return (a * (1 - u) + b * u) * (1 - v) + (c * (1 - u) + d * u) * v;
}
double fbm(double x, double y, uint64_t seed, int octaves) {
    double sum = 0, amp = 0.5, norm = 0;
    for (int o = 0; o < octaves; ++o) {
        sum += amp * value_noise(x, y, seed + o * 1013);
        norm += amp;
        x = x * 2.03 + 17.1;
        y = y * 2.03 - 9.7;
        amp *= 0.5;
    }
    return sum / norm;
}
}  // namespace

engine::Heightfield generate_terrain(const std::string& kind, double extent, uint32_t n, double relief,
                                     uint64_t seed) {
    engine::Heightfield h;
    h.nx = h.ny = n;
    h.dx = extent / (n - 1);
    h.x0 = h.y0 = -extent / 2;
    h.z.resize(size_t(n) * n);
    for (uint32_t j = 0; j < n; ++j)
        for (uint32_t i = 0; i < n; ++i) {
            double x = h.x0 + i * h.dx, y = h.y0 + j * h.dx;
            double u = x / extent, v = y / extent;  // -0.5 .. 0.5
            double z = 0;
            if (kind == "hills" || kind == "valley") {
                double hills = fbm(u * 5 + 3.3, v * 5 - 1.7, seed, 6) * 0.5 + 0.5;  // 0..1
                double ridges = 1 - std::abs(fbm(u * 3 - 7.1, v * 3 + 2.9, seed + 99, 4));
                z = relief * (0.65 * hills + 0.35 * ridges * ridges);
                if (kind == "valley") {
                    // A river meandering from west to east; flat terraces step down toward it.
                    double d = river_distance_m(kind, extent, x, y) / extent;
                    double valley = std::clamp((d - 0.03) / 0.22, 0.0, 1.0);
                    double terraced = std::floor(valley * 5) / 5 + std::pow(valley * 5 - std::floor(valley * 5), 3) / 5;
                    double floor_z = relief * 0.05 * (0.5 - u);  // gentle downstream slope
                    z = floor_z + (z * 0.85 + relief * 0.15) * (0.35 * terraced + 0.65 * valley * valley);
                }
            }
            h.z[size_t(j) * n + i] = float(z);
        }
    return h;
}

double river_distance_m(const std::string& kind, double extent_m, double x, double y) {
    if (kind != "valley") return std::numeric_limits<double>::infinity();
    const double u = x / extent_m, v = y / extent_m;
    const double centre = 0.08 * std::sin(u * 9.0 + 0.7) + 0.04 * std::sin(u * 23.0 + 2.1);
    return std::abs(v - centre) * extent_m;
}

// [SECTION] Sun

glm::dvec3 sun_direction(double epoch_s, double lat_deg, double lon_deg, double* elevation_deg) {
    const double rad = M_PI / 180.0;
    const double n = epoch_s / 86400.0 + 2440587.5 - 2451545.0;  // days since J2000.0
    const double L = std::fmod(280.460 + 0.9856474 * n, 360.0);  // mean longitude
    const double g = std::fmod(357.528 + 0.9856003 * n, 360.0) * rad;  // mean anomaly
    const double lambda = (L + 1.915 * std::sin(g) + 0.020 * std::sin(2 * g)) * rad;  // ecliptic longitude
    const double eps = (23.439 - 0.0000004 * n) * rad;  // obliquity
    const double ra = std::atan2(std::cos(eps) * std::sin(lambda), std::cos(lambda));
    const double dec = std::asin(std::sin(eps) * std::sin(lambda));
    const double gmst_h = std::fmod(18.697374558 + 24.06570982441908 * n, 24.0);
    const double hour_angle = (gmst_h * 15.0 + lon_deg) * rad - ra;
    const double lat = lat_deg * rad;
    const double sin_el = std::sin(lat) * std::sin(dec) + std::cos(lat) * std::cos(dec) * std::cos(hour_angle);
    const double el = std::asin(std::clamp(sin_el, -1.0, 1.0));
    const double az = std::atan2(-std::sin(hour_angle),
                                 std::tan(dec) * std::cos(lat) - std::sin(lat) * std::cos(hour_angle));
    if (elevation_deg) *elevation_deg = el / rad;
    return glm::dvec3(std::sin(az) * std::cos(el), std::cos(az) * std::cos(el), std::sin(el));
}

double lighting_epoch(double start_epoch_s, double t_s, double speed) {
    if (speed <= 6 * 3600.0) return start_epoch_s + t_s;
    if (speed <= 10 * 86400.0) return start_epoch_s + 86400.0 * std::floor(t_s / 86400.0);
    return start_epoch_s;
}

std::array<double, 2> lonlat_to_world(double lat_deg, double lon_deg, double site_lat_deg, double site_lon_deg) {
    constexpr double kEarthRadiusM = 6371008.8;  // mean radius (IUGG)
    constexpr double kRad = 3.14159265358979323846 / 180.0;
    return {kEarthRadiusM * (lon_deg - site_lon_deg) * kRad * std::cos(site_lat_deg * kRad),
            kEarthRadiusM * (lat_deg - site_lat_deg) * kRad};
}

std::string format_utc(double epoch_s) {
    std::time_t t = std::time_t(std::floor(epoch_s));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

}  // namespace infrascape
