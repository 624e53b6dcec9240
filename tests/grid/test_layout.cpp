// Bus placement: bus names to places, the projection, the gazetteer reader (the shipped Texas file and a
// corpus of malformed files with exact messages), the initial layout, and the force-directed iteration
// against its analytic equilibrium (two linked buses settle at the ideal length k).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "corpus_support.hpp"
#include "modules/grid/layout.hpp"
#include "scene/scene.hpp"

using namespace infrascape::grid;
namespace fs = std::filesystem;

namespace {

const std::string kSource = INFRASCAPE_SOURCE_DIR;
const std::string kCorpus = kSource + "/tests/grid/places_corpus/";

Case chain(int n, bool ring) {
    Case c;
    for (int i = 1; i <= n; ++i) {
        Bus b;
        b.id = i;
        b.type = i == 1 ? BusType::Ref : BusType::PQ;
        c.buses.push_back(b);
    }
    for (int i = 1; i < n + (ring ? 1 : 0); ++i) {
        Branch br;
        br.from = i;
        br.to = i % n + 1;
        br.x_pu = 0.1;
        c.branches.push_back(br);
    }
    return c;
}

}  // namespace

TEST_CASE("bus names map to places", "[grid][layout]") {
    CHECK(place_of_bus("ODESSA 2 0") == "ODESSA");
    CHECK(place_of_bus("San Antonio 12 1") == "SAN ANTONIO");
    CHECK(place_of_bus("MT. ENTERPRISE 0") == "MT. ENTERPRISE");
    CHECK(place_of_bus("BUS12") == "BUS12");       // digits glued to the name stay
    CHECK(place_of_bus("  LUBBOCK  ") == "  LUBBOCK");
    CHECK(place_of_bus("12 34") == "12");          // the first group stays: a name is never emptied
    CHECK(place_of_bus("") == "");
}

TEST_CASE("the projection keeps distances near the site", "[grid][layout]") {
    const auto o = project(31.0, -99.0, 31.0, -99.0);
    CHECK(o[0] == 0.0);
    CHECK(o[1] == 0.0);
    const auto north = project(32.0, -99.0, 31.0, -99.0);
    CHECK(north[1] == Approx(111195.08).epsilon(1e-6));  // one degree of a 6371.0088 km sphere
    const auto east = project(31.0, -98.0, 31.0, -99.0);
    CHECK(east[0] == Approx(111195.08 * std::cos(31.0 * M_PI / 180)).epsilon(1e-6));
}

TEST_CASE("the shipped Texas gazetteer loads and places nearly every ACTIVSg2000 bus", "[grid][layout]") {
    const std::vector<Place> places = load_places(kSource + "/assets/grid/texas_places.csv", "texas_places.csv");
    REQUIRE(places.size() > 700);
    for (const Place& p : places) {
        CHECK(p.lat_deg > 25.8);
        CHECK(p.lat_deg < 36.6);
        CHECK(p.lon_deg > -106.7);
        CHECK(p.lon_deg < -93.5);
    }
    const fs::path activs = kSource + "/assets/grid/case_ACTIVSg2000.m";
    REQUIRE(fs::exists(activs));
    const Case c = load_matpower(activs, "case_ACTIVSg2000.m");
    std::set<std::string> names;
    for (const Place& p : places) names.insert(p.name);
    size_t found = 0;
    for (const Bus& b : c.buses) found += names.count(place_of_bus(b.name));
    CHECK(found >= 1990);  // 1998 of 2000
}

TEST_CASE("gazetteer: quoted names, spaces and CRLF", "[grid][layout]") {
    const auto p = load_places(kCorpus + "good_quoted_crlf.csv", "good.csv");
    REQUIRE(p.size() == 2);
    CHECK(p[0].name == "FORT WORTH, TX");
    CHECK(p[0].lat_deg == 32.755);
    CHECK(p[1].name == "HOUSTON");
    CHECK(p[1].lon_deg == -95.370);
}

TEST_CASE("malformed gazetteers get exact messages", "[grid][layout]") {
    const size_t n = test::check_corpus(kCorpus, "places_corpus/", [](const fs::path& f, const std::string& shown) {
        load_places(f, shown);
    });
    CHECK(n >= 12);
    CHECK_THROWS_AS(load_places(kCorpus + "missing.csv", "missing.csv"), infrascape::InputError);
}

TEST_CASE("adjacency lists each neighbour once", "[grid][layout]") {
    Case c = chain(4, true);
    c.branches.push_back(c.branches[0]);  // a parallel circuit
    c.branches.back().status = 1;
    Branch off = c.branches[1];
    off.status = 0;
    off.to = 4;
    c.branches.push_back(off);  // out of service: no edge
    const Adjacency a = bus_adjacency(c);
    REQUIRE(a.offset.size() == 5);
    for (uint32_t b = 0; b < 4; ++b) CHECK(a.offset[b + 1] - a.offset[b] == 2);
}

TEST_CASE("initial layout spreads a place's buses over its disc and puts others near their neighbours",
          "[grid][layout]") {
    const Case c = chain(8, false);
    const Adjacency a = bus_adjacency(c);
    std::vector<Tether> t(8);
    t[0] = {-50000, 0, 0};      // pinned
    t[1] = t[2] = t[3] = {20000, 10000, 3000};  // three buses of one place
    std::vector<std::array<float, 4>> anchors;
    const auto pos = initial_layout(a, t, 100000, 7, anchors);
    CHECK(pos[0][0] == -50000.0f);
    CHECK(pos[0][3] == 1.0f);
    CHECK(anchors[0][2] == 0.0f);
    std::set<std::pair<float, float>> distinct;
    for (int b = 1; b <= 3; ++b) {
        CHECK(pos[b][3] == 1.0f);
        CHECK(std::hypot(pos[b][0] - 20000.0, pos[b][1] - 10000.0) <= 3000.0 + 1e-3);
        distinct.insert({pos[b][0], pos[b][1]});
        CHECK(anchors[b][2] == 3000.0f);
    }
    CHECK(distinct.size() == 3);  // not stacked on one point
    for (size_t b = 4; b < 8; ++b) {
        CHECK(pos[b][3] == 0.0f);
        CHECK(anchors[b][2] < 0.0f);
        const double d = std::hypot(pos[b][0] - pos[b - 1][0], pos[b][1] - pos[b - 1][1]);
        CHECK(d < 0.3 * 2 * 100000 / std::sqrt(8.0) + 3001);  // near the previous bus
    }
    std::vector<std::array<float, 4>> again;
    CHECK(initial_layout(a, t, 100000, 7, again) == pos);  // deterministic
}

TEST_CASE("force-directed iterations: two linked buses settle at the ideal length", "[grid][layout]") {
    const Case c = chain(2, false);
    const Adjacency a = bus_adjacency(c);
    // Repulsion k^2/d balances attraction d^2/k at d = k (Fruchterman and Reingold 1991).
    const float k = 1000.0f;
    const std::vector<std::array<float, 4>> free = {{{0, 0, -1, 0}}, {{0, 0, -1, 0}}};
    std::vector<std::array<float, 4>> pos = {{{-100, 0, 0, 0}}, {{100, 0, 0, 0}}}, next;
    for (int it = 0; it < 200; ++it) {
        layout_iteration(a, pos, free, next, k, 50.0f * (1 - it / 200.0f) + 1.0f, 1e6f);
        pos.swap(next);
    }
    CHECK(std::hypot(pos[1][0] - pos[0][0], pos[1][1] - pos[0][1]) == Approx(k).epsilon(0.01));
    // A pinned bus (tether radius 0) never moves; its partner settles at distance k.
    const std::vector<std::array<float, 4>> pinned = {{{0, 0, 0, 0}}, {{0, 0, -1, 0}}};
    pos = {{{0, 0, 0, 1}}, {{3000, 0, 0, 0}}};
    for (int it = 0; it < 300; ++it) {
        layout_iteration(a, pos, pinned, next, k, 100.0f, 1e6f);
        pos.swap(next);
    }
    CHECK(pos[0][0] == 0.0f);
    CHECK(pos[0][1] == 0.0f);
    CHECK(std::hypot(pos[1][0], pos[1][1]) == Approx(k).epsilon(0.01));
    // A tethered bus stays inside its circle: both tethered to circles 400 m wide, 600 m apart at the centres,
    // they push apart to the far edges (1000 m apart would need more room).
    const std::vector<std::array<float, 4>> circles = {{{-300, 0, 200, 0}}, {{300, 0, 200, 0}}};
    pos = {{{-300, 0, 0, 1}}, {{300, 0, 0, 1}}};
    for (int it = 0; it < 100; ++it) {
        layout_iteration(a, pos, circles, next, k, 100.0f, 1e6f);
        pos.swap(next);
    }
    CHECK(pos[0][0] == Approx(-500.0f).epsilon(1e-4));
    CHECK(pos[1][0] == Approx(500.0f).epsilon(1e-4));
    // Nothing leaves the map.
    pos = {{{0, 0, 0, 0}}, {{10, 0, 0, 0}}};
    layout_iteration(a, pos, free, next, 1e6f, 1e9f, 5000.0f);
    for (const auto& p : next) {
        CHECK(std::abs(p[0]) <= 5000.0f);
        CHECK(std::abs(p[1]) <= 5000.0f);
    }
}
