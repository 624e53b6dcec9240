// Shared by the grid tests: the MATPOWER cases in ../shared/data (beside the project root), skipped with a
// warning where that folder is absent.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <optional>
#include <string>

#include "modules/grid/case.hpp"

namespace grid_test {

inline const std::string kData = std::string(INFRASCAPE_SOURCE_DIR) + "/../shared/data/";

inline std::optional<infrascape::grid::Case> shipped_case(const std::string& name) {
    const std::string path = kData + "matpower/" + name + ".m";
    if (!std::filesystem::exists(path)) {
        WARN("skipped: " << path << " is absent (../shared beside the project root holds the MATPOWER cases)");
        return std::nullopt;
    }
    return infrascape::grid::load_matpower(path, name + ".m");
}

}  // namespace grid_test
