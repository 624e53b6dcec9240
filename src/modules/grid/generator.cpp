// The synthetic grid generator (see generator.hpp): towns and substations, 345/138 kV regions, the fleet and
// its sites, a meshed topology without bridges, line constants from conductor geometry, a merit-order
// dispatch, N-1 driven ratings and reinforcement (DC flows and LODF), reactive planning and the AC solve.
#include "modules/grid/generator.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numbers>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "modules/grid/power_flow.hpp"

namespace infrascape::grid {

namespace {

// [SECTION] Constants and assumptions
constexpr double kLowKv = 138, kHighKv = 345;
constexpr double kBaseMva = 100;
constexpr double kFrequencyHz = 60;
// Lines do not run straight: route length = straight distance * this detour factor (assumed; routes
// around land use and terrain are typically 10-25 % longer).
constexpr double kRouteFactor = 1.15;
constexpr double kLoadPowerFactor = 0.97;  // transmission-level demand, after distribution capacitors
// Ratings are chosen so that the worst post-contingency DC flow stays under this fraction of RATE_A,
// leaving room for reactive flow and losses, which the DC model does not see.
constexpr double kN1DesignLoading = 0.9;
constexpr int kMaxLineCircuits = 4;          // per corridor (two double-circuit tower lines)
constexpr int kMaxTransformers = 6;          // per 345/138 kV substation
constexpr double kPlantHighVoltageMw = 350;  // plants this large connect at 345 kV, smaller at 138 kV
constexpr double kHubLoadMw = 600;           // one 345/138 kV substation per this much peak load, about
constexpr int kSubstationsPerHub = 8;        // ... and at least one per this many load substations
constexpr double kMaxLoadPerSubstationMw = 1000;
// One voltage set point for every plant: plants close together with different set points would drive
// large reactive flows between them. Batteries at load substations instead hold the voltage they find.
constexpr double kPlantVgPu = 1.02;
// Mean degree targets per layer, before transformers and bridge repair: the overall mean then lands near
// the 2.5-2.9 that Birchfield et al. (2017) report for transmission grids (ACTIVSg2000: 2.67 over all buses,
// 2.86 over its 115-500 kV buses, counted from ../shared/data/matpower/case_ACTIVSg2000.m).
constexpr double kHighLayerDegree = 2.2, kLowLayerDegree = 2.0;

// [SECTION] Random numbers
// splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014), with our
// own uniform doubles: std::uniform_real_distribution differs between standard libraries, and the case
// must be byte-identical for a seed. Each part of the generator draws from its own stream, so that, say,
// adding wind capacity does not move the towns.
uint64_t mix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

class Rng {
  public:
    Rng(uint64_t seed, uint64_t stream) : state_(mix64(seed) ^ mix64(stream * 0x632be59bd9b4e019ULL)) {}
    uint64_t next() {
        state_ += 0x9e3779b97f4a7c15ULL;
        return mix64(state_);
    }
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }  // [0, 1)
    double uniform(double a, double b) { return a + (b - a) * uniform(); }

  private:
    uint64_t state_;
};

enum Stream : uint64_t { kTownStream = 1, kSubstationStream, kPlantStream, kNameStream };

// [SECTION] Line and transformer constants
// ACSR conductor data, approximately as in the conductor table of J. D. Glover, T. J. Overbye, M. S. Sarma,
// "Power System Analysis and Design" (appendix, ACSR characteristics) and manufacturers' catalogues:
// outside diameter, geometric mean radius, 60 Hz AC resistance at 50 C, approximate ampacity.
struct Conductor {
    double diameter_m, gmr_m, r_ohm_per_km, ampacity_a;
};
constexpr Conductor kDrake{0.02814, 0.01143, 0.0800, 900};      // 795 kcmil 26/7
constexpr Conductor kCardinal{0.03038, 0.01228, 0.0683, 1010};  // 954 kcmil 54/7
constexpr Conductor kFalcon{0.03924, 0.01585, 0.0414, 1380};    // 1590 kcmil 54/19

struct LineDesign {
    Conductor conductor;
    int bundle;  // subconductors per phase, 0.457 m (18 in) apart
};

struct VoltageClass {
    double kv;
    double deq_m;                     // geometric mean distance between phases
    std::vector<LineDesign> designs;  // in order of increasing rating
};

// 138 kV: single conductor on H-frames, phases about 4.3 m apart flat (Deq = 4.3 * 2^(1/3) = 5.4 m);
// 345 kV: two or three subconductors, phases about 8.5 m apart flat (Deq = 10.7 m).
const VoltageClass& voltage_class(double kv) {
    static const VoltageClass low{kLowKv, 5.4, {{kDrake, 1}, {kCardinal, 1}, {kFalcon, 1}}};
    static const VoltageClass high{
        kHighKv, 10.7, {{kDrake, 2}, {kCardinal, 2}, {kFalcon, 2}, {kCardinal, 3}}};
    return kv > 200 ? high : low;
}

struct PerKm {
    double r_ohm, x_ohm, b_siemens, rating_mva;
};

// Series reactance and shunt susceptance of a transposed three-phase line from its geometry (Glover et
// al., ch. 4, inductance and capacitance of bundled three-phase lines): x = omega (mu0 / 2 pi) ln(Deq /
// GMR_b), c = 2 pi eps0 / ln(Deq / r_b), with the bundle's equivalent radii GMR_b = (GMR d^(n-1))^(1/n) and
// r_b = (r d^(n-1))^(1/n) (exact for n = 2 and for 3 in a triangle). Thermal rating sqrt(3) V I n. The
// results (138 kV: 0.44-0.46 ohm/km, 3.5-3.7 uS/km, SIL ~52 MW; 345 kV: 0.33-0.38 ohm/km, 4.3-4.9 uS/km,
// SIL ~400-460 MW) are the textbook typical values, and the X/R ratios (6-11 and 9-18) bracket ACTIVSg2000's
// medians (6.0 at 115 kV, 12 at 500 kV).
PerKm per_km(const VoltageClass& vc, const LineDesign& d) {
    constexpr double kMu0Over2Pi = 2e-7, kEps0 = 8.8541878128e-12, kSpacingM = 0.457;
    const double omega = 2 * std::numbers::pi * kFrequencyHz;
    const int n = d.bundle;
    const double gmr = std::pow(d.conductor.gmr_m * std::pow(kSpacingM, n - 1), 1.0 / n);
    const double radius = std::pow(0.5 * d.conductor.diameter_m * std::pow(kSpacingM, n - 1), 1.0 / n);
    PerKm p;
    p.r_ohm = d.conductor.r_ohm_per_km / n;
    p.x_ohm = omega * kMu0Over2Pi * std::log(vc.deq_m / gmr) * 1000;
    p.b_siemens = omega * 2 * std::numbers::pi * kEps0 / std::log(vc.deq_m / radius) * 1000;
    p.rating_mva = std::sqrt(3.0) * vc.kv * d.conductor.ampacity_a * n / 1000;
    return p;
}

// 345/138 kV autotransformers: 300, 450 and 600 MVA units with 10 % leakage reactance on their own base
// (ACTIVSg2000's 230/115 and 500/230 kV transformers: median 390 MVA and 0.03 p.u. on 100 MVA), X/R 40.
constexpr std::array<double, 3> kTransformerMva{300, 450, 600};
constexpr double kTransformerXOwnBase = 0.10, kTransformerXOverR = 40;

// [SECTION] Parameter checks
void require(bool ok, const std::string& message) {
    if (!ok) throw std::invalid_argument("generate_grid: " + message);
}

std::string num(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

void check_params(const GeneratorParams& p) {
    require(p.substations >= 2, "substations must be at least 2 (got " + std::to_string(p.substations) + ")");
    require(p.substations <= 1000,
            "substations must be at most 1000 (got " + std::to_string(p.substations) + ")");
    require(std::isfinite(p.extent_m) && p.extent_m > 0,
            "extent_m must be positive (got " + num(p.extent_m) + ")");
    require(std::isfinite(p.peak_load_mw) && p.peak_load_mw > 0,
            "peak_load_mw must be positive (got " + num(p.peak_load_mw) + ")");
    require(p.peak_load_mw / p.substations <= kMaxLoadPerSubstationMw,
            "peak_load_mw / substations = " + num(p.peak_load_mw / p.substations) +
                " MW is more than a substation serves (at most " + num(kMaxLoadPerSubstationMw) + " MW)");
    require(std::isfinite(p.reserve_margin) && p.reserve_margin >= 0 && p.reserve_margin <= 3,
            "reserve_margin must be in [0, 3] (got " + num(p.reserve_margin) + ")");
    const std::pair<const char*, double> shares[] = {{"share_gas", p.share_gas},
                                                     {"share_coal", p.share_coal},
                                                     {"share_nuclear", p.share_nuclear},
                                                     {"share_hydro", p.share_hydro}};
    for (const auto& [name, v] : shares)
        require(std::isfinite(v) && v >= 0, std::string(name) + " must not be negative (got " + num(v) + ")");
    const double sum = p.share_gas + p.share_coal + p.share_nuclear + p.share_hydro;
    require(std::abs(sum - 1) <= 1e-6,
            "share_gas + share_coal + share_nuclear + share_hydro must be 1 (got " + num(sum) + ")");
    const std::pair<const char*, double> extra[] = {
        {"wind_mw", p.wind_mw}, {"solar_mw", p.solar_mw}, {"battery_mw", p.battery_mw}};
    for (const auto& [name, v] : extra)
        require(std::isfinite(v) && v >= 0, std::string(name) + " must not be negative (got " + num(v) + ")");
    require(p.wind_mw + p.solar_mw + p.battery_mw <= 10 * p.peak_load_mw,
            "wind_mw + solar_mw + battery_mw must be at most 10 * peak_load_mw");
    // The fleet must carry the peak plus a few percent of losses (wind and solar at their design output).
    const double design_mw = p.peak_load_mw * (1 + p.reserve_margin) + 0.35 * p.wind_mw + 0.6 * p.solar_mw;
    require(design_mw >= 1.03 * p.peak_load_mw, "reserve_margin " + num(p.reserve_margin) +
                                                    " leaves too little capacity for the peak plus losses");
    if (p.centres.empty()) {
        require(p.towns >= 1 && p.towns <= 1000,
                "towns must be in [1, 1000] when no centres are given (got " + std::to_string(p.towns) + ")");
    }
    const double half = p.extent_m / 2;
    for (size_t i = 0; i < p.centres.size(); ++i) {
        const LoadCentre& c = p.centres[i];
        const std::string which = "centres[" + std::to_string(i) + "]";
        require(std::isfinite(c.weight) && c.weight > 0,
                which + ".weight must be positive (got " + num(c.weight) + ")");
        require(std::isfinite(c.x_m) && std::isfinite(c.y_m) && std::abs(c.x_m) <= half &&
                    std::abs(c.y_m) <= half,
                which + " at (" + num(c.x_m) + ", " + num(c.y_m) +
                    ") m lies outside the region (|x|, |y| <= " + num(half) + " m)");
    }
}

// [SECTION] Geometry helpers
struct Node {
    double x_m = 0, y_m = 0;
    double kv = kLowKv;
    int cluster = -1;  // the 345/138 kV region (index of its hub)
    int town = 0;      // the town it is named after
    std::string name;
    double pd_mw = 0;
    bool load = false;  // a 138 kV load substation
};

double dist(double ax, double ay, double bx, double by) {
    return std::hypot(ax - bx, ay - by);
}
double dist(const Node& a, const Node& b) {
    return dist(a.x_m, a.y_m, b.x_m, b.y_m);
}

struct Region {
    double half_m;  // positions stay within +-0.97 half_m
    double scale;   // 1 for a 200 km region; distances in the siting rules shrink with smaller regions
    double clamp(double v) const { return std::clamp(v, -0.97 * half_m, 0.97 * half_m); }
    double km(double v) const { return v * 1000 * scale; }
};

// [SECTION] Towns
std::string town_name(Rng& rng, const std::set<std::string>& taken) {
    static const char* kFirst[] = {"Ash",    "Bel",    "Bram",  "Cal",   "Cedar", "Clay",  "Dun",  "Elm",
                                   "Fair",   "Glen",   "Hart",  "Hazel", "Iron",  "Kings", "Lake", "Lin",
                                   "Mar",    "Mill",   "Oak",   "Pine",  "Red",   "Rich",  "Rock", "Sand",
                                   "Silver", "Spring", "Stone", "Sum",   "Wal",   "West",  "Wil",  "Win",
                                   "Black",  "Copper", "Deer",  "Eagle", "Fox",   "Green"};
    static const char* kSecond[] = {"ford",  "ton",   "ville", "field", "burg",  "wood",
                                    "dale",  "port",  "by",    "haven", "mont",  "view",
                                    "brook", "ridge", "ham",   "well",  "crest", "stead"};
    constexpr size_t nf = std::size(kFirst), ns = std::size(kSecond);
    for (int attempt = 0;; ++attempt) {
        std::string name = std::string(kFirst[rng.next() % nf]) + kSecond[rng.next() % ns];
        if (attempt > 50) name += " " + std::to_string(attempt);
        if (!taken.count(name)) return name;
    }
}

// Towns sized by Zipf's law (weight of the k-th largest ~ 1/k; X. Gabaix, "Zipf's Law for Cities: An
// Explanation", Quarterly Journal of Economics 114(3), 1999), placed at random with a minimum spacing.
std::vector<LoadCentre> make_towns(const GeneratorParams& p, const Region& region) {
    std::vector<LoadCentre> towns;
    Rng rng(p.seed, kTownStream);
    Rng names(p.seed, kNameStream);
    std::set<std::string> taken;
    if (!p.centres.empty()) {
        for (const LoadCentre& c : p.centres) taken.insert(c.name);
        for (const LoadCentre& c : p.centres) {
            LoadCentre t = c;
            if (t.name.empty()) t.name = town_name(names, taken);
            taken.insert(t.name);
            towns.push_back(t);
        }
        // Two centres given the same name would give substations the same name.
        std::map<std::string, int> seen;
        for (LoadCentre& t : towns)
            if (int n = ++seen[t.name]; n > 1) t.name += " " + std::to_string(n);
        return towns;
    }
    double spacing = 0.6 * p.extent_m / std::sqrt(double(p.towns));
    const double usable = 0.8 * region.half_m;
    for (int k = 0; k < p.towns; ++k) {
        LoadCentre t;
        t.weight = 1.0 / (k + 1);
        for (int attempt = 0;; ++attempt) {
            t.x_m = rng.uniform(-usable, usable);
            t.y_m = rng.uniform(-usable, usable);
            bool ok = true;
            for (const LoadCentre& o : towns) ok = ok && dist(t.x_m, t.y_m, o.x_m, o.y_m) >= spacing;
            if (ok) break;
            if (attempt % 200 == 199) spacing *= 0.9;
        }
        t.name = town_name(names, taken);
        taken.insert(t.name);
        towns.push_back(t);
    }
    return towns;
}

// [SECTION] Load substations
// Substations per town in proportion to weight by the Sainte-Lague highest-averages method (each next
// substation to the town with the largest weight / (2 * count + 1)), so that substations serve similar
// loads; a town too small for one gets none. They are placed on a jittered sunflower spiral (H. Vogel,
// Mathematical Biosciences 44, 1979) of radius ~ sqrt(count), so urban density is even.
std::vector<int> allocate_substations(int substations, const std::vector<LoadCentre>& towns) {
    std::vector<int> count(towns.size(), 0);
    for (int k = 0; k < substations; ++k) {
        size_t best = 0;
        for (size_t t = 1; t < towns.size(); ++t)
            if (towns[t].weight / (2 * count[t] + 1) > towns[best].weight / (2 * count[best] + 1)) best = t;
        ++count[best];
    }
    return count;
}

const char* compass(double dx, double dy) {
    static const char* kDir[] = {"East", "Northeast", "North", "Northwest",
                                 "West", "Southwest", "South", "Southeast"};
    const double a = std::atan2(dy, dx);
    int sector = int(std::lround(a / (std::numbers::pi / 4)));
    sector = ((sector % 8) + 8) % 8;
    return kDir[sector];
}

class Names {
  public:
    // "<base> <kv>", or "<base> 2 <kv>", ... when taken.
    std::string unique(const std::string& base, double kv) {
        const std::string suffix = " " + std::to_string(int(kv));
        std::string name = base + suffix;
        for (int k = 2; taken_.count(name); ++k) name = base + " " + std::to_string(k) + suffix;
        taken_.insert(name);
        return name;
    }

  private:
    std::set<std::string> taken_;
};

// [SECTION] Topology
// Candidate links: the Gabriel graph of the points (a subgraph of the Delaunay triangulation that
// contains the Euclidean minimum spanning tree; K. R. Gabriel, R. R. Sokal, Systematic Zoology 18(3),
// 1969), sorted by length. Birchfield et al. (2017) build synthetic transmission lines from Delaunay
// neighbours in this spirit: a spanning tree plus the shorter of the remaining neighbour links.
struct Candidate {
    double length_m;
    int a, b;
    bool operator<(const Candidate& o) const {
        return std::tie(length_m, a, b) < std::tie(o.length_m, o.a, o.b);
    }
};

std::vector<Candidate> gabriel(const std::vector<Node>& nodes, const std::vector<int>& members) {
    std::vector<Candidate> out;
    for (size_t i = 0; i < members.size(); ++i)
        for (size_t j = i + 1; j < members.size(); ++j) {
            const Node &a = nodes[size_t(members[i])], &b = nodes[size_t(members[j])];
            const double mx = 0.5 * (a.x_m + b.x_m), my = 0.5 * (a.y_m + b.y_m);
            const double r2 = 0.25 * ((a.x_m - b.x_m) * (a.x_m - b.x_m) + (a.y_m - b.y_m) * (a.y_m - b.y_m));
            bool empty = true;
            for (size_t k = 0; k < members.size() && empty; ++k) {
                if (k == i || k == j) continue;
                const Node& c = nodes[size_t(members[k])];
                empty = (c.x_m - mx) * (c.x_m - mx) + (c.y_m - my) * (c.y_m - my) >= r2 * (1 - 1e-12);
            }
            if (empty)
                out.push_back(
                    {dist(a, b), std::min(members[i], members[j]), std::max(members[i], members[j])});
        }
    std::sort(out.begin(), out.end());
    return out;
}

struct Corridor {
    int a = 0, b = 0;  // node indices; for a transformer, a is the 345 kV side
    bool transformer = false;
    double length_km = 0;
    int design = 0;  // index into the voltage class's line designs, or into kTransformerMva
    int circuits = 1;
    int min_circuits = 1;  // 2 for transformers and for lines doubled to remove a bridge
};

class Topology {
  public:
    explicit Topology(const std::vector<Node>& nodes) : nodes_(nodes), neighbours_(nodes.size()) {}

    bool joined(int a, int b) const { return neighbours_[size_t(a)].count(b) > 0; }
    // Neighbours at the same voltage.
    int layer_degree(int a) const {
        int n = 0;
        for (int o : neighbours_[size_t(a)]) n += nodes_[size_t(o)].kv == nodes_[size_t(a)].kv;
        return n;
    }

    void add_line(int a, int b) {
        Corridor c;
        c.a = std::min(a, b);
        c.b = std::max(a, b);
        c.length_km = std::max(0.5, dist(nodes_[size_t(a)], nodes_[size_t(b)]) * kRouteFactor / 1000);
        add(c);
    }
    void add_transformer(int high, int low, int circuits) {
        Corridor c;
        c.a = high;
        c.b = low;
        c.transformer = true;
        c.circuits = c.min_circuits = circuits;
        add(c);
    }

    // A minimum spanning tree over the candidates (Kruskal), then the shortest remaining candidates until
    // the layer's mean degree reaches `target_degree`, then a link for every member left with fewer than
    // two neighbours at its voltage.
    void mesh(const std::vector<int>& members, double target_degree) {
        if (members.size() < 2) return;
        const std::vector<Candidate> cand = gabriel(nodes_, members);
        std::map<int, int> parent;
        for (int m : members) parent[m] = m;
        auto find = [&](int x) {
            while (parent[x] != x) x = parent[x] = parent[parent[x]];
            return x;
        };
        std::vector<char> used(cand.size(), 0);
        int links = 0;
        for (size_t k = 0; k < cand.size(); ++k) {
            const int ra = find(cand[k].a), rb = find(cand[k].b);
            if (ra == rb) continue;
            parent[ra] = rb;
            used[k] = 1;
            if (!joined(cand[k].a, cand[k].b)) add_line(cand[k].a, cand[k].b);
            ++links;
        }
        const double wanted = target_degree * double(members.size()) / 2;
        for (size_t k = 0; k < cand.size() && links < wanted; ++k) {
            if (used[k] || joined(cand[k].a, cand[k].b)) continue;
            used[k] = 1;
            add_line(cand[k].a, cand[k].b);
            ++links;
        }
        for (int m : members) {
            if (layer_degree(m) >= 2) continue;
            // The shortest candidate at m, or one up to twice as long that ends at another member short of
            // two neighbours (one link then closes a loop for both); else the nearest member not joined.
            int best = -1;
            double best_d = 0, shortest = -1;
            for (const Candidate& c : cand) {
                if (c.a != m && c.b != m) continue;
                const int other = c.a == m ? c.b : c.a;
                if (joined(m, other)) continue;
                if (shortest < 0) shortest = c.length_m, best = other;
                if (c.length_m > 2 * shortest) break;
                if (layer_degree(other) < 2) {
                    best = other;
                    break;
                }
            }
            if (best < 0)
                for (int o : members) {
                    if (o == m || joined(m, o)) continue;
                    const double d = dist(nodes_[size_t(m)], nodes_[size_t(o)]);
                    if (best < 0 || d < best_d) best = o, best_d = d;
                }
            if (best >= 0) add_line(m, best);
        }
    }

    // Bridges (Tarjan's low-link, iterative) of the corridor multigraph: corridors with two or more
    // circuits are never bridges. Returns the index of the first bridge, or -1.
    int first_bridge() const {
        const size_t n = nodes_.size();
        std::vector<std::vector<std::pair<int, int>>> adj(n);
        for (size_t k = 0; k < corridors.size(); ++k) {
            adj[size_t(corridors[k].a)].push_back({corridors[k].b, int(k)});
            adj[size_t(corridors[k].b)].push_back({corridors[k].a, int(k)});
        }
        std::vector<int> order(n, -1), low(n, 0);
        struct Frame {
            int node, via, next;
        };
        std::vector<Frame> stack;
        int counter = 0;
        for (size_t root = 0; root < n; ++root) {
            if (order[root] >= 0) continue;
            order[root] = low[root] = counter++;
            stack.push_back({int(root), -1, 0});
            while (!stack.empty()) {
                Frame& fr = stack.back();
                const auto& nb = adj[size_t(fr.node)];
                if (fr.next < int(nb.size())) {
                    const auto [j, k] = nb[size_t(fr.next++)];
                    if (k == fr.via) continue;
                    if (order[size_t(j)] < 0) {
                        order[size_t(j)] = low[size_t(j)] = counter++;
                        stack.push_back({j, k, 0});
                    } else {
                        low[size_t(fr.node)] = std::min(low[size_t(fr.node)], order[size_t(j)]);
                    }
                } else {
                    const Frame done = fr;
                    stack.pop_back();
                    if (stack.empty()) continue;
                    const int up = stack.back().node;
                    low[size_t(up)] = std::min(low[size_t(up)], low[size_t(done.node)]);
                    if (low[size_t(done.node)] > order[size_t(up)] &&
                        corridors[size_t(done.via)].circuits < 2)
                        return done.via;
                }
            }
        }
        return -1;
    }

    // Every corridor outage must leave the grid in one piece: for each bridge, the shortest new line of
    // one voltage between the two sides it separates, else a second circuit on the bridge itself.
    void remove_bridges() {
        for (int guard = 0; guard < int(nodes_.size()) * 4; ++guard) {
            const int k = first_bridge();
            if (k < 0) return;
            const Corridor br = corridors[size_t(k)];
            std::vector<char> side(nodes_.size(), 0);
            std::vector<int> stack{br.a};
            side[size_t(br.a)] = 1;
            while (!stack.empty()) {
                const int i = stack.back();
                stack.pop_back();
                for (size_t c = 0; c < corridors.size(); ++c) {
                    if (int(c) == k) continue;
                    const Corridor& cc = corridors[c];
                    const int other = cc.a == i ? cc.b : cc.b == i ? cc.a : -1;
                    if (other >= 0 && !side[size_t(other)]) {
                        side[size_t(other)] = 1;
                        stack.push_back(other);
                    }
                }
            }
            int best_a = -1, best_b = -1;
            double best_d = 0;
            for (size_t i = 0; i < nodes_.size(); ++i) {
                if (!side[i]) continue;
                for (size_t j = 0; j < nodes_.size(); ++j) {
                    if (side[j] || nodes_[i].kv != nodes_[j].kv || joined(int(i), int(j))) continue;
                    const double d = dist(nodes_[i], nodes_[j]);
                    if (d < 100) continue;  // co-located buses are joined by transformers, not lines
                    if (best_a < 0 || d < best_d) best_a = int(i), best_b = int(j), best_d = d;
                }
            }
            if (best_a >= 0)
                add_line(best_a, best_b);
            else
                corridors[size_t(k)].circuits = corridors[size_t(k)].min_circuits = 2;
        }
    }

    std::vector<Corridor> corridors;

  private:
    void add(const Corridor& c) {
        corridors.push_back(c);
        neighbours_[size_t(c.a)].insert(c.b);
        neighbours_[size_t(c.b)].insert(c.a);
    }

    const std::vector<Node>& nodes_;
    std::vector<std::set<int>> neighbours_;
};

// [SECTION] Generation fleet
enum class Tier { Nuclear, Hydro, Coal, Gas, Wind, Solar, Battery };

struct FuelInfo {
    const char* fuel;   // MATPOWER genfuel
    const char* type;   // MATPOWER gentype (EIA prime mover codes)
    const char* label;  // in bus names
    double max_plant_mw, max_unit_mw;
    double pmin_fraction;  // minimum stable output
    double dispatch_cap;   // merit-order dispatch fills up to this fraction of pmax before the next tier
    double qmax_fraction, qmin_fraction;  // reactive limits per MW of pmax
};

// Plant and unit sizes and minimum loads are typical of the US fleet (EIA-860); reactive limits of
// synchronous units follow a 0.9 power-factor capability (Q = 0.48 P); inverter-based plants get
// +-0.33 P, the 0.95 power factor of IEEE 2800-2022 and FERC Order 827.
const FuelInfo& fuel_info(Tier t) {
    static const FuelInfo kInfo[] = {
        {"nuclear", "ST", "Nuclear", 2400, 1200, 0.5, 0.95, 0.48, -0.25},
        {"hydro", "HY", "Hydro", 600, 150, 0.1, 0.7, 0.48, -0.25},
        {"coal", "ST", "Coal", 1400, 700, 0.4, 0.9, 0.48, -0.25},
        {"ng", "CC", "Gas", 900, 450, 0.35, 1.0, 0.48, -0.25},
        {"wind", "WT", "Wind", 300, 300, 0, 1, 0.33, -0.33},
        {"solar", "PV", "Solar", 200, 200, 0, 1, 0.33, -0.33},
        {"battery", "BA", "Battery", 150, 150, -1, 1, 0.33, -0.33},
    };
    return kInfo[int(t)];
}

// Output at the design peak of the variable fleet (a summer late afternoon): wind at a typical on-peak
// capacity factor, solar past its noon maximum, batteries idle (held for contingencies).
double design_output(Tier t) {
    return t == Tier::Wind ? 0.35 : t == Tier::Solar ? 0.6 : 0.0;
}

struct Plant {
    Tier tier;
    double unit_mw;
    int units;
    int node = -1;  // bus (for batteries, the load substation they sit at)
    int town = 0;   // for gas and solar plants: the town they serve
};

std::vector<Plant> plan_fleet(const GeneratorParams& p) {
    std::vector<Plant> fleet;
    const double dispatchable = p.peak_load_mw * (1 + p.reserve_margin);
    const std::pair<Tier, double> capacity[] = {{Tier::Nuclear, dispatchable * p.share_nuclear},
                                                {Tier::Coal, dispatchable * p.share_coal},
                                                {Tier::Gas, dispatchable * p.share_gas},
                                                {Tier::Hydro, dispatchable * p.share_hydro},
                                                {Tier::Wind, p.wind_mw},
                                                {Tier::Solar, p.solar_mw},
                                                {Tier::Battery, p.battery_mw}};
    for (const auto& [tier, mw] : capacity) {
        if (mw <= 0) continue;
        const FuelInfo& f = fuel_info(tier);
        const int plants = int(std::ceil(mw / f.max_plant_mw - 1e-9));
        const double plant_mw = mw / plants;
        const int units = int(std::ceil(plant_mw / f.max_unit_mw - 1e-9));
        for (int k = 0; k < plants; ++k) fleet.push_back({tier, plant_mw / units, units});
    }
    return fleet;
}

// [SECTION] Dispatch
// Merit order at the design peak: variable plants at their design output (curtailed only if the thermal
// minimum loads leave no room), every dispatchable unit at least at its minimum, then nuclear, hydro, coal
// and gas in turn up to their dispatch caps, then all of them up to pmax if still short. The slack unit
// keeps 2 % of its pmax clear of both limits for the losses the AC solution settles.
void dispatch(std::vector<Gen>& gens, const std::vector<Tier>& tier, size_t slack, double demand_mw) {
    auto low = [&](size_t g) { return gens[g].pmin_mw + (g == slack ? 0.02 * gens[g].pmax_mw : 0.0); };
    auto high = [&](size_t g, double cap) {
        return (g == slack ? std::min(cap, 0.98) : cap) * gens[g].pmax_mw;
    };
    double variable = 0, floor = 0;
    for (size_t g = 0; g < gens.size(); ++g) {
        if (tier[g] >= Tier::Wind) {
            gens[g].pg_mw = design_output(tier[g]) * gens[g].pmax_mw;
            variable += gens[g].pg_mw;
        } else {
            gens[g].pg_mw = low(g);
            floor += gens[g].pg_mw;
        }
    }
    double rest = demand_mw - variable - floor;
    if (rest < 0 && variable > 0) {
        const double keep = std::max(0.0, (demand_mw - floor) / variable);
        for (size_t g = 0; g < gens.size(); ++g)
            if (tier[g] >= Tier::Wind) gens[g].pg_mw *= keep;
        rest = 0;
    }
    for (int pass = 0; pass < 2 && rest > 0; ++pass)
        for (Tier t : {Tier::Nuclear, Tier::Hydro, Tier::Coal, Tier::Gas}) {
            const double cap = pass == 0 ? fuel_info(t).dispatch_cap : 1.0;
            double room = 0;
            for (size_t g = 0; g < gens.size(); ++g)
                if (tier[g] == t) room += std::max(0.0, high(g, cap) - gens[g].pg_mw);
            if (room <= 0) continue;
            const double take = std::min(rest, room);
            for (size_t g = 0; g < gens.size(); ++g)
                if (tier[g] == t) gens[g].pg_mw += take * std::max(0.0, high(g, cap) - gens[g].pg_mw) / room;
            rest -= take;
            if (rest <= 0) break;
        }
}

// [SECTION] Case assembly
struct Builder {
    std::vector<Node> nodes;
    std::vector<Gen> gens;
    std::vector<Tier> gen_tier;
    int ref_node = -1;
};

// The generator that takes up the balance in the power flows: the first at the reference bus.
size_t slack_unit(const Case& c, const Builder& b) {
    size_t g = 0;
    while (c.gens[g].bus != b.ref_node + 1) ++g;
    return g;
}

double line_rating_mva(const Corridor& c, const std::vector<Node>& nodes) {
    if (c.transformer) return kTransformerMva[size_t(c.design)];
    const VoltageClass& vc = voltage_class(nodes[size_t(c.a)].kv);
    return per_km(vc, vc.designs[size_t(c.design)]).rating_mva;
}

int design_count(const Corridor& c, const std::vector<Node>& nodes) {
    return c.transformer ? int(kTransformerMva.size())
                         : int(voltage_class(nodes[size_t(c.a)].kv).designs.size());
}

// Rewrites the branches of `c` from the corridors: one branch per circuit, in corridor order.
void set_branches(Case& c, const std::vector<Node>& nodes, const std::vector<Corridor>& corridors,
                  std::vector<int>& branch_corridor) {
    c.branches.clear();
    branch_corridor.clear();
    for (size_t k = 0; k < corridors.size(); ++k) {
        const Corridor& cor = corridors[k];
        Branch br;
        br.from = cor.a + 1;
        br.to = cor.b + 1;
        if (cor.transformer) {
            br.x_pu = kTransformerXOwnBase * kBaseMva / kTransformerMva[size_t(cor.design)];
            br.r_pu = br.x_pu / kTransformerXOverR;
            br.ratio = 1;
        } else {
            const VoltageClass& vc = voltage_class(nodes[size_t(cor.a)].kv);
            const PerKm pk = per_km(vc, vc.designs[size_t(cor.design)]);
            const double z_base = vc.kv * vc.kv / kBaseMva;
            br.r_pu = pk.r_ohm * cor.length_km / z_base;
            br.x_pu = pk.x_ohm * cor.length_km / z_base;
            br.b_pu = pk.b_siemens * cor.length_km * z_base;
        }
        br.rate_a_mva = br.rate_b_mva = br.rate_c_mva = std::round(line_rating_mva(cor, nodes));
        for (int n = 0; n < cor.circuits; ++n) {
            c.branches.push_back(br);
            branch_corridor.push_back(int(k));
        }
    }
}

// [SECTION] N-1 ratings
// For every branch, the largest flow it carries in the base case or after any single branch outage (DC
// flows and line outage distribution factors, as n_minus_1 screens them), and which outage causes it.
struct N1Flows {
    std::vector<double> worst_mw;
    std::vector<int> cause;  // branch whose outage gives worst_mw, -1 for the base case
};

N1Flows n1_flows(const Case& c) {
    // Post-outage flow f_l + LODF(l, k) f_k with LODF(l, k) = H(l, k) / (1 - H(k, k)) and H(l, k) =
    // PTDF(l, from_k) - PTDF(l, to_k) (MATPOWER's makeLODF.m), formed column by column from a bus-major
    // copy of PTDF rather than as a full LODF matrix. Outages that island the grid (1 - H(k, k) = 0) are
    // skipped; the topology has none by construction.
    const PowerFlowResult base = dc_power_flow(c);
    const std::vector<std::vector<double>> p = ptdf(c);
    const size_t nl = c.branches.size(), nb = c.buses.size();
    std::vector<double> by_bus(nb * nl);
    for (size_t l = 0; l < nl; ++l)
        for (size_t i = 0; i < nb; ++i) by_bus[i * nl + l] = p[l][i];
    N1Flows out{std::vector<double>(nl, 0.0), std::vector<int>(nl, -1)};
    for (size_t l = 0; l < nl; ++l) out.worst_mw[l] = std::abs(base.pf_mw[l]);
    for (size_t k = 0; k < nl; ++k) {
        const double* from = &by_bus[size_t(c.branches[k].from - 1) * nl];
        const double* to = &by_bus[size_t(c.branches[k].to - 1) * nl];
        const double den = 1 - (from[k] - to[k]);
        if (std::abs(den) < 1e-9) continue;
        const double shift = base.pf_mw[k] / den;
        for (size_t l = 0; l < nl; ++l) {
            if (l == k) continue;
            const double post = std::abs(base.pf_mw[l] + (from[l] - to[l]) * shift);
            if (post > out.worst_mw[l]) out.worst_mw[l] = post, out.cause[l] = int(k);
        }
    }
    return out;
}

// Picks each corridor's design (conductor, bundle or transformer size) as the smallest whose rating covers
// its worst N-1 flow at kN1DesignLoading. Where even the largest does not, it adds a circuit; where the
// corridor has all its circuits, it adds one to the corridor whose outage causes the flow instead (a
// 138 kV path that picks up a 345 kV line's flow is relieved by doubling that line, as planners would).
// With `only_up`, designs and circuits only grow, so repeating it converges; without, designs start over
// from the smallest and circuits beyond the minimum go where the total flow fits in fewer. Returns
// whether anything changed.
bool size_corridors(Case& c, const std::vector<Node>& nodes, std::vector<Corridor>& corridors,
                    std::vector<int>& branch_corridor, bool only_up) {
    const N1Flows flows = n1_flows(c);
    std::vector<double> need(corridors.size(), 0.0);
    std::vector<int> cause(corridors.size(), -1);
    for (size_t l = 0; l < flows.worst_mw.size(); ++l) {
        const size_t k = size_t(branch_corridor[l]);
        if (flows.worst_mw[l] > need[k]) need[k] = flows.worst_mw[l], cause[k] = flows.cause[l];
    }
    std::vector<int> circuits(corridors.size()), design(corridors.size());
    for (size_t k = 0; k < corridors.size(); ++k)
        circuits[k] = corridors[k].circuits, design[k] = corridors[k].design;
    for (size_t k = 0; k < corridors.size(); ++k) {
        const Corridor& cor = corridors[k];
        const int n = design_count(cor, nodes);
        const int most = cor.transformer ? kMaxTransformers : kMaxLineCircuits;
        auto rating = [&](int d) {
            Corridor trial = cor;
            trial.design = d;
            return line_rating_mva(trial, nodes) * kN1DesignLoading;
        };
        if (!only_up) {
            const double total = need[k] * cor.circuits;
            int fewer = cor.min_circuits;
            while (fewer < cor.circuits && rating(n - 1) * fewer < total) ++fewer;
            circuits[k] = std::max(std::min(circuits[k], fewer), cor.min_circuits);
        }
        int d = only_up ? cor.design : 0;
        while (d < n && rating(d) < need[k]) ++d;
        if (d < n) {
            design[k] = std::max(design[k] * int(only_up), d);
        } else {
            design[k] = n - 1;
            if (circuits[k] < most) {
                ++circuits[k];
            } else if (cause[k] >= 0) {
                const size_t ck = size_t(branch_corridor[size_t(cause[k])]);
                const int ck_most = corridors[ck].transformer ? kMaxTransformers : kMaxLineCircuits;
                if (circuits[ck] == corridors[ck].circuits && circuits[ck] < ck_most) ++circuits[ck];
            }
        }
    }
    bool changed = false;
    for (size_t k = 0; k < corridors.size(); ++k) {
        changed = changed || circuits[k] != corridors[k].circuits || design[k] != corridors[k].design;
        corridors[k].circuits = circuits[k];
        corridors[k].design = design[k];
    }
    if (changed) set_branches(c, nodes, corridors, branch_corridor);
    return changed;
}

// [SECTION] Reactive planning and AC solution
constexpr double kVmLowPu = 0.975, kVmHighPu = 1.05;  // the load-bus voltage band reactive planning aims for
// Capacitor banks where the AC solution sags below 0.975 p.u. and reactors where it rises above 1.05,
// in steps, re-solving each time (the reactive planning step of A. B. Birchfield et al., "Power Flow
// Convergence and Reactive Power Planning in the Creation of Large Synthetic Grids", IEEE TPWRS 33(6),
// 2018); meanwhile the slack's share of the losses is handed back to the merit order.
void solve_ac(Case& c, Builder& b) {
    const size_t slack_gen = slack_unit(c, b);
    double total_pd = 0;
    for (const Bus& bus : c.buses) total_pd += bus.pd_mw;
    double losses_mw = 0;
    // Buses with batteries only solve as load buses until the end.
    std::vector<char> battery_bus(c.buses.size(), 0);
    for (size_t g = 0; g < c.gens.size(); ++g)
        if (b.gen_tier[g] == Tier::Battery) battery_bus[size_t(c.gens[g].bus - 1)] = 1;
    for (size_t g = 0; g < c.gens.size(); ++g)
        if (b.gen_tier[g] != Tier::Battery) battery_bus[size_t(c.gens[g].bus - 1)] = 0;
    for (size_t i = 0; i < c.buses.size(); ++i)
        if (battery_bus[i]) c.buses[i].type = BusType::PQ;
    std::vector<std::vector<int>> adjacent(c.buses.size());
    for (const Branch& br : c.branches) {
        adjacent[size_t(br.from - 1)].push_back(br.to - 1);
        adjacent[size_t(br.to - 1)].push_back(br.from - 1);
    }
    PowerFlowResult r;
    for (int iter = 0; iter < 80; ++iter) {
        r = ac_power_flow(c, 1e-8, 20);
        if (!r.converged) break;
        for (size_t i = 0; i < c.buses.size(); ++i) {
            c.buses[i].vm_pu = r.vm_pu[i];
            c.buses[i].va_deg = r.va_deg[i];
        }
        bool changed = false;
        const double mismatch = r.pg_mw[slack_gen] - c.gens[slack_gen].pg_mw;
        if (std::abs(mismatch) > 1.0) {
            losses_mw += mismatch;
            dispatch(c.gens, b.gen_tier, slack_gen, total_pd + losses_mw);
            changed = true;
        }
        // Load buses outside [0.975, 1.05] p.u.: a bank at those at least half as far out as the worst, so
        // that neighbours fixed at once do not overshoot together.
        double worst_low = 0, worst_high = 0;
        for (size_t i = 0; i < c.buses.size(); ++i)
            if (c.buses[i].type == BusType::PQ) {
                worst_low = std::max(worst_low, kVmLowPu - r.vm_pu[i]);
                worst_high = std::max(worst_high, r.vm_pu[i] - kVmHighPu);
            }
        for (size_t i = 0; i < c.buses.size(); ++i) {
            Bus& bus = c.buses[i];
            if (bus.type != BusType::PQ) continue;
            const double step = bus.base_kv > 200 ? 50 : std::max(10.0, 5 * std::round(0.03 * bus.pd_mw));
            const double low = kVmLowPu - r.vm_pu[i], high = r.vm_pu[i] - kVmHighPu;
            if (low > 0 && low >= 0.5 * worst_low)
                bus.bs_mvar += step, changed = true;
            else if (high > 0 && high >= 0.5 * worst_high)
                bus.bs_mvar -= step, changed = true;
        }
        // Plants beyond their reactive limits (with 2 % headroom): above, a capacitor bank at the
        // lowest-voltage load bus within three branches; below (long lightly loaded lines charging), a shunt
        // reactor in the plant's own switchyard. Either way the plant keeps its set point. Capacitors near
        // one plant can push reactive power into another, so after 20 rounds they too go in the plant's
        // switchyard, where, the bus voltage being held, they change nothing else: the loop then settles.
        std::vector<double> q(c.buses.size(), 0.0), qmax(c.buses.size(), 0.0), qmin(c.buses.size(), 0.0);
        for (size_t g = 0; g < c.gens.size(); ++g) {
            const size_t i = size_t(c.gens[g].bus - 1);
            q[i] += r.qg_mvar[g];
            qmax[i] += c.gens[g].qmax_mvar;
            qmin[i] += c.gens[g].qmin_mvar;
        }
        for (size_t i = 0; i < c.buses.size(); ++i) {
            const bool over = q[i] > 0.98 * qmax[i], under = q[i] < 0.98 * qmin[i];
            if (c.buses[i].type == BusType::PQ || !(over || under)) continue;
            const bool local = under || iter >= 20;
            int best = local ? int(i) : -1;
            std::vector<int> hops(c.buses.size(), -1), frontier{int(i)};
            hops[i] = 0;
            for (size_t k = 0; k < frontier.size() && !local; ++k) {
                const int u = frontier[k];
                if (c.buses[size_t(u)].type == BusType::PQ &&
                    (best < 0 || r.vm_pu[size_t(u)] < r.vm_pu[size_t(best)]))
                    best = u;
                if (hops[size_t(u)] == 3) continue;
                for (int v : adjacent[size_t(u)])
                    if (hops[size_t(v)] < 0) hops[size_t(v)] = hops[size_t(u)] + 1, frontier.push_back(v);
            }
            if (best < 0) continue;
            const double excess = over ? q[i] - 0.98 * qmax[i] : 0.98 * qmin[i] - q[i];
            const double step = 10 * std::max(1.0, std::ceil(std::min(excess, 100.0) / 10));
            c.buses[size_t(best)].bs_mvar += over ? step : -step;
            changed = true;
        }
        if (!changed) break;
    }
    if (!r.converged)
        throw std::runtime_error("generate_grid: the AC power flow of the generated grid did not converge");
    // Batteries become voltage-controlling at the voltage their bus settled to, and a last solve.
    for (size_t i = 0; i < c.buses.size(); ++i)
        if (battery_bus[i]) {
            c.buses[i].type = BusType::PV;
            for (Gen& g : c.gens)
                if (g.bus == int(i) + 1) g.vg_pu = std::round(r.vm_pu[i] * 1e4) / 1e4;
        }
    r = ac_power_flow(c, 1e-8, 20);
    if (!r.converged)
        throw std::runtime_error("generate_grid: the AC power flow of the generated grid did not converge");
    for (size_t i = 0; i < c.buses.size(); ++i) {
        c.buses[i].vm_pu = r.vm_pu[i];
        c.buses[i].va_deg = r.va_deg[i];
    }
    for (size_t g = 0; g < c.gens.size(); ++g) {
        c.gens[g].qg_mvar = r.qg_mvar[g];
        if (g == slack_gen) c.gens[g].pg_mw = r.pg_mw[g];
    }
}

// [SECTION] Plant siting
// Candidate sites drawn at random and scored per fuel: nuclear and coal away from towns and low (cooling
// water lies in valleys), gas on the edge of the town it serves, hydro high (or near the region's edge on
// flat ground), wind high and open, solar near towns on low ground. The best of 48 candidates that keeps
// 8 km from other plants and 2 km from substations (scaled down in regions under 200 km) wins.
class Siting {
  public:
    Siting(const GeneratorParams& p, const Region& region, const std::vector<LoadCentre>& towns,
           const std::vector<double>& town_radius_m)
        : p_(p), region_(region), towns_(towns), radius_(town_radius_m) {
        if (p.terrain_height_m) {
            constexpr int n = 16;
            for (int i = 0; i < n; ++i)
                for (int j = 0; j < n; ++j) {
                    const double h =
                        p.terrain_height_m(region.clamp((i + 0.5) / n * 2 * region.half_m - region.half_m),
                                           region.clamp((j + 0.5) / n * 2 * region.half_m - region.half_m));
                    if (!std::isfinite(h)) continue;
                    h_min_ = std::min(h_min_, h);
                    h_max_ = std::max(h_max_, h);
                }
        }
    }

    double height01(double x, double y) const {
        if (!p_.terrain_height_m || !(h_max_ > h_min_)) return 0;
        const double h = p_.terrain_height_m(x, y);
        return std::isfinite(h) ? std::clamp((h - h_min_) / (h_max_ - h_min_), 0.0, 1.0) : 0;
    }

    // Distance from (x, y) to the edge of the nearest town's urban area (negative inside it).
    double town_gap_m(double x, double y) const {
        double gap = 1e300;
        for (size_t t = 0; t < towns_.size(); ++t)
            gap = std::min(gap, dist(x, y, towns_[t].x_m, towns_[t].y_m) - radius_[t]);
        return gap;
    }

    std::array<double, 2> site(Tier tier, int town, Rng& rng, const std::vector<Node>& nodes) const {
        const double km = region_.km(1);
        const double plant_gap = 8 * km, node_gap = 2 * km;
        double best_score = -1e300;
        std::array<double, 2> best{0, 0};
        bool best_ok = false;
        for (int k = 0; k < 48; ++k) {
            double x, y;
            if (tier == Tier::Gas || tier == Tier::Solar) {
                const LoadCentre& t = towns_[size_t(town)];
                const double r = radius_[size_t(town)] + rng.uniform(3, tier == Tier::Gas ? 15 : 25) * km;
                const double a = rng.uniform(0, 2 * std::numbers::pi);
                x = region_.clamp(t.x_m + r * std::cos(a));
                y = region_.clamp(t.y_m + r * std::sin(a));
            } else {
                x = rng.uniform(-0.95, 0.95) * region_.half_m;
                y = rng.uniform(-0.95, 0.95) * region_.half_m;
            }
            const double h = height01(x, y), gap = town_gap_m(x, y);
            double score = 0;
            switch (tier) {
                case Tier::Nuclear:
                    score = std::min(gap, 60 * km) / (60 * km) - 0.5 * h;
                    break;
                case Tier::Coal:
                    score = -std::abs(gap - 35 * km) / (35 * km) - 0.5 * h;
                    break;
                case Tier::Hydro:
                    score = (p_.terrain_height_m ? h : std::max(std::abs(x), std::abs(y)) / region_.half_m) +
                            0.3 * std::min(gap, 10 * km) / (10 * km);
                    break;
                case Tier::Wind:
                    score = 0.7 * h + 0.3 * std::min(gap, 30 * km) / (30 * km);
                    break;
                case Tier::Gas:
                case Tier::Solar:
                    score = -h + 0.1 * rng.uniform();
                    break;
                case Tier::Battery:
                    break;
            }
            bool ok = true;
            for (const Node& n : nodes)
                ok = ok && dist(x, y, n.x_m, n.y_m) >= (n.load ? node_gap : plant_gap);
            if ((ok && !best_ok) || (ok == best_ok && score > best_score)) {
                best = {x, y};
                best_score = score;
                best_ok = ok;
            }
        }
        return best;
    }

  private:
    const GeneratorParams& p_;
    const Region& region_;
    const std::vector<LoadCentre>& towns_;
    const std::vector<double>& radius_;
    double h_min_ = 1e300, h_max_ = -1e300;
};

int nearest_town(const std::vector<LoadCentre>& towns, double x, double y) {
    int best = 0;
    for (size_t t = 1; t < towns.size(); ++t)
        if (dist(x, y, towns[t].x_m, towns[t].y_m) <
            dist(x, y, towns[size_t(best)].x_m, towns[size_t(best)].y_m))
            best = int(t);
    return best;
}

// [SECTION] Steps of generate_grid
using Point = std::array<double, 2>;
double dist(const Node& a, const Point& c) {
    return dist(a.x_m, a.y_m, c[0], c[1]);
}

struct Towns {
    std::vector<LoadCentre> used;  // towns with at least one substation
    std::vector<int> substations;  // per used town
    std::vector<double> radius_m;  // per used town: radius of its urban area
    double total_weight = 0;
};

Towns choose_towns(const GeneratorParams& p, const Region& region) {
    const std::vector<LoadCentre> all = make_towns(p, region);
    const std::vector<int> count = allocate_substations(p.substations, all);
    Towns t;
    for (size_t k = 0; k < all.size(); ++k)
        if (count[k] > 0) {
            t.used.push_back(all[k]);
            t.substations.push_back(count[k]);
            t.total_weight += all[k].weight;
        }
    return t;
}

// Load substations, about one per 20 km^2 of town at full scale, the peak shared by town weight and, within
// a town, at random within +-30 %. Appends them to `nodes`.
void place_substations(const GeneratorParams& p, const Region& region, Towns& towns, Names& names,
                       std::vector<Node>& nodes) {
    Rng rng(p.seed, kSubstationStream);
    const double spacing_m = std::min(4000.0, 0.5 * p.extent_m / std::sqrt(double(p.substations)));
    const double golden_angle = std::numbers::pi * (3 - std::sqrt(5.0));
    towns.radius_m.assign(towns.used.size(), 0.0);
    for (size_t t = 0; t < towns.used.size(); ++t) {
        const LoadCentre& town = towns.used[t];
        const int n = towns.substations[t];
        towns.radius_m[t] = 0.6 * spacing_m * std::sqrt(double(n));
        const double turn = rng.uniform(0, 2 * std::numbers::pi);
        std::vector<double> share(static_cast<size_t>(n));
        double share_sum = 0;
        for (double& f : share) share_sum += (f = rng.uniform(0.7, 1.3));
        for (int i = 0; i < n; ++i) {
            Node node;
            const double r = n == 1 ? 0 : towns.radius_m[t] * std::sqrt((i + 0.5) / n);
            const double a = turn + i * golden_angle;
            node.x_m = region.clamp(town.x_m + r * std::cos(a) + rng.uniform(-0.25, 0.25) * spacing_m);
            node.y_m = region.clamp(town.y_m + r * std::sin(a) + rng.uniform(-0.25, 0.25) * spacing_m);
            node.town = int(t);
            node.load = true;
            node.pd_mw = p.peak_load_mw * town.weight / towns.total_weight * share[size_t(i)] / share_sum;
            const std::string where =
                i == 0 ? "" : std::string(" ") + compass(node.x_m - town.x_m, node.y_m - town.y_m);
            node.name = names.unique(town.name + where, kLowKv);
            nodes.push_back(node);
        }
    }
    // Substations of neighbouring towns may land on each other: push them apart.
    for (int pass = 0; pass < 4; ++pass)
        for (size_t i = 0; i < nodes.size(); ++i)
            for (size_t j = 0; j < i; ++j) {
                Node &a = nodes[i], &o = nodes[j];
                const double d = dist(a, o), need = 0.4 * spacing_m;
                if (d >= need) continue;
                const double ux = d > 1e-9 ? (a.x_m - o.x_m) / d : 1, uy = d > 1e-9 ? (a.y_m - o.y_m) / d : 0;
                a.x_m = region.clamp(a.x_m + ux * (need - d));
                a.y_m = region.clamp(a.y_m + uy * (need - d));
            }
}

// 345/138 kV regions: load-weighted k-means over the load substations (weighted farthest-point start,
// Lloyd steps). Returns, per region, the load substation nearest its centre, beside which its 345 kV
// substation will stand.
std::vector<int> choose_hub_sites(const std::vector<Node>& loads, int n_hubs) {
    const size_t n = loads.size();
    std::vector<Point> centre;
    size_t first = 0;
    for (size_t i = 1; i < n; ++i)
        if (loads[i].pd_mw > loads[first].pd_mw) first = i;
    centre.push_back({loads[first].x_m, loads[first].y_m});
    while (int(centre.size()) < n_hubs) {
        size_t far = 0;
        double far_score = -1;
        for (size_t i = 0; i < n; ++i) {
            double d = 1e300;
            for (const Point& c : centre) d = std::min(d, dist(loads[i], c));
            if (d * d * loads[i].pd_mw > far_score) far = i, far_score = d * d * loads[i].pd_mw;
        }
        centre.push_back({loads[far].x_m, loads[far].y_m});
    }
    auto nearest_centre = [&](const Node& node) {
        size_t best = 0;
        for (size_t h = 1; h < centre.size(); ++h)
            if (dist(node, centre[h]) < dist(node, centre[best])) best = h;
        return best;
    };
    for (int it = 0; it < 30; ++it) {
        std::vector<double> w(centre.size(), 0.0), x(centre.size(), 0.0), y(centre.size(), 0.0);
        for (const Node& node : loads) {
            const size_t h = nearest_centre(node);
            w[h] += node.pd_mw;
            x[h] += node.pd_mw * node.x_m;
            y[h] += node.pd_mw * node.y_m;
        }
        for (size_t h = 0; h < centre.size(); ++h)
            if (w[h] > 0) centre[h] = {x[h] / w[h], y[h] / w[h]};
    }
    std::vector<int> site;
    std::vector<char> taken(n, 0);
    for (const Point& c : centre) {
        size_t best = n;
        for (size_t i = 0; i < n; ++i)
            if (!taken[i] && (best == n || dist(loads[i], c) < dist(loads[best], c))) best = i;
        taken[best] = 1;
        site.push_back(int(best));
    }
    return site;
}

// The fleet's sites: each plant a bus of its own, named after the nearest town, 345 kV when large;
// gas and solar plants are shared among the towns by weight; batteries sit at the largest load substations.
void site_fleet(const GeneratorParams& p, const Region& region, const Towns& towns, int n_loads,
                const std::function<int(double, double)>& nearest_hub, std::vector<Plant>& fleet,
                Names& names, std::vector<Node>& nodes) {
    Rng rng(p.seed, kPlantStream);
    const Siting siting(p, region, towns.used, towns.radius_m);
    std::vector<int> gas_served(towns.used.size(), 0), solar_served(towns.used.size(), 0);
    std::vector<int> by_load(static_cast<size_t>(n_loads));
    for (int i = 0; i < n_loads; ++i) by_load[size_t(i)] = i;
    std::stable_sort(by_load.begin(), by_load.end(),
                     [&](int a, int c) { return nodes[size_t(a)].pd_mw > nodes[size_t(c)].pd_mw; });
    int batteries = 0;
    for (Plant& plant : fleet) {
        if (plant.tier == Tier::Battery) {
            plant.node = by_load[size_t(batteries++ % n_loads)];
            continue;
        }
        if (plant.tier == Tier::Gas || plant.tier == Tier::Solar) {
            // The town furthest below its weight's share of these plants so far.
            std::vector<int>& served = plant.tier == Tier::Gas ? gas_served : solar_served;
            int count = 0;
            for (int s : served) count += s;
            double best_deficit = -1e300;
            for (size_t t = 0; t < towns.used.size(); ++t) {
                const double deficit = (count + 1) * towns.used[t].weight / towns.total_weight - served[t];
                if (deficit > best_deficit + 1e-12) plant.town = int(t), best_deficit = deficit;
            }
            ++served[size_t(plant.town)];
        }
        const Point xy = siting.site(plant.tier, plant.town, rng, nodes);
        Node node;
        node.x_m = xy[0];
        node.y_m = xy[1];
        node.kv = plant.unit_mw * plant.units >= kPlantHighVoltageMw ? kHighKv : kLowKv;
        node.town = nearest_town(towns.used, xy[0], xy[1]);
        node.cluster = nearest_hub(xy[0], xy[1]);
        node.name =
            names.unique(towns.used[size_t(node.town)].name + " " + fuel_info(plant.tier).label, node.kv);
        plant.node = int(nodes.size());
        nodes.push_back(node);
    }
}

// The case's buses and generators (reference at the largest dispatchable plant), dispatched for the peak.
Case assemble_case(Builder& b, const std::vector<Plant>& fleet) {
    Case c;
    c.name = "infrascape_synthetic";
    c.base_mva = kBaseMva;
    for (size_t i = 0; i < b.nodes.size(); ++i) {
        Bus bus;
        bus.id = int(i) + 1;
        bus.pd_mw = b.nodes[i].pd_mw;
        bus.qd_mvar = bus.pd_mw * std::tan(std::acos(kLoadPowerFactor));
        bus.base_kv = b.nodes[i].kv;
        bus.zone = b.nodes[i].cluster + 1;
        bus.name = b.nodes[i].name;
        c.buses.push_back(bus);
    }
    double largest_mw = -1;
    for (const Plant& plant : fleet) {
        const FuelInfo& f = fuel_info(plant.tier);
        const bool inverter = plant.tier >= Tier::Wind;
        for (int u = 0; u < plant.units; ++u) {
            Gen g;
            g.bus = plant.node + 1;
            g.pmax_mw = plant.unit_mw;
            g.pmin_mw = f.pmin_fraction * plant.unit_mw;
            g.qmax_mvar = f.qmax_fraction * plant.unit_mw;
            g.qmin_mvar = f.qmin_fraction * plant.unit_mw;
            g.vg_pu = kPlantVgPu;
            g.mbase_mva = inverter ? plant.unit_mw : plant.unit_mw / 0.9;
            g.type = f.type;
            g.fuel = f.fuel;
            c.gens.push_back(g);
            b.gen_tier.push_back(plant.tier);
        }
        if (!inverter && plant.unit_mw * plant.units > largest_mw) {
            largest_mw = plant.unit_mw * plant.units;
            b.ref_node = plant.node;
        }
        c.buses[size_t(plant.node)].type = BusType::PV;
        c.buses[size_t(plant.node)].vm_pu = kPlantVgPu;
    }
    c.buses[size_t(b.ref_node)].type = BusType::Ref;
    double total_pd = 0;
    for (const Bus& bus : c.buses) total_pd += bus.pd_mw;
    dispatch(c.gens, b.gen_tier, slack_unit(c, b), total_pd);
    return c;
}

}  // namespace

double mean_bus_degree(const Case& c) {
    if (c.buses.empty()) return 0;
    std::set<std::pair<int, int>> pairs;
    for (const Branch& br : c.branches)
        if (br.status > 0 && br.from != br.to)
            pairs.insert({std::min(br.from, br.to), std::max(br.from, br.to)});
    return 2.0 * double(pairs.size()) / double(c.buses.size());
}

// [SECTION] generate_grid
GeneratedGrid generate_grid(const GeneratorParams& p) {
    check_params(p);
    const Region region{p.extent_m / 2, std::min(1.0, p.extent_m / 200000)};
    Builder b;
    Names names;
    Towns towns = choose_towns(p, region);
    place_substations(p, region, towns, names, b.nodes);
    const int n_loads = int(b.nodes.size());

    // One 345 kV substation per region, beside a load substation, named after it.
    const int n_hubs = std::clamp(std::max({2, (p.substations + kSubstationsPerHub - 1) / kSubstationsPerHub,
                                            int(std::ceil(p.peak_load_mw / kHubLoadMw))}),
                                  2, n_loads);
    const std::vector<int> hub_site = choose_hub_sites(b.nodes, n_hubs);
    std::vector<int> hub_node;
    for (int h = 0; h < n_hubs; ++h) {
        Node hub = b.nodes[size_t(hub_site[size_t(h)])];
        hub.kv = kHighKv;
        hub.cluster = h;
        hub.load = false;
        hub.pd_mw = 0;
        hub.name =
            names.unique(hub.name.substr(0, hub.name.size() - 4), kHighKv);  // "<place> 138" -> "<place> 345"
        hub_node.push_back(int(b.nodes.size()));
        b.nodes.push_back(hub);
    }
    auto nearest_hub = [&](double x, double y) {
        int best = 0;
        for (int h = 1; h < n_hubs; ++h)
            if (dist(x, y, b.nodes[size_t(hub_node[size_t(h)])].x_m,
                     b.nodes[size_t(hub_node[size_t(h)])].y_m) <
                dist(x, y, b.nodes[size_t(hub_node[size_t(best)])].x_m,
                     b.nodes[size_t(hub_node[size_t(best)])].y_m))
                best = h;
        return best;
    };
    for (int i = 0; i < n_loads; ++i)
        b.nodes[size_t(i)].cluster = nearest_hub(b.nodes[size_t(i)].x_m, b.nodes[size_t(i)].y_m);

    std::vector<Plant> fleet = plan_fleet(p);
    site_fleet(p, region, towns, n_loads, nearest_hub, fleet, names, b.nodes);

    // Topology: each region's 345 kV substation feeds its 138 kV network through two parallel
    // transformers to the 138 kV substation beside it; the 138 kV networks and the 345 kV backbone are
    // meshed separately; then bridges are removed.
    Topology topo(b.nodes);
    std::vector<std::vector<int>> low_members(static_cast<size_t>(n_hubs));
    std::vector<int> high_members;
    for (size_t i = 0; i < b.nodes.size(); ++i) {
        if (b.nodes[i].kv > 200)
            high_members.push_back(int(i));
        else
            low_members[size_t(b.nodes[i].cluster)].push_back(int(i));
    }
    for (int h = 0; h < n_hubs; ++h) topo.add_transformer(hub_node[size_t(h)], hub_site[size_t(h)], 2);
    topo.mesh(high_members, kHighLayerDegree);
    for (const auto& m : low_members) topo.mesh(m, kLowLayerDegree);
    topo.remove_bridges();

    // Ratings and reinforcement from the N-1 flows: only upward until stable, then once more from the
    // smallest designs (flows have moved since the first choices), then upward again.
    Case c = assemble_case(b, fleet);
    std::vector<int> branch_corridor;
    set_branches(c, b.nodes, topo.corridors, branch_corridor);
    for (int it = 0; it < 30 && size_corridors(c, b.nodes, topo.corridors, branch_corridor, true); ++it) {
    }
    size_corridors(c, b.nodes, topo.corridors, branch_corridor, false);
    for (int it = 0; it < 30 && size_corridors(c, b.nodes, topo.corridors, branch_corridor, true); ++it) {
    }

    solve_ac(c, b);

    GeneratedGrid out;
    out.grid = std::move(c);
    for (const Node& n : b.nodes) {
        out.bus_xy_m.push_back({n.x_m, n.y_m});
        out.bus_town.push_back(n.town);
    }
    for (const LoadCentre& t : towns.used) out.town_names.push_back(t.name);
    out.towns = towns.used;
    for (int k : branch_corridor) {
        const Corridor& cor = topo.corridors[size_t(k)];
        out.branch_length_km.push_back(cor.transformer ? 0 : cor.length_km);
    }
    return out;
}

}  // namespace infrascape::grid
