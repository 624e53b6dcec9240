// PNG figures drawn on the CPU for reports (the sweeps' distributions and probability maps): empirical
// cumulative distributions with axes, ticks, a legend and a title, and a raster map with a colour bar. Text
// is DejaVu Sans (assets/fonts) through stb_truetype; the PNG through stb_image_write.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "colormap.hpp"

namespace infrascape::plot {

struct Series {
    std::string label;
    std::vector<double> values;  // NaN values are left out
};

// The empirical cumulative distribution of each series (a step line, one colour each) against `x_label`.
void write_cdf_png(const std::filesystem::path& file, const std::string& title, const std::string& x_label,
                   const std::vector<Series>& series, uint32_t width = 900, uint32_t height = 560);

// A raster (row-major, south row first, NaN = no data) coloured by `map` over [lo, hi], north up, with a colour
// bar labelled `bar_label`; the image is scaled to fit `max_side` pixels.
void write_map_png(const std::filesystem::path& file, const std::string& title, const std::string& bar_label,
                   const std::vector<float>& v, uint32_t nx, uint32_t ny, double lo, double hi,
                   const engine::ColormapTables& maps, engine::Colormap map, uint32_t max_side = 900);

}  // namespace infrascape::plot
