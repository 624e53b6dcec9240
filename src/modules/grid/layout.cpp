// Bus placement: gazetteer, initial positions and the C++ reference of the force-directed layout; see
// layout.hpp.
#include "modules/grid/layout.hpp"

#include "core/world.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <numeric>
#include <numbers>
#include <set>
#include <unordered_set>

#include "scene/csv.hpp"
#include "scene/scene.hpp"

namespace infrascape::grid {

namespace {

std::string upper(std::string s) {
    for (char& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

// SplitMix64 (Steele, Lea, Flood 2014): a deterministic hash for jitter and fallback positions.
uint64_t mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}
double unit(uint64_t h) { return double(h >> 11) * (1.0 / 9007199254740992.0); }

}  // namespace

std::vector<Place> load_places(const std::filesystem::path& file, const std::string& shown) {
    auto fail = [&](int line, int col, const std::string& message) {
        throw InputError(SourcePos{shown, line, col}, message);
    };
    std::ifstream in(file);
    if (!in) fail(1, 1, "cannot open places file");
    std::vector<Place> out;
    std::set<std::string> seen;
    std::string line, why;
    std::vector<csv::Field> f;
    int number = 0, bad_col = 0;
    bool header = false;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        if (!csv::split(line, f, bad_col, why)) fail(number, bad_col, why);
        if (!header) {
            if (f.size() != 3 || f[0].text != "name" || f[1].text != "lat_deg" || f[2].text != "lon_deg")
                fail(number, 1, "expected the header 'name,lat_deg,lon_deg'");
            header = true;
            continue;
        }
        if (f.size() != 3) fail(number, 1, "expected 3 fields (name,lat_deg,lon_deg), got " + std::to_string(f.size()));
        Place p;
        p.name = upper(f[0].text);
        if (p.name.empty()) fail(number, f[0].col, "a place needs a name");
        if (!seen.insert(p.name).second) fail(number, f[0].col, "place '" + p.name + "' is listed twice");
        if (!csv::parse_number(f[1].text, p.lat_deg)) fail(number, f[1].col, "lat_deg '" + f[1].text + "' is not a number");
        if (p.lat_deg < -90 || p.lat_deg > 90)
            fail(number, f[1].col, "lat_deg " + f[1].text + " is outside -90..90");
        if (!csv::parse_number(f[2].text, p.lon_deg)) fail(number, f[2].col, "lon_deg '" + f[2].text + "' is not a number");
        if (p.lon_deg < -180 || p.lon_deg > 180)
            fail(number, f[2].col, "lon_deg " + f[2].text + " is outside -180..180");
        out.push_back(p);
    }
    if (!header) fail(std::max(number, 1), 1, "empty places file: expected the header 'name,lat_deg,lon_deg'");
    return out;
}

std::string place_of_bus(const std::string& bus_name) {
    std::string s = upper(bus_name);
    for (;;) {  // drop trailing " <digits>" groups
        const size_t b = s.find_last_not_of(" \t");
        if (b == std::string::npos) return "";
        s.resize(b + 1);
        size_t d = s.size();
        while (d > 0 && std::isdigit(static_cast<unsigned char>(s[d - 1]))) --d;
        if (d == s.size() || d == 0 || s[d - 1] != ' ') return s;
        s.resize(d - 1);
    }
}

std::array<double, 2> project(double lat_deg, double lon_deg, double site_lat_deg, double site_lon_deg) {
    return lonlat_to_world(lat_deg, lon_deg, site_lat_deg, site_lon_deg);  // the world's one frame (core/world)
}

Adjacency bus_adjacency(const Case& c) {
    std::vector<int> own(c.buses.size());
    std::iota(own.begin(), own.end(), 0);  // every bus its own site
    return site_adjacency(c, own, own.size());
}

namespace {
bool is_transformer(const Case& c, const Branch& br) {
    if (br.ratio != 0.0 || br.angle_deg != 0.0) return true;
    const int a = c.bus_index(br.from), b = c.bus_index(br.to);
    return a >= 0 && b >= 0 && c.buses[a].base_kv != c.buses[b].base_kv;
}
int find_root(std::vector<int>& parent, int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
}
}  // namespace

std::vector<int> substation_sites(const Case& c, size_t& count) {
    const int n = int(c.buses.size());
    std::vector<int> parent(n);
    for (int i = 0; i < n; ++i) parent[i] = i;
    for (const Branch& br : c.branches) {
        if (!is_transformer(c, br)) continue;
        const int a = c.bus_index(br.from), b = c.bus_index(br.to);
        if (a < 0 || b < 0) continue;
        const int ra = find_root(parent, a), rb = find_root(parent, b);
        if (ra != rb) parent[std::max(ra, rb)] = std::min(ra, rb);
    }
    std::vector<int> site(n, -1), id_of_root(n, -1);
    count = 0;
    for (int i = 0; i < n; ++i) {
        const int r = find_root(parent, i);
        if (id_of_root[r] < 0) id_of_root[r] = int(count++);
        site[i] = id_of_root[r];
    }
    return site;
}

Adjacency site_adjacency(const Case& c, const std::vector<int>& site_of, size_t count) {
    std::vector<std::vector<uint32_t>> lists(count);
    for (const Branch& br : c.branches) {
        if (br.status <= 0) continue;
        const int a = c.bus_index(br.from), b = c.bus_index(br.to);
        if (a < 0 || b < 0 || site_of[a] == site_of[b]) continue;
        lists[site_of[a]].push_back(uint32_t(site_of[b]));
        lists[site_of[b]].push_back(uint32_t(site_of[a]));
    }
    Adjacency adj;
    adj.offset.push_back(0);
    for (auto& l : lists) {
        std::sort(l.begin(), l.end());
        l.erase(std::unique(l.begin(), l.end()), l.end());
        adj.neighbours.insert(adj.neighbours.end(), l.begin(), l.end());
        adj.offset.push_back(uint32_t(adj.neighbours.size()));
    }
    return adj;
}

std::vector<std::array<float, 4>> initial_layout(const Adjacency& adj, const std::vector<Tether>& tethers,
                                                 double half_extent_m, uint64_t seed,
                                                 std::vector<std::array<float, 4>>& anchors) {
    const size_t n = adj.offset.size() - 1;
    std::vector<std::array<float, 4>> pos(n, {0, 0, 0, 0});
    anchors.assign(n, {0, 0, -1, 0});
    std::vector<char> placed(n, 0);
    std::deque<uint32_t> queue;
    size_t tethered = 0;
    // Buses sharing a tether centre are spread over its circle on a sunflower spiral (Vogel 1979): the k-th
    // of m at radius r sqrt((k + 0.5) / m), angle k times the golden angle.
    std::map<std::array<double, 3>, std::pair<int, int>> shared;  // centre -> (count, next index)
    for (size_t b = 0; b < n && b < tethers.size(); ++b)
        if (tethers[b].radius_m >= 0) ++shared[{tethers[b].x_m, tethers[b].y_m, tethers[b].radius_m}].first;
    const double golden = std::numbers::pi * (3.0 - std::sqrt(5.0));
    for (size_t b = 0; b < n && b < tethers.size(); ++b) {
        const Tether& t = tethers[b];
        if (t.radius_m < 0) continue;
        auto& [count, next] = shared[{t.x_m, t.y_m, t.radius_m}];
        const int k = next++;
        const double r = t.radius_m * std::sqrt((k + 0.5) / count), ang = k * golden;
        pos[b] = {float(std::clamp(t.x_m + r * std::cos(ang), -half_extent_m, half_extent_m)),
                  float(std::clamp(t.y_m + r * std::sin(ang), -half_extent_m, half_extent_m)), 0, 1};
        anchors[b] = {float(t.x_m), float(t.y_m), float(t.radius_m), 0};
        placed[b] = 1;
        queue.push_back(uint32_t(b));
        ++tethered;
    }
    // Typical spacing: the map shared among the buses; new buses land within a fraction of it.
    const double jitter = 0.3 * 2 * half_extent_m / std::sqrt(double(std::max<size_t>(n, 1)));
    auto place_near = [&](uint32_t b) {
        double sx = 0, sy = 0;
        int m = 0;
        for (uint32_t e = adj.offset[b]; e < adj.offset[b + 1]; ++e)
            if (placed[adj.neighbours[e]]) {
                sx += pos[adj.neighbours[e]][0];
                sy += pos[adj.neighbours[e]][1];
                ++m;
            }
        const uint64_t h = mix(seed ^ (uint64_t(b) * 0x2545f4914f6cdd1dull));
        const double ang = 2 * std::numbers::pi * unit(h), r = jitter * (0.5 + 0.5 * unit(mix(h)));
        const double x = sx / m + r * std::cos(ang), y = sy / m + r * std::sin(ang);
        pos[b] = {float(std::clamp(x, -half_extent_m, half_extent_m)), float(std::clamp(y, -half_extent_m, half_extent_m)),
                  0, 0};
        placed[b] = 1;
    };
    for (;;) {
        while (!queue.empty()) {
            const uint32_t a = queue.front();
            queue.pop_front();
            for (uint32_t e = adj.offset[a]; e < adj.offset[a + 1]; ++e) {
                const uint32_t b = adj.neighbours[e];
                if (placed[b]) continue;
                place_near(b);
                queue.push_back(b);
            }
        }
        // A part of the grid no tethered bus reaches: start it at a pseudo-random point and grow from there.
        size_t first = n;
        for (size_t b = 0; b < n; ++b)
            if (!placed[b]) {
                first = b;
                break;
            }
        if (first == n) break;
        const uint64_t h = mix(seed * 31 + first);
        const float spread = float(tethered ? 0.6 : 0.9);
        pos[first] = {float((2 * unit(h) - 1) * spread * half_extent_m), float((2 * unit(mix(h)) - 1) * spread * half_extent_m),
                      0, 0};
        placed[first] = 1;
        queue.push_back(uint32_t(first));
    }
    return pos;
}

LayoutSchedule layout_schedule(size_t buses, double half_extent_m, uint32_t iterations) {
    LayoutSchedule s;
    const double area = 4 * half_extent_m * half_extent_m;
    s.k_m = float(0.5 * std::sqrt(area / double(std::max<size_t>(buses, 1))));
    s.start_temp_m = float(0.1 * half_extent_m);
    s.iterations = std::max(iterations, 1u);
    s.half_extent_m = float(half_extent_m);
    // Gravity that balances the others' repulsion (about n k^2 / R) with g R^2 / k at R ~ the half extent:
    // g ~ n k^3 / R^3 = 1 / sqrt(n) for k = R / sqrt(n); half of that leaves the layout room to spread.
    s.gravity = float(0.5 / std::sqrt(double(std::max<size_t>(buses, 1))));
    return s;
}

void layout_iteration(const Adjacency& adj, const std::vector<std::array<float, 4>>& in,
                      const std::vector<std::array<float, 4>>& anchors, std::vector<std::array<float, 4>>& out,
                      float k, float temp, float half, float gravity) {
    const size_t n = in.size();
    out.resize(n);
    const float k2 = k * k, min_d2 = 1e-4f * k2;
    for (size_t i = 0; i < n; ++i) {
        float dx = 0, dy = 0;
        for (size_t j = 0; j < n; ++j) {
            if (j == i) continue;
            const float ex = in[i][0] - in[j][0], ey = in[i][1] - in[j][1];
            const float d2 = std::max(ex * ex + ey * ey, min_d2);
            const float f = k2 / d2;
            dx += ex * f;
            dy += ey * f;
        }
        for (uint32_t e = adj.offset[i]; e < adj.offset[i + 1]; ++e) {
            const auto& q = in[adj.neighbours[e]];
            const float ex = q[0] - in[i][0], ey = q[1] - in[i][1];
            const float f = std::sqrt(ex * ex + ey * ey) / k;
            dx += ex * f;
            dy += ey * f;
        }
        {
            const float f = gravity * std::sqrt(in[i][0] * in[i][0] + in[i][1] * in[i][1]) / k;
            dx -= in[i][0] * f;
            dy -= in[i][1] * f;
        }
        if (in[i][3] != 0.0f) {  // a tethered bus is drawn toward its place like along an edge
            const float ex = anchors[i][0] - in[i][0], ey = anchors[i][1] - in[i][1];
            const float f = std::sqrt(ex * ex + ey * ey) / k;
            dx += ex * f;
            dy += ey * f;
        }
        float x = in[i][0], y = in[i][1];
        const float len = std::sqrt(dx * dx + dy * dy);
        if (len > 0) {
            const float s = std::min(len, temp) / len;
            x += dx * s;
            y += dy * s;
        }
        if (in[i][3] != 0.0f) {  // tethered: back inside the anchor circle
            const float ax = anchors[i][0], ay = anchors[i][1], r = std::max(anchors[i][2], 0.0f);
            const float ex = x - ax, ey = y - ay, d = std::sqrt(ex * ex + ey * ey);
            if (d > r) {
                const float s = d > 0 ? r / d : 0.0f;
                x = ax + ex * s;
                y = ay + ey * s;
            }
        }
        x = std::clamp(x, -half, half);
        y = std::clamp(y, -half, half);
        out[i] = {x, y, in[i][2], in[i][3]};
    }
}

}  // namespace infrascape::grid
