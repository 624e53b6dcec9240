// Island-aware DC power flow (MATPOWER's makeBdc.m model solved island by island, each balanced by its own
// generators or by load shedding) with a cache of the topology and its sparse LDL' factorisation, and the
// cascade driver (dwell-time and instantaneous overload trips, re-solved round by round). See cascade.hpp.
#include "modules/grid/cascade.hpp"

#include <Eigen/Sparse>
#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <unordered_map>

namespace infrascape::grid {

namespace {

constexpr double kRadPerDeg = std::numbers::pi / 180.0;

// Union-find with path halving, for the islands of the in-service branch graph.
int find_root(std::vector<int>& parent, int i) {
    while (parent[size_t(i)] != i) {
        parent[size_t(i)] = parent[size_t(parent[size_t(i)])];
        i = parent[size_t(i)];
    }
    return i;
}

// Everything the branch graph depends on, flattened, so that an unchanged topology is one vector comparison.
// Generator status and pmax only move island references, checked separately (IslandDcFlow::Cache::update_gens).
void topology_key(const Case& c, const std::vector<char>& out, std::vector<double>& key) {
    key.clear();
    key.reserve(3 + c.buses.size() * 2 + c.branches.size() * 6 + c.gens.size());
    key.push_back(double(c.buses.size()));
    key.push_back(double(c.branches.size()));
    key.push_back(double(c.gens.size()));
    for (const Bus& b : c.buses) {
        key.push_back(double(b.id));
        key.push_back(double(int(b.type)));
    }
    for (size_t l = 0; l < c.branches.size(); ++l) {
        const Branch& br = c.branches[l];
        key.push_back(double(br.from));
        key.push_back(double(br.to));
        key.push_back(br.status > 0 && (out.empty() || !out[l]) ? 1.0 : 0.0);
        key.push_back(br.x_pu);
        key.push_back(br.ratio);
        key.push_back(br.angle_deg);
    }
    for (const Gen& g : c.gens) key.push_back(double(g.bus));
}

}  // namespace

// [SECTION] Topology cache

struct IslandDcFlow::Cache {
    std::vector<double> key;
    int nb = 0;
    std::vector<int> from, to;         // per branch: bus indices
    std::vector<char> on;              // per branch: in service (status, `out`, not at an isolated bus)
    std::vector<int> gen_bus;          // per gen: bus index
    std::vector<char> gen_on;          // per gen: in service and not at an isolated bus
    std::vector<double> b, pfinj;      // per branch, p.u. (makeBdc.m: b = 1 / (x tap), Pfinj = -b shift)
    std::vector<double> pbusinj;       // per bus, p.u.
    std::vector<int> island_of_bus;    // per bus
    std::vector<std::vector<int>> island_buses, island_gens;
    std::vector<int> island_ref;       // per island: its reference bus
    std::vector<int> red;              // per bus: row of the reduced B, -1 for a reference
    std::vector<int> factored_ref;     // the references the factorisation was made with
    int n_red = 0;
    Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>> ldlt;
    Eigen::VectorXd rhs;
    std::vector<double> pbus, va_rad;  // per bus work space

    void build(const Case& c, const std::vector<char>& out);  // the branch graph and its islands
    bool update_gens(const Case& c);  // gens in service and island references; true when the references moved
    void factorise(const Case& c);    // the reduced B for the current references
};

void IslandDcFlow::Cache::build(const Case& c, const std::vector<char>& out) {
    nb = int(c.buses.size());
    const size_t nl = c.branches.size(), ng = c.gens.size();
    std::unordered_map<int, int> index_of_id;
    index_of_id.reserve(size_t(nb) * 2);
    for (int i = 0; i < nb; ++i)
        if (!index_of_id.emplace(c.buses[size_t(i)].id, i).second)
            throw std::runtime_error(c.name + ": bus " + std::to_string(c.buses[size_t(i)].id) + " is defined twice");
    auto index = [&](int id, const char* what, size_t which) {
        auto it = index_of_id.find(id);
        if (it == index_of_id.end())
            throw std::runtime_error(c.name + ": " + what + " " + std::to_string(which + 1) + " refers to bus " +
                                     std::to_string(id) + ", which does not exist");
        return it->second;
    };
    auto isolated = [&](int i) { return c.buses[size_t(i)].type == BusType::Isolated; };

    from.assign(nl, -1);
    to.assign(nl, -1);
    on.assign(nl, 0);
    b.assign(nl, 0.0);
    pfinj.assign(nl, 0.0);
    pbusinj.assign(size_t(nb), 0.0);
    for (size_t l = 0; l < nl; ++l) {
        const Branch& br = c.branches[l];
        from[l] = index(br.from, "branch", l);
        to[l] = index(br.to, "branch", l);
        if (br.status <= 0 || (!out.empty() && out[l]) || isolated(from[l]) || isolated(to[l])) continue;
        const double tap = br.ratio != 0 ? br.ratio : 1.0;
        const double bl = 1.0 / (br.x_pu * tap);
        if (!std::isfinite(bl))
            throw std::runtime_error(c.name + ": branch " + std::to_string(l + 1) + " (" + std::to_string(br.from) +
                                     "-" + std::to_string(br.to) + ") has x * tap = 0; the DC model needs a reactance");
        on[l] = 1;
        b[l] = bl;
        pfinj[l] = bl * (-br.angle_deg * kRadPerDeg);
        pbusinj[size_t(from[l])] += pfinj[l];
        pbusinj[size_t(to[l])] -= pfinj[l];
    }
    gen_bus.assign(ng, -1);
    for (size_t g = 0; g < ng; ++g) gen_bus[g] = index(c.gens[g].bus, "generator", g);

    // Islands: connected components of the in-service branches, numbered by their lowest bus.
    std::vector<int> parent(static_cast<size_t>(nb));
    for (int i = 0; i < nb; ++i) parent[size_t(i)] = i;
    for (size_t l = 0; l < nl; ++l) {
        if (!on[l]) continue;
        const int rf = find_root(parent, from[l]), rt = find_root(parent, to[l]);
        if (rf != rt) parent[size_t(std::max(rf, rt))] = std::min(rf, rt);
    }
    island_of_bus.assign(size_t(nb), -1);
    island_buses.clear();
    std::vector<int> island_of_root(size_t(nb), -1);
    for (int i = 0; i < nb; ++i) {
        const int r = find_root(parent, i);
        if (island_of_root[size_t(r)] < 0) {
            island_of_root[size_t(r)] = int(island_buses.size());
            island_buses.emplace_back();
        }
        island_of_bus[size_t(i)] = island_of_root[size_t(r)];
        island_buses[size_t(island_of_bus[size_t(i)])].push_back(i);
    }
    factored_ref.clear();
    rhs.resize(0);
    pbus.assign(size_t(nb), 0.0);
    va_rad.assign(size_t(nb), 0.0);
}

bool IslandDcFlow::Cache::update_gens(const Case& c) {
    const size_t ng = c.gens.size(), ni = island_buses.size();
    gen_on.assign(ng, 0);
    for (auto& gens : island_gens) gens.clear();
    island_gens.resize(ni);
    for (size_t g = 0; g < ng; ++g) {
        gen_on[g] = c.gens[g].status > 0 && c.buses[size_t(gen_bus[g])].type != BusType::Isolated;
        if (gen_on[g]) island_gens[size_t(island_of_bus[size_t(gen_bus[g])])].push_back(int(g));
    }
    // References: the case's first reference bus in the island, else the bus of its largest-pmax gen, else
    // its first bus (a dark island, solved with zero injections).
    island_ref.assign(ni, -1);
    for (size_t k = 0; k < ni; ++k) {
        for (int i : island_buses[k])
            if (c.buses[size_t(i)].type == BusType::Ref) {
                island_ref[k] = i;
                break;
            }
        if (island_ref[k] >= 0) continue;
        int best = -1;
        for (int g : island_gens[k])
            if (best < 0 || c.gens[size_t(g)].pmax_mw > c.gens[size_t(best)].pmax_mw) best = g;
        island_ref[k] = best >= 0 ? gen_bus[size_t(best)] : island_buses[k].front();
    }
    return island_ref != factored_ref;
}

void IslandDcFlow::Cache::factorise(const Case& c) {
    const size_t nl = from.size();
    factored_ref.clear();  // stays invalid if the factorisation fails
    // Reduced B (makeBdc.m's Bbus with each island's reference row and column removed): block diagonal over
    // the islands, so one LDL' factorisation (AMD ordering) serves them all.
    red.assign(size_t(nb), 0);
    for (int r : island_ref) red[size_t(r)] = -1;
    n_red = 0;
    for (int i = 0; i < nb; ++i)
        if (red[size_t(i)] >= 0) red[size_t(i)] = n_red++;
    std::vector<Eigen::Triplet<double>> trip;
    trip.reserve(nl * 4);
    for (size_t l = 0; l < nl; ++l) {
        if (!on[l]) continue;
        const int rf = red[size_t(from[l])], rt = red[size_t(to[l])];
        if (rf >= 0) trip.emplace_back(rf, rf, b[l]);
        if (rt >= 0) trip.emplace_back(rt, rt, b[l]);
        if (rf >= 0 && rt >= 0) {
            trip.emplace_back(rf, rt, -b[l]);
            trip.emplace_back(rt, rf, -b[l]);
        }
    }
    if (n_red > 0) {
        Eigen::SparseMatrix<double> bred(n_red, n_red);
        bred.setFromTriplets(trip.begin(), trip.end());
        ldlt.compute(bred);
        if (ldlt.info() != Eigen::Success)
            throw std::runtime_error(c.name + ": the DC power flow matrix B of an island is singular");
    }
    rhs.resize(n_red);
    factored_ref = island_ref;
}

// [SECTION] Island balancing
// A distributed slack: participation factors (A. J. Wood, B. F. Wollenberg, G. B. Sheble, "Power Generation,
// Operation and Control", 3rd ed., Wiley 2014, ch. 3, base point and participation factors) set to each unit's
// headroom in the direction of the change, then pro-rata load shedding or below-minimum curtailment; see
// island_dc_flow in cascade.hpp for the rules.
namespace {

struct Balance {
    double demand_mw = 0, generation_mw = 0, served_mw = 0;
    bool energised = false;
};

Balance balance_island(const Case& c, const std::vector<int>& buses, const std::vector<int>& gens,
                       std::vector<double>& served_mw, std::vector<double>& pg_mw) {
    Balance out;
    double positive_mw = 0;
    for (int i : buses) {
        const double d = c.buses[size_t(i)].pd_mw + c.buses[size_t(i)].gs_mw;
        served_mw[size_t(i)] = d;
        out.demand_mw += d;
        positive_mw += std::max(d, 0.0);
    }
    auto dark = [&] {
        for (int i : buses) served_mw[size_t(i)] = 0;
        for (int g : gens) pg_mw[size_t(g)] = 0;
        out.generation_mw = out.served_mw = 0;
        out.energised = false;
        return out;
    };
    if (gens.empty()) return dark();

    double requested = 0, hi_sum = 0, lo_sum = 0, lo_positive = 0, up = 0, down = 0;
    auto lo_of = [&](int g) { return std::min(c.gens[size_t(g)].pmin_mw, c.gens[size_t(g)].pg_mw); };
    auto hi_of = [&](int g) { return std::max(c.gens[size_t(g)].pmax_mw, c.gens[size_t(g)].pg_mw); };
    for (int g : gens) {
        const double pg = c.gens[size_t(g)].pg_mw, lo = lo_of(g), hi = hi_of(g);
        requested += pg;
        hi_sum += hi;
        lo_sum += lo;
        lo_positive += std::max(lo, 0.0);
        up += hi - pg;
        down += pg - lo;
    }
    if (out.demand_mw >= requested) {
        const double need = out.demand_mw - requested;
        if (need <= up) {
            for (int g : gens) {
                const double pg = c.gens[size_t(g)].pg_mw;
                pg_mw[size_t(g)] = up > 0 ? pg + need * (hi_of(g) - pg) / up : pg;
            }
        } else {
            if (hi_sum <= 0) return dark();
            // shortfall > 0 and demand > hi_sum > 0, so positive_mw >= demand > shortfall.
            const double shortfall = out.demand_mw - hi_sum;
            for (int g : gens) pg_mw[size_t(g)] = hi_of(g);
            for (int i : buses) {
                const double d = served_mw[size_t(i)];
                if (d > 0) served_mw[size_t(i)] = d - shortfall * d / positive_mw;
            }
        }
    } else {
        const double excess = requested - out.demand_mw;
        if (excess <= down) {
            for (int g : gens) {
                const double pg = c.gens[size_t(g)].pg_mw;
                pg_mw[size_t(g)] = down > 0 ? pg - excess * (pg - lo_of(g)) / down : pg;
            }
        } else {
            // Every gen at its minimum still exceeds demand: curtail the positive minima pro rata (below pmin).
            const double below = lo_sum - out.demand_mw;
            if (below > lo_positive) return dark();  // net negative demand that no generation can absorb
            for (int g : gens) {
                const double lo = lo_of(g);
                pg_mw[size_t(g)] = lo - (lo_positive > 0 ? below * std::max(lo, 0.0) / lo_positive : 0.0);
            }
        }
    }
    bool any = false;
    for (int g : gens) {
        out.generation_mw += pg_mw[size_t(g)];
        any = any || pg_mw[size_t(g)] != 0;
    }
    if (!any) return dark();  // gens with nothing to serve
    for (int i : buses) out.served_mw += served_mw[size_t(i)];
    out.energised = true;
    return out;
}

}  // namespace

// [SECTION] Island DC power flow

IslandDcFlow::IslandDcFlow() = default;
IslandDcFlow::~IslandDcFlow() = default;
IslandDcFlow::IslandDcFlow(IslandDcFlow&&) noexcept = default;
IslandDcFlow& IslandDcFlow::operator=(IslandDcFlow&&) noexcept = default;

const FlowState& IslandDcFlow::solve(const Case& c, const std::vector<char>& out, double rating_factor) {
    if (!out.empty() && out.size() != c.branches.size())
        throw std::invalid_argument(c.name + ": island_dc_flow needs `out` empty or with one entry per branch (" +
                                    std::to_string(c.branches.size()) + "), got " + std::to_string(out.size()));
    if (!(rating_factor > 0))
        throw std::invalid_argument(c.name + ": island_dc_flow needs rating_factor > 0, got " +
                                    std::to_string(rating_factor));
    if (!cache_) cache_ = std::make_unique<Cache>();
    Cache& k = *cache_;
    std::vector<double> key;
    topology_key(c, out, key);
    if (key != k.key) {
        k.key.clear();  // stays invalid if build throws
        k.build(c, out);
        k.key = std::move(key);
    }
    if (k.update_gens(c)) {
        k.factorise(c);
        ++factorisations_;
    }

    const size_t nb = c.buses.size(), nl = c.branches.size(), ng = c.gens.size();
    const double base = c.base_mva;
    FlowState& f = flows_;
    f.pf_mw.assign(nl, 0.0);
    f.loading_pct.assign(nl, 0.0);
    f.island_of_bus = k.island_of_bus;
    f.served_pd_mw.assign(nb, 0.0);
    f.gen_pg_mw.assign(ng, 0.0);
    f.va_deg.assign(nb, 0.0);
    f.shed_mw = 0;
    f.islands.resize(k.island_buses.size());
    for (size_t s = 0; s < k.island_buses.size(); ++s) {
        Island& is = f.islands[s];
        is.buses = k.island_buses[s];
        const Balance bal = balance_island(c, k.island_buses[s], k.island_gens[s], f.served_pd_mw, f.gen_pg_mw);
        is.demand_mw = bal.demand_mw;
        is.generation_mw = bal.generation_mw;
        is.shed_mw = bal.demand_mw - bal.served_mw;
        is.energised = bal.energised;
        f.shed_mw += is.shed_mw;
    }

    // Pbus = (Cg Pg - Pd - Gs) / baseMVA - Pbusinj in energised islands; dark islands carry nothing.
    for (size_t i = 0; i < nb; ++i) {
        const bool lit = f.islands[size_t(k.island_of_bus[i])].energised;
        k.pbus[i] = lit ? -f.served_pd_mw[i] / base - k.pbusinj[i] : 0.0;
        k.va_rad[i] = 0.0;
    }
    for (size_t g = 0; g < ng; ++g)
        if (k.gen_on[g]) k.pbus[size_t(k.gen_bus[g])] += f.gen_pg_mw[g] / base;
    for (int r : k.island_ref)
        if (f.islands[size_t(k.island_of_bus[size_t(r)])].energised)
            k.va_rad[size_t(r)] = c.buses[size_t(r)].va_deg * kRadPerDeg;

    // Va(non-ref) = Bred \ (Pbus(non-ref) - B(non-ref, ref) Va(ref)), as dcpf.m, island by island in one solve.
    for (size_t i = 0; i < nb; ++i)
        if (k.red[i] >= 0) k.rhs[k.red[i]] = k.pbus[i];
    for (size_t l = 0; l < nl; ++l) {
        if (!k.on[l]) continue;
        const int rf = k.red[size_t(k.from[l])], rt = k.red[size_t(k.to[l])];
        if (rf >= 0 && rt < 0) k.rhs[rf] += k.b[l] * k.va_rad[size_t(k.to[l])];
        if (rt >= 0 && rf < 0) k.rhs[rt] += k.b[l] * k.va_rad[size_t(k.from[l])];
    }
    if (k.n_red > 0) {
        const Eigen::VectorXd x = k.ldlt.solve(k.rhs);
        for (size_t i = 0; i < nb; ++i)
            if (k.red[i] >= 0) k.va_rad[i] = x[k.red[i]];
    }
    for (size_t i = 0; i < nb; ++i) f.va_deg[i] = k.va_rad[i] / kRadPerDeg;

    // PF = (Bf Va + Pfinj) baseMVA (makeBdc.m, dcpf.m); zero in dark islands.
    for (size_t l = 0; l < nl; ++l) {
        if (!k.on[l] || !f.islands[size_t(k.island_of_bus[size_t(k.from[l])])].energised) continue;
        const double flow = k.b[l] * (k.va_rad[size_t(k.from[l])] - k.va_rad[size_t(k.to[l])]) + k.pfinj[l];
        f.pf_mw[l] = flow * base;
        const double rate = c.branches[l].rate_a_mva * rating_factor;
        if (c.branches[l].rate_a_mva > 0) f.loading_pct[l] = std::abs(f.pf_mw[l]) / rate * 100.0;
    }
    return f;
}

FlowState island_dc_flow(const Case& c, const std::vector<char>& out, double rating_factor) {
    IslandDcFlow solver;
    return solver.solve(c, out, rating_factor);
}

// [SECTION] Cascade

Cascade::Cascade(const Case& c, CascadeParams p)
    : n_bus_(c.buses.size()), n_gen_(c.gens.size()), n_branch_(c.branches.size()) {
    set_params(p);
    out_.assign(n_branch_, 0);
    timer_s_.assign(n_branch_, 0.0);
}

void Cascade::set_params(const CascadeParams& p) {
    if (!(p.dwell_s >= 0) || !(p.trip_pct > 0) || !(p.instant_trip_pct >= p.trip_pct))
        throw std::invalid_argument("cascade parameters need dwell_s >= 0, trip_pct > 0 and instant_trip_pct >= "
                                    "trip_pct");
    params_ = p;
}

void Cascade::trip(int branch, double t_s) {
    if (branch < 0 || size_t(branch) >= n_branch_)
        throw std::invalid_argument("Cascade::trip: branch " + std::to_string(branch) + " is not in 0.." +
                                    std::to_string(n_branch_) + ")");
    pending_.emplace_back(branch, t_s);
}

void Cascade::restore() {
    std::fill(out_.begin(), out_.end(), 0);
    std::fill(timer_s_.begin(), timer_s_.end(), 0.0);
    pending_.clear();
    events_.clear();
    stages_.clear();
}

void Cascade::apply_trips(const Case& op, double t_s, double rating_factor, std::vector<TripEvent> trips) {
    const int stage = int(stages_.size());
    Stage st;
    st.t_s = t_s;
    for (TripEvent& e : trips) {
        e.loading_pct = solver_.flows().loading_pct[size_t(e.branch)];
        e.stage = stage;
        out_[size_t(e.branch)] = 1;
        timer_s_[size_t(e.branch)] = 0;
        st.tripped.push_back(e.branch);
        events_.push_back(std::move(e));
    }
    std::sort(st.tripped.begin(), st.tripped.end());
    st.flows = solver_.solve(op, out_, rating_factor);
    stages_.push_back(std::move(st));
}

const FlowState& Cascade::step(const Case& op, double t_s, double dt_s, double rating_factor) {
    if (op.buses.size() != n_bus_ || op.gens.size() != n_gen_ || op.branches.size() != n_branch_)
        throw std::invalid_argument(op.name + ": Cascade::step needs the operating point of the case it was built for");
    if (!(dt_s >= 0)) throw std::invalid_argument("Cascade::step needs dt_s >= 0");
    const FlowState* f = &solver_.solve(op, out_, rating_factor);
    if (stages_.empty()) stages_.push_back({t_s, {}, *f});

    // Manual trips (an already-out branch is ignored).
    if (!pending_.empty()) {
        std::vector<TripEvent> trips;
        for (const auto& [branch, when] : pending_) {
            const bool already = std::any_of(trips.begin(), trips.end(), [&](const TripEvent& e) {
                return e.branch == branch;
            });
            if (out_[size_t(branch)] || op.branches[size_t(branch)].status <= 0 || already) continue;
            trips.push_back({when, branch, 0.0, 0, "manual"});
        }
        pending_.clear();
        if (!trips.empty()) apply_trips(op, t_s, rating_factor, std::move(trips));
        f = &solver_.flows();
    }

    // Over-rating timers: advanced by dt_s while above trip_pct, reset at or below it.
    for (size_t l = 0; l < n_branch_; ++l) {
        const double pct = f->loading_pct[l];
        timer_s_[l] = !out_[l] && pct > params_.trip_pct ? timer_s_[l] + dt_s : 0.0;
    }
    // Rounds of trips: each re-solve may push other branches over the instantaneous limit.
    for (;;) {
        std::vector<TripEvent> trips;
        for (size_t l = 0; l < n_branch_; ++l) {
            if (out_[l] || op.branches[l].status <= 0) continue;
            if (f->loading_pct[l] > params_.instant_trip_pct) trips.push_back({t_s, int(l), 0.0, 0, "instant"});
            else if (timer_s_[l] > params_.dwell_s) trips.push_back({t_s, int(l), 0.0, 0, "overload"});
        }
        if (trips.empty()) break;
        apply_trips(op, t_s, rating_factor, std::move(trips));
        f = &solver_.flows();
        for (size_t l = 0; l < n_branch_; ++l)
            if (out_[l] || f->loading_pct[l] <= params_.trip_pct) timer_s_[l] = 0.0;
    }
    return *f;
}

}  // namespace infrascape::grid
