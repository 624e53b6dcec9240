// The procedural Hill Country valley: sizes and georeference, refused specs, channels that never rise
// downstream (the property the flood scenarios rely on: a storm over the headwaters drains through the creeks
// and down the river), channel and terrace heights, high ground along the north and south edges, determinism,
// and point_along_river.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "modules/flood/valley.hpp"

using namespace infrascape;
using namespace infrascape::flood;

namespace {

using Pt = std::array<double, 2>;

// Nearest cell of a map point, as the generator burns it in.
size_t cell_of(const Raster& r, const Pt& p) {
    const double fi = std::floor((p[0] - r.geo.x0) / r.geo.cell + 0.5),
                 fj = std::floor((p[1] - r.geo.y0) / r.geo.cell + 0.5);
    const uint32_t i = uint32_t(std::clamp(fi, 0.0, double(r.nx - 1))),
                   j = uint32_t(std::clamp(fj, 0.0, double(r.ny - 1)));
    return size_t(j) * r.nx + i;
}

float z_at(const Raster& r, const Pt& p) {
    return r.v[cell_of(r, p)];
}

// Along-river km of the river point nearest to p.
double km_of(const Valley& v, const Pt& p) {
    size_t best = 0;
    double bd = std::numeric_limits<double>::infinity();
    for (size_t k = 0; k < v.river.size(); ++k) {
        const double d = std::hypot(v.river[k][0] - p[0], v.river[k][1] - p[1]);
        if (d < bd) {
            bd = d;
            best = k;
        }
    }
    return v.river_km[best];
}

// The number of elevations that rise going down a path of points (sampled at their nearest cells).
int rises_along(const Raster& r, const std::vector<Pt>& path) {
    int rises = 0;
    for (size_t k = 1; k < path.size(); ++k)
        if (z_at(r, path[k]) > z_at(r, path[k - 1])) ++rises;
    return rises;
}

std::vector<ValleySpec> specs() {
    std::vector<ValleySpec> out;
    out.push_back(ValleySpec{});  // the default 384 x 256
    ValleySpec small;
    small.nx = 192;
    small.ny = 128;
    out.push_back(small);
    ValleySpec steep = small;
    steep.tributaries = 6;
    steep.river_slope = 0.004;
    steep.relief_m = 60;
    steep.seed = 7;
    out.push_back(steep);
    ValleySpec fine;
    fine.nx = 256;
    fine.ny = 160;
    fine.cell_m = 10;
    fine.seed = 3;
    fine.tributaries = 3;
    out.push_back(fine);
    return out;
}

}  // namespace

TEST_CASE("valley: sizes, georeference and centrelines", "[flood][valley]") {
    const ValleySpec spec;
    const Valley v = generate_valley(spec);
    const Raster& r = v.dem;
    REQUIRE(r.nx == 384);
    REQUIRE(r.ny == 256);
    REQUIRE(r.v.size() == size_t(384) * 256);
    CHECK(r.geo.x0 == 12.5);
    CHECK(r.geo.y0 == 12.5);
    CHECK(r.geo.cell == 25.0);
    CHECK(r.geo.wkt.empty());
    for (float z : r.v) REQUIRE(std::isfinite(z));

    const double width = 384 * 25.0, height = 256 * 25.0;
    REQUIRE(v.river.size() >= 2);
    REQUIRE(v.river_km.size() == v.river.size());
    CHECK(v.river_km[0] == 0.0);
    CHECK(v.river.front()[0] <= 25.0);         // starts at the west edge ...
    CHECK(v.river.back()[0] >= width - 25.0);  // ... and leaves at the east edge
    for (size_t k = 1; k < v.river.size(); ++k) {
        const double step = std::hypot(v.river[k][0] - v.river[k - 1][0], v.river[k][1] - v.river[k - 1][1]);
        REQUIRE(step <= 25.0 + 1e-9);
        REQUIRE(step >= 12.5);
        REQUIRE(v.river[k][0] > v.river[k - 1][0]);  // always heading east
        REQUIRE((v.river_km[k] - v.river_km[k - 1]) * 1000 == Approx(step));
    }
    for (const Pt& p : v.river) {  // meanders kept well inside the north and south edges
        REQUIRE(p[1] >= 0.3 * height);
        REQUIRE(p[1] <= 0.7 * height);
    }
    CHECK(v.river_km.back() > width / 1000);
    CHECK(v.river_km.back() < 1.5 * width / 1000);

    REQUIRE(v.creeks.size() == spec.tributaries);
    const double mid_km = v.river_km.back() / 2;
    int upper_half = 0;
    for (size_t c = 0; c < v.creeks.size(); ++c) {
        const auto& creek = v.creeks[c];
        REQUIRE(creek.size() >= 10);
        for (size_t k = 1; k < creek.size(); ++k)
            REQUIRE(std::hypot(creek[k][0] - creek[k - 1][0], creek[k][1] - creek[k - 1][1]) <= 25.0 + 1e-9);
        // The junction is a point of the river; the head is up in the hills, on alternating sides.
        bool on_river = false;
        for (const Pt& p : v.river) on_river = on_river || (p == creek.back());
        CHECK(on_river);
        const Pt j = creek.back(), h = creek.front();
        CHECK(std::abs(h[1] - j[1]) > 0.2 * height);
        if (c > 0) CHECK((h[1] > j[1]) != (v.creeks[c - 1].front()[1] > v.creeks[c - 1].back()[1]));
        if (km_of(v, j) < mid_km) ++upper_half;
    }
    CHECK(upper_half >= 2);  // a storm over the headwaters drains through creeks
}

TEST_CASE("valley: invalid specs throw", "[flood][valley]") {
    const double nan = std::numeric_limits<double>::quiet_NaN(),
                 inf = std::numeric_limits<double>::infinity();
    auto with = [](auto change) {
        ValleySpec s;
        s.nx = 32;
        s.ny = 32;
        change(s);
        return s;
    };
    CHECK_THROWS_AS(generate_valley(with([](ValleySpec& s) { s.nx = 15; })), std::invalid_argument);
    CHECK_THROWS_AS(generate_valley(with([](ValleySpec& s) { s.ny = 0; })), std::invalid_argument);
    CHECK_THROWS_AS(generate_valley(with([](ValleySpec& s) { s.cell_m = 0; })), std::invalid_argument);
    CHECK_THROWS_AS(generate_valley(with([](ValleySpec& s) { s.cell_m = -25; })), std::invalid_argument);
    CHECK_THROWS_AS(generate_valley(with([&](ValleySpec& s) { s.cell_m = nan; })), std::invalid_argument);
    CHECK_THROWS_AS(generate_valley(with([](ValleySpec& s) { s.relief_m = -1; })), std::invalid_argument);
    CHECK_THROWS_AS(generate_valley(with([](ValleySpec& s) { s.river_slope = 0; })), std::invalid_argument);
    CHECK_THROWS_AS(generate_valley(with([](ValleySpec& s) { s.river_slope = -0.001; })),
                    std::invalid_argument);
    CHECK_THROWS_AS(generate_valley(with([&](ValleySpec& s) { s.river_slope = nan; })),
                    std::invalid_argument);
    CHECK_THROWS_AS(generate_valley(with([&](ValleySpec& s) { s.river_slope = inf; })),
                    std::invalid_argument);
    CHECK_THROWS_AS(generate_valley(with([&](ValleySpec& s) { s.outlet_elevation_m = nan; })),
                    std::invalid_argument);

    // The smallest map and a flat one still come out whole.
    ValleySpec tiny;
    tiny.nx = tiny.ny = 16;
    tiny.relief_m = 0;
    const Valley t = generate_valley(tiny);
    REQUIRE(t.dem.v.size() == 256);
    for (float z : t.dem.v) CHECK(std::isfinite(z));
    CHECK(rises_along(t.dem, t.river) == 0);
}

TEST_CASE("valley: the river and the creeks never rise downstream", "[flood][valley]") {
    for (const ValleySpec& spec : specs()) {
        INFO("spec " << spec.nx << "x" << spec.ny << " cell " << spec.cell_m << " seed " << spec.seed);
        const Valley v = generate_valley(spec);
        const Raster& r = v.dem;
        CHECK(rises_along(r, v.river) == 0);
        // The bed falls at river_slope overall, ending at the outlet elevation.
        const double length_m = v.river_km.back() * 1000;
        // (the first cell may hold the second point too, and take its slightly lower bed)
        const double first_bed = spec.outlet_elevation_m + spec.river_slope * length_m;
        CHECK(z_at(r, v.river.front()) <= first_bed + 1e-3);
        CHECK(z_at(r, v.river.front()) >= first_bed - 3 * spec.river_slope * spec.cell_m);
        CHECK(z_at(r, v.river.back()) == Approx(spec.outlet_elevation_m).margin(0.05));
        REQUIRE(v.creeks.size() == spec.tributaries);
        for (const auto& creek : v.creeks) {
            CHECK(rises_along(r, creek) == 0);
            // The junction cell is the river's own cell: the creek arrives at the river's bed level.
            CHECK(cell_of(r, creek.back()) == cell_of(r, v.point_along_river(km_of(v, creek.back()))));
            // and it comes down from well up the hills.
            CHECK(z_at(r, creek.front()) - z_at(r, creek.back()) > spec.relief_m / 3);
        }
    }
}

TEST_CASE("valley: the channel is cut below its terraces", "[flood][valley]") {
    for (const ValleySpec& spec : specs()) {
        INFO("spec " << spec.nx << "x" << spec.ny << " cell " << spec.cell_m << " seed " << spec.seed);
        const Valley v = generate_valley(spec);
        const Raster& r = v.dem;
        const double c = spec.cell_m, length_km = v.river_km.back();
        // 100 m and three cells off the centreline at 25 m cells; on coarser or finer grids as many metres or
        // cells as keep the sampled cell off the bank whichever way the centreline crosses the cells.
        const double terrace_off = std::max(100.0, 4 * c), depth_off = std::max(75.0, 3 * c);
        std::vector<double> junctions;
        for (const auto& creek : v.creeks) junctions.push_back(km_of(v, creek.back()));
        int samples = 0;
        for (double s = 0.3; s < length_km - 0.3; s += 0.05) {
            bool near_creek = false;  // where a creek comes in, its gully cuts the terraces
            for (double j : junctions) near_creek = near_creek || std::abs(s - j) < 0.3;
            if (near_creek) continue;
            ++samples;
            const double bed = z_at(r, v.point_along_river(s));
            for (double side : {-1.0, 1.0}) {
                INFO("at " << s << " km, side " << side);
                CHECK(z_at(r, v.point_along_river(s, side * terrace_off)) >=
                      bed + 1.5);                                                       // a terrace or higher
                CHECK(z_at(r, v.point_along_river(s, side * depth_off)) >= bed + 2.5);  // the channel's depth
            }
            // The channel is at least two cells wide: a straight channel 2 cells wide crossing a disc 5 cells
            // across covers about 10 of its cells; one cell wide about 5 (the threshold allows for the bed's
            // fall across the disc).
            const Pt centre = v.point_along_river(s);
            int at_bed = 0;
            for (int dj = -3; dj <= 3; ++dj)
                for (int di = -3; di <= 3; ++di) {
                    if (di * di + dj * dj > 6.25) continue;
                    const Pt p = {centre[0] + di * c, centre[1] + dj * c};
                    at_bed += z_at(r, p) <= bed + 0.5 + spec.river_slope * 2.5 * c;
                }
            CHECK(at_bed >= 8);
        }
        CHECK(samples >= 5);
    }
}

TEST_CASE("valley: the north and south edges are high ground", "[flood][valley]") {
    for (const ValleySpec& spec : specs()) {
        INFO("spec " << spec.nx << "x" << spec.ny << " cell " << spec.cell_m << " seed " << spec.seed);
        const Valley v = generate_valley(spec);
        const Raster& r = v.dem;
        for (const Pt& p : v.river) {
            const size_t cell = cell_of(r, p), i = cell % r.nx;
            const float bed = r.v[cell];
            INFO("column " << i);
            CHECK(r.v[i] >= bed + spec.relief_m / 3);
            CHECK(r.v[size_t(r.ny - 1) * r.nx + i] >= bed + spec.relief_m / 3);
        }
    }
}

TEST_CASE("valley: deterministic, and the seed changes it", "[flood][valley]") {
    ValleySpec spec;
    spec.nx = 192;
    spec.ny = 128;
    const Valley a = generate_valley(spec), b = generate_valley(spec);
    REQUIRE(a.dem.v.size() == b.dem.v.size());
    CHECK(std::memcmp(a.dem.v.data(), b.dem.v.data(), a.dem.v.size() * sizeof(float)) == 0);
    CHECK(a.river == b.river);
    CHECK(a.river_km == b.river_km);
    CHECK(a.creeks == b.creeks);

    spec.seed = 2;
    const Valley c = generate_valley(spec);
    size_t differ = 0;
    for (size_t k = 0; k < a.dem.v.size(); ++k) differ += a.dem.v[k] != c.dem.v[k];
    CHECK(differ > a.dem.v.size() / 2);
    CHECK(a.river != c.river);
}

TEST_CASE("valley: points along the river", "[flood][valley]") {
    const Valley v = generate_valley(ValleySpec{});
    const double length_km = v.river_km.back(), width = 384 * 25.0;
    const Pt start = v.point_along_river(0), end = v.point_along_river(length_km);
    CHECK(start[0] <= 25.0);
    CHECK(end[0] >= width - 25.0);
    CHECK(start == v.river.front());
    CHECK(end == v.river.back());
    CHECK(v.point_along_river(-3) == v.river.front());  // clamped
    CHECK(v.point_along_river(1e6) == v.river.back());
    CHECK(v.point_along_river(std::numeric_limits<double>::quiet_NaN()) == v.river.front());

    for (double f : {0.1, 0.3, 0.5, 0.7, 0.9}) {
        const double s = f * length_km;
        const Pt p = v.point_along_river(s), left = v.point_along_river(s, 100),
                 right = v.point_along_river(s, -100);
        const Pt ahead = v.point_along_river(s + 0.02), behind = v.point_along_river(s - 0.02);
        const double tx = ahead[0] - behind[0], ty = ahead[1] - behind[1], tl = std::hypot(tx, ty);
        INFO("at " << s << " km");
        CHECK(std::hypot(left[0] - p[0], left[1] - p[1]) == Approx(100));
        CHECK(std::hypot(right[0] - p[0], right[1] - p[1]) == Approx(100));
        // Perpendicular to the river, and positive offsets on the left bank looking downstream.
        CHECK(std::abs((left[0] - p[0]) * tx + (left[1] - p[1]) * ty) / (100 * tl) < 0.05);
        CHECK(tx * (left[1] - p[1]) - ty * (left[0] - p[0]) > 0);
        CHECK(left[0] + right[0] == Approx(2 * p[0]));
        CHECK(left[1] + right[1] == Approx(2 * p[1]));
        // The point on the centreline is about s along it: it lies between the river points either side.
        size_t k = 0;
        while (k + 1 < v.river_km.size() && v.river_km[k + 1] < s) ++k;
        CHECK(std::hypot(p[0] - v.river[k][0], p[1] - v.river[k][1]) <= 25.0 + 1e-9);
    }
}
