// Hydrographs (CSV reader with a malformed corpus, interpolation, exact volumes) and the moving storm cell
// (its path, its Gaussian profile, and the rain it drops against the closed-form integral).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numbers>

#include "corpus_support.hpp"
#include "modules/flood/hydrograph.hpp"
#include "scene/scene.hpp"

using namespace infrascape::flood;
namespace fs = std::filesystem;

namespace {
const std::string kCorpus = std::string(INFRASCAPE_SOURCE_DIR) + "/tests/flood/hydrograph_corpus/";
}

TEST_CASE("hydrograph: reads a file with CRLF, spaces and exponents; interpolates; integrates exactly", "[flood]") {
    const Hydrograph h = load_hydrograph(kCorpus + "good_crlf.csv", "good.csv");
    REQUIRE(h.t_s.size() == 4);
    CHECK(h.q_m3_per_s[1] == 250.5);
    CHECK(h.q_m3_per_s[2] == 100.0);
    CHECK(h.at(-10) == 0.0);
    CHECK(h.at(1800) == Approx(125.25));
    CHECK(h.at(1e6) == 0.0);
    // Trapezoids: 0.5*250.5*3600 + 0.5*(250.5+100)*3600 + 0.5*100*3600.
    CHECK(h.volume_m3(0, 10800) == Approx(0.5 * 3600 * (250.5 + 350.5 + 100)));
    CHECK(h.volume_m3(1800, 3600) == Approx(0.5 * (125.25 + 250.5) * 1800));
    CHECK(h.volume_m3(0, 3600) + h.volume_m3(3600, 10800) == Approx(h.volume_m3(0, 10800)));
}

TEST_CASE("hydrograph: malformed files get exact messages", "[flood]") {
    const size_t n = test::check_corpus(kCorpus, "hydrograph_corpus/", [](const fs::path& f, const std::string& shown) {
        load_hydrograph(f, shown);
    });
    CHECK(n >= 10);
    CHECK_THROWS_AS(load_hydrograph(kCorpus + "missing.csv", "missing.csv"), infrascape::InputError);
}

TEST_CASE("storm cell: moves along its path at constant speed with a Gaussian profile", "[flood]") {
    StormCell s;
    s.path = {{0, 0}, {3000, 0}, {3000, 4000}};  // 7 km in all
    s.radius_m = 1000;
    s.peak_mm_per_h = 60;
    s.start_s = 0;
    s.end_s = 7000;  // 1 m/s
    CHECK(s.centre_at(1500)[0] == Approx(1500));
    CHECK(s.centre_at(5000)[0] == Approx(3000));
    CHECK(s.centre_at(5000)[1] == Approx(2000));
    CHECK(s.centre_at(9000)[1] == Approx(4000));
    CHECK(s.rain_mm_per_h(1500, 0, 1500) == Approx(60));
    CHECK(s.rain_mm_per_h(1500, 1000, 1500) == Approx(60 * std::exp(-1.0)));
    CHECK(s.rain_mm_per_h(1500, 3500, 1500) == 0.0);  // beyond 3 radii
    CHECK(s.rain_mm_per_h(0, 0, -1) == 0.0);
    CHECK(s.rain_mm_per_h(3000, 4000, 7001) == 0.0);
    // A stationary cell's volume rate: integral of peak exp(-r^2/R^2) over the plane = peak pi R^2 (times
    // 1 - e^-9 for the cut at 3 R).
    StormCell still = s;
    still.path = {{0, 0}};
    double sum = 0;
    const double d = 25;
    for (double x = -3500; x <= 3500; x += d)
        for (double y = -3500; y <= 3500; y += d) sum += still.rain_mm_per_h(x, y, 10) * d * d;
    CHECK(sum == Approx(60 * std::numbers::pi * 1e6 * (1 - std::exp(-9.0))).epsilon(1e-3));
}
