// World-level pieces: solar position, terrain generation, heightfields, the output bus and plot ticks.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/output_bus.hpp"
#include "core/projection.hpp"
#include "core/world.hpp"
#include "ui_widgets.hpp"

using namespace infrascape;

TEST_CASE("sun position matches published values", "[world]") {
    // Solar noon at the Greenwich meridian on the June solstice 2024 (2024-06-20T20:51Z is the solstice;
    // noon at lon 0 is near 12:02 UTC): elevation = 90 - (lat - 23.44).
    double el = 0;
    glm::dvec3 d = sun_direction(1718884920.0, 51.48, 0.0, &el);  // 2024-06-20T12:02:00Z, Greenwich
    CHECK(el == Approx(90 - (51.48 - 23.44)).margin(0.3));
    CHECK(d.y < 0);  // the sun stands due south at noon in the northern hemisphere
    CHECK(std::abs(d.x) < 0.02);
    // Equinox sunrise at the equator: about 06:07 local mean time, near the horizon in the east.
    glm::dvec3 e = sun_direction(1710892800.0 + 6 * 3600 + 7 * 60, 0.0, 0.0, &el);  // 2024-03-20T06:07Z
    CHECK(el == Approx(0.0).margin(1.0));
    CHECK(e.x > 0.99);
    // Night: the sun is below the horizon at local midnight.
    sun_direction(1751598000.0 + 6 * 3600, 30.05, -99.15, &el);  // 2025-07-04T09:00Z = 04:00 CDT
    CHECK(el < 0);
}

TEST_CASE("terrain generation is deterministic and sized as asked", "[world]") {
    engine::Heightfield a = generate_terrain("valley", 4000, 65, 200, 7);
    engine::Heightfield b = generate_terrain("valley", 4000, 65, 200, 7);
    engine::Heightfield c = generate_terrain("valley", 4000, 65, 200, 8);
    CHECK(a.nx == 65);
    CHECK(a.width_m() == Approx(4000));
    CHECK(a.z == b.z);
    CHECK(a.z != c.z);
    CHECK(a.max_z() - a.min_z() > 50);
    CHECK(a.max_z() - a.min_z() < 260);
    engine::Heightfield flat = generate_terrain("flat", 1000, 17, 200, 1);
    CHECK(flat.max_z() == 0.0f);
}

TEST_CASE("heightfield sampling and ray casting", "[world]") {
    engine::Heightfield h;
    h.nx = h.ny = 3;
    h.dx = 10;
    h.x0 = h.y0 = 0;
    h.z = {0, 0, 0, 0, 10, 0, 0, 0, 0};
    CHECK(h.sample(10, 10) == Approx(10));
    CHECK(h.sample(5, 10) == Approx(5));
    CHECK(h.sample(-100, -100) == Approx(0));
    engine::Ray down{{10, 10, 100}, {0, 0, -1}};
    double t = 0;
    REQUIRE(h.raycast(down, t));
    CHECK(t == Approx(90).margin(1e-3));
    engine::Ray away{{10, 10, 100}, {0, 0, 1}};
    CHECK_FALSE(h.raycast(away, t));
}

TEST_CASE("output bus: modules read each other's outputs by name", "[world]") {
    OutputBus bus;
    double load = 12.5;
    bus.publish_scalar("dc.facility_kw", "kW", "IT plus cooling", [&] { return load; });
    bus.publish_field("flood.depth_m", "m", "water depth", [](double x, double y) { return x + y; });
    CHECK(*bus.scalar("dc.facility_kw") == 12.5);
    load = 20;
    CHECK(*bus.scalar("dc.facility_kw") == 20);
    CHECK(*bus.sample("flood.depth_m", 1, 2) == 3);
    CHECK_FALSE(bus.scalar("nope"));
    CHECK_FALSE(bus.sample("dc.facility_kw", 0, 0));
    CHECK_THROWS(bus.publish_scalar("dc.facility_kw", "kW", "", [] { return 0.0; }));
    CHECK(bus.list().size() == 2);
}

TEST_CASE("plot ticks are round numbers covering the range", "[widgets]") {
    auto t = engine::nice_ticks(0, 8, 5);
    REQUIRE(t.size() == 5);
    CHECK(t.front() == 0);
    CHECK(t.back() == 8);
    auto u = engine::nice_ticks(0.013, 0.087, 4);
    CHECK(u.front() == Approx(0.02));
    CHECK(engine::format_tick(0.02, 0.02) == "0.02");
    CHECK(engine::format_tick(1500, 500) == "1500");
}

TEST_CASE("the sun is drawn for a steady time when playback is fast", "[world]") {
    const double start = 1751598000.0;
    CHECK(lighting_epoch(start, 5000, 60) == start + 5000);                 // real clock
    CHECK(lighting_epoch(start, 3 * 86400 + 500, 86400) == start + 3 * 86400);  // same time of day
    CHECK(lighting_epoch(start, 400 * 86400, 3.15e7) == start);             // years per second: fixed
}

TEST_CASE("UTC formatting", "[world]") { CHECK(format_utc(1751598000.0) == "2025-07-04 03:00:00 UTC"); }

TEST_CASE("heightfield insets: a finer grid answers inside its footprint, the coarse one outside", "[world]") {
    engine::Heightfield coarse;  // a plane z = x / 100 on 3 x 3 vertices 1000 m apart
    coarse.nx = coarse.ny = 3;
    coarse.x0 = coarse.y0 = -1000;
    coarse.dx = 1000;
    for (int j = 0; j < 3; ++j)
        for (int i = 0; i < 3; ++i) coarse.z.push_back(float((i - 1) * 10.0));
    engine::Heightfield valley;  // 5 x 5 vertices 50 m apart around (200, 200), a V along x = 300
    valley.nx = valley.ny = 5;
    valley.x0 = valley.y0 = 200;
    valley.dx = 50;
    for (int j = 0; j < 5; ++j)
        for (int i = 0; i < 5; ++i) valley.z.push_back(float(std::abs(i - 2) * 4.0));
    coarse.insets.push_back(valley);
    CHECK(coarse.sample(-500, 0) == Approx(-5.0));  // outside: the plane
    CHECK(coarse.sample(500, 500) == Approx(5.0));
    CHECK(coarse.sample(300, 250) == Approx(0.0));   // the valley's floor
    CHECK(coarse.sample(225, 300) == Approx(6.0));   // halfway up its west slope (between 8 and 4 m)
    CHECK(coarse.sample(400, 400) == Approx(8.0));   // its north-east corner, on the inset's edge
    CHECK(coarse.sample(401, 400) == Approx(4.01));  // just outside: the plane again
}

TEST_CASE("world projection: Texas Centric Albers keeps areas, and near the site agrees with the local frame", "[world]") {
    const Projection albers("EPSG:3083", 31.0, -99.3);
    const auto origin = albers.to_world(31.0, -99.3);
    CHECK(std::abs(origin[0]) < 1e-6);
    CHECK(std::abs(origin[1]) < 1e-6);
    // Equal area: a 0.5 x 0.5 degree cell's projected area (its boundary traced finely, shoelace) against the
    // ellipsoid's area of the same cell, (dlambda) * integral of M N cos(phi) dphi on GRS80 (Simpson, 200 steps).
    const double a = 6378137.0, f = 1 / 298.257222101, e2 = f * (2 - f), rad = M_PI / 180;
    const double lat1 = 30.0, lat2 = 30.5, lon1 = -98.0, lon2 = -97.5;
    auto integrand = [&](double phi) {
        const double w = 1 - e2 * std::sin(phi) * std::sin(phi);
        return a * (1 - e2) / std::pow(w, 1.5) * a / std::sqrt(w) * std::cos(phi);
    };
    double integral = 0;
    const int n = 200;
    const double h = (lat2 - lat1) * rad / n;
    for (int k = 0; k <= n; ++k) integral += (k == 0 || k == n ? 1 : (k % 2 ? 4 : 2)) * integrand(lat1 * rad + k * h);
    const double ellipsoid_area = integral * h / 3 * (lon2 - lon1) * rad;
    std::vector<std::array<double, 2>> ring;
    const int m = 100;
    for (int k = 0; k < m; ++k) ring.push_back(albers.to_world(lat1, lon1 + (lon2 - lon1) * k / m));
    for (int k = 0; k < m; ++k) ring.push_back(albers.to_world(lat1 + (lat2 - lat1) * k / m, lon2));
    for (int k = 0; k < m; ++k) ring.push_back(albers.to_world(lat2, lon2 - (lon2 - lon1) * k / m));
    for (int k = 0; k < m; ++k) ring.push_back(albers.to_world(lat2 - (lat2 - lat1) * k / m, lon1));
    double twice = 0;
    for (size_t k = 0; k < ring.size(); ++k) {
        const auto& p = ring[k];
        const auto& q = ring[(k + 1) % ring.size()];
        twice += p[0] * q[1] - q[0] * p[1];
    }
    CHECK(std::abs(twice / 2) == Approx(ellipsoid_area).epsilon(1e-5));
    // 25 km from the site the two frames agree on distance to half a percent (they differ in direction by the
    // Albers meridians' convergence, sin(31 deg) x 0.7 deg of longitude from its central meridian here).
    const Projection local("", 31.0, -99.3);
    const auto p = albers.to_world(31.15, -99.1), q = local.to_world(31.15, -99.1);
    CHECK(std::hypot(p[0], p[1]) == Approx(std::hypot(q[0], q[1])).epsilon(0.005));
}

TEST_CASE("world projection: a CRS that is unknown, geographic or not in metres is refused", "[world]") {
    CHECK_THROWS_WITH(Projection("EPSG:999999", 31, -99), "\"EPSG:999999\" is not a coordinate reference system GDAL/PROJ know");
    CHECK_THROWS_WITH(Projection("EPSG:4326", 31, -99),
                      "\"EPSG:4326\" is not a projected coordinate reference system (x and y in metres)");
    CHECK_THROWS_WITH(Projection("EPSG:2277", 31, -99), Catch::Contains("not metres"));  // Texas Central, US survey feet
}

TEST_CASE("world labels of one frame do not overlap, and each stays as near its point as it can", "[world]") {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // no imgui.ini in the folder the tests run in
    io.DisplaySize = ImVec2(800, 600);
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    ImGui::NewFrame();
    const glm::mat4 identity(1.0f);  // world x, y are clip coordinates: (0, 0) is the screen's centre
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    // Three labels on one point: the first where it belongs, the next one box up, the third one box down.
    const ImVec2 a = engine::draw_world_label(dl, identity, {0, 0, 0}, "first", 0);
    const ImVec2 b = engine::draw_world_label(dl, identity, {0, 0, 0}, "first", 0);
    const ImVec2 c = engine::draw_world_label(dl, identity, {0, 0, 0}, "first", 0);
    const float box_h = ImGui::CalcTextSize("first").y + 4;
    CHECK(a.y == Approx(300 - box_h - 2));  // its bottom 2 px above the point
    CHECK(b.y == Approx(a.y - box_h - 2));
    CHECK(c.y == Approx(a.y + box_h + 2));
    CHECK(b.x == a.x);
    // One far to the side is not moved; one behind the camera is not drawn.
    const ImVec2 d = engine::draw_world_label(dl, identity, {0.8f, 0, 0}, "first", 0);
    CHECK(d.y == Approx(a.y));
    CHECK(std::isnan(engine::draw_world_label(dl, glm::mat4(-1.0f), {0, 0, 0}, "first", 0).x));
    ImGui::EndFrame();
    ImGui::DestroyContext();
}
