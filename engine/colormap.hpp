// Perceptual colormaps (viridis, inferno, turbo, cividis, and blues for water depth) for scalar fields: the 256-entry tables from
// assets/colormaps/ feed a GPU lookup texture (one row per map) and CPU sampling for legends.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

#include <glm/glm.hpp>

namespace engine {

enum class Colormap : uint32_t { Viridis = 0, Inferno = 1, Turbo = 2, Cividis = 3, Blues = 4 };
inline constexpr uint32_t kColormapCount = 5;
const char* colormap_name(Colormap c);
bool colormap_from_name(std::string_view name, Colormap& out);

struct ColormapTables {
    std::array<std::array<glm::vec3, 256>, kColormapCount> rgb;  // sRGB in [0, 1]
    glm::vec3 sample(Colormap c, double t) const;                // t in [0, 1], linear between entries
};

// sRGB-encoded colour to linear (IEC 61966-2-1), for tables that shaders blend or write to sRGB targets.
glm::vec3 srgb_to_linear(glm::vec3 srgb);
// A map's 256 entries in linear colour (alpha 1), as a storage-buffer table for shaders that look colours up
// themselves (water, racks, volumes).
std::array<glm::vec4, 256> linear_table(const ColormapTables& tables, Colormap map);

// Reads <dir>/<name>.csv (256 lines "r,g,b"). Throws std::runtime_error "file:line: ..." on bad data.
ColormapTables load_colormaps(const std::filesystem::path& dir);

}  // namespace engine
