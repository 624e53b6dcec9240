// Legend, plot and caption widgets; see ui_widgets.hpp.
#include "ui_widgets.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace engine {

std::vector<double> nice_ticks(double lo, double hi, int target) {
    std::vector<double> out;
    if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return {lo};
    double raw = (hi - lo) / std::max(target, 1);
    double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double norm = raw / mag;
    double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
    for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
        out.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    return out;
}

std::string format_tick(double v, double step) {
    char buf[32];
    double a = std::abs(v);
    if (a != 0 && (a >= 1e6 || a < 1e-3)) {
        std::snprintf(buf, sizeof buf, "%.2g", v);
    } else {
        int decimals = step >= 1 ? 0 : int(std::ceil(-std::log10(step) - 1e-9));
        std::snprintf(buf, sizeof buf, "%.*f", std::clamp(decimals, 0, 6), v);
    }
    return buf;
}

namespace {
// This frame's legends: the frame they were drawn in, where the next one would end, and their top.
int legend_frame = -1;
float legend_next_right = 0, legend_top = 0;
}  // namespace

void draw_legend(const LegendSpec& spec, const ColormapTables& tables) {
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    // A quarter of the frame's height (at least 100 px for its tick labels, at most 220): at 960x540 two legends
    // side by side no longer cover a third of the picture.
    const float bar_w = 18, bar_h = std::clamp(display.y * 0.25f, 100.0f, 220.0f), pad = 10;
    const std::string title = spec.unit.empty() ? spec.quantity : spec.quantity + " (" + spec.unit + ")";
    const ImVec2 title_size = ImGui::CalcTextSize(title.c_str());
    const float box_w = std::max(title_size.x, bar_w + 70.0f) + 2 * pad;
    const float box_h = title_size.y + bar_h + 3 * pad;
    // Several legends in one frame stand side by side, leftwards from the bottom-right corner.
    float right = display.x - 12;
    if (ImGui::GetFrameCount() == legend_frame) right = std::min(right, legend_next_right);
    legend_frame = ImGui::GetFrameCount();
    legend_next_right = right - box_w - 10;
    legend_top = display.y - box_h - 12;
    const ImVec2 box_min(right - box_w, display.y - box_h - 12);
    dl->AddRectFilled(box_min, ImVec2(box_min.x + box_w, box_min.y + box_h), IM_COL32(20, 22, 28, 215), 4.0f);
    dl->AddText(ImVec2(box_min.x + pad, box_min.y + pad), IM_COL32(235, 235, 235, 255), title.c_str());
    const ImVec2 bar_min(box_min.x + pad, box_min.y + 2 * pad + title_size.y);
    const int steps = 64;
    for (int i = 0; i < steps; ++i) {
        // Top of the bar is the maximum.
        glm::vec3 c = tables.sample(spec.colormap, 1.0 - (i + 0.5) / steps);
        ImU32 col = IM_COL32(int(c.r * 255), int(c.g * 255), int(c.b * 255), 255);
        float y0 = bar_min.y + bar_h * i / steps, y1 = bar_min.y + bar_h * (i + 1) / steps;
        dl->AddRectFilled(ImVec2(bar_min.x, y0), ImVec2(bar_min.x + bar_w, y1 + 0.5f), col);
    }
    dl->AddRect(bar_min, ImVec2(bar_min.x + bar_w, bar_min.y + bar_h), IM_COL32(200, 200, 200, 255));
    std::vector<double> ticks = nice_ticks(spec.min, spec.max, 5);
    const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
    for (double t : ticks) {
        if (t < spec.min - 1e-12 || t > spec.max + 1e-12 || spec.max <= spec.min) continue;
        float y = bar_min.y + bar_h * float(1.0 - (t - spec.min) / (spec.max - spec.min));
        dl->AddLine(ImVec2(bar_min.x + bar_w, y), ImVec2(bar_min.x + bar_w + 5, y), IM_COL32(220, 220, 220, 255));
        std::string label = format_tick(t, step);
        dl->AddText(ImVec2(bar_min.x + bar_w + 8, y - ImGui::GetFontSize() * 0.5f), IM_COL32(235, 235, 235, 255),
                    label.c_str());
    }
}

void plot_series(const char* id, const PlotSpec& spec, const std::vector<Series>& series) {
    ImGui::PushID(id);
    if (!spec.title.empty()) ImGui::TextUnformatted(spec.title.c_str());
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const ImVec2 size = spec.size;
    ImGui::InvisibleButton("plot", size);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float left = 52, bottom = 34, right = 8, top = 6;
    const ImVec2 p0(origin.x + left, origin.y + top), p1(origin.x + size.x - right, origin.y + size.y - bottom);
    dl->AddRectFilled(p0, p1, IM_COL32(12, 14, 18, 255));

    double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
    for (const Series& s : series)
        for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
            if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
            xmin = std::min(xmin, s.x[i]);
            xmax = std::max(xmax, s.x[i]);
            ymin = std::min(ymin, s.y[i]);
            ymax = std::max(ymax, s.y[i]);
        }
    if (!std::isfinite(xmin)) xmin = 0, xmax = 1, ymin = 0, ymax = 1;
    if (spec.y_from_zero) ymin = std::min(ymin, 0.0);
    if (xmax <= xmin) xmax = xmin + 1;
    if (ymax <= ymin) ymax = ymin + (std::abs(ymin) > 0 ? std::abs(ymin) * 0.1 : 1);
    const double ypad = (ymax - ymin) * 0.05;
    ymin -= spec.y_from_zero && ymin >= 0 ? 0 : ypad;
    ymax += ypad;
    auto X = [&](double x) { return p0.x + float((x - xmin) / (xmax - xmin)) * (p1.x - p0.x); };
    auto Y = [&](double y) { return p1.y - float((y - ymin) / (ymax - ymin)) * (p1.y - p0.y); };

    const ImU32 grid = IM_COL32(60, 64, 72, 255), text = IM_COL32(210, 210, 210, 255);
    std::vector<double> xt = nice_ticks(xmin, xmax, 4), yt = nice_ticks(ymin, ymax, 4);
    double xs = xt.size() > 1 ? xt[1] - xt[0] : 1, ys = yt.size() > 1 ? yt[1] - yt[0] : 1;
    for (double t : xt) {
        if (t < xmin || t > xmax) continue;
        dl->AddLine(ImVec2(X(t), p0.y), ImVec2(X(t), p1.y), grid);
        std::string l = format_tick(t, xs);
        float w = ImGui::CalcTextSize(l.c_str()).x;
        dl->AddText(ImVec2(X(t) - w * 0.5f, p1.y + 2), text, l.c_str());
    }
    for (double t : yt) {
        if (t < ymin || t > ymax) continue;
        dl->AddLine(ImVec2(p0.x, Y(t)), ImVec2(p1.x, Y(t)), grid);
        std::string l = format_tick(t, ys);
        ImVec2 w = ImGui::CalcTextSize(l.c_str());
        dl->AddText(ImVec2(p0.x - w.x - 4, Y(t) - w.y * 0.5f), text, l.c_str());
    }
    dl->AddRect(p0, p1, IM_COL32(140, 140, 150, 255));
    dl->PushClipRect(p0, p1, true);
    for (const Series& s : series) {
        std::vector<ImVec2> pts;
        for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
            if (std::isfinite(s.y[i])) pts.push_back(ImVec2(X(s.x[i]), Y(s.y[i])));
        if (pts.size() >= 2) dl->AddPolyline(pts.data(), int(pts.size()), s.color, 0, 1.8f);
    }
    dl->PopClipRect();
    std::string xl = spec.x_unit.empty() ? spec.x_label : spec.x_label + " (" + spec.x_unit + ")";
    float xw = ImGui::CalcTextSize(xl.c_str()).x;
    dl->AddText(ImVec2((p0.x + p1.x - xw) * 0.5f, p1.y + 16), text, xl.c_str());
    std::string yl = spec.y_unit.empty() ? spec.y_label : spec.y_label + " (" + spec.y_unit + ")";
    dl->AddText(ImVec2(p0.x + 4, p0.y + 2), text, yl.c_str());
    // Legend of series, top right.
    float ly = p0.y + 2;
    for (const Series& s : series) {
        if (s.label.empty()) continue;
        float w = ImGui::CalcTextSize(s.label.c_str()).x;
        dl->AddLine(ImVec2(p1.x - w - 22, ly + 7), ImVec2(p1.x - w - 8, ly + 7), s.color, 2.0f);
        dl->AddText(ImVec2(p1.x - w - 4, ly), text, s.label.c_str());
        ly += ImGui::GetFontSize() + 2;
    }
    ImGui::PopID();
}

void draw_caption(const std::string& text, float alpha, ImFont* font, float margin_left) {
    if (alpha <= 0.0f || text.empty()) return;
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const float size = font ? font->FontSize : ImGui::GetFontSize();
    const float pad = 12;
    // Between what holds the bottom left (margin_left) and this frame's legends at the bottom right, when that
    // band is wide enough for a quarter of the display; centred in the display otherwise.
    const float bottom = display.y * 0.86f;
    const bool legends = ImGui::GetFrameCount() == legend_frame && bottom > legend_top;
    const float band_lo = margin_left + pad, band_hi = legends ? legend_next_right + 10 - pad : display.x - pad;
    const bool in_band = band_hi - band_lo >= display.x * 0.25f;
    const float wrap = in_band ? std::min(display.x * 0.7f, band_hi - band_lo - 2 * pad) : display.x * 0.7f;
    ImVec2 ts = font ? font->CalcTextSizeA(size, FLT_MAX, wrap, text.c_str()) : ImGui::CalcTextSize(text.c_str());
    const float centre = in_band ? 0.5f * (band_lo + band_hi) : 0.5f * display.x;
    ImVec2 pos(centre - 0.5f * ts.x, bottom - ts.y);
    dl->AddRectFilled(ImVec2(pos.x - pad, pos.y - pad * 0.6f), ImVec2(pos.x + ts.x + pad, pos.y + ts.y + pad * 0.6f),
                      IM_COL32(10, 12, 16, int(190 * alpha)), 6.0f);
    dl->AddText(font, size, pos, IM_COL32(250, 250, 250, int(255 * alpha)), text.c_str(), nullptr, wrap);
}

ImVec2 draw_world_label(ImDrawList* dl, const glm::mat4& view_proj, const glm::vec3& world, const char* text,
                        ImU32 background) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const glm::vec4 c = view_proj * glm::vec4(world, 1.0f);
    if (c.w <= 0) return ImVec2(nan, nan);
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    // The world pass flips y for Vulkan's downward clip y; ImGui's y also grows downward.
    const float sx = (c.x / c.w * 0.5f + 0.5f) * display.x, sy = (0.5f - c.y / c.w * 0.5f) * display.y;
    if (sx < 0 || sy < 0 || sx > display.x || sy > display.y) return ImVec2(nan, nan);
    const ImVec2 ts = ImGui::CalcTextSize(text);
    ImVec2 lo(sx - ts.x / 2 - 4, sy - ts.y - 6), hi(sx + ts.x / 2 + 4, sy - 2);
    // The boxes placed so far this frame: the nearest free slot one box-height at a time, up, then down, then
    // further (at most four away; past that it overlaps where it belongs).
    static int frame = -1;
    static std::vector<std::pair<ImVec2, ImVec2>> placed;
    if (ImGui::GetFrameCount() != frame) frame = ImGui::GetFrameCount(), placed.clear();
    const float step = hi.y - lo.y + 2;
    for (int k = 0; k <= 8; ++k) {
        const float dy = (k % 2 ? -1.0f : 1.0f) * float((k + 1) / 2) * step;  // 0, -1, +1, -2, +2, ...
        bool free = true;
        for (const auto& [a, b] : placed)
            if (lo.x < b.x && hi.x > a.x && lo.y + dy < b.y && hi.y + dy > a.y) free = false;
        if (free) {
            lo.y += dy, hi.y += dy;
            break;
        }
    }
    placed.push_back({lo, hi});
    dl->AddRectFilled(lo, hi, background, 3.0f);
    dl->AddText(ImVec2(lo.x + 4, lo.y + 2), IM_COL32(255, 255, 255, 255), text);
    return lo;
}

void draw_status_lines(const std::vector<StatusLine>& lines) {
    if (lines.empty()) return;
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const float scale = display.x < 900 ? 0.85f : 1.3f;
    const ImVec2 first = ImGui::CalcTextSize(lines[0].text.c_str());
    const bool narrow = display.x - first.x * scale - 24 < 400;
    // Several modules' lines in one frame stack under each other instead of overlapping.
    static int last_frame = -1;
    static float next_y = 0;
    float y = narrow ? 70.0f : 34.0f;
    if (ImGui::GetFrameCount() == last_frame) y = std::max(y, next_y);
    last_frame = ImGui::GetFrameCount();
    for (const StatusLine& line : lines) {
        const ImVec2 size = ImGui::CalcTextSize(line.text.c_str());
        const ImVec2 pos(narrow ? 22.0f : display.x - size.x * scale - 24, y);
        dl->AddRectFilled(ImVec2(pos.x - 12, pos.y - 4), ImVec2(pos.x + size.x * scale + 12, pos.y + size.y * scale + 6),
                          line.background, 5.0f);
        dl->AddText(ImGui::GetFont(), ImGui::GetFontSize() * scale, pos, line.colour, line.text.c_str());
        y += size.y * scale + 12;
    }
    next_y = y;
}

}  // namespace engine
