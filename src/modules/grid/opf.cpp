// DC optimal power flow with COIN-OR CLP; see opf.hpp for the formulation and its sources.
#include "modules/grid/opf.hpp"

#include <coin/ClpSimplex.hpp>
#include <coin/CoinPackedMatrix.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>
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

// The internal network and DC model both forms start from; throws for a case without costs.
void set_up_network(const Case& c, Network& net, DcModel& m) {
    if (c.gencost.size() != c.gens.size())
        throw std::runtime_error(c.name + ": the case has no generator costs (mpc.gencost), which the OPF needs");
    net = build_network(c);
    require_connected(c, net);
    m = make_bdc(c, net);
}

// The QP's diagonal x' Q x / 2 term, when any column has one.
void load_quadratic(ClpSimplex& model, const std::vector<double>& diag) {
    const int ncols = int(diag.size());
    std::vector<CoinBigIndex> start(size_t(ncols) + 1, 0);
    std::vector<int> index;
    std::vector<double> value;
    for (int j = 0; j < ncols; ++j) {
        if (diag[size_t(j)] > 0) index.push_back(j), value.push_back(diag[size_t(j)]);
        start[size_t(j) + 1] = CoinBigIndex(index.size());
    }
    if (!index.empty()) model.loadQuadraticObjective(ncols, start.data(), index.data(), value.data());
}

}  // namespace

double OpfResult::total_shed_mw() const {
    double s = 0;
    for (double x : shed_mw) s += x;
    return s;
}

// [SECTION] The angle formulation (MATPOWER's): Va and Pg as variables, one balance row per bus.
struct VaOpf {
    OpfOptions o;
    Network net;
    DcModel m;
    double base = 100;
    int nb = 0, ng = 0, nl = 0, pg0 = 0;
    double constant = 0;
    std::vector<int> shed_col;    // per internal bus
    std::vector<int> rate_row;    // per internal branch, -1 when unrated
    struct SecurityRow {
        int row, l, k;
        double d;
    };
    std::vector<SecurityRow> security;
    std::set<std::pair<int, int>> added;  // (monitored, outaged), internal branch indices
    std::vector<std::vector<double>> lodf_matrix;
    std::vector<char> islanding;  // per internal branch: its outage splits the grid
    std::vector<double> base_rate;  // per internal branch: RATE_A x options.rating_scale (0: unrated)
    ClpSimplex model;
    bool solved_once = false;

    double rate_of(int l) const { return base_rate[size_t(l)]; }

    VaOpf(const Case& c, const OpfOptions& options) : o(options) {
        set_up_network(c, net, m);
        base = c.base_mva;
        nb = net.nb;
        ng = int(net.gen_case.size());
        nl = int(net.f.size());

        // [SECTION] Columns: Va (nb), Pg (ng), a cost variable per piecewise generator, shedding per bus.
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
        pg0 = nb;
        for (int g = 0; g < ng; ++g) {
            const CostTerms& ct = costs[size_t(g)];
            add_col(0, 0, ct.lin, ct.quad);  // bounds set at each solve
            constant += ct.constant;
        }
        std::vector<int> cost_col(size_t(ng), -1);
        for (int g = 0; g < ng; ++g)
            if (costs[size_t(g)].piecewise) cost_col[size_t(g)] = add_col(-COIN_DBL_MAX, COIN_DBL_MAX, 1.0, 0);
        shed_col.assign(size_t(nb), -1);
        if (o.allow_shedding)
            for (int i = 0; i < nb; ++i) shed_col[size_t(i)] = add_col(0, 0, o.voll_per_mwh * base, 0);

        // [SECTION] Rows: nodal balance, branch ratings, angle differences, piecewise cost segments.
        Triplets a;
        std::vector<double> rowlb, rowub;
        auto add_row = [&](double lb, double ub) {
            rowlb.push_back(lb);
            rowub.push_back(ub);
            return int(rowlb.size()) - 1;
        };
        for (int i = 0; i < nb; ++i) {
            add_row(0, 0);  // right-hand side set at each solve
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
        base_rate.assign(size_t(nl), 0.0);
        rate_row.assign(size_t(nl), -1);
        for (int l = 0; l < nl; ++l) {
            const double rate = c.branches[size_t(net.branch_case[size_t(l)])].rate_a_mva * o.rating_scale;
            if (!(rate > 0) || rate >= 1e10) continue;  // MATPOWER: RATE_A of 0 means unlimited
            base_rate[size_t(l)] = rate;
            rate_row[size_t(l)] = add_row(-rate / base - m.pfinj[size_t(l)], rate / base - m.pfinj[size_t(l)]);
            a.add(rate_row[size_t(l)], net.f[size_t(l)], m.b[size_t(l)]);
            a.add(rate_row[size_t(l)], net.t[size_t(l)], -m.b[size_t(l)]);
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

        model.setLogLevel(0);
        const int ncols = int(collb.size());
        CoinPackedMatrix mat(true, a.row.data(), a.col.data(), a.value.data(), CoinBigIndex(a.value.size()));
        mat.setDimensions(int(rowlb.size()), ncols);
        model.loadProblem(mat, collb.data(), colub.data(), obj.data(), rowlb.data(), rowub.data());
        load_quadratic(model, quad_diag);
        if (o.n_minus_1) {
            lodf_matrix = lodf(c, ptdf(c));
            islanding.assign(size_t(nl), 0);
            for (int k = 0; k < nl; ++k) {
                const int kc = net.branch_case[size_t(k)];
                for (int l = 0; l < nl && !islanding[size_t(k)]; ++l)
                    islanding[size_t(k)] = std::isnan(lodf_matrix[size_t(net.branch_case[size_t(l)])][size_t(kc)]);
            }
        }
    }

    // CLP's QP (reduced-gradient primal simplex) can stop short of the optimum on degenerate cases
    // (case118: generators left at a few kW above PMIN with marginal costs above the LMP); restarting it
    // from its own solution until the objective stops falling reaches the optimum (case118 then equals
    // CLP's barrier to 1e-10 relative).
    void run_qp() {
        model.primal(solved_once ? 1 : 0);
        for (int again = 0; again < 20 && model.status() == 0; ++again) {
            const double before = model.objectiveValue();
            model.primal(1);
            if (!(model.objectiveValue() < before - 1e-11 * std::max(1.0, std::abs(before)))) break;
        }
    }

    OpfResult solve(const Case& c, double scale) {
        if (int(c.buses.size()) != int(net.bus_of_case.size()) || c.gens.size() != c.gencost.size())
            throw std::invalid_argument(c.name + ": DcOpf::solve got another network than it was built for");
        // Loads, generator limits and ratings of this operating point.
        for (int i = 0; i < nb; ++i) {
            const Bus& bus = c.buses[size_t(net.case_of_bus[size_t(i)])];
            const double rhs = -(bus.pd_mw + bus.gs_mw) / base - m.pbusinj[size_t(i)];
            model.setRowBounds(i, rhs, rhs);
            if (shed_col[size_t(i)] >= 0) model.setColumnBounds(shed_col[size_t(i)], 0, std::max(0.0, bus.pd_mw) / base);
        }
        for (int g = 0; g < ng; ++g) {
            const Gen& gen = c.gens[size_t(net.gen_case[size_t(g)])];
            if (gen.pmin_mw > gen.pmax_mw)
                throw std::runtime_error(c.name + ": generator " + std::to_string(net.gen_case[size_t(g)] + 1) +
                                         " has PMIN above PMAX");
            model.setColumnBounds(pg0 + g, gen.pmin_mw / base, gen.pmax_mw / base);
        }
        for (int l = 0; l < nl; ++l)
            if (rate_row[size_t(l)] >= 0) {
                const double rate = rate_of(l) * scale;
                model.setRowBounds(rate_row[size_t(l)], -rate / base - m.pfinj[size_t(l)], rate / base - m.pfinj[size_t(l)]);
            }
        for (const SecurityRow& sr : security) {
            const double rate = rate_of(sr.l) * scale;
            const double shift = m.pfinj[size_t(sr.l)] + sr.d * m.pfinj[size_t(sr.k)];
            model.setRowBounds(sr.row, -rate / base - shift, rate / base - shift);
        }

        OpfResult r;
        r.pg_mw.assign(c.gens.size(), 0.0);
        r.va_deg.assign(c.buses.size(), 0.0);
        r.lmp.assign(c.buses.size(), 0.0);
        r.shed_mw.assign(c.buses.size(), 0.0);
        r.pf_mw.assign(c.branches.size(), 0.0);
        for (char isl : islanding) r.islanding_outages += isl;

        // [SECTION] Solve; for N-1, add the violated post-contingency limits and solve again.
        std::vector<double> flow_pu(static_cast<size_t>(nl));
        for (;;) {
            ++r.rounds;
            run_qp();
            solved_once = true;
            if (model.status() != 0) {
                solved_once = false;  // start cold next time
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
            std::vector<CoinBigIndex> starts{0};
            std::vector<int> idx;
            std::vector<double> el, lbs, ubs;
            std::vector<SecurityRow> fresh;
            for (int k = 0; k < nl; ++k) {
                if (islanding[size_t(k)]) continue;
                const int kc = net.branch_case[size_t(k)];
                for (int l = 0; l < nl; ++l) {
                    if (l == k) continue;
                    const double rate = rate_of(l) * scale;
                    if (!(rate > 0)) continue;
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
                    fresh.push_back({model.getNumRows() + int(fresh.size()), l, k, d});
                }
            }
            if (lbs.empty()) break;
            model.addRows(int(lbs.size()), lbs.data(), ubs.data(), starts.data(), idx.data(), el.data());
            security.insert(security.end(), fresh.begin(), fresh.end());
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
            const double rate = rate_of(l) * scale;
            if (rate > 0 && std::abs(r.pf_mw[k]) >= rate - 1e-3) r.binding.push_back(int(k));
        }
        return r;
    }
};

// [SECTION] The PTDF formulation, for repeated solves: Pg and shedding as variables, one system balance row,
// and a flow row only for the branches (and outage pairs) that bind or would be violated: flows are
// f = PTDF (P - Pbusinj) + Pfinj with P the net injections. The rows found stay between solves, so a
// sequence of nearby operating points warm-starts on a QP of a few hundred columns and rows instead of the
// angle form's thousands of free angles (10-100x faster on ACTIVSg2000). An angle-difference limit is a flow
// limit in disguise: Va_f - Va_t = (f - Pfinj) / b, so it becomes a row of the same kind when violated.
// CLP's QP on the angle form also stalls short of the optimum on congested cases (its free angles), which
// this form avoids; the angle form stays as the cross-check for linear costs (tests/grid/test_opf.cpp).
struct DcOpf::Impl {
    OpfOptions o;
    Network net;
    DcModel m;
    double base = 100;
    int nb = 0, ng = 0, nl = 0;
    double constant = 0;
    std::vector<double> ptdf_int;  // PTDF in internal order, row-major: [internal branch l * nb + internal bus i]
    std::unique_ptr<DcFlows> dc_flows;  // the same flows as ptdf_int * injections, from B's factorization
    std::vector<double> lodf_by_outage;  // LODF in internal order, [outage k * nl + monitored l] (N-1 only)
    std::vector<char> islanding;
    std::vector<double> base_rate;  // per internal branch (0: unrated)
    std::vector<int> shed_col;      // per internal bus, -1 without shedding
    struct FlowRow {
        int row, l, k;  // k = -1: base-case flow; k = -2: angle difference of l; else the outage of k
        double d;       // LODF of l for the outage of k
    };
    std::vector<double> angmin, angmax;  // per internal branch, rad (+-inf without a limit)
    std::vector<FlowRow> rows;
    std::set<std::pair<int, int>> added;
    std::vector<double> quad_diag;  // per column: the QP's diagonal
    ClpSimplex model;
    bool solved_once = false;
    std::vector<double> x_sol, y_sol;  // the polished solution (columns) and row duals

    // CLP's QP (reduced-gradient primal simplex) stops within its tolerances but, on congested cases, up to a
    // few MW from the optimum, and a warm start ends elsewhere than a cold one. Its active set is right,
    // though: fixing the variables CLP left at a bound and the rows it left at a bound, the optimum is the
    // solution of one linear KKT system, [Q A'; A 0] [x; -y] = [-c; b] (Nocedal & Wright, Numerical
    // Optimization, eq. 16.4). It is taken when it is feasible and its multipliers have the right signs,
    // which makes it the exact optimum; otherwise CLP's point stands.
    // The equality-constrained step for a working set (`free_col`: the columns free to move, the others held;
    // `row_at[r]` >= 0 for a row held at its bound): [Q_F A_WF'; A_WF 0] [p_F; w] = [-grad_F; 0], y = -w
    // (CLP's sign: d objective / d right-hand side). False when the system has no solution.
    bool kkt_step(const std::vector<char>& free_col, const std::vector<int>& row_at, const std::vector<double>& grad,
                  std::vector<double>& p, std::vector<double>& y) const {
        const int nc = model.getNumCols(), nr = model.getNumRows();
        const CoinPackedMatrix* A = model.matrix();
        std::vector<int> pos(size_t(nc), -1), row_pos(size_t(nr), -1);
        int nf = 0, na = 0;
        for (int j = 0; j < nc; ++j)
            if (free_col[size_t(j)]) pos[size_t(j)] = nf++;
        for (int r = 0; r < nr; ++r)
            if (row_at[size_t(r)] >= 0) row_pos[size_t(r)] = na++;
        if (nf + na > 3000) return false;
        y.assign(size_t(nr), 0.0);
        if (nf + na == 0) return true;
        Eigen::MatrixXd K = Eigen::MatrixXd::Zero(nf + na, nf + na);
        Eigen::VectorXd rhs = Eigen::VectorXd::Zero(nf + na);
        const CoinBigIndex* start = A->getVectorStarts();
        const int* len = A->getVectorLengths();
        const int* idx = A->getIndices();
        const double* el = A->getElements();
        for (int j = 0; j < nc; ++j) {
            const int f = pos[size_t(j)];
            if (f < 0) continue;
            K(f, f) = quad_diag[size_t(j)];
            rhs[f] = -grad[size_t(j)];
            for (CoinBigIndex q = start[j]; q < start[j] + len[j]; ++q)
                if (const int a = row_pos[size_t(idx[q])]; a >= 0) K(nf + a, f) = K(f, nf + a) = el[q];
        }
        // A degenerate working set (dependent rows, a linear-cost variable the rows do not pin down) makes K
        // singular: the complete orthogonal decomposition then gives the least-norm solution, taken when it
        // still solves the system.
        const Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> cod(K);
        const Eigen::VectorXd z = cod.solve(rhs);
        if (!z.allFinite() || (K * z - rhs).norm() > 1e-8 * std::max(1.0, rhs.norm())) return false;
        for (int j = 0; j < nc; ++j)
            if (pos[size_t(j)] >= 0) p[size_t(j)] = z[pos[size_t(j)]];
        for (int r = 0; r < nr; ++r)
            if (row_pos[size_t(r)] >= 0) y[size_t(r)] = -z[nf + row_pos[size_t(r)]];
        return true;
    }

    // CLP's QP (reduced-gradient primal simplex) stops within its tolerances but, on congested cases, up to a
    // few MW from the optimum, and a warm start ends elsewhere than a cold one. From its (feasible) point a
    // few iterations of the primal active-set method finish the job (Nocedal & Wright, Numerical Optimization,
    // algorithm 16.3): with the working set W of bounds and rows held, the step p to the optimum of the
    // equality-constrained QP solves [Q A_W'; A_W 0] [p; -y] = [-(Q x + c); 0] (their eq. 16.39); the step is
    // cut at the first bound or row it would cross, which joins W; at p = 0 a member of W whose multiplier has
    // the wrong sign leaves it, and when none has, x is the exact optimum. If it does not get there (a
    // degenerate cycle), CLP's point stands.
    bool polish() {
        const int nc = model.getNumCols(), nr = model.getNumRows();
        const double* x0 = model.primalColumnSolution();
        const double* lo = model.getColLower();
        const double* up = model.getColUpper();
        const double* rlo = model.getRowLower();
        const double* rup = model.getRowUpper();
        const double* c = model.getObjCoefficients();
        const CoinPackedMatrix* A = model.matrix();
        const CoinBigIndex* start = A->getVectorStarts();
        const int* len = A->getVectorLengths();
        const int* idx = A->getIndices();
        const double* el = A->getElements();
        std::vector<char> free_col(size_t(nc), 1);
        std::vector<double> x(x0, x0 + nc), y;
        for (int j = 0; j < nc; ++j) {
            x[size_t(j)] = std::clamp(x[size_t(j)], lo[j], up[j]);
            const auto st = model.getColumnStatus(j);
            if (lo[j] == up[j] || st == ClpSimplex::atLowerBound || st == ClpSimplex::atUpperBound || st == ClpSimplex::isFixed) {
                free_col[size_t(j)] = 0;
                x[size_t(j)] = st == ClpSimplex::atUpperBound ? up[j] : lo[j];
            }
        }
        auto activities = [&](const std::vector<double>& v) {
            std::vector<double> act(size_t(nr), 0.0);
            for (int j = 0; j < nc; ++j)
                for (CoinBigIndex q = start[j]; q < start[j] + len[j]; ++q) act[size_t(idx[q])] += el[q] * v[size_t(j)];
            return act;
        };
        std::vector<double> act = activities(x);
        std::vector<int> row_at(size_t(nr), -1);
        for (int r = 0; r < nr; ++r) {
            if (rlo[r] == rup[r]) row_at[size_t(r)] = 0;
            else if (std::abs(act[size_t(r)] - rlo[r]) <= 1e-7) row_at[size_t(r)] = 0;
            else if (std::abs(act[size_t(r)] - rup[r]) <= 1e-7) row_at[size_t(r)] = 1;
        }
        const double dual_tol = 1e-7 * std::max(1.0, std::abs(*std::max_element(c, c + nc, [](double a, double b) {
                                                      return std::abs(a) < std::abs(b);
                                                  })));
        std::vector<double> p(static_cast<size_t>(nc)), grad(static_cast<size_t>(nc));
        for (int iter = 0; iter < 2000; ++iter) {
            // The step: the KKT system with the gradient at x on the right and zero row changes.
            for (int j = 0; j < nc; ++j) grad[size_t(j)] = c[j] + quad_diag[size_t(j)] * x[size_t(j)];
            std::fill(p.begin(), p.end(), 0.0);
            if (!kkt_step(free_col, row_at, grad, p, y)) return false;
            double pnorm = 0;
            for (double v : p) pnorm = std::max(pnorm, std::abs(v));
            if (pnorm <= 1e-12) {
                // Stationary on W: check the multipliers of W's bounds and rows.
                std::vector<double> reduced(grad);
                for (int j = 0; j < nc; ++j)
                    for (CoinBigIndex q = start[j]; q < start[j] + len[j]; ++q) reduced[size_t(j)] -= el[q] * y[size_t(idx[q])];
                double worst = dual_tol;
                int worst_col = -1, worst_row = -1;
                for (int j = 0; j < nc; ++j) {
                    if (free_col[size_t(j)] || lo[j] == up[j]) continue;
                    const double wrong = x[size_t(j)] >= up[j] ? reduced[size_t(j)] : -reduced[size_t(j)];
                    if (wrong > worst) worst = wrong, worst_col = j, worst_row = -1;
                }
                for (int r = 0; r < nr; ++r) {
                    if (row_at[size_t(r)] < 0 || rlo[r] == rup[r]) continue;
                    const double wrong = row_at[size_t(r)] == 1 ? y[size_t(r)] : -y[size_t(r)];
                    if (wrong > worst) worst = wrong, worst_row = r, worst_col = -1;
                }
                if (worst_col >= 0) free_col[size_t(worst_col)] = 1;
                else if (worst_row >= 0) row_at[size_t(worst_row)] = -1;
                else {
                    x_sol = std::move(x);
                    y_sol = std::move(y);
                    return true;
                }
                continue;
            }
            // Cut the step at the first bound or row it would cross.
            double alpha = 1;
            int block_col = -1, block_row = -1, block_side = 0;
            for (int j = 0; j < nc; ++j) {
                if (!free_col[size_t(j)] || p[size_t(j)] == 0) continue;
                const double bound = p[size_t(j)] > 0 ? up[j] : lo[j];
                const double a = std::max(0.0, (bound - x[size_t(j)]) / p[size_t(j)]);
                if (a < alpha) alpha = a, block_col = j, block_row = -1, block_side = p[size_t(j)] > 0;
            }
            const std::vector<double> dact = activities(p);
            for (int r = 0; r < nr; ++r) {
                if (row_at[size_t(r)] >= 0 || std::abs(dact[size_t(r)]) < 1e-15) continue;
                const double bound = dact[size_t(r)] > 0 ? rup[r] : rlo[r];
                if (!std::isfinite(bound) || std::abs(bound) >= COIN_DBL_MAX) continue;
                const double a = std::max(0.0, (bound - act[size_t(r)]) / dact[size_t(r)]);
                if (a < alpha) alpha = a, block_row = r, block_col = -1, block_side = dact[size_t(r)] > 0;
            }
            for (int j = 0; j < nc; ++j) x[size_t(j)] += alpha * p[size_t(j)];
            if (block_col >= 0) {
                free_col[size_t(block_col)] = 0;
                x[size_t(block_col)] = block_side ? up[block_col] : lo[block_col];
            }
            if (block_row >= 0) row_at[size_t(block_row)] = block_side;
            act = activities(x);
        }
        return false;
    }

    Impl(const Case& c, const OpfOptions& options) : o(options) {
        set_up_network(c, net, m);
        base = c.base_mva;
        nb = net.nb;
        ng = int(net.gen_case.size());
        nl = int(net.f.size());
        std::vector<std::vector<double>> ptdf_case = ptdf(c);  // [case branch][case bus]
        dc_flows = std::make_unique<DcFlows>(c, net, m);
        angmin.assign(size_t(nl), -std::numeric_limits<double>::infinity());
        angmax.assign(size_t(nl), std::numeric_limits<double>::infinity());
        for (int l = 0; l < nl; ++l) {
            const Branch& br = c.branches[size_t(net.branch_case[size_t(l)])];
            if (br.angmin_deg != 0 && br.angmin_deg > -360) angmin[size_t(l)] = br.angmin_deg * kRadPerDeg;
            if (br.angmax_deg != 0 && br.angmax_deg < 360) angmax[size_t(l)] = br.angmax_deg * kRadPerDeg;
        }
        base_rate.assign(size_t(nl), 0.0);
        for (int l = 0; l < nl; ++l) {
            const double rate = c.branches[size_t(net.branch_case[size_t(l)])].rate_a_mva * o.rating_scale;
            if (rate > 0 && rate < 1e10) base_rate[size_t(l)] = rate;
        }
        std::vector<CostTerms> costs(static_cast<size_t>(ng));
        for (int g = 0; g < ng; ++g) costs[size_t(g)] = cost_terms(c, size_t(net.gen_case[size_t(g)]));
        std::vector<double> collb, colub, obj, quad;
        auto add_col = [&](double lb, double ub, double lin, double q) {
            collb.push_back(lb), colub.push_back(ub), obj.push_back(lin), quad.push_back(q);
            return int(collb.size()) - 1;
        };
        for (int g = 0; g < ng; ++g) {
            add_col(0, 0, costs[size_t(g)].lin, costs[size_t(g)].quad);
            constant += costs[size_t(g)].constant;
        }
        std::vector<int> cost_col(size_t(ng), -1);
        for (int g = 0; g < ng; ++g)
            if (costs[size_t(g)].piecewise) cost_col[size_t(g)] = add_col(-COIN_DBL_MAX, COIN_DBL_MAX, 1.0, 0);
        shed_col.assign(size_t(nb), -1);
        if (o.allow_shedding)
            for (int i = 0; i < nb; ++i) shed_col[size_t(i)] = add_col(0, 0, o.voll_per_mwh * base, 0);
        Triplets a;
        std::vector<double> rowlb{0}, rowub{0};  // row 0: the system balance
        for (int g = 0; g < ng; ++g) a.add(0, g, 1.0);
        for (int i = 0; i < nb; ++i)
            if (shed_col[size_t(i)] >= 0) a.add(0, shed_col[size_t(i)], 1.0);
        for (int g = 0; g < ng; ++g) {
            if (!costs[size_t(g)].piecewise) continue;
            const auto& pts = costs[size_t(g)].points;
            for (size_t k = 0; k + 1 < pts.size(); ++k) {
                const double slope = (pts[k + 1].second - pts[k].second) / (pts[k + 1].first - pts[k].first);
                const int r = int(rowlb.size());
                rowlb.push_back(-COIN_DBL_MAX);
                rowub.push_back(slope * pts[k].first - pts[k].second);
                a.add(r, g, slope * base);
                a.add(r, cost_col[size_t(g)], -1.0);
            }
        }
        model.setLogLevel(0);
        const int ncols = int(collb.size());
        quad_diag = quad;
        CoinPackedMatrix mat(true, a.row.data(), a.col.data(), a.value.data(), CoinBigIndex(a.value.size()));
        mat.setDimensions(int(rowlb.size()), ncols);
        model.loadProblem(mat, collb.data(), colub.data(), obj.data(), rowlb.data(), rowub.data());
        load_quadratic(model, quad);
        if (o.n_minus_1) {
            const std::vector<std::vector<double>> lodf_case = lodf(c, ptdf_case);  // [case l][case k]
            lodf_by_outage.resize(size_t(nl) * size_t(nl));
            islanding.assign(size_t(nl), 0);
            for (int l = 0; l < nl; ++l) {
                const std::vector<double>& row = lodf_case[size_t(net.branch_case[size_t(l)])];
                for (int k = 0; k < nl; ++k) {
                    const double d = row[size_t(net.branch_case[size_t(k)])];
                    lodf_by_outage[size_t(k) * size_t(nl) + size_t(l)] = d;
                    if (std::isnan(d)) islanding[size_t(k)] = 1;
                }
            }
        }
        // Contiguous rows in internal order: the flow products below are plain dot products.
        ptdf_int.resize(size_t(nl) * size_t(nb));
        for (int l = 0; l < nl; ++l) {
            std::vector<double>& row = ptdf_case[size_t(net.branch_case[size_t(l)])];
            for (int i = 0; i < nb; ++i) ptdf_int[size_t(l) * size_t(nb) + size_t(i)] = row[size_t(net.case_of_bus[size_t(i)])];
            std::vector<double>().swap(row);  // freed as copied: the two dense copies do not coexist
        }
    }

    const double* ptdf_row(int l) const { return ptdf_int.data() + size_t(l) * size_t(nb); }
    double ptdf_at(int l, int i) const { return ptdf_row(l)[i]; }
    // The flow on every internal branch (p.u.) from internal-bus injections: pfinj + PTDF inj, through B's
    // factorization (O(nonzeros); the dense product took most of a solve's own time on ACTIVSg2000).
    void branch_flows(const std::vector<double>& inj, std::vector<double>& flow) const { dc_flows->flows(inj, flow); }

    // A row's coefficient on the injection at internal bus i: PTDF_l,i (+ d PTDF_k,i for an outage row).
    double coef(const FlowRow& r, int i) const {
        return ptdf_at(r.l, i) + (r.k >= 0 ? r.d * ptdf_at(r.k, i) : 0.0);
    }
    // A row's bounds on coef . x given its fixed flow f0.
    std::pair<double, double> row_bounds(const FlowRow& r, double f0, double scale) const {
        if (r.k == -2) {  // b angmin <= f - pfinj <= b angmax (flipped for a negative b)
            const double b = m.b[size_t(r.l)], lo = b * angmin[size_t(r.l)], hi = b * angmax[size_t(r.l)];
            const double shift = f0 - m.pfinj[size_t(r.l)];
            return {std::min(lo, hi) - shift, std::max(lo, hi) - shift};
        }
        const double rate = base_rate[size_t(r.l)] * scale / base;
        return {-rate - f0, rate - f0};
    }

    // The part of a row's flow that does not depend on the variables, from this point's loads: the flow the
    // loads, shunts and phase shifters make alone (p.u.), given each branch's such flow (branch_flows of the
    // fixed injections).
    static double fixed_flow(const FlowRow& r, const std::vector<double>& fixed_flows) {
        return fixed_flows[size_t(r.l)] + (r.k >= 0 ? r.d * fixed_flows[size_t(r.k)] : 0.0);
    }

    void add_rows(const std::vector<FlowRow>& fresh, const std::vector<double>& fixed_flows, double scale) {
        std::vector<CoinBigIndex> starts{0};
        std::vector<int> idx;
        std::vector<double> el, lbs, ubs;
        for (const FlowRow& r : fresh) {
            std::vector<double> at_bus(static_cast<size_t>(nb));
            for (int i = 0; i < nb; ++i) at_bus[size_t(i)] = coef(r, i);
            for (int g = 0; g < ng; ++g)
                if (const double v = at_bus[size_t(net.gen_bus[size_t(g)])]; v != 0) idx.push_back(g), el.push_back(v);
            for (int i = 0; i < nb; ++i)
                if (shed_col[size_t(i)] >= 0 && at_bus[size_t(i)] != 0) idx.push_back(shed_col[size_t(i)]), el.push_back(at_bus[size_t(i)]);
            starts.push_back(CoinBigIndex(idx.size()));
            const auto [lo, hi] = row_bounds(r, fixed_flow(r, fixed_flows), scale);
            lbs.push_back(lo);
            ubs.push_back(hi);
        }
        model.addRows(int(fresh.size()), lbs.data(), ubs.data(), starts.data(), idx.data(), el.data());
        rows.insert(rows.end(), fresh.begin(), fresh.end());
    }

    void run_qp() {
        // One pass of CLP's QP (its stopping point, polished to the exact optimum by polish()), warm-started
        // from the last solve's basis; capped, since on some congested cases it crawls. A warm start that
        // ends "infeasible" is tried once more from scratch, so only a truly infeasible point is reported.
        model.setMaximumIterations(50000);
        model.primal(0);
        if (model.status() == 1 && solved_once) {
            // A linear program (piecewise costs) that CLP's primal calls infeasible from the last basis goes to
            // the dual simplex from scratch (seen on ACTIVSg2000 after the loads moved); a QP to its primal.
            const bool quadratic = std::any_of(quad_diag.begin(), quad_diag.end(), [](double q) { return q > 0; });
            model.allSlackBasis(true);
            if (quadratic) model.primal(0);
            else model.dual(0);
        }
    }

    OpfResult solve(const Case& c, double scale) {
        if (c.buses.size() != net.bus_of_case.size() || c.gens.size() != c.gencost.size())
            throw std::invalid_argument(c.name + ": DcOpf::solve got another network than it was built for");
        // Fixed injections (loads, shunts, phase shifters' bus injections), p.u., and the total to balance.
        std::vector<double> fixed_inj(static_cast<size_t>(nb));
        double total = 0;
        for (int i = 0; i < nb; ++i) {
            const Bus& bus = c.buses[size_t(net.case_of_bus[size_t(i)])];
            fixed_inj[size_t(i)] = -(bus.pd_mw + bus.gs_mw) / base - m.pbusinj[size_t(i)];
            total += (bus.pd_mw + bus.gs_mw) / base;
            if (shed_col[size_t(i)] >= 0) model.setColumnBounds(shed_col[size_t(i)], 0, std::max(0.0, bus.pd_mw) / base);
        }
        model.setRowBounds(0, total, total);
        for (int g = 0; g < ng; ++g) {
            const Gen& gen = c.gens[size_t(net.gen_case[size_t(g)])];
            if (gen.pmin_mw > gen.pmax_mw)
                throw std::runtime_error(c.name + ": generator " + std::to_string(net.gen_case[size_t(g)] + 1) +
                                         " has PMIN above PMAX");
            model.setColumnBounds(g, gen.pmin_mw / base, gen.pmax_mw / base);
        }
        std::vector<double> fixed_flows;
        branch_flows(fixed_inj, fixed_flows);
        for (const FlowRow& r : rows) {
            const auto [lo, hi] = row_bounds(r, fixed_flow(r, fixed_flows), scale);
            model.setRowBounds(r.row, lo, hi);
        }

        OpfResult res;
        res.pg_mw.assign(c.gens.size(), 0.0);
        res.va_deg.assign(c.buses.size(), 0.0);
        res.lmp.assign(c.buses.size(), 0.0);
        res.shed_mw.assign(c.buses.size(), 0.0);
        res.pf_mw.assign(c.branches.size(), 0.0);
        for (char isl : islanding) res.islanding_outages += isl;
        std::vector<double> inj(static_cast<size_t>(nb)), flow(static_cast<size_t>(nl));
        for (;;) {
            ++res.rounds;
            run_qp();
            // Stopped by the iteration cap at a feasible point: the active-set steps may still finish.
            bool polished = false;
            if (model.status() == 3 && model.primalFeasible() &&
                std::any_of(quad_diag.begin(), quad_diag.end(), [](double q) { return q > 0; })) {
                polished = polish();
                if (polished) model.setProblemStatus(0);
            }
            solved_once = model.status() == 0;
            // A linear program (no quadratic costs) is exact from CLP's simplex as it stands.
            const bool quadratic = std::any_of(quad_diag.begin(), quad_diag.end(), [](double q) { return q > 0; });
            if (solved_once && !polished && (!quadratic || !polish())) {
                x_sol.assign(model.primalColumnSolution(), model.primalColumnSolution() + model.getNumCols());
                y_sol.assign(model.dualRowSolution(), model.dualRowSolution() + model.getNumRows());
            }
            if (model.status() != 0) {
                res.message = model.status() == 1 ? "the OPF is infeasible (the load cannot be served within the limits)"
                                                  : "the QP solver stopped before an optimum (CLP status " +
                                                        std::to_string(model.status()) + ")";
                return res;
            }
            const double* x = x_sol.data();
            inj = fixed_inj;
            for (int g = 0; g < ng; ++g) inj[size_t(net.gen_bus[size_t(g)])] += x[g];
            for (int i = 0; i < nb; ++i)
                if (shed_col[size_t(i)] >= 0) inj[size_t(i)] += x[shed_col[size_t(i)]];
            branch_flows(inj, flow);
            std::vector<FlowRow> fresh;
            const int next_row = model.getNumRows();
            for (int l = 0; l < nl; ++l) {
                const double rate = base_rate[size_t(l)] * scale;
                if (rate > 0 && std::abs(flow[size_t(l)]) * base > rate + o.tolerance_mw && added.insert({l, -1}).second)
                    fresh.push_back({next_row + int(fresh.size()), l, -1, 0.0});
                if (std::isfinite(angmin[size_t(l)]) || std::isfinite(angmax[size_t(l)])) {
                    const double diff = (flow[size_t(l)] - m.pfinj[size_t(l)]) / m.b[size_t(l)];
                    if ((diff < angmin[size_t(l)] - 1e-9 || diff > angmax[size_t(l)] + 1e-9) && added.insert({l, -2}).second)
                        fresh.push_back({next_row + int(fresh.size()), l, -2, 0.0});
                }
            }
            if (o.n_minus_1 && fresh.empty() && res.rounds <= o.max_security_rounds) {
                for (int k = 0; k < nl; ++k) {
                    if (islanding[size_t(k)]) continue;
                    const double* lodf_k = lodf_by_outage.data() + size_t(k) * size_t(nl);
                    for (int l = 0; l < nl; ++l) {
                        const double rate = base_rate[size_t(l)] * scale;
                        if (l == k || !(rate > 0)) continue;
                        const double d = lodf_k[l];
                        if (d == 0) continue;
                        if (std::abs(flow[size_t(l)] + d * flow[size_t(k)]) * base <= rate + o.tolerance_mw) continue;
                        if (added.insert({l, k}).second) fresh.push_back({next_row + int(fresh.size()), l, k, d});
                    }
                }
                res.security_rows += int(fresh.size());
            }
            if (fresh.empty() || res.rounds > o.max_security_rounds + 10) break;
            add_rows(fresh, fixed_flows, scale);
        }

        const double* x = x_sol.data();
        const double* dual = y_sol.data();
        res.solved = true;
        res.objective = constant;
        {
            const double* c = model.getObjCoefficients();
            for (int j = 0; j < model.getNumCols(); ++j)
                res.objective += c[j] * x[j] + 0.5 * quad_diag[size_t(j)] * x[j] * x[j];
        }
        // LMP_i = d cost / d Pd_i: the balance row's right-hand side grows by 1/base per MW at bus i, and each
        // flow row's bounds shift by its coefficient on bus i's injection.
        std::vector<double> lmp(size_t(nb), dual[0]);
        for (const FlowRow& r : rows)
            if (dual[r.row] != 0)
                for (int i = 0; i < nb; ++i) lmp[size_t(i)] += dual[r.row] * coef(r, i);
        for (int i = 0; i < nb; ++i) {
            const size_t k = size_t(net.case_of_bus[size_t(i)]);
            res.lmp[k] = lmp[size_t(i)] / base;
            if (shed_col[size_t(i)] >= 0) res.shed_mw[k] = x[shed_col[size_t(i)]] * base;
        }
        for (int g = 0; g < ng; ++g) res.pg_mw[size_t(net.gen_case[size_t(g)])] = x[g] * base;
        for (int l = 0; l < nl; ++l) {
            const size_t k = size_t(net.branch_case[size_t(l)]);
            res.pf_mw[k] = flow[size_t(l)] * base;
            const double rate = base_rate[size_t(l)] * scale;
            if (rate > 0 && std::abs(res.pf_mw[k]) >= rate - 1e-3) res.binding.push_back(int(k));
        }
        return res;
    }
};

DcOpf::DcOpf(const Case& c, const OpfOptions& options) : impl_(new Impl(c, options)) {}
DcOpf::~DcOpf() { delete impl_; }
OpfResult DcOpf::solve(const Case& c, double rating_scale) { return impl_->solve(c, rating_scale); }

OpfResult dc_opf(const Case& c, const OpfOptions& o) {
    if (o.form == OpfOptions::Form::Angles) {
        VaOpf opf(c, o);
        return opf.solve(c, 1.0);
    }
    DcOpf opf(c, o);
    return opf.solve(c);
}

}  // namespace infrascape::grid
