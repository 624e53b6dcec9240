// The malformed-scene corpus: every file in corpus/ (except valid_*.toml) must fail to load with the
// exact "file:line:col: message" listed for it in corpus/expected.txt.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "test_specs.hpp"

using namespace scene_test;

namespace {

std::map<std::string, std::string> expectations() {
    enter_test_dir();
    std::ifstream in("corpus/expected.txt");
    REQUIRE(in);
    std::map<std::string, std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const size_t bar = line.find('|');
        REQUIRE(bar != std::string::npos);
        REQUIRE(out.emplace(line.substr(0, bar), line.substr(bar + 1)).second);
    }
    return out;
}

}  // namespace

TEST_CASE("every corpus scene fails with its exact message", "[corpus]") {
    const auto expected = expectations();
    REQUIRE(expected.size() >= 25);
    for (const auto& [file, message] : expected) {
        INFO("corpus/" << file);
        std::string got = "(loaded without error)";
        try {
            load_scene("corpus/" + file, test_blocks());
        } catch (const InputError& e) {
            got = e.what();
            // what() is exactly where() + message(), so the CLI and an editor agree on both.
            const auto& w = e.where();
            CHECK(got == w.file + ":" + std::to_string(w.line) + ":" + std::to_string(w.col) + ": " + e.message());
        }
        CHECK(got == message);
    }
}

TEST_CASE("every malformed corpus file has an expectation", "[corpus]") {
    const auto expected = expectations();
    std::set<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator("corpus")) {
        const std::string name = entry.path().filename().string();
        if (entry.path().extension() == ".toml" && !name.starts_with("valid_")) files.insert(name);
    }
    std::set<std::string> listed;
    for (const auto& [file, message] : expected) listed.insert(file);
    CHECK(files == listed);
}

TEST_CASE("an unreadable scene file is reported at 1:1", "[corpus]") {
    enter_test_dir();
    auto message_of = [](const std::filesystem::path& p) -> std::string {
        try {
            load_scene(p, test_blocks());
        } catch (const InputError& e) {
            return e.what();
        }
        return "(loaded)";
    };
    CHECK(message_of("corpus/does_not_exist.toml") == "corpus/does_not_exist.toml:1:1: cannot open scene file");
    CHECK(message_of("corpus/data") == "corpus/data:1:1: cannot open scene file");
}

TEST_CASE("error positions come from the offending TOML node", "[corpus]") {
    enter_test_dir();
    try {
        load_scene("corpus/out_of_range.toml", test_blocks());
        FAIL("expected an InputError");
    } catch (const InputError& e) {
        CHECK(e.where().file == "corpus/out_of_range.toml");  // as given, not made absolute
        CHECK(e.where().line == 2);
        CHECK(e.where().col == 24);  // the value, after "diffusivity_m2_per_s = "
        CHECK(e.message() == "'example.diffusivity_m2_per_s' = 12 is out of range [0, 10] m2/s");
    }
}

TEST_CASE("InputError formats its position and clamps missing ones to 1:1", "[corpus]") {
    CHECK(std::string(InputError({"a.toml", 3, 7}, "oops").what()) == "a.toml:3:7: oops");
    const InputError none({"b.toml", 0, 0}, "no position");
    CHECK(std::string(none.what()) == "b.toml:1:1: no position");
    CHECK(none.where().line == 1);
    CHECK(none.where().col == 1);
    CHECK(none.message() == "no position");
}
