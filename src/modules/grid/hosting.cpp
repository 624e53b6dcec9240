// Hosting capacity per bus; see hosting.hpp for the LP, the screening bound and their sources.
#include "modules/grid/hosting.hpp"

#include <coin/ClpSimplex.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>
#include <iomanip>
#include <ostream>
#include <memory>
#include <mutex>
#include <numeric>
#include <set>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>

#include "modules/grid/dc_network.hpp"
#include "modules/grid/opf.hpp"
#include "modules/grid/power_flow.hpp"

namespace infrascape::grid {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kTiny = 1e-10;  // sensitivities below this are the factorization's round-off
constexpr double kSparseLodf = 0.02;  // the N-1 screen's threshold between its dense and sparse parts
constexpr double kRadPerDeg = 3.14159265358979323846 / 180.0;

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A monitored row: branch l in the base case (k = -1), its angle difference (k = -2), or branch l after the
// outage of branch k (d = LODF_lk). Internal branch indices.
struct Row {
    int l = 0, k = -1;
    double d = 0;
};

// What every worker reads: the network, its limits and the sensitivities, built once.
struct Shared {
    Network net;
    DcModel m;
    std::unique_ptr<DcFlows> flows;
    double base = 100;
    int nb = 0, ng = 0, nl = 0;
    bool n1 = false;
    double tol_pu = 0;
    std::vector<int> gbus;                   // per LP unit (the movable units of one bus): its bus
    std::vector<double> pmin, pmax;          // ... and its summed limits, p.u.
    std::vector<double> rate;                // per internal branch, p.u. (0: unrated)
    std::vector<double> angmin, angmax;      // per internal branch, rad (+-inf: none)
    std::vector<double> fixed_inj, f0;       // the loads' own injections (per bus) and flows (per branch), p.u.
    double demand = 0, headroom = 0;         // sum of the loads; sum Pmax - demand (p.u.)
    std::vector<double> ptdf;                // N-1 only: [l * nb + i]
    std::vector<float> lodf_by_monitored;    // N-1 only: [l * nl + k] (0 for an islanding k)
    std::vector<uint32_t> sparse_start;      // N-1 only: per outage k, its entries |LODF_lk| > kSparseLodf
    std::vector<int> sparse_l;
    std::vector<float> sparse_d;
    std::vector<double> inv;                 // N-1 only: 1 / (1 - H_kk) per outage k (LODF_lk = (P_l,f_k - P_l,t_k) inv_k)
    std::vector<char> islanding;             // N-1 only: the outage of k splits the grid
    std::vector<float> rate_f;               // N-1 only: rate, +inf for an unrated branch (for the screen)

    double lodf_exact(int l, int k) const {
        const double* p = ptdf.data() + size_t(l) * size_t(nb);
        return (p[net.f[size_t(k)]] - p[net.t[size_t(k)]]) * inv[size_t(k)];
    }
    // The row's limits on its flow F0 + a.x (p.u.).
    std::pair<double, double> limits(const Row& r) const {
        if (r.k == -2) {
            const double b = m.b[size_t(r.l)], lo = b * angmin[size_t(r.l)], hi = b * angmax[size_t(r.l)];
            return {std::min(lo, hi) + m.pfinj[size_t(r.l)], std::max(lo, hi) + m.pfinj[size_t(r.l)]};
        }
        return {-rate[size_t(r.l)], rate[size_t(r.l)]};
    }
    double fixed_flow(const Row& r) const { return f0[size_t(r.l)] + (r.k >= 0 ? r.d * f0[size_t(r.k)] : 0.0); }
    // The row's sensitivities to every bus's injection.
    void row_over_buses(const Row& r, std::vector<double>& a) const {
        if (!ptdf.empty()) {
            a.assign(ptdf.begin() + ptrdiff_t(size_t(r.l) * size_t(nb)), ptdf.begin() + ptrdiff_t(size_t(r.l + 1) * size_t(nb)));
            if (r.k >= 0)
                for (int i = 0; i < nb; ++i) a[size_t(i)] += r.d * ptdf[size_t(r.k) * size_t(nb) + size_t(i)];
            return;
        }
        flows->ptdf_row(r.l, a);  // no outage rows without N-1
    }
};

// [SECTION] The screening bound: one row's continuous knapsack for every bus at once.
// With lambda = sum Pg - D, the row's flow is F0 + a_b D + sum_g (a_g - a_b) Pg. From every unit at Pmax
// (the most generation), a flow above `hi` is brought down by backing off the units with a_g > a_b, the
// largest a_g first (each MW backed off lowers the flow by a_g - a_b and lambda by 1), and a flow below `lo`
// by backing off those with a_g < a_b, the smallest first: the greedy order is optimal for a one-constraint
// LP, and the order of a_g is the same for every bus.
// The rows whose single-row bounds are tightest at each bus: the LP starts from them (kSeeds per bus).
constexpr int kSeeds = 8;
struct Seeds {
    std::vector<float> value;  // [bus * kSeeds + j], ascending within a bus
    std::vector<int> row;      // index into the bound's rows, -1: none
    explicit Seeds(int nb) : value(size_t(nb) * kSeeds, std::numeric_limits<float>::infinity()), row(size_t(nb) * kSeeds, -1) {}
    void offer(int bus, float v, int r) {
        float* val = value.data() + size_t(bus) * kSeeds;
        int* rr = row.data() + size_t(bus) * kSeeds;
        if (!(v < val[kSeeds - 1])) return;
        int j = kSeeds - 1;
        for (; j > 0 && val[j - 1] > v; --j) val[j] = val[j - 1], rr[j] = rr[j - 1];
        val[j] = v, rr[j] = r;
    }
};

void knapsack_bounds(const Shared& s, const std::vector<double>& a, double f0, double lo, double hi,
                     std::vector<double>& bound, Seeds& seeds, int row_id) {
    const int ng = s.ng;
    std::vector<int> order(static_cast<size_t>(ng));
    std::iota(order.begin(), order.end(), 0);
    std::vector<double> ag(static_cast<size_t>(ng));
    for (int g = 0; g < ng; ++g) ag[size_t(g)] = a[size_t(s.gbus[size_t(g)])];
    std::sort(order.begin(), order.end(), [&](int x, int y) { return ag[size_t(x)] > ag[size_t(y)]; });
    // Prefix sums from the top (C, W) and from the bottom (Cb, Wb) of the order: capacity and a x capacity.
    std::vector<double> sorted_a(static_cast<size_t>(ng)), C(size_t(ng) + 1, 0.0), W(size_t(ng) + 1, 0.0), Cb(size_t(ng) + 1, 0.0),
        Wb(size_t(ng) + 1, 0.0);
    double sa = 0, sp = 0;
    for (int j = 0; j < ng; ++j) {
        const int g = order[size_t(j)];
        const double cap = s.pmax[size_t(g)] - s.pmin[size_t(g)];
        sorted_a[size_t(j)] = ag[size_t(g)];
        C[size_t(j) + 1] = C[size_t(j)] + cap;
        W[size_t(j) + 1] = W[size_t(j)] + ag[size_t(g)] * cap;
        sa += ag[size_t(g)] * s.pmax[size_t(g)];
        sp += s.pmax[size_t(g)];
    }
    for (int j = 0; j < ng; ++j) {
        const int g = order[size_t(ng - 1 - j)];
        const double cap = s.pmax[size_t(g)] - s.pmin[size_t(g)];
        Cb[size_t(j) + 1] = Cb[size_t(j)] + cap;
        Wb[size_t(j) + 1] = Wb[size_t(j)] + ag[size_t(g)] * cap;
    }
    for (int i = 0; i < s.nb; ++i) {
        const double ab = a[size_t(i)];
        const double fmax = f0 + ab * s.demand + sa - ab * sp;
        double lost = 0;
        if (fmax > hi) {
            const double need = fmax - hi;
            // Units with a_g > a_b: the first J of the order.
            const int J = int(std::partition_point(sorted_a.begin(), sorted_a.end(), [&](double v) { return v > ab; }) -
                              sorted_a.begin());
            auto red = [&](int j) { return W[size_t(j)] - ab * C[size_t(j)]; };
            if (red(J) < need) {
                bound[size_t(i)] = -std::numeric_limits<double>::infinity();
                seeds.offer(i, -std::numeric_limits<float>::infinity(), row_id);
                continue;
            }
            int lo_j = 0, hi_j = J;  // red(lo_j) < need <= red(hi_j)
            while (hi_j - lo_j > 1) {
                const int mid = (lo_j + hi_j) / 2;
                (red(mid) >= need ? hi_j : lo_j) = mid;
            }
            lost = C[size_t(lo_j)] + (need - red(lo_j)) / (sorted_a[size_t(lo_j)] - ab);
        } else if (fmax < lo) {
            const double need = lo - fmax;
            const int J = int(sorted_a.end() - std::partition_point(sorted_a.begin(), sorted_a.end(),
                                                                    [&](double v) { return v >= ab; }));
            auto inc = [&](int j) { return ab * Cb[size_t(j)] - Wb[size_t(j)]; };
            if (inc(J) < need) {
                bound[size_t(i)] = -std::numeric_limits<double>::infinity();
                seeds.offer(i, -std::numeric_limits<float>::infinity(), row_id);
                continue;
            }
            int lo_j = 0, hi_j = J;
            while (hi_j - lo_j > 1) {
                const int mid = (lo_j + hi_j) / 2;
                (inc(mid) >= need ? hi_j : lo_j) = mid;
            }
            lost = Cb[size_t(lo_j)] + (need - inc(lo_j)) / (ab - sorted_a[size_t(ng - 1 - lo_j)]);
        }
        if (lost > 0) seeds.offer(i, float(sp - s.demand - lost), row_id);
        bound[size_t(i)] = std::min(bound[size_t(i)], sp - s.demand - lost);
    }
}

// [SECTION] The exact LP, one worker per thread: its own CLP model and its own pool of monitored rows.
class Worker {
public:
    explicit Worker(const Shared& s) : s_(s) {
        model_.setLogLevel(0);
        // No scaling: CLP's automatic scaling of these dense PTDF rows (entries from 1 down to round-off) made
        // its simplex stop at points short of the optimum (up to 7% below it on ACTIVSg2000); unscaled, the
        // primal and dual simplex agree with each other and with the bisection over full OPF solves.
        model_.scaling(0);
        std::vector<double> collb(s.pmin), colub(s.pmax), obj(size_t(s.ng), 0.0);
        std::vector<int> rows_idx;
        std::vector<double> els;
        std::vector<CoinBigIndex> starts;
        for (int g = 0; g < s.ng; ++g) {
            starts.push_back(CoinBigIndex(rows_idx.size()));
            rows_idx.push_back(0);
            els.push_back(1.0);
        }
        starts.push_back(CoinBigIndex(rows_idx.size()));
        const double rlo = s.demand, rhi = s.demand;
        model_.loadProblem(s.ng, 1, starts.data(), rows_idx.data(), els.data(), collb.data(), colub.data(), obj.data(),
                           &rlo, &rhi);
        // lambda: the last column, re-made for each bus.
        const int zero = 0;
        const double minus_one = -1.0;
        model_.addColumn(1, &zero, &minus_one, 0.0, lambda_ub(), -1.0);
    }

    // The LP at internal bus `bus`, started from `seeds` (the rows whose screening bounds are tightest there)
    // with a fresh pool of monitored rows.
    BusHosting solve(int bus, const std::vector<Row>& seeds, long& lp_solves, long& rows_added) {
        if (const int n = model_.getNumRows(); n > 1) {
            std::vector<int> all(size_t(n) - 1);
            std::iota(all.begin(), all.end(), 1);
            model_.deleteRows(n - 1, all.data());
        }
        rows_.clear();
        have_.clear();
        s_.flows->ptdf_column(bus, column_);
        std::vector<Row> first;
        for (const Row& r : seeds)
            if (have_.insert({r.l, r.k}).second) first.push_back(r);
        for (const Row& r : carried_)  // what bound at the last bus (often a neighbour) likely binds here too
            if (have_.insert({r.l, r.k}).second) first.push_back(r);
        have_.clear();
        add_rows(first);
        // Start from every unit at PMAX and lambda taking the rest (basic in the balance): optimal without the
        // monitored rows, so the dual simplex starts dual feasible and only has the overloaded rows to repair.
        for (int g = 0; g < s_.ng; ++g)
            model_.setColumnStatus(g, s_.pmax[size_t(g)] > s_.pmin[size_t(g)] ? ClpSimplex::atUpperBound : ClpSimplex::isFixed);
        model_.setColumnStatus(s_.ng, ClpSimplex::basic);
        for (int r = 0; r < model_.getNumRows(); ++r) model_.setRowStatus(r, r == 0 ? ClpSimplex::atLowerBound : ClpSimplex::basic);
        BusHosting h;
        std::vector<double> inj, flow;
        for (int round = 0;; ++round) {
            ++lp_solves;
            model_.dual(0);
            if (model_.status() != 0) {
                model_.allSlackBasis(true);
                model_.dual(0);
            }
            if (model_.status() != 0) {
                h.limit = HostingLimit::Infeasible;
                return h;
            }
            const double* x = model_.primalColumnSolution();
            const double lambda = x[s_.ng];
            inj = s_.fixed_inj;
            for (int g = 0; g < s_.ng; ++g) inj[size_t(s_.gbus[size_t(g)])] += x[g];
            inj[size_t(bus)] -= lambda;
            s_.flows->flows(inj, flow);
            std::vector<Row> fresh = violations(flow);
            if (fresh.empty()) {
                h.hosting_mw = lambda * s_.base;
                break;
            }
            if (round > kMaxRounds) throw std::runtime_error("hosting capacity: the monitored rows did not settle at a bus");
            add_rows(fresh);
            rows_added += long(fresh.size());
        }
        // The binding element: the monitored row with the largest multiplier (lambda gained per p.u. of rating).
        const double* y = model_.dualRowSolution();
        double best = 1e-9;
        h.limit = HostingLimit::Generation;
        carried_.clear();
        for (size_t r = 0; r < rows_.size(); ++r) {
            if (std::abs(y[r + 1]) > 1e-9 && carried_.size() < 16) carried_.push_back(rows_[r]);
            if (std::abs(y[r + 1]) > best) {
                best = std::abs(y[r + 1]);
                const Row& row = rows_[r];
                h.limit = row.k == -2 ? HostingLimit::Angle : HostingLimit::Branch;
                h.binding_branch = s_.net.branch_case[size_t(row.l)];
                h.binding_contingency = row.k >= 0 ? s_.net.branch_case[size_t(row.k)] : -1;
            }
        }
        return h;
    }

private:
    static constexpr int kMaxRounds = 500;
    static constexpr size_t kMaxAdd = 40;  // rows added per round: the most overloaded

    double lambda_ub() const { return std::max(0.0, s_.headroom) * 1.000001 + 1e-6; }

    double lambda_coef(const Row& r) const {
        return -(column_[size_t(r.l)] + (r.k >= 0 ? r.d * column_[size_t(r.k)] : 0.0));
    }

    // The row's coefficients on the units (a per in-service gen) from the PTDF rows of l and k.
    const std::vector<double>& gen_row(int l) {
        auto it = gen_rows_.find(l);
        if (it != gen_rows_.end()) return it->second;
        std::vector<double> out(size_t(s_.ng));
        if (!s_.ptdf.empty()) {
            const double* p = s_.ptdf.data() + size_t(l) * size_t(s_.nb);
            for (int g = 0; g < s_.ng; ++g) out[size_t(g)] = p[s_.gbus[size_t(g)]];
        } else {
            s_.flows->ptdf_row(l, scratch_);
            for (int g = 0; g < s_.ng; ++g) out[size_t(g)] = scratch_[size_t(s_.gbus[size_t(g)])];
        }
        return gen_rows_.emplace(l, std::move(out)).first->second;
    }

    void add_rows(const std::vector<Row>& fresh) {
        std::vector<CoinBigIndex> starts{0};
        std::vector<int> idx;
        std::vector<double> el, lbs, ubs;
        for (const Row& r : fresh) {
            const std::vector<double> rl = gen_row(r.l);
            const std::vector<double>* rk = r.k >= 0 ? &gen_row(r.k) : nullptr;
            for (int g = 0; g < s_.ng; ++g) {
                const double v = rl[size_t(g)] + (rk ? r.d * (*rk)[size_t(g)] : 0.0);
                if (std::abs(v) > kTiny) idx.push_back(g), el.push_back(v);
            }
            idx.push_back(s_.ng), el.push_back(lambda_coef(r));
            starts.push_back(CoinBigIndex(idx.size()));
            const auto [lo, hi] = s_.limits(r);
            const double f = s_.fixed_flow(r);
            lbs.push_back(lo - f);
            ubs.push_back(hi - f);
            have_.insert({r.l, r.k});
        }
        model_.addRows(int(fresh.size()), lbs.data(), ubs.data(), starts.data(), idx.data(), el.data());
        rows_.insert(rows_.end(), fresh.begin(), fresh.end());
    }

    // Rows the LP's dispatch violates and the LP does not hold yet: base flows and angles first; when there
    // are none, for each branch the outage that overloads it most.
    std::vector<Row> violations(const std::vector<double>& flow) {
        std::vector<Row> fresh;
        std::vector<double> excess;
        for (int l = 0; l < s_.nl; ++l) {
            const double R = s_.rate[size_t(l)];
            if (R > 0 && std::abs(flow[size_t(l)]) > R + s_.tol_pu && !have_.count({l, -1}))
                fresh.push_back({l, -1, 0}), excess.push_back((std::abs(flow[size_t(l)]) - R) / R);
            if (std::isfinite(s_.angmin[size_t(l)]) || std::isfinite(s_.angmax[size_t(l)])) {
                const auto [lo, hi] = s_.limits({l, -2, 0});
                if ((flow[size_t(l)] < lo - 1e-9 || flow[size_t(l)] > hi + 1e-9) && !have_.count({l, -2}))
                    fresh.push_back({l, -2, 0}), excess.push_back(1.0);
            }
        }
        if (!fresh.empty() || !s_.n1) return most(fresh, excess);
        // Exact screen in two parts. A branch with margin m_l = R_l - |f_l| is overloaded by the outage of k only if
        // |LODF_lk| |f_k| > m_l. Branches within kSparseLodf max|f_k| of their rating are checked against every
        // outage (their LODF rows); for the others an overload needs |LODF_lk| > kSparseLodf, so only the LODF
        // entries above that (kept per outage) are visited.
        const float tol = float(s_.tol_pu);
        worst_.assign(size_t(s_.nl), tol);
        worst_k_.assign(size_t(s_.nl), -1);
        flow_f_.resize(size_t(s_.nl));
        float fmax = 0;
        for (int l = 0; l < s_.nl; ++l) {
            flow_f_[size_t(l)] = float(flow[size_t(l)]);
            if (!s_.islanding[size_t(l)]) fmax = std::max(fmax, std::abs(flow_f_[size_t(l)]));
        }
        const float near = float(kSparseLodf) * fmax * 1.001f + tol;
        for (int l = 0; l < s_.nl; ++l) {
            const float R = s_.rate_f[size_t(l)];
            if (!(R - std::abs(flow_f_[size_t(l)]) <= near)) continue;
            const float* row = s_.lodf_by_monitored.data() + size_t(l) * size_t(s_.nl);  // over outages, 0 where islanding
            const float fl = flow_f_[size_t(l)];
            float w = tol;
            int wk = -1;
            for (int k = 0; k < s_.nl; ++k) {
                const float e = std::abs(fl + row[k] * flow_f_[size_t(k)]) - R;
                if (e > w) w = e, wk = k;
            }
            worst_[size_t(l)] = w, worst_k_[size_t(l)] = wk;
        }
        for (int k = 0; k < s_.nl; ++k) {
            const float fk = flow_f_[size_t(k)];
            if (s_.islanding[size_t(k)] || fk == 0) continue;
            for (uint32_t q = s_.sparse_start[size_t(k)]; q < s_.sparse_start[size_t(k) + 1]; ++q) {
                const int l = s_.sparse_l[q];
                const float e = std::abs(flow_f_[size_t(l)] + s_.sparse_d[q] * fk) - s_.rate_f[size_t(l)];
                if (e > worst_[size_t(l)]) worst_[size_t(l)] = e, worst_k_[size_t(l)] = k;
            }
        }
        for (int l = 0; l < s_.nl; ++l) {
            const int k = worst_k_[size_t(l)];
            if (k < 0 || have_.count({l, k})) continue;
            const double d = s_.lodf_exact(l, k);
            const double post = std::abs(flow[size_t(l)] + d * flow[size_t(k)]), R = s_.rate[size_t(l)];
            if (post > R + s_.tol_pu) fresh.push_back({l, k, d}), excess.push_back((post - R) / R);
        }
        return most(fresh, excess);
    }

    // The kMaxAdd rows with the largest relative overloads.
    static std::vector<Row> most(std::vector<Row>& rows, const std::vector<double>& excess) {
        if (rows.size() <= kMaxAdd) return rows;
        std::vector<int> order(rows.size());
        std::iota(order.begin(), order.end(), 0);
        std::partial_sort(order.begin(), order.begin() + kMaxAdd, order.end(),
                          [&](int x, int y) { return excess[size_t(x)] > excess[size_t(y)]; });
        std::vector<Row> out;
        for (size_t j = 0; j < kMaxAdd; ++j) out.push_back(rows[size_t(order[j])]);
        return out;
    }

    const Shared& s_;
    ClpSimplex model_;
    std::vector<Row> rows_;  // model row r + 1
    std::vector<Row> carried_;
    std::set<std::pair<int, int>> have_;
    std::unordered_map<int, std::vector<double>> gen_rows_;
    std::vector<double> column_, scratch_;
    std::vector<float> worst_, flow_f_;
    std::vector<int> worst_k_;
};

void set_up(const Case& c, const HostingOptions& o, Shared& s) {
    s.net = build_network(c);
    require_connected(c, s.net);
    s.m = make_bdc(c, s.net);
    s.flows = std::make_unique<DcFlows>(c, s.net, s.m);
    s.base = c.base_mva;
    s.nb = s.net.nb;
    s.nl = int(s.net.f.size());
    s.n1 = o.n_minus_1;
    s.tol_pu = o.tolerance_mw / s.base;
    // One LP column per bus with dispatchable units (units at one bus have the same sensitivities, so their sum
    // is all the LP needs: [sum PMIN, sum PMAX]); units with PMIN = PMAX are fixed injections.
    std::vector<double> bus_min(size_t(s.nb), 0.0), bus_max(size_t(s.nb), 0.0), fixed_gen(size_t(s.nb), 0.0);
    std::vector<char> movable(size_t(s.nb), 0);
    for (size_t g = 0; g < s.net.gen_case.size(); ++g) {
        const Gen& gen = c.gens[size_t(s.net.gen_case[g])];
        if (gen.pmin_mw > gen.pmax_mw)
            throw std::runtime_error(c.name + ": generator " + std::to_string(s.net.gen_case[g] + 1) + " has PMIN above PMAX");
        const size_t i = size_t(s.net.gen_bus[g]);
        if (gen.pmax_mw > gen.pmin_mw) bus_min[i] += gen.pmin_mw / s.base, bus_max[i] += gen.pmax_mw / s.base, movable[i] = 1;
        else fixed_gen[i] += gen.pmin_mw / s.base;
    }
    for (int i = 0; i < s.nb; ++i)
        if (movable[size_t(i)]) s.gbus.push_back(i), s.pmin.push_back(bus_min[size_t(i)]), s.pmax.push_back(bus_max[size_t(i)]);
    s.ng = int(s.gbus.size());
    s.rate.assign(size_t(s.nl), 0.0);
    s.angmin.assign(size_t(s.nl), -std::numeric_limits<double>::infinity());
    s.angmax.assign(size_t(s.nl), std::numeric_limits<double>::infinity());
    bool rated = false;
    for (int l = 0; l < s.nl; ++l) {
        const Branch& br = c.branches[size_t(s.net.branch_case[size_t(l)])];
        const double rate = br.rate_a_mva * o.rating_scale;
        if (br.rate_a_mva > 0 && br.rate_a_mva < 1e10) s.rate[size_t(l)] = rate / s.base, rated = true;
        if (br.angmin_deg != 0 && br.angmin_deg > -360) s.angmin[size_t(l)] = br.angmin_deg * kRadPerDeg;
        if (br.angmax_deg != 0 && br.angmax_deg < 360) s.angmax[size_t(l)] = br.angmax_deg * kRadPerDeg;
    }
    if (!rated) throw std::runtime_error(c.name + ": the case has no line ratings (RATE_A is 0 on every branch), so every bus could host any load");
    s.fixed_inj.assign(size_t(s.nb), 0.0);
    for (int i = 0; i < s.nb; ++i) {
        const Bus& bus = c.buses[size_t(s.net.case_of_bus[size_t(i)])];
        s.fixed_inj[size_t(i)] = -(bus.pd_mw + bus.gs_mw) / s.base - s.m.pbusinj[size_t(i)] + fixed_gen[size_t(i)];
        s.demand += (bus.pd_mw + bus.gs_mw) / s.base - fixed_gen[size_t(i)];  // what the movable units serve
    }
    s.flows->flows(s.fixed_inj, s.f0);
    s.headroom = std::accumulate(s.pmax.begin(), s.pmax.end(), 0.0) - s.demand;
    if (!s.n1) return;
    std::vector<std::vector<double>> p = ptdf(c);
    s.ptdf.resize(size_t(s.nl) * size_t(s.nb));
    for (int l = 0; l < s.nl; ++l) {
        const std::vector<double>& row = p[size_t(s.net.branch_case[size_t(l)])];
        for (int i = 0; i < s.nb; ++i) s.ptdf[size_t(l) * size_t(s.nb) + size_t(i)] = row[size_t(s.net.case_of_bus[size_t(i)])];
    }
    p.clear();
    p.shrink_to_fit();
    s.rate_f.resize(size_t(s.nl));
    for (int l = 0; l < s.nl; ++l) s.rate_f[size_t(l)] = s.rate[size_t(l)] > 0 ? float(s.rate[size_t(l)]) : std::numeric_limits<float>::infinity();
    const std::vector<char> bridge = find_bridges(s.net);  // outages that island the grid
    s.inv.assign(size_t(s.nl), 0.0);
    s.islanding.assign(size_t(s.nl), 0);
    for (int k = 0; k < s.nl; ++k) {
        const double* pk = s.ptdf.data() + size_t(k) * size_t(s.nb);
        const double h = pk[s.net.f[size_t(k)]] - pk[s.net.t[size_t(k)]];
        if (bridge[size_t(k)]) {
            s.islanding[size_t(k)] = 1;
            continue;
        }
        s.inv[size_t(k)] = 1.0 / (1.0 - h);
    }
    // LODF by monitored branch, [l][k] (0 where k islands the grid, and on the diagonal), and per outage k its
    // entries above kSparseLodf on rated branches (on ACTIVSg2000, 2% of the LODF).
    s.lodf_by_monitored.assign(size_t(s.nl) * size_t(s.nl), 0.0f);
    for (int l = 0; l < s.nl; ++l) {
        const double* pl = s.ptdf.data() + size_t(l) * size_t(s.nb);
        float* row = s.lodf_by_monitored.data() + size_t(l) * size_t(s.nl);
        for (int k = 0; k < s.nl; ++k)
            if (k != l && !s.islanding[size_t(k)]) row[k] = float((pl[s.net.f[size_t(k)]] - pl[s.net.t[size_t(k)]]) * s.inv[size_t(k)]);
    }
    s.sparse_start.assign(size_t(s.nl) + 1, 0);
    for (int k = 0; k < s.nl; ++k) {
        for (int l = 0; l < s.nl; ++l) {
            const float d = s.lodf_by_monitored[size_t(l) * size_t(s.nl) + size_t(k)];
            if (std::abs(d) > kSparseLodf && s.rate[size_t(l)] > 0) s.sparse_l.push_back(l), s.sparse_d.push_back(d);
        }
        s.sparse_start[size_t(k) + 1] = uint32_t(s.sparse_l.size());
    }
}

}  // namespace

const char* hosting_limit_name(HostingLimit l) {
    switch (l) {
        case HostingLimit::Branch: return "branch";
        case HostingLimit::Angle: return "angle";
        case HostingLimit::Generation: return "generation";
        case HostingLimit::Infeasible: return "infeasible";
        case HostingLimit::Skipped: return "skipped";
        case HostingLimit::Isolated: return "isolated";
    }
    return "?";
}

HostingResult hosting_capacity(const Case& c, const HostingOptions& o, const std::vector<int>& buses) {
    HostingResult res;
    const auto t0 = std::chrono::steady_clock::now();
    for (int b : buses)
        if (b < 0 || b >= int(c.buses.size())) throw std::invalid_argument(c.name + ": no bus at index " + std::to_string(b));
    Shared s;
    set_up(c, o, s);

    // The secure dispatch of the case as it is (the marginal cost at each bus, and whether there is one), solved
    // beside the bound and the LPs: it needs the generators' costs, the LPs do not.
    OpfOptions oo;
    oo.n_minus_1 = o.n_minus_1;
    oo.rating_scale = o.rating_scale;
    oo.tolerance_mw = o.tolerance_mw;
    std::future<OpfResult> base_job = std::async(std::launch::async, [&c, oo] { return dc_opf(c, oo); });
    res.setup_s = seconds_since(t0);

    std::vector<int> todo;  // internal buses
    res.buses.assign(c.buses.size(), BusHosting{});
    std::vector<int> wanted = buses;
    if (wanted.empty()) {
        wanted.resize(c.buses.size());
        std::iota(wanted.begin(), wanted.end(), 0);
    }
    for (size_t b = 0; b < c.buses.size(); ++b)
        if (s.net.bus_of_case[b] < 0) res.buses[b].limit = HostingLimit::Isolated;

    // [SECTION] Screening bound over every base row, every angle row and the outage pairs that load a branch
    // above 80% at the case's own dispatch (and, for each branch, the outage with the largest LODF on it).
    const auto t1 = std::chrono::steady_clock::now();
    std::vector<double> bound(size_t(s.nb), s.headroom);
    Seeds seeds(s.nb);
    std::vector<Row> bound_rows;
    {
        std::vector<double> inj = s.fixed_inj, flow;
        for (size_t g = 0; g < s.net.gen_case.size(); ++g) {  // the case's own dispatch (fixed units are in fixed_inj)
            const Gen& gen = c.gens[size_t(s.net.gen_case[g])];
            if (gen.pmax_mw > gen.pmin_mw) inj[size_t(s.net.gen_bus[g])] += gen.pg_mw / s.base;
        }
        s.flows->flows(inj, flow);
        std::vector<Row> rows;
        for (int l = 0; l < s.nl; ++l) {
            if (s.rate[size_t(l)] > 0) rows.push_back({l, -1, 0});
            if (std::isfinite(s.angmin[size_t(l)]) || std::isfinite(s.angmax[size_t(l)])) rows.push_back({l, -2, 0});
        }
        if (s.n1) {
            for (int l = 0; l < s.nl; ++l) {
                const double R = s.rate[size_t(l)];
                if (!(R > 0)) continue;
                int top = -1;
                double top_d = 0;
                for (int k = 0; k < s.nl; ++k) {
                    if (s.islanding[size_t(k)] || k == l) continue;
                    const double d = s.lodf_by_monitored[size_t(l) * size_t(s.nl) + size_t(k)];
                    if (std::abs(d) > top_d) top_d = std::abs(d), top = k;
                    if (std::abs(flow[size_t(l)] + d * flow[size_t(k)]) > 0.8 * R) rows.push_back({l, k, s.lodf_exact(l, k)});
                }
                if (top >= 0) rows.push_back({l, top, s.lodf_exact(l, top)});
            }
        }
        std::vector<double> a;
        for (size_t j = 0; j < rows.size(); ++j) {
            s.row_over_buses(rows[j], a);
            const auto [lo, hi] = s.limits(rows[j]);
            knapsack_bounds(s, a, s.fixed_flow(rows[j]), lo, hi, bound, seeds, int(j));
        }
        bound_rows = std::move(rows);
    }
    for (int b : wanted) {
        const int i = s.net.bus_of_case[size_t(b)];
        if (i < 0) continue;
        res.buses[size_t(b)].bound_mw = std::max(0.0, bound[size_t(i)] * s.base);
        if (res.buses[size_t(b)].bound_mw >= o.min_mw) todo.push_back(b);
    }
    res.bound_s = seconds_since(t1);

    // [SECTION] The exact LPs, shared among the workers bus by bus.
    const auto t2 = std::chrono::steady_clock::now();
    const int threads = std::max(1, std::min(int(todo.size()), o.threads > 0 ? o.threads : int(std::thread::hardware_concurrency())));
    std::atomic<int> next{0}, done{0};
    std::atomic<long> lp_solves{0}, rows_added{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto work = [&] {
        try {
            Worker w(s);
            long solves = 0, added = 0;
            for (;;) {
                if (o.cancel && o.cancel->load()) break;
                const int j = next.fetch_add(1);
                if (j >= int(todo.size())) break;
                const int b = todo[size_t(j)];
                const int i = s.net.bus_of_case[size_t(b)];
                std::vector<Row> start;
                for (int q = 0; q < kSeeds; ++q)
                    if (const int r = seeds.row[size_t(i) * kSeeds + size_t(q)]; r >= 0) start.push_back(bound_rows[size_t(r)]);
                BusHosting h = w.solve(i, start, solves, added);
                h.bound_mw = res.buses[size_t(b)].bound_mw;
                res.buses[size_t(b)] = h;
                const int n = done.fetch_add(1) + 1;
                if (o.progress) o.progress(n, int(todo.size()));
            }
            lp_solves += solves;
            rows_added += added;
        } catch (...) {
            std::lock_guard<std::mutex> lock(failure_mutex);
            failure = std::current_exception();
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (std::thread& t : pool) t.join();
    const OpfResult base = base_job.get();
    if (failure) std::rethrow_exception(failure);
    if (!base.solved)
        throw std::runtime_error(c.name + ": the case's own load cannot be served " +
                                 (o.n_minus_1 ? "N-1 securely" : "within the ratings") + " (" + base.message + ")");
    res.base_objective = base.objective;
    for (size_t b = 0; b < c.buses.size(); ++b)
        if (s.net.bus_of_case[b] >= 0) res.buses[b].marginal_cost = base.lmp[b];
    res.exact_s = seconds_since(t2);
    res.lp_solves = lp_solves;
    res.rows_added = rows_added;
    res.exact_buses = done;
    return res;
}

std::vector<HostingUpgrade> hosting_upgrades(const Case& c, int bus, const HostingOptions& o, double reconductor_factor,
                                             const BusHosting* known) {
    if (!(reconductor_factor > 1)) throw std::invalid_argument("the reconductoring factor must be above 1");
    HostingOptions one = o;
    one.min_mw = 0;
    one.progress = nullptr;
    const BusHosting before = known ? *known : hosting_capacity(c, one, {bus}).buses[size_t(bus)];
    std::vector<HostingUpgrade> out;
    if (before.limit != HostingLimit::Branch || before.binding_branch < 0) return out;
    const int l = before.binding_branch;
    auto evaluate = [&](const char* kind, const Case& upgraded) {
        HostingUpgrade u;
        u.kind = kind;
        u.branch = l;
        u.after = hosting_capacity(upgraded, one, {bus}).buses[size_t(bus)];
        u.hosting_mw = u.after.hosting_mw;
        u.gain_mw = u.hosting_mw - before.hosting_mw;
        out.push_back(u);
    };
    Case reconductored = c;
    reconductored.branches[size_t(l)].rate_a_mva *= reconductor_factor;
    evaluate("reconductor", reconductored);
    Case parallel = c;
    parallel.branches.push_back(c.branches[size_t(l)]);
    evaluate("parallel", parallel);
    return out;
}

void write_hosting_table(std::ostream& out, const Case& c, const HostingResult& r, const std::vector<int>& buses) {
    out << std::setprecision(10);
    out << "bus,hosting_mw,binding_branch,binding_contingency,marginal_cost,limit,bound_mw,binding_from,binding_to\n";
    std::vector<int> rows = buses;
    if (rows.empty())
        for (size_t b = 0; b < c.buses.size(); ++b) rows.push_back(int(b));
    for (int b : rows) {
        const BusHosting& h = r.buses[size_t(b)];
        out << c.buses[size_t(b)].id << ',';
        if (std::isfinite(h.hosting_mw)) out << h.hosting_mw;
        out << ',';
        if (h.binding_branch >= 0) out << h.binding_branch + 1;
        out << ',';
        if (h.binding_contingency >= 0) out << h.binding_contingency + 1;
        out << ',';
        if (std::isfinite(h.marginal_cost)) out << h.marginal_cost;
        out << ',' << hosting_limit_name(h.limit) << ',';
        if (std::isfinite(h.bound_mw)) out << h.bound_mw;
        out << ',';
        if (h.binding_branch >= 0 && h.binding_branch < int(c.branches.size()))
            out << c.branches[size_t(h.binding_branch)].from << ',' << c.branches[size_t(h.binding_branch)].to;
        else
            out << ',';
        out << '\n';
    }
}

double campus_mw(const Campus& k) {
    auto bad = [](double v) { return !std::isfinite(v) || v < 0; };
    if (bad(k.gpus)) throw std::invalid_argument("the GPU count must be a number of at least 0");
    if (bad(k.gpu_kw) || k.gpu_kw == 0) throw std::invalid_argument("the power per GPU must be above 0 kW");
    if (bad(k.server_overhead) || k.server_overhead < 1) throw std::invalid_argument("the server overhead must be at least 1");
    if (bad(k.pue) || k.pue < 1) throw std::invalid_argument("the PUE must be at least 1");
    return k.gpus * k.gpu_kw * k.server_overhead * k.pue / 1000.0;
}

}  // namespace infrascape::grid
