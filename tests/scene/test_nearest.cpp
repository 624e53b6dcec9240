// nearest(): the "did you mean" of every unknown block, key and parameter.
#include <catch2/catch.hpp>

#include "test_specs.hpp"

using namespace scene_test;

namespace {

std::vector<std::string> keys_of(const BlockSpec& b) {
    std::vector<std::string> keys;
    for (const auto& p : b.params) keys.push_back(p.key);
    return keys;
}

}  // namespace

TEST_CASE("nearest corrects typos", "[nearest]") {
    const auto blocks = test_blocks();
    const auto world = keys_of(blocks[0]);
    const auto example = keys_of(blocks[1]);
    CHECK(nearest("sed", world) == "seed");
    CHECK(nearest("seeds", world) == "seed");
    CHECK(nearest("titel", world) == "title");
    CHECK(nearest("extent", world) == "extent_m");
    CHECK(nearest("colormpa", example) == "colormap");
    CHECK(nearest("ColorMap", example) == "colormap");  // case-insensitive, answer as declared
    CHECK(nearest("enabeld", example) == "enabled");
    CHECK(nearest("cell", example) == "cells");
    CHECK(nearest("foo", {"world", "example", "flood", "timeline", "camera", "caption"}) == "flood");
    CHECK(nearest("timline", {"world", "example", "flood", "timeline", "camera", "caption"}) == "timeline");
    CHECK(nearest("sett", {"at", "set", "to", "ramp"}) == "set");
}

TEST_CASE("nearest completes prefixes and suffixes", "[nearest]") {
    const auto blocks = test_blocks();
    const auto world = keys_of(blocks[0]);
    const auto example = keys_of(blocks[1]);
    CHECK(nearest("diffusivity", example) == "diffusivity_m2_per_s");  // exact prefix
    CHECK(nearest("m2_per_s", example) == "diffusivity_m2_per_s");     // exact suffix
    CHECK(nearest("lat", world) == "latitude_deg");
    CHECK(nearest("longitude", world) == "longitude_deg");
    CHECK(nearest("diffusivty", example) == "diffusivity_m2_per_s");  // typo in a shortened name
    CHECK(nearest("difusivity", example) == "diffusivity_m2_per_s");
    // Too short, or a prefix of several candidates: no guess.
    CHECK(nearest("la", {"latitude_deg", "longitude_deg"}) == "");
    CHECK(nearest("latitude", {"latitude_deg", "latitude_rad"}) == "");
    CHECK(nearest("deg", {"latitude_deg", "longitude_deg"}) == "");
}

TEST_CASE("nearest gives up when nothing is close", "[nearest]") {
    const auto blocks = test_blocks();
    CHECK(nearest("zzz", keys_of(blocks[1])) == "");
    CHECK(nearest("vsync", keys_of(blocks[0])) == "");
    CHECK(nearest("graphics", {"world", "example", "flood", "timeline", "camera", "caption"}) == "");
    CHECK(nearest("", {"a", "b"}) == "");
    CHECK(nearest("seed", {}) == "");
}

TEST_CASE("nearest's threshold is a third of the word, at least 2", "[nearest]") {
    CHECK(nearest("abcdefghi", {"abcdefxyz"}) == "abcdefxyz");  // 9 letters: 3 edits allowed
    CHECK(nearest("abcdefghi", {"abcdewxyz"}) == "");           // 4 edits
    CHECK(nearest("ab", {"xy"}) == "xy");                       // 2 edits always allowed
    CHECK(nearest("abc", {"xyz"}) == "");
}

TEST_CASE("nearest breaks ties by candidate order", "[nearest]") {
    CHECK(nearest("hat", {"cat", "bat"}) == "cat");
    CHECK(nearest("hat", {"bat", "cat"}) == "bat");
    CHECK(nearest("cat", {"bat", "cat"}) == "cat");  // an exact match beats an earlier near one
}
