// PNG figures for reports. See plot.hpp.
#define STB_TRUETYPE_IMPLEMENTATION
#define STBTT_STATIC
#include <stb/stb_truetype.h>

#include "app/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "app/session.hpp"
#include "capture.hpp"

namespace infrascape::plot {

namespace {

struct Rgb {
    uint8_t r, g, b;
};

// Okabe and Ito's colour-blind-safe palette.
const Rgb kPalette[] = {{0, 114, 178}, {213, 94, 0}, {0, 158, 115}, {204, 121, 167}, {230, 159, 0}, {86, 180, 233}, {0, 0, 0}};

class Canvas {
public:
    Canvas(uint32_t w, uint32_t h) : w_(w), h_(h), px_(size_t(w) * h * 4, 255) {
        std::ifstream in(asset_dir() / "fonts/DejaVuSans.ttf", std::ios::binary);
        font_data_.assign(std::istreambuf_iterator<char>(in), {});
        has_font_ = !font_data_.empty() &&
                    stbtt_InitFont(&font_, reinterpret_cast<const unsigned char*>(font_data_.data()), 0) != 0;
    }
    uint32_t width() const { return w_; }
    uint32_t height() const { return h_; }

    void blend(int x, int y, Rgb c, float a) {
        if (x < 0 || y < 0 || x >= int(w_) || y >= int(h_) || a <= 0) return;
        uint8_t* p = &px_[(size_t(y) * w_ + size_t(x)) * 4];
        a = std::min(a, 1.0f);
        p[0] = uint8_t(std::lround(p[0] * (1 - a) + c.r * a));
        p[1] = uint8_t(std::lround(p[1] * (1 - a) + c.g * a));
        p[2] = uint8_t(std::lround(p[2] * (1 - a) + c.b * a));
    }
    void rect(int x0, int y0, int x1, int y1, Rgb c) {
        for (int y = std::min(y0, y1); y <= std::max(y0, y1); ++y)
            for (int x = std::min(x0, x1); x <= std::max(x0, x1); ++x) blend(x, y, c, 1);
    }
    // A line `thick` pixels wide, by distance to the segment (anti-aliased edge).
    void line(double x0, double y0, double x1, double y1, Rgb c, double thick = 1.5) {
        const int xa = int(std::floor(std::min(x0, x1) - thick)), xb = int(std::ceil(std::max(x0, x1) + thick));
        const int ya = int(std::floor(std::min(y0, y1) - thick)), yb = int(std::ceil(std::max(y0, y1) + thick));
        const double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
        for (int y = ya; y <= yb; ++y)
            for (int x = xa; x <= xb; ++x) {
                const double t = len2 > 0 ? std::clamp(((x - x0) * dx + (y - y0) * dy) / len2, 0.0, 1.0) : 0.0;
                const double d = std::hypot(x - (x0 + t * dx), y - (y0 + t * dy));
                blend(x, y, c, float(std::clamp(thick / 2 + 0.5 - d, 0.0, 1.0)));
            }
    }
    // Text with its top-left corner at (x, y); `align` 0 left, 0.5 centre, 1 right. Returns its width.
    int text(const std::string& s, double x, double y, float size, Rgb c, double align = 0, bool vertical = false) {
        if (!has_font_) return 0;
        const float scale = stbtt_ScaleForPixelHeight(&font_, size);
        int ascent = 0, descent = 0, gap = 0;
        stbtt_GetFontVMetrics(&font_, &ascent, &descent, &gap);
        const int w = measure(s, scale);
        double pen = -align * w;
        for (size_t i = 0; i < s.size(); ++i) {
            const int cp = static_cast<unsigned char>(s[i]);
            int adv = 0, lsb = 0;
            stbtt_GetCodepointHMetrics(&font_, cp, &adv, &lsb);
            int gw = 0, gh = 0, ox = 0, oy = 0;
            unsigned char* bmp = stbtt_GetCodepointBitmap(&font_, scale, scale, cp, &gw, &gh, &ox, &oy);
            for (int gy = 0; gy < gh; ++gy)
                for (int gx = 0; gx < gw; ++gx) {
                    const float a = bmp[gy * gw + gx] / 255.0f;
                    const double u = pen + ox + gx, v = ascent * scale + oy + gy;
                    if (vertical) blend(int(x + v), int(y - u), c, a);
                    else blend(int(x + u), int(y + v), c, a);
                }
            stbtt_FreeBitmap(bmp, nullptr);
            pen += adv * scale;
            if (i + 1 < s.size()) pen += scale * stbtt_GetCodepointKernAdvance(&font_, cp, static_cast<unsigned char>(s[i + 1]));
        }
        return w;
    }
    void save(const std::filesystem::path& file) const { engine::write_png(file, px_.data(), w_, h_); }

private:
    int measure(const std::string& s, float scale) {
        double w = 0;
        for (size_t i = 0; i < s.size(); ++i) {
            int adv = 0, lsb = 0;
            stbtt_GetCodepointHMetrics(&font_, static_cast<unsigned char>(s[i]), &adv, &lsb);
            w += adv * scale;
        }
        return int(std::lround(w));
    }
    uint32_t w_, h_;
    std::vector<uint8_t> px_;
    std::vector<char> font_data_;
    stbtt_fontinfo font_{};
    bool has_font_ = false;
};

// Heckbert's "nice numbers" ticks over [lo, hi].
std::vector<double> ticks(double lo, double hi, int target = 6) {
    std::vector<double> out;
    if (!(hi > lo)) return {lo};
    const double raw = (hi - lo) / target, mag = std::pow(10.0, std::floor(std::log10(raw))), f = raw / mag;
    const double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
    for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
    return out;
}

std::string tick_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

const Rgb kInk{30, 30, 30}, kGrid{225, 225, 225};

}  // namespace

void write_cdf_png(const std::filesystem::path& file, const std::string& title, const std::string& x_label,
                   const std::vector<Series>& series, uint32_t width, uint32_t height) {
    Canvas c(width, height);
    const int left = 80, right = int(width) - 30, top = 60, bottom = int(height) - 70;
    double lo = INFINITY, hi = -INFINITY;
    for (const Series& s : series)
        for (double v : s.values)
            if (!std::isnan(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    if (!(lo <= hi)) lo = 0, hi = 1;
    if (hi == lo) lo -= 0.5, hi += 0.5;
    const double pad = 0.03 * (hi - lo);
    lo -= pad;
    hi += pad;
    auto X = [&](double v) { return left + (v - lo) / (hi - lo) * (right - left); };
    auto Y = [&](double p) { return bottom - p * (bottom - top); };
    for (double t : ticks(lo, hi)) {
        c.line(X(t), top, X(t), bottom, kGrid, 1);
        c.line(X(t), bottom, X(t), bottom + 5, kInk, 1);
        c.text(tick_text(t), X(t), bottom + 8, 14, kInk, 0.5);
    }
    for (double p = 0; p <= 1.0001; p += 0.1) {
        c.line(left, Y(p), right, Y(p), kGrid, 1);
        c.text(tick_text(std::round(p * 10) / 10), left - 8, Y(p) - 8, 14, kInk, 1);
    }
    c.line(left, bottom, right, bottom, kInk, 1.2);
    c.line(left, top, left, bottom, kInk, 1.2);
    c.text(title, width / 2.0, 16, 19, kInk, 0.5);
    c.text(x_label, (left + right) / 2.0, bottom + 32, 15, kInk, 0.5);
    c.text("fraction of members at or below", 18, (top + bottom) / 2.0 + 110, 15, kInk, 0, true);
    for (size_t k = 0; k < series.size(); ++k) {
        std::vector<double> v;
        for (double x : series[k].values)
            if (!std::isnan(x)) v.push_back(x);
        std::sort(v.begin(), v.end());
        const Rgb col = kPalette[k % std::size(kPalette)];
        // The empirical CDF: a step up 1/n at each value, over all members (those without a value count as
        // not reaching it, so the line ends below 1 when some members have none).
        const double n = double(series[k].values.size());
        double x_prev = lo, p = 0;
        for (double x : v) {
            c.line(X(x_prev), Y(p), X(x), Y(p), col, 2.2);
            c.line(X(x), Y(p), X(x), Y(p + 1 / n), col, 2.2);
            p += 1 / n;
            x_prev = x;
        }
        c.line(X(x_prev), Y(p), X(hi), Y(p), col, 2.2);
        const int ly = top + 8 + int(k) * 22;
        c.line(left + 14, ly + 9, left + 44, ly + 9, col, 3);
        char count[64];
        std::snprintf(count, sizeof count, " (%zu of %.0f with a value)", v.size(), n);
        c.text(series[k].label + count, left + 50, ly, 14, kInk);
    }
    c.save(file);
}

void write_map_png(const std::filesystem::path& file, const std::string& title, const std::string& bar_label,
                   const std::vector<float>& v, uint32_t nx, uint32_t ny, double lo, double hi,
                   const engine::ColormapTables& maps, engine::Colormap map, uint32_t max_side) {
    const double scale = std::max(1.0, std::floor(double(max_side) / std::max(nx, ny)));
    const uint32_t mw = uint32_t(nx * scale), mh = uint32_t(ny * scale);
    const int left = 20, top = 50, bar = 110;
    Canvas c(mw + left * 2 + bar, mh + top + 30);
    for (uint32_t y = 0; y < mh; ++y)
        for (uint32_t x = 0; x < mw; ++x) {
            const uint32_t i = std::min(nx - 1, uint32_t(x / scale)), j = ny - 1 - std::min(ny - 1, uint32_t(y / scale));
            const float val = v[size_t(j) * nx + i];
            Rgb col{200, 200, 200};
            if (!std::isnan(val)) {
                const glm::vec3 s = maps.sample(map, std::clamp((val - lo) / (hi - lo), 0.0, 1.0));
                col = {uint8_t(s.r * 255 + 0.5f), uint8_t(s.g * 255 + 0.5f), uint8_t(s.b * 255 + 0.5f)};
            }
            c.blend(left + int(x), top + int(y), col, 1);
        }
    c.text(title, (mw + left * 2 + bar) / 2.0, 14, 18, kInk, 0.5);
    const int bx = left * 2 + int(mw), bh = int(mh);
    for (int y = 0; y < bh; ++y) {
        const glm::vec3 s = maps.sample(map, 1.0 - double(y) / std::max(1, bh - 1));
        c.rect(bx, top + y, bx + 22, top + y, {uint8_t(s.r * 255 + 0.5f), uint8_t(s.g * 255 + 0.5f), uint8_t(s.b * 255 + 0.5f)});
    }
    for (double t : ticks(lo, hi, 5)) {
        const double y = top + (1 - (t - lo) / (hi - lo)) * (bh - 1);
        c.line(bx + 22, y, bx + 28, y, kInk, 1);
        c.text(tick_text(t), bx + 31, y - 8, 13, kInk);
    }
    c.text(bar_label, bx + 85, top + bh / 2.0 + 80, 14, kInk, 0, true);
    c.save(file);
}

}  // namespace infrascape::plot
