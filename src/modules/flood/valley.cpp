// Procedural Texas Hill Country valley; see valley.hpp.
//
// Construction, in order:
//  1. River centreline: a sum of three sines in x, so that it crosses the map exactly once West -> East
//     and its "left bank" is simply the side y > centreline(x). Scaled so the largest excursion is 12 % of
//     the map height; the main wavelength is about ten times that amplitude, which keeps the bends gentle
//     (radius of curvature well above the width of the valley floor). Resampled to points at most one cell
//     apart.
//  2. Bed profile: the mean gradient is river_slope; the local gradient varies +-55 % along the river
//     (riffles and pools) but never changes sign, so the bed only ever falls downstream.
//  3. Every cell: the distance d to the centreline and the bed b at the nearest point give the
//     cross-section: channel, bank, low terrace, riser, second terrace. Beyond it the hills: a steep rise
//     flattening into a plateau about relief_m above the floor, varied with fractal value noise, then
//     quantised into flat benches and short cliffs (Strata). That is the stair-step topography of the Hill
//     Country, where the alternating hard limestone and soft marl beds of the Glen Rose Limestone weather
//     back at different rates (Texas Bureau of Economic Geology, "Geologic Atlas of Texas", Llano and San
//     Antonio sheets).
//  4. Creeks: paths from high in the hills down to a junction on the river, alternately from the north and
//     the south, with concave-up bed profiles (steep near the head, gentle near the mouth, as stream long
//     profiles are; Hack 1957, USGS Professional Paper 294-B), kept below the terrain around them. Each
//     cuts a narrow channel and a stair-stepped valley into the hills and a gully through the terraces.
//  5. Stream burning (as DEM conditioning usually does before hydraulic modelling, e.g. AGREE, Hellweger
//     1997): the cells along the river and creek centrelines are set to their beds and then lowered where
//     needed so that they never rise downstream. The paths are made 4-connected because the shallow-water
//     solver exchanges water across cell faces only; a channel joined only at cell corners would be dammed.
// Everything is plain double arithmetic in a fixed order on one thread, so a spec gives bitwise the same DEM.
#include "modules/flood/valley.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

namespace infrascape::flood {

namespace {

using Pt = std::array<double, 2>;

uint64_t mix64(uint64_t x) {  // splitmix64 finaliser: a good integer hash
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

double uniform(uint64_t seed, uint64_t tag) {  // [0, 1)
    return double(mix64(seed ^ mix64(tag)) >> 11) / double(1ULL << 53);
}

double lattice(int64_t i, int64_t j, uint64_t seed) {  // [-1, 1)
    const uint64_t h = mix64(seed ^ mix64(uint64_t(i) * 0x632be59bd9b4e019ULL ^ mix64(uint64_t(j))));
    return double(h >> 11) / double(1ULL << 53) * 2.0 - 1.0;
}

double value_noise(double x, double y, uint64_t seed) {  // smooth, [-1, 1], one feature per unit
    const double fx = std::floor(x), fy = std::floor(y);
    const int64_t i = int64_t(fx), j = int64_t(fy);
    double u = x - fx, v = y - fy;
    u = u * u * (3 - 2 * u);
    v = v * v * (3 - 2 * v);
    const double a = lattice(i, j, seed), b = lattice(i + 1, j, seed), c = lattice(i, j + 1, seed),
                 d = lattice(i + 1, j + 1, seed);
    return (a * (1 - u) + b * u) * (1 - v) + (c * (1 - u) + d * u) * v;
}

double fbm(double x, double y, uint64_t seed, int octaves) {  // normalised to [-1, 1]
    double sum = 0, amp = 0.5, norm = 0;
    for (int o = 0; o < octaves; ++o) {
        sum += amp * value_noise(x, y, seed + uint64_t(o) * 1013);
        norm += amp;
        x = x * 2.03 + 17.1;  // non-integer lacunarity and offsets so octaves do not share lattice lines
        y = y * 2.03 - 9.7;
        amp *= 0.5;
    }
    return sum / norm;
}

double noise1(double s, uint64_t seed) {
    return value_noise(s, 0.5, seed);
}

double smoothstep(double t) {
    t = std::clamp(t, 0.0, 1.0);
    return t * t * (3 - 2 * t);
}

// Stair-step profile of a height h above a base: flat benches separated by cliffs. The beds are of uneven
// thickness (0.5 .. 1.5 times `step`, from the seed), so the benches do not read as evenly spaced contours.
// Monotone and continuous, h - 1.5 step < strata(h) <= h, and the identity below 0 (the part of a surface
// under its base).
class Strata {
  public:
    Strata(double step, double top, uint64_t seed) : step_(step) {
        bounds_.push_back(0);
        for (uint64_t k = 0; step > 0 && bounds_.back() < top && k < 4096; ++k)
            bounds_.push_back(bounds_.back() + step * (0.5 + uniform(seed, k)));
    }
    double operator()(double h) const {
        if (h <= 0 || step_ <= 0) return h;
        double lo, hi;
        const auto it = std::upper_bound(bounds_.begin(), bounds_.end(), h);
        if (it != bounds_.end()) {
            lo = *(it - 1);
            hi = *it;
        } else {  // above the table: even beds
            lo = bounds_.back() + std::floor((h - bounds_.back()) / step_) * step_;
            hi = lo + step_;
        }
        const double f = (h - lo) / (hi - lo), f2 = f * f;
        return lo + (hi - lo) * f2 * f2;  // f^4: most of each bed is bench, the rise comes in its last part
    }

  private:
    double step_;
    std::vector<double> bounds_;
};

struct Nearest {
    double d2 = std::numeric_limits<double>::infinity();
    size_t seg = 0;
    double t = 0;  // 0 .. 1 along the segment
};

inline void test_segment(const Pt& a, const Pt& b, double x, double y, size_t k, Nearest& best) {
    const double ex = b[0] - a[0], ey = b[1] - a[1];
    const double len2 = ex * ex + ey * ey;
    double t = len2 > 0 ? ((x - a[0]) * ex + (y - a[1]) * ey) / len2 : 0;
    t = std::clamp(t, 0.0, 1.0);
    const double dx = a[0] + t * ex - x, dy = a[1] + t * ey - y;
    const double d2 = dx * dx + dy * dy;
    if (d2 < best.d2) best = {d2, k, t};
}

std::vector<double> cumulative_length(const std::vector<Pt>& p) {
    std::vector<double> cum(p.size(), 0.0);
    for (size_t k = 1; k < p.size(); ++k)
        cum[k] = cum[k - 1] + std::hypot(p[k][0] - p[k - 1][0], p[k][1] - p[k - 1][1]);
    return cum;
}

// Equal arc-length steps of at most max_step along a dense polyline; both end points kept exactly. Chords are
// never longer than the arcs, so consecutive output points are at most max_step apart.
std::vector<Pt> resample(const std::vector<Pt>& dense, double max_step) {
    const std::vector<double> cum = cumulative_length(dense);
    const double total = cum.back();
    const size_t nseg = std::max<size_t>(1, size_t(std::ceil(total / max_step)));
    std::vector<Pt> out;
    out.reserve(nseg + 1);
    size_t j = 0;
    for (size_t k = 0; k <= nseg; ++k) {
        const double target = total * double(k) / double(nseg);
        while (j + 2 < dense.size() && cum[j + 1] < target) ++j;
        const double len = cum[j + 1] - cum[j];
        const double t = len > 0 ? std::clamp((target - cum[j]) / len, 0.0, 1.0) : 0.0;
        out.push_back({dense[j][0] + t * (dense[j + 1][0] - dense[j][0]),
                       dense[j][1] + t * (dense[j + 1][1] - dense[j][1])});
    }
    out.front() = dense.front();
    out.back() = dense.back();
    return out;
}

struct Grid {
    uint32_t nx, ny;
    double c;
    // Nearest cell of a map point: centres are at (i + 1/2) c, so that is floor(x / c), clamped into the
    // grid.
    uint32_t col(double x) const { return uint32_t(std::clamp(std::floor(x / c), 0.0, double(nx - 1))); }
    uint32_t row(double y) const { return uint32_t(std::clamp(std::floor(y / c), 0.0, double(ny - 1))); }
    size_t index(uint32_t i, uint32_t j) const { return size_t(j) * nx + i; }
};

// The cells under a polyline whose points are at most one cell apart (so consecutive cells differ by at most
// one in each direction), made 4-connected: a diagonal step gets the orthogonal neighbour whose centre is
// nearer the segment.
std::vector<size_t> cell_path(const std::vector<Pt>& pts, const Grid& g) {
    std::vector<size_t> path;
    uint32_t pi = 0, pj = 0;
    for (size_t k = 0; k < pts.size(); ++k) {
        const uint32_t i = g.col(pts[k][0]), j = g.row(pts[k][1]);
        if (!path.empty()) {
            if (i == pi && j == pj) continue;
            if (i != pi && j != pj) {
                Nearest a, b;
                test_segment(pts[k - 1], pts[k], (i + 0.5) * g.c, (pj + 0.5) * g.c, 0, a);
                test_segment(pts[k - 1], pts[k], (pi + 0.5) * g.c, (j + 0.5) * g.c, 0, b);
                path.push_back(a.d2 <= b.d2 ? g.index(i, pj) : g.index(pi, j));
            }
        }
        path.push_back(g.index(i, j));
        pi = i;
        pj = j;
    }
    return path;
}

}  // namespace

Valley generate_valley(const ValleySpec& spec) {
    auto bad = [](const std::string& m) { throw std::invalid_argument("generate_valley: " + m); };
    if (spec.nx < 16 || spec.ny < 16) bad("nx and ny must be at least 16");
    if (uint64_t(spec.nx) * spec.ny > kMaxRasterCells) bad("more than 2^28 cells");
    if (!std::isfinite(spec.cell_m) || spec.cell_m <= 0) bad("cell_m must be finite and > 0");
    if (!std::isfinite(spec.relief_m) || spec.relief_m < 0) bad("relief_m must be finite and >= 0");
    if (!std::isfinite(spec.river_slope) || spec.river_slope <= 0) bad("river_slope must be finite and > 0");
    if (!std::isfinite(spec.outlet_elevation_m)) bad("outlet_elevation_m must be finite");
    if (spec.tributaries > 64) bad("at most 64 tributaries");

    const uint32_t nx = spec.nx, ny = spec.ny;
    const double c = spec.cell_m, relief = spec.relief_m;
    const double width = nx * c, height = ny * c;
    const Grid grid{nx, ny, c};
    const uint64_t seed = mix64(spec.seed ^ 0x7a11e7c0ffee5eedULL);
    auto rnd = [&](uint64_t tag) { return uniform(seed, tag); };
    constexpr double kPi = std::numbers::pi;

    Valley out;
    out.dem.nx = nx;
    out.dem.ny = ny;
    out.dem.geo.x0 = out.dem.geo.y0 = c / 2;
    out.dem.geo.cell = c;

    // [1] River centreline, from the first column's centre to the last one's.
    const double amp = 0.12 * height;
    const double lam1 = std::max(10 * amp * (0.9 + 0.2 * rnd(1)), 8 * c);
    const double lam[3] = {lam1, lam1 / 2.17, lam1 / 3.93}, wt[3] = {1.0, 0.35, 0.15};
    const double ph[3] = {2 * kPi * rnd(2), 2 * kPi * rnd(3), 2 * kPi * rnd(4)};
    auto meander = [&](double x) {
        double m = 0;
        for (int k = 0; k < 3; ++k) m += wt[k] * std::sin(2 * kPi * x / lam[k] + ph[k]);
        return m;
    };
    const double xa = c / 2, xb = width - c / 2;
    const size_t ndense = size_t(std::ceil((xb - xa) / (c / 8))) + 1;
    std::vector<Pt> dense(ndense);
    double mmax = 1e-12;
    for (size_t k = 0; k < ndense; ++k) {
        const double x = xa + (xb - xa) * double(k) / double(ndense - 1);
        dense[k] = {x, meander(x)};
        mmax = std::max(mmax, std::abs(dense[k][1]));
    }
    for (Pt& p : dense) p[1] = height / 2 + amp * p[1] / mmax;
    out.river = resample(dense, c);
    const std::vector<Pt>& P = out.river;
    const size_t n = P.size();
    const std::vector<double> rs = cumulative_length(P);
    const double L = rs.back();
    out.river_km.resize(n);
    for (size_t k = 0; k < n; ++k) out.river_km[k] = rs[k] / 1000.0;

    // [2] Bed: integrate a positive, varying gradient up from the outlet; scale the total drop to slope * L.
    std::vector<double> bed(n), cumg(n, 0.0);
    for (size_t k = n - 1; k-- > 0;) {
        const double g = 1 + 0.55 * noise1(0.5 * (rs[k] + rs[k + 1]) / 280.0, seed + 11);
        cumg[k] = cumg[k + 1] + g * (rs[k + 1] - rs[k]);
    }
    for (size_t k = 0; k < n; ++k)
        bed[k] = spec.outlet_elevation_m + spec.river_slope * L * cumg[k] / cumg[0];

    // Per column: the river segment at the column's x and the bed there.
    std::vector<size_t> kcol(nx);
    std::vector<double> bcol(nx);
    for (uint32_t i = 0; i < nx; ++i) {
        const double x = (i + 0.5) * c;
        size_t k =
            size_t(std::upper_bound(P.begin(), P.end(), x, [](double v, const Pt& p) { return v < p[0]; }) -
                   P.begin());
        k = std::clamp<size_t>(k, 1, n - 1) - 1;
        const double t = std::clamp((x - P[k][0]) / (P[k + 1][0] - P[k][0]), 0.0, 1.0);
        kcol[i] = k;
        bcol[i] = bed[k] + t * (bed[k + 1] - bed[k]);
    }

    // [3] Cross-section. Widths are in metres at the default 25 m cells; on maps too narrow for them the
    // terraces shrink (sf) and the hills steepen (rise) so the north and south edges stay on the plateau.
    double avail = std::numeric_limits<double>::infinity();  // least distance from the river to a N/S edge
    for (const Pt& p : P) avail = std::min({avail, p[1] - c / 2, height - c / 2 - p[1]});
    const double wc = std::max(1.2 * c, 20.0);  // channel half width: 2.4 cells (60 m) at 25 m
    const double bankw = 0.6 * c, riser = 0.8 * c;
    const double sf = std::clamp((0.45 * avail - wc - bankw - riser) / 410.0, 0.05, 1.0);
    const double floor_max = wc + bankw + sf * 185 + riser + sf * 225;
    const double rise = std::clamp(0.65 * (avail - floor_max), 2 * c, 1000.0);  // hill foot -> plateau
    // Beyond `far` the section no longer depends on d (the warp below shifts the plateau's edge by at most
    // 0.35 rise), so the search for the nearest river point may stop there and d is clamped to it.
    const double far = floor_max + 1.35 * rise;
    const double far2 = far * far;
    const double hill_h = std::max(0.0, relief - 8.0);  // the second terrace is about 8 m above the bed
    const double step = std::clamp(relief / 8, 2.0, 25.0);
    const Strata stairs(step, 2 * relief + 200, seed + 51);

    // Per column: the river's y range within `far` in x, so that cells further than that skip the search.
    std::vector<double> ylo(nx, std::numeric_limits<double>::infinity()),
        yhi(nx, -std::numeric_limits<double>::infinity());
    for (const Pt& p : P) {
        const uint32_t a = grid.col(p[0] - far), b = grid.col(p[0] + far);
        for (uint32_t i = a; i <= b; ++i) {
            ylo[i] = std::min(ylo[i], p[1]);
            yhi[i] = std::max(yhi[i], p[1]);
        }
    }

    std::vector<double> z(size_t(nx) * ny);
    for (uint32_t j = 0; j < ny; ++j) {
        const double y = (j + 0.5) * c;
        for (uint32_t i = 0; i < nx; ++i) {
            const double x = (i + 0.5) * c;
            // Nearest point of the river: start at this column's segment and scan outwards until the
            // segments are further away in x alone than the best distance (or than `far`).
            const size_t k0 = kcol[i];
            Nearest best;
            test_segment(P[k0], P[k0 + 1], x, y, k0, best);
            const bool beyond = y < ylo[i] - far || y > yhi[i] + far;  // no river point within `far`
            for (size_t k = beyond ? 0 : k0; k-- > 0;) {
                const double gap = x - P[k + 1][0];
                if (gap > 0 && gap * gap >= std::min(best.d2, far2)) break;
                test_segment(P[k], P[k + 1], x, y, k, best);
            }
            for (size_t k = beyond ? n : k0 + 1; k + 1 < n; ++k) {
                const double gap = P[k][0] - x;
                if (gap > 0 && gap * gap >= std::min(best.d2, far2)) break;
                test_segment(P[k], P[k + 1], x, y, k, best);
            }
            const double d = std::min(std::sqrt(best.d2), far);
            const double b = bed[best.seg] + best.t * (bed[best.seg + 1] - bed[best.seg]);

            // Terrace widths and heights from 2-D noise, continuous in space (noise along the river would
            // jump where the nearest river point jumps, across the inside of a bend).
            const double w1 = wc + bankw + sf * (130 + 55 * value_noise(x / 700, y / 700, seed + 21));
            const double w2 = w1 + riser + sf * (150 + 75 * value_noise(x / 900, y / 900, seed + 22));
            const double h1 = 3.0 + 0.25 * (1 + value_noise(x / 500, y / 500, seed + 23));  // 3.0 .. 3.5 m
            const double h2 = h1 + 0.4 + 3.5 + (1 + value_noise(x / 800, y / 800, seed + 24));
            // Up on the hills the base follows the bed at this column rather than at the nearest river point,
            // which jumps on the far side of the inside of a bend.
            const double wb = smoothstep((d - w2) / (0.3 * rise));
            const double base = b + wb * (bcol[i] - b);

            double fz;  // the valley floor
            if (d <= wc)
                fz = b;
            else if (d <= wc + bankw)
                fz = b + h1 * (d - wc) / bankw;
            else if (d <= w1)
                fz = b + h1 + 0.4 * (d - wc - bankw) / (w1 - wc - bankw);
            else if (d <= w1 + riser)
                fz = b + h1 + 0.4 + (h2 - h1 - 0.4) * smoothstep((d - w1) / riser);
            else
                fz = base + h2 + 0.5 * std::min(1.0, (d - w1 - riser) / (w2 - w1 - riser));

            const double top = base + h2 + 0.5;  // the second terrace's outer edge: the hills stand on it
            double raw;
            if (d < w2) {
                // The hill foot continued under the floor, so that max() below picks the floor.
                raw = top - (w2 - d);
            } else {
                // Warp the distance so the valley walls wander instead of running parallel to the river.
                const double warp = 0.35 * rise * fbm(x / 1100, y / 1100, seed + 41, 3) *
                                    smoothstep((d - w2) / (0.25 * rise));
                const double t = std::clamp((d - w2 + warp) / rise, 0.0, 1.0), e = 1 - (1 - t) * (1 - t);
                const double f1 = fbm(x / 1600, y / 1600, seed + 31, 5),
                             f2 = fbm(x / 450, y / 450, seed + 37, 3);
                double h = e * (hill_h * (0.85 + 0.25 * f1) + 0.1 * relief * f2);
                // Side gullies down the valley walls: value noise stretched north-south has its zero lines
                // running roughly across the valley; cut along them, deepest at mid-slope, gone on the
                // plateau.
                const double ng = value_noise(x / 380 + 0.6 * value_noise(x / 900, y / 900, seed + 43),
                                              y / 1000, seed + 47);
                const double g = smoothstep(1 - std::abs(ng) / 0.45);
                h *= 1 - 0.4 * g * (1 - smoothstep((d - w2 - 0.7 * rise) / (0.5 * rise)));
                raw = top + h;
            }
            z[grid.index(i, j)] = std::max(fz, top + stairs(raw - top));
        }
    }

    // [4] Creeks. Junctions spread along the river, the first ones in its upper half; sides alternate.
    const double wcc = std::max(0.65 * c, 6.0);  // creek half width: 1.3 cells at 25 m
    const double cbankw = 0.5 * c, cbankh = 1.5, wall = 0.4;
    const double reach = wcc + cbankw + (1.5 * relief + 30) / wall;  // creek walls above all terrain there
    const uint32_t first_side = uint32_t(rnd(5) < 0.5);
    std::vector<std::vector<double>> creek_bed;
    for (uint32_t k = 0; k < spec.tributaries; ++k) {
        const double T = spec.tributaries;
        const double frac = 0.06 + 0.86 * (k + 0.5) / T + (rnd(100 + k) - 0.5) * 0.3 / T;
        const size_t kj = std::clamp<size_t>(size_t(std::lround(frac * double(n - 1))), 1, n - 2);
        const Pt J = P[kj];
        const double sigma = (k + first_side) % 2 == 0 ? 1.0 : -1.0;  // +1: from the north
        const double edge = sigma > 0 ? height - c / 2 - J[1] : J[1] - c / 2;
        const double dy = edge * 0.72 * (0.9 + 0.2 * rnd(200 + k));
        // The head lies upstream of the junction, so the creek meets the river at an acute angle pointing
        // downstream, as tributaries do. It leaves the river nearly square to the river's direction there
        // (averaged over a few hundred metres) and only then bends towards its head (a quadratic Bezier), so
        // that it crosses the floodplain instead of running alongside the river where the river bends.
        const double lean = 0.4 * (0.8 + 0.4 * rnd(300 + k));
        const Pt head = {std::clamp(J[0] - lean * dy, c / 2, width - c / 2), J[1] + sigma * dy};
        const size_t span = std::max<size_t>(1, size_t(std::ceil(150 / c)));
        const Pt& ta = P[kj >= span ? kj - span : 0];
        const Pt& tb = P[std::min(kj + span, n - 1)];
        const double tl = std::hypot(tb[0] - ta[0], tb[1] - ta[1]);
        const double tx = (tb[0] - ta[0]) / tl, ty = (tb[1] - ta[1]) / tl;
        const double ux = -0.25 * tx - sigma * ty, uy = -0.25 * ty + sigma * tx, ul = std::hypot(ux, uy);
        const double len = std::max(std::hypot(J[0] - head[0], J[1] - head[1]), c);  // (never 0)
        const Pt ctrl = {J[0] + 0.4 * len * ux / ul, J[1] + 0.4 * len * uy / ul};
        const Pt perp = {-(J[1] - head[1]) / len, (J[0] - head[0]) / len};
        const double wamp = 0.08 * len, p1 = 2 * kPi * rnd(400 + k), p2 = 2 * kPi * rnd(500 + k);
        const size_t nd = std::max<size_t>(16, size_t(std::ceil(1.5 * len / (c / 4))));
        std::vector<Pt> cd(nd + 1);
        for (size_t q = 0; q <= nd; ++q) {
            const double t = double(q) / double(nd), st = std::sin(kPi * t);
            const double w =
                wamp * st * st *
                (0.75 * std::sin(2 * kPi * 1.1 * t + p1) + 0.25 * std::sin(2 * kPi * 2.7 * t + p2));
            const double a0 = (1 - t) * (1 - t), a1 = 2 * (1 - t) * t, a2 = t * t;
            cd[q] = {
                std::clamp(a0 * head[0] + a1 * ctrl[0] + a2 * J[0] + w * perp[0], c / 2, width - c / 2),
                std::clamp(a0 * head[1] + a1 * ctrl[1] + a2 * J[1] + w * perp[1], c / 2, height - c / 2)};
        }
        cd.back() = J;
        std::vector<Pt> cr = resample(cd, c);
        const std::vector<double> cu = cumulative_length(cr);
        const double Lc = cu.back();

        // Bed: a concave-up profile from just below the head down to the river's bed at the junction, kept
        // 2 m below the lowest terrain within 1.5 cells of the line (so the creek is never perched on a
        // slope), then made non-increasing downstream and never below the junction.
        const double zJ = bed[kj];
        const int win = 2;  // the point is anywhere in its cell, so cells two away can be within 1.5 cells
        auto low_around = [&](const Pt& p) {
            const int64_t ci = grid.col(p[0]), cj = grid.row(p[1]);
            double m = std::numeric_limits<double>::infinity();
            for (int64_t jj = cj - win; jj <= cj + win; ++jj)
                for (int64_t ii = ci - win; ii <= ci + win; ++ii) {
                    if (ii < 0 || jj < 0 || ii >= int64_t(nx) || jj >= int64_t(ny)) continue;
                    const double ddx = (double(ii) + 0.5) * c - p[0], ddy = (double(jj) + 0.5) * c - p[1];
                    if (ddx * ddx + ddy * ddy <= 2.25 * c * c)
                        m = std::min(m, z[grid.index(uint32_t(ii), uint32_t(jj))]);
                }
            return m;
        };
        std::vector<double> cb(cr.size());
        const double z_head = std::max(low_around(cr.front()) - 3.0, zJ);
        double run = std::numeric_limits<double>::infinity();
        for (size_t q = 0; q < cr.size(); ++q) {
            const double v = Lc > 0 ? (Lc - cu[q]) / Lc : 0.0;  // 1 at the head, 0 at the junction
            const double target = zJ + (z_head - zJ) * std::pow(v, 1.6);
            run = std::min({run, target, low_around(cr[q]) - 2.0});
            cb[q] = std::max(run, zJ);
        }
        cb.back() = zJ;

        // Carve: a channel 1-2 cells wide, a 1.5 m bank, then valley walls rising at `wall` in steps.
        double bx0 = cr[0][0], bx1 = cr[0][0], by0 = cr[0][1], by1 = cr[0][1];
        for (const Pt& p : cr) {
            bx0 = std::min(bx0, p[0]);
            bx1 = std::max(bx1, p[0]);
            by0 = std::min(by0, p[1]);
            by1 = std::max(by1, p[1]);
        }
        // Segments in chunks of 16 with bounding boxes, to skip most of them for most cells.
        struct Chunk {
            size_t first, last;  // segments first .. last - 1
            double x0, x1, y0, y1;
        };
        std::vector<Chunk> chunks;
        for (size_t q = 0; q + 1 < cr.size(); q += 16) {
            Chunk ch{q, std::min(q + 16, cr.size() - 1), cr[q][0], cr[q][0], cr[q][1], cr[q][1]};
            for (size_t r = q; r <= ch.last; ++r) {
                ch.x0 = std::min(ch.x0, cr[r][0]);
                ch.x1 = std::max(ch.x1, cr[r][0]);
                ch.y0 = std::min(ch.y0, cr[r][1]);
                ch.y1 = std::max(ch.y1, cr[r][1]);
            }
            chunks.push_back(ch);
        }
        const uint32_t i0 = grid.col(bx0 - reach), i1 = grid.col(bx1 + reach);
        const uint32_t j0 = grid.row(by0 - reach), j1 = grid.row(by1 + reach);
        for (uint32_t j = j0; j <= j1; ++j) {
            const double y = (j + 0.5) * c;
            for (uint32_t i = i0; i <= i1; ++i) {
                const double x = (i + 0.5) * c;
                Nearest best;
                for (const Chunk& ch : chunks) {
                    const double gx = std::max({ch.x0 - x, x - ch.x1, 0.0}),
                                 gy = std::max({ch.y0 - y, y - ch.y1, 0.0});
                    if (gx * gx + gy * gy >= std::min(best.d2, reach * reach)) continue;
                    for (size_t q = ch.first; q < ch.last; ++q) test_segment(cr[q], cr[q + 1], x, y, q, best);
                }
                if (best.d2 >= reach * reach) continue;
                const double d = std::sqrt(best.d2);
                const double bz = cb[best.seg] + best.t * (cb[best.seg + 1] - cb[best.seg]);
                double vz;
                if (d <= wcc)
                    vz = bz;
                else if (d <= wcc + cbankw)
                    vz = bz + cbankh * (d - wcc) / cbankw;
                else
                    vz = bz + cbankh + stairs(wall * (d - wcc - cbankw));
                double& zz = z[grid.index(i, j)];
                zz = std::min(zz, vz);
            }
        }
        out.creeks.push_back(std::move(cr));
        creek_bed.push_back(std::move(cb));
    }

    // [5] Burn the centrelines in and make every path non-increasing downstream. Lowering a cell shared by
    // two paths can break the other one, so repeat until nothing changes: values only ever drop to values
    // already present, so this ends (in practice after two or three sweeps).
    for (size_t k = 0; k < n; ++k) {
        double& zz = z[grid.index(grid.col(P[k][0]), grid.row(P[k][1]))];
        zz = std::min(zz, bed[k]);
    }
    for (size_t m = 0; m < out.creeks.size(); ++m)
        for (size_t q = 0; q < out.creeks[m].size(); ++q) {
            const Pt& p = out.creeks[m][q];
            double& zz = z[grid.index(grid.col(p[0]), grid.row(p[1]))];
            zz = std::min(zz, creek_bed[m][q]);
        }
    std::vector<std::vector<size_t>> paths;
    paths.push_back(cell_path(P, grid));
    for (const auto& cr : out.creeks) paths.push_back(cell_path(cr, grid));
    for (bool changed = true; changed;) {
        changed = false;
        for (const auto& path : paths)
            for (size_t q = 1; q < path.size(); ++q)
                if (z[path[q]] > z[path[q - 1]]) {
                    z[path[q]] = z[path[q - 1]];
                    changed = true;
                }
    }

    // Rounding to float is monotone, so the paths stay non-increasing.
    out.dem.v.resize(z.size());
    for (size_t q = 0; q < z.size(); ++q) out.dem.v[q] = float(z[q]);
    return out;
}

std::array<double, 2> Valley::point_along_river(double along_km, double offset_m) const {
    if (river.empty()) return {0, 0};
    const size_t n = river.size();
    if (n == 1) return river[0];
    double s = along_km;
    if (!(s >= river_km.front())) s = river_km.front();  // also catches NaN
    s = std::min(s, river_km.back());
    size_t k = size_t(std::upper_bound(river_km.begin(), river_km.end(), s) - river_km.begin());
    k = std::clamp<size_t>(k, 1, n - 1) - 1;
    const double span = river_km[k + 1] - river_km[k];
    const double t = span > 0 ? std::clamp((s - river_km[k]) / span, 0.0, 1.0) : 0.0;
    // Tangent: central differences at the two ends of the segment, blended, so offsets turn smoothly.
    auto tangent = [&](size_t v) {
        const Pt& a = river[v > 0 ? v - 1 : 0];
        const Pt& b = river[std::min(v + 1, n - 1)];
        const double dx = b[0] - a[0], dy = b[1] - a[1], l = std::hypot(dx, dy);
        return Pt{dx / l, dy / l};
    };
    const Pt ta = tangent(k), tb = tangent(k + 1);
    double tx = ta[0] + t * (tb[0] - ta[0]), ty = ta[1] + t * (tb[1] - ta[1]);
    const double l = std::hypot(tx, ty);
    tx /= l;
    ty /= l;
    const double x =
        (1 - t) * river[k][0] + t * river[k + 1][0];  // exactly the river's points at t = 0 and 1
    const double y = (1 - t) * river[k][1] + t * river[k + 1][1];
    return {x - ty * offset_m, y + tx * offset_m};  // left normal of (tx, ty) is (-ty, tx)
}

}  // namespace infrascape::flood
