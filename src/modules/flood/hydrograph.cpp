// Hydrograph reader and storm cell; see hydrograph.hpp.
#include "modules/flood/hydrograph.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "scene/csv.hpp"
#include "scene/scene.hpp"

namespace infrascape::flood {

double Hydrograph::at(double t) const {
    if (t_s.empty()) return 0.0;
    if (t <= t_s.front()) return q_m3_per_s.front();
    if (t >= t_s.back()) return q_m3_per_s.back();
    const size_t k = size_t(std::upper_bound(t_s.begin(), t_s.end(), t) - t_s.begin());
    const double u = (t - t_s[k - 1]) / (t_s[k] - t_s[k - 1]);
    return q_m3_per_s[k - 1] + u * (q_m3_per_s[k] - q_m3_per_s[k - 1]);
}

double Hydrograph::volume_m3(double t0, double t1) const {
    if (t_s.empty() || t1 <= t0) return 0.0;
    // Integrate piecewise: the breakpoints inside (t0, t1) split it into linear pieces (trapezoids are exact).
    std::vector<double> ts = {t0};
    for (double t : t_s)
        if (t > t0 && t < t1) ts.push_back(t);
    ts.push_back(t1);
    double v = 0;
    for (size_t i = 1; i < ts.size(); ++i) v += 0.5 * (at(ts[i - 1]) + at(ts[i])) * (ts[i] - ts[i - 1]);
    return v;
}

Hydrograph load_hydrograph(const std::filesystem::path& file, const std::string& shown) {
    auto fail = [&](int line, int col, const std::string& message) {
        throw InputError(SourcePos{shown, line, col}, message);
    };
    std::ifstream in(file);
    if (!in) fail(1, 1, "cannot open hydrograph file");
    Hydrograph h;
    std::string line;
    int number = 0;
    bool header = false;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        std::vector<csv::Field> f;
        int bad_col = 0;
        std::string why;
        if (!csv::split(line, f, bad_col, why)) fail(number, bad_col, why);
        if (!header) {
            if (f.size() != 2 || f[0].text != "time_s" || f[1].text != "discharge_m3_per_s")
                fail(number, 1, "expected the header 'time_s,discharge_m3_per_s'");
            header = true;
            continue;
        }
        if (f.size() != 2) fail(number, 1, "expected 2 fields (time_s,discharge_m3_per_s), got " + std::to_string(f.size()));
        double t = 0, q = 0;
        if (!csv::parse_number(f[0].text, t)) fail(number, f[0].col, "time_s '" + f[0].text + "' is not a number");
        if (t < 0) fail(number, f[0].col, "time_s " + f[0].text + " is negative");
        if (!h.t_s.empty() && t <= h.t_s.back())
            fail(number, f[0].col, "time_s " + f[0].text + " does not come after the previous row's");
        if (!csv::parse_number(f[1].text, q)) fail(number, f[1].col, "discharge_m3_per_s '" + f[1].text + "' is not a number");
        if (q < 0) fail(number, f[1].col, "discharge_m3_per_s " + f[1].text + " is negative");
        h.t_s.push_back(t);
        h.q_m3_per_s.push_back(q);
    }
    if (!header) fail(std::max(number, 1), 1, "empty hydrograph file: expected the header 'time_s,discharge_m3_per_s'");
    if (h.t_s.empty()) fail(number, 1, "the hydrograph has no rows");
    return h;
}

std::array<double, 2> StormCell::centre_at(double t) const {
    if (path.empty()) return {0, 0};
    if (path.size() == 1 || end_s <= start_s) return path.front();
    // Constant speed along the polyline: arc length proportional to time.
    std::vector<double> cum = {0};
    for (size_t i = 1; i < path.size(); ++i)
        cum.push_back(cum.back() + std::hypot(path[i][0] - path[i - 1][0], path[i][1] - path[i - 1][1]));
    const double s = std::clamp((t - start_s) / (end_s - start_s), 0.0, 1.0) * cum.back();
    size_t k = 1;
    while (k + 1 < path.size() && cum[k] < s) ++k;
    const double seg = cum[k] - cum[k - 1];
    const double u = seg > 0 ? (s - cum[k - 1]) / seg : 0.0;
    return {path[k - 1][0] + u * (path[k][0] - path[k - 1][0]), path[k - 1][1] + u * (path[k][1] - path[k - 1][1])};
}

double StormCell::rain_mm_per_h(double x, double y, double t) const {
    if (t < start_s || t > end_s || radius_m <= 0) return 0.0;
    const auto c = centre_at(t);
    const double r2 = ((x - c[0]) * (x - c[0]) + (y - c[1]) * (y - c[1])) / (radius_m * radius_m);
    return r2 > 9.0 ? 0.0 : peak_mm_per_h * std::exp(-r2);
}

}  // namespace infrascape::flood
