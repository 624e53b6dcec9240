// Malformed-input corpora: a folder of bad_* files and an expected.txt with one "name|message" line per
// file. check_corpus loads each bad file and compares the InputError's text with its line exactly.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>

#include "scene/scene.hpp"

namespace test {

inline std::map<std::string, std::string> corpus_expectations(const std::filesystem::path& dir) {
    std::ifstream in(dir / "expected.txt");
    REQUIRE(in);
    std::map<std::string, std::string> expected;
    std::string line;
    while (std::getline(in, line))
        if (const auto bar = line.find('|'); bar != std::string::npos) expected[line.substr(0, bar)] = line.substr(bar + 1);
    return expected;
}

// `load(path, shown)` must throw infrascape::InputError; `shown` is "<prefix><name>". Files whose extension is
// in `companions` (a .prj beside its .asc) are not corpus entries of their own. Returns the number checked.
inline size_t check_corpus(const std::filesystem::path& dir, const std::string& prefix,
                           const std::function<void(const std::filesystem::path&, const std::string&)>& load,
                           const std::vector<std::string>& companions = {}) {
    const auto expected = corpus_expectations(dir);
    size_t bad = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("bad_", 0) != 0) continue;
        if (std::find(companions.begin(), companions.end(), e.path().extension().string()) != companions.end()) continue;
        ++bad;
        INFO(name);
        REQUIRE(expected.count(name));
        std::string got = "(no error)";
        try {
            load(e.path(), prefix + name);
        } catch (const infrascape::InputError& err) {
            got = err.what();
        }
        CHECK(got == expected.at(name));
    }
    CHECK(bad == expected.size());
    return bad;
}

}  // namespace test
