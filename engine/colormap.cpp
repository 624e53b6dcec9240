// Colormap tables; see colormap.hpp.
#include "colormap.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace engine {

namespace {
const char* kNames[kColormapCount] = {"viridis", "inferno", "turbo", "cividis", "blues"};
}

const char* colormap_name(Colormap c) { return kNames[static_cast<uint32_t>(c)]; }

bool colormap_from_name(std::string_view name, Colormap& out) {
    for (uint32_t i = 0; i < kColormapCount; ++i)
        if (name == kNames[i]) {
            out = static_cast<Colormap>(i);
            return true;
        }
    return false;
}

glm::vec3 ColormapTables::sample(Colormap c, double t) const {
    const auto& table = rgb[static_cast<uint32_t>(c)];
    double x = std::clamp(t, 0.0, 1.0) * 255.0;
    size_t i = std::min<size_t>(size_t(x), 254);
    float u = float(x - double(i));
    return table[i] * (1.0f - u) + table[i + 1] * u;
}

ColormapTables load_colormaps(const std::filesystem::path& dir) {
    ColormapTables out;
    for (uint32_t m = 0; m < kColormapCount; ++m) {
        std::filesystem::path path = dir / (std::string(kNames[m]) + ".csv");
        std::ifstream in(path);
        if (!in) throw std::runtime_error(path.string() + ": colormap table not found");
        std::string line;
        int n = 0;
        while (std::getline(in, line)) {
            if (line.empty()) continue;
            if (n >= 256) throw std::runtime_error(path.string() + ":" + std::to_string(n + 1) + ": more than 256 rows");
            std::stringstream ss(line);
            char c1 = 0, c2 = 0;
            glm::vec3 v;
            if (!(ss >> v.r >> c1 >> v.g >> c2 >> v.b) || c1 != ',' || c2 != ',')
                throw std::runtime_error(path.string() + ":" + std::to_string(n + 1) + ": expected r,g,b");
            out.rgb[m][n++] = v;
        }
        if (n != 256) throw std::runtime_error(path.string() + ": expected 256 rows, found " + std::to_string(n));
    }
    return out;
}

glm::vec3 srgb_to_linear(glm::vec3 c) {
    auto f = [](float v) { return v <= 0.04045f ? v / 12.92f : std::pow((v + 0.055f) / 1.055f, 2.4f); };
    return {f(c.r), f(c.g), f(c.b)};
}

std::array<glm::vec4, 256> linear_table(const ColormapTables& tables, Colormap map) {
    std::array<glm::vec4, 256> out;
    for (int i = 0; i < 256; ++i) out[size_t(i)] = glm::vec4(srgb_to_linear(tables.sample(map, i / 255.0)), 1.0f);
    return out;
}

}  // namespace engine
