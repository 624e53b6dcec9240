// DC optimal power flow with COIN-OR CLP; see opf.hpp for the formulation and its sources.
#include "modules/grid/opf.hpp"

#include <coin/ClpSimplex.hpp>
#include <coin/CoinPackedMatrix.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>
#include <stdexcept>
#include <utility>

#include "modules/grid/dc_network.hpp"
#include "modules/grid/power_flow.hpp"

namespace infrascape::grid {

namespace {

constexpr double kRadPerDeg = std::numbers::pi / 180.0;

struct Triplets {
    std::vector<int> row, col;
    std::vector<double> value;
    void add(int r, int c, double v) {
        row.push_back(r);
        col.push_back(c);
        value.push_back(v);
    }
};

// One generator's cost in the QP's units: f(Pg_pu) = quad Pg^2 / 2 + lin Pg + constant, or a piecewise
// linear curve through `points` (MW, $/h).
struct CostTerms {
    double quad = 0, lin = 0, constant = 0;
    bool piecewise = false;
    std::vector<std::pair<double, double>> points;
};

CostTerms cost_terms(const Case& c, size_t g) {
    const GenCost& gc = c.gencost[g];
    const double base = c.base_mva;
    CostTerms t;
    if (gc.model == 1) {
        t.piecewise = true;
        for (size_t k = 0; k + 1 < gc.coeffs.size(); k += 2) t.points.push_back({gc.coeffs[k], gc.coeffs[k + 1]});
        return t;
    }
    const size_t n = gc.coeffs.size();  // c_{n-1} ... c1 c0
    for (size_t k = 0; k + 3 < n; ++k)
        if (gc.coeffs[k] != 0)
            throw std::runtime_error(c.name + ": generator " + std::to_string(g + 1) +
                                     " has a polynomial cost above quadratic order, which the DC OPF cannot take "
                                     "(as MATPOWER's)");
    auto coeff = [&](size_t order) { return order < n ? gc.coeffs[n - 1 - order] : 0.0; };
    // c2 (base x)^2 + c1 base x + c0 with x in p.u.; CLP's quadratic term is x' Q x / 2.
    t.quad = 2 * coeff(2) * base * base;
    t.lin = coeff(1) * base;
    t.constant = coeff(0);
    if (t.quad < 0)
        throw std::runtime_error(c.name + ": generator " + std::to_string(g + 1) +
                                 " has a concave (negative quadratic) cost; the OPF needs convex costs");
    return t;
}

}  // namespace

double OpfResult::total_shed_mw() const {
    double s = 0;
    for (double x : shed_mw) s += x;
    return s;
}

OpfResult dc_opf(const Case& c, const OpfOptions& o) {
    if (c.gencost.size() != c.gens.size())
        throw std::runtime_error(c.name + ": the case has no generator costs (mpc.gencost), which the OPF needs");
    const Network net = build_network(c);
    require_connected(c, net);
    const DcModel m = make_bdc(c, net);
    const double base = c.base_mva;
    const int nb = net.nb, ng = int(net.gen_case.size()), nl = int(net.f.size());

    // [SECTION] Columns: Va (nb), Pg (ng), a cost variable per piecewise generator, shedding per loaded bus.
    std::vector<CostTerms> costs(static_cast<size_t>(ng));
    for (int g = 0; g < ng; ++g) costs[size_t(g)] = cost_terms(c, size_t(net.gen_case[size_t(g)]));
    std::vector<double> collb, colub, obj, quad_diag;
    auto add_col = [&](double lb, double ub, double lin, double quad) {
        collb.push_back(lb);
        colub.push_back(ub);
        obj.push_back(lin);
        quad_diag.push_back(quad);
        return int(collb.size()) - 1;
    };
    for (int i = 0; i < nb; ++i) {
        const Bus& bus = c.buses[size_t(net.case_of_bus[size_t(i)])];
        if (net.is_ref[size_t(i)]) add_col(bus.va_deg * kRadPerDeg, bus.va_deg * kRadPerDeg, 0, 0);
        else add_col(-COIN_DBL_MAX, COIN_DBL_MAX, 0, 0);
    }
    const int pg0 = nb;
    double constant = 0;
    for (int g = 0; g < ng; ++g) {
        const Gen& gen = c.gens[size_t(net.gen_case[size_t(g)])];
        if (gen.pmin_mw > gen.pmax_mw)
            throw std::runtime_error(c.name + ": generator " + std::to_string(net.gen_case[size_t(g)] + 1) +
                                     " has PMIN above PMAX");
        const CostTerms& ct = costs[size_t(g)];
        add_col(gen.pmin_mw / base, gen.pmax_mw / base, ct.lin, ct.quad);
        constant += ct.constant;
    }
    std::vector<int> cost_col(size_t(ng), -1);
    for (int g = 0; g < ng; ++g)
        if (costs[size_t(g)].piecewise) cost_col[size_t(g)] = add_col(-COIN_DBL_MAX, COIN_DBL_MAX, 1.0, 0);
    std::vector<int> shed_col(size_t(nb), -1);
    if (o.allow_shedding)
        for (int i = 0; i < nb; ++i) {
            const double pd = c.buses[size_t(net.case_of_bus[size_t(i)])].pd_mw;
            if (pd > 0) shed_col[size_t(i)] = add_col(0, pd / base, o.voll_per_mwh * base, 0);
        }

    // [SECTION] Rows: nodal balance, branch ratings, angle differences, piecewise cost segments.
    Triplets a;
    std::vector<double> rowlb, rowub;
    auto add_row = [&](double lb, double ub) {
        rowlb.push_back(lb);
        rowub.push_back(ub);
        return int(rowlb.size()) - 1;
    };
    for (int i = 0; i < nb; ++i) {
        const Bus& bus = c.buses[size_t(net.case_of_bus[size_t(i)])];
        const double rhs = -(bus.pd_mw + bus.gs_mw) / base - m.pbusinj[size_t(i)];
        add_row(rhs, rhs);
        if (shed_col[size_t(i)] >= 0) a.add(i, shed_col[size_t(i)], -1.0);
    }
    for (int l = 0; l < nl; ++l) {
        const int f = net.f[size_t(l)], t = net.t[size_t(l)];
        a.add(f, f, m.b[size_t(l)]);
        a.add(f, t, -m.b[size_t(l)]);
        a.add(t, t, m.b[size_t(l)]);
        a.add(t, f, -m.b[size_t(l)]);
    }
    for (int g = 0; g < ng; ++g) a.add(net.gen_bus[size_t(g)], pg0 + g, -1.0);
    auto rate_of = [&](int l) { return c.branches[size_t(net.branch_case[size_t(l)])].rate_a_mva * o.rating_scale; };
    for (int l = 0; l < nl; ++l) {
        const double rate = rate_of(l);
        if (!(rate > 0) || rate >= 1e10) continue;  // MATPOWER: RATE_A of 0 means unlimited
        const int r = add_row(-rate / base - m.pfinj[size_t(l)], rate / base - m.pfinj[size_t(l)]);
        a.add(r, net.f[size_t(l)], m.b[size_t(l)]);
        a.add(r, net.t[size_t(l)], -m.b[size_t(l)]);
    }
    for (int l = 0; l < nl; ++l) {
        const Branch& br = c.branches[size_t(net.branch_case[size_t(l)])];
        // MATPOWER's makeAang: a limit of 0 (or beyond +-360) means none.
        const bool lo = br.angmin_deg != 0 && br.angmin_deg > -360, hi = br.angmax_deg != 0 && br.angmax_deg < 360;
        if (!lo && !hi) continue;
        const int r = add_row(lo ? br.angmin_deg * kRadPerDeg : -COIN_DBL_MAX, hi ? br.angmax_deg * kRadPerDeg : COIN_DBL_MAX);
        a.add(r, net.f[size_t(l)], 1.0);
        a.add(r, net.t[size_t(l)], -1.0);
    }
    for (int g = 0; g < ng; ++g) {
        if (!costs[size_t(g)].piecewise) continue;
        // y >= m_k (P - x_k) + y_k for each segment: m_k base Pg - y <= m_k x_k - y_k.
        const auto& pts = costs[size_t(g)].points;
        for (size_t k = 0; k + 1 < pts.size(); ++k) {
            const double slope = (pts[k + 1].second - pts[k].second) / (pts[k + 1].first - pts[k].first);
            const int r = add_row(-COIN_DBL_MAX, slope * pts[k].first - pts[k].second);
            a.add(r, pg0 + g, slope * base);
            a.add(r, cost_col[size_t(g)], -1.0);
        }
    }

    ClpSimplex model;
    model.setLogLevel(0);
    const int ncols = int(collb.size());
    {
        CoinPackedMatrix mat(true, a.row.data(), a.col.data(), a.value.data(), CoinBigIndex(a.value.size()));
        mat.setDimensions(int(rowlb.size()), ncols);
        model.loadProblem(mat, collb.data(), colub.data(), obj.data(), rowlb.data(), rowub.data());
    }
    bool quadratic = false;
    for (double q : quad_diag) quadratic = quadratic || q > 0;
    if (quadratic) {
        std::vector<CoinBigIndex> start(size_t(ncols) + 1, 0);
        std::vector<int> index;
        std::vector<double> value;
        for (int j = 0; j < ncols; ++j) {
            if (quad_diag[size_t(j)] > 0) {
                index.push_back(j);
                value.push_back(quad_diag[size_t(j)]);
            }
            start[size_t(j) + 1] = CoinBigIndex(index.size());
        }
        model.loadQuadraticObjective(ncols, start.data(), index.data(), value.data());
    }

    OpfResult r;
    r.pg_mw.assign(c.gens.size(), 0.0);
    r.va_deg.assign(c.buses.size(), 0.0);
    r.lmp.assign(c.buses.size(), 0.0);
    r.shed_mw.assign(c.buses.size(), 0.0);
    r.pf_mw.assign(c.branches.size(), 0.0);

    // [SECTION] Solve; for N-1, add the violated post-contingency limits and solve again.
    std::vector<std::vector<double>> lodf_matrix;
    if (o.n_minus_1) lodf_matrix = lodf(c, ptdf(c));
    std::set<std::pair<int, int>> added;  // (monitored, outaged), internal branch indices
    std::vector<double> flow_pu(static_cast<size_t>(nl));
    for (;;) {
        ++r.rounds;
        // CLP's QP (reduced-gradient primal simplex) can stop short of the optimum on degenerate cases
        // (case118: generators left at a few kW above PMIN with marginal costs above the LMP); restarting it
        // from its own solution until the objective stops falling reaches the optimum (case118 then equals
        // CLP's barrier to 1e-10 relative).
        model.primal();
        for (int again = 0; again < 20 && model.status() == 0; ++again) {
            const double before = model.objectiveValue();
            model.primal(1);
            if (!(model.objectiveValue() < before - 1e-11 * std::max(1.0, std::abs(before)))) break;
        }
        if (model.status() != 0) {
            r.solved = false;
            r.message = model.status() == 1   ? "the OPF is infeasible (the load cannot be served within the limits)"
                        : model.status() == 2 ? "the OPF is unbounded"
                                              : "the QP solver stopped before an optimum (CLP status " +
                                                    std::to_string(model.status()) + ")";
            return r;
        }
        const double* x = model.primalColumnSolution();
        for (int l = 0; l < nl; ++l)
            flow_pu[size_t(l)] = m.b[size_t(l)] * (x[net.f[size_t(l)]] - x[net.t[size_t(l)]]) + m.pfinj[size_t(l)];
        if (!o.n_minus_1 || r.rounds > o.max_security_rounds) break;
        // Screen every non-islanding outage against every rated branch.
        std::vector<int> rows_r, cols_r;
        std::vector<CoinBigIndex> starts{0};
        std::vector<int> idx;
        std::vector<double> el, lbs, ubs;
        r.islanding_outages = 0;
        for (int k = 0; k < nl; ++k) {
            const int kc = net.branch_case[size_t(k)];
            bool islands = false;
            for (int l = 0; l < nl && !islands; ++l) islands = std::isnan(lodf_matrix[size_t(net.branch_case[size_t(l)])][size_t(kc)]);
            if (islands) {
                ++r.islanding_outages;
                continue;
            }
            for (int l = 0; l < nl; ++l) {
                if (l == k) continue;
                const double rate = rate_of(l);
                if (!(rate > 0) || rate >= 1e10) continue;
                const double d = lodf_matrix[size_t(net.branch_case[size_t(l)])][size_t(kc)];
                if (d == 0) continue;
                const double post = flow_pu[size_t(l)] + d * flow_pu[size_t(k)];
                if (std::abs(post) * base <= rate + o.tolerance_mw) continue;
                if (!added.insert({l, k}).second) continue;
                // (Bf_l + d Bf_k) Va + pfinj_l + d pfinj_k within +-rate.
                std::vector<std::pair<int, double>> coef = {{net.f[size_t(l)], m.b[size_t(l)]},
                                                            {net.t[size_t(l)], -m.b[size_t(l)]},
                                                            {net.f[size_t(k)], d * m.b[size_t(k)]},
                                                            {net.t[size_t(k)], -d * m.b[size_t(k)]}};
                std::sort(coef.begin(), coef.end());
                for (size_t q = 0; q < coef.size(); ++q) {
                    if (q > 0 && coef[q].first == coef[q - 1].first) {
                        el.back() += coef[q].second;
                        continue;
                    }
                    idx.push_back(coef[q].first);
                    el.push_back(coef[q].second);
                }
                starts.push_back(CoinBigIndex(idx.size()));
                const double shift = m.pfinj[size_t(l)] + d * m.pfinj[size_t(k)];
                lbs.push_back(-rate / base - shift);
                ubs.push_back(rate / base - shift);
            }
        }
        if (lbs.empty()) break;
        model.addRows(int(lbs.size()), lbs.data(), ubs.data(), starts.data(), idx.data(), el.data());
        r.security_rows += int(lbs.size());
    }

    const double* x = model.primalColumnSolution();
    const double* dual = model.dualRowSolution();
    r.solved = true;
    r.objective = model.objectiveValue() + constant;
    for (int i = 0; i < nb; ++i) {
        const size_t k = size_t(net.case_of_bus[size_t(i)]);
        r.va_deg[k] = x[i] / kRadPerDeg;
        // d(cost)/d(load in MW): the balance row's right-hand side falls by 1/base per MW of load.
        r.lmp[k] = -dual[i] / base;
        if (shed_col[size_t(i)] >= 0) r.shed_mw[k] = x[shed_col[size_t(i)]] * base;
    }
    for (int g = 0; g < ng; ++g) r.pg_mw[size_t(net.gen_case[size_t(g)])] = x[pg0 + g] * base;
    for (int l = 0; l < nl; ++l) {
        const size_t k = size_t(net.branch_case[size_t(l)]);
        r.pf_mw[k] = flow_pu[size_t(l)] * base;
        const double rate = rate_of(l);
        if (rate > 0 && rate < 1e10 && std::abs(r.pf_mw[k]) >= rate - 1e-3) r.binding.push_back(int(k));
    }
    return r;
}

}  // namespace infrascape::grid
