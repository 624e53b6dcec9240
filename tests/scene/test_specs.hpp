// The block declarations every scene test loads against (a stand-in for the real world and modules),
// and helpers to write throwaway scene files and to catch the InputError a bad scene raises.
#pragma once

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "scene/scene.hpp"

namespace scene_test {

using namespace infrascape;
constexpr double kInf = std::numeric_limits<double>::infinity();

inline ParamSpec param(std::string key, ParamType type, ParamValue def, std::string unit = "",
                       double min = -kInf, double max = kInf, std::string help = "") {
    ParamSpec p;
    p.key = std::move(key);
    p.type = type;
    p.default_value = std::move(def);
    p.unit = std::move(unit);
    p.min = min;
    p.max = max;
    p.help = std::move(help);
    return p;
}

inline std::vector<BlockSpec> test_blocks() {
    BlockSpec world{"world", "the simulated place and clock", {}};
    auto seed = param("seed", ParamType::Integer, 1.0, "", 0, 9007199254740992.0, "random seed");
    seed.live = false;
    world.params = {
        seed,
        param("extent_m", ParamType::Number, 1000.0, "m", 0, 1e7, "size of the simulated square"),
        param("start", ParamType::DateTime, 1751598000.0, "", -kInf, kInf, "simulation start time"),
        param("latitude_deg", ParamType::Number, 0.0, "deg", -90, 90, "latitude of the centre"),
        param("longitude_deg", ParamType::Number, 0.0, "deg", -180, 180, "longitude of the centre"),
        param("dt_s", ParamType::Number, 1.0, "s", 0, kInf, "simulation step"),
        param("speed", ParamType::Number, 1.0, "", -kInf, kInf, "simulated seconds per real second"),
        param("duration_s", ParamType::Duration, 3600.0, "", 0, kInf, "how long the scene runs"),
        param("title", ParamType::String, std::string(), "", -kInf, kInf, "shown in the window title"),
    };

    BlockSpec example{"example", "a diffusing scalar field on a heightmap", {}};
    auto colormap = param("colormap", ParamType::Choice, std::string("viridis"), "", -kInf, kInf, "colour map");
    colormap.choices = {"viridis", "inferno", "turbo", "cividis"};
    auto cells = param("cells", ParamType::Integer, 256.0, "", 8, 4096, "grid cells per side");
    cells.live = false;
    example.params = {
        param("diffusivity_m2_per_s", ParamType::Number, 0.1, "m2/s", 0, 10, "how fast the field spreads"),
        colormap,
        param("enabled", ParamType::Bool, true, "", -kInf, kInf, "run the module"),
        param("heightmap", ParamType::Path, std::string(), "", -kInf, kInf, "terrain image"),
        param("name", ParamType::String, std::string("example"), "", -kInf, kInf, "label in the panel"),
        cells,
    };

    BlockSpec flood{"flood", "rain running off a terrain", {}};
    auto dem = param("dem", ParamType::Path, std::string(), "", -kInf, kInf, "elevation raster, an ASCII grid");
    dem.required = true;
    flood.params = {dem, param("rain", ParamType::Number, 10.0, "mm/h", 0, 500, "rain rate")};
    // A record list: gauges with a required name and position, an optional warning depth and kind.
    RecordSpec gauges{"gauges", "river gauges", {}};
    auto gname = param("name", ParamType::String, std::string(), "", -kInf, kInf, "label");
    gname.required = true;
    auto gx = param("x_m", ParamType::Number, 0.0, "m", -1e7, 1e7, "map x");
    gx.required = true;
    auto gkind = param("kind", ParamType::Choice, std::string("radar"), "", -kInf, kInf, "sensor");
    gkind.choices = {"radar", "pressure"};
    gauges.fields = {gname, gx, param("warn_depth_m", ParamType::Number, 1.5, "m", 0, 100, "siren depth"), gkind};
    gauges.max_count = 3;
    flood.records = {gauges};

    example.instances = true;  // may be repeated as [[example]] entries with an id
    return {world, example, flood};
}

// Runs from the test source directory, so that scene paths (and so messages) read "corpus/x.toml"
// however the test binary is started.
inline void enter_test_dir() { std::filesystem::current_path(INFRASCAPE_SCENE_TEST_DIR); }

// Writes `text` to a fresh file in a temporary directory of this process (ctest runs test cases in
// parallel processes, which must not share the file) and returns its path.
inline std::filesystem::path write_scene(const std::string& text, const std::string& name = "scene.toml") {
    const auto dir = std::filesystem::temp_directory_path() / ("infrascape_scene_tests_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto path = dir / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

inline Scene load_text(const std::string& text) { return load_scene(write_scene(text), test_blocks()); }

// The message of the InputError that loading `text` raises ("" if none is raised).
inline std::string error_of(const std::string& text) {
    try {
        load_text(text);
    } catch (const InputError& e) {
        return e.message();
    }
    return "";
}

}  // namespace scene_test
