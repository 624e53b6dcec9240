// Widgets drawn with ImGui draw lists: a colormap legend with the quantity and its unit, a time-series
// plot with axes, ticks, labels and units (ImPlot is not packaged in Debian 12), and caption overlays.
#pragma once

#include <string>
#include <vector>

#include <glm/glm.hpp>
#include <imgui.h>

#include "colormap.hpp"

namespace engine {

// Ticks at 1, 2 or 5 times a power of ten covering [lo, hi] with about `target` intervals.
std::vector<double> nice_ticks(double lo, double hi, int target = 5);
std::string format_tick(double value, double step);

struct LegendSpec {
    std::string quantity;  // "Temperature anomaly"
    std::string unit;      // "K"
    double min = 0, max = 1;
    Colormap colormap = Colormap::Viridis;
};
// Draws a vertical legend box at the bottom-right corner of the display.
void draw_legend(const LegendSpec& spec, const ColormapTables& tables);

// Lines of a simulation's state at the top right of the display, stacked (right-aligned, clear of the title
// at the top left and the viewer's menu bar); on a narrow display they go below the title box instead.
struct StatusLine {
    std::string text;
    ImU32 background = IM_COL32(20, 22, 28, 200);
    ImU32 colour = IM_COL32(255, 255, 255, 255);
};
void draw_status_lines(const std::vector<StatusLine>& lines);

// A boxed label above a world point (projected with the frame's view_proj; nothing when it is behind the camera
// or off screen). Labels of one frame do not overlap: one that would cover an earlier one moves to the nearest free
// slot above or below, up to four box-heights away. Returns the box's top-left corner (NaN when not drawn).
ImVec2 draw_world_label(ImDrawList* dl, const glm::mat4& view_proj, const glm::vec3& world, const char* text,
                        ImU32 background);

struct Series {
    std::string label;
    ImU32 color;
    std::vector<double> x, y;
};
struct PlotSpec {
    std::string title;
    std::string x_label, x_unit, y_label, y_unit;
    ImVec2 size{360, 180};
    bool y_from_zero = false;
};
// Draws a plot inside the current ImGui window.
void plot_series(const char* id, const PlotSpec& spec, const std::vector<Series>& series);

// A caption near the bottom of the display; alpha fades it in and out. It wraps within 70% of the width, and
// keeps clear of `margin_left` pixels at the left (the viewer's performance window) and of this frame's legends
// (draw_legend, so draw those first), centred between them when that leaves a quarter of the display.
void draw_caption(const std::string& text, float alpha, ImFont* font, float margin_left = 0.0f);

}  // namespace engine
