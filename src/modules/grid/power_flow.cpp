// DC and AC power flow, PTDF, LODF and N-1 screening, written to reproduce MATPOWER's numbers: the
// internal model (ext2int.m, bustypes.m), the matrices (makeBdc.m, makeYbus.m), the solvers (runpf.m's
// DC branch with dcpf.m; newtonpf.m with dSbus_dV.m), the post-processing (pfsoln.m) and the sensitivity
// factors (makePTDF.m, makeLODF.m). Sparse solves use Eigen: SimplicialLDLT for the symmetric B matrix,
// SparseLU for the Newton Jacobian. See power_flow.hpp for the contracts.
#include "modules/grid/power_flow.hpp"
#include "modules/grid/dc_network.hpp"

#include <Eigen/Sparse>
#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <unordered_map>

namespace infrascape::grid {

// [SECTION] Internal model (MATPOWER's ext2int.m and bustypes.m); see dc_network.hpp.
Network build_network(const Case& c) {
    Network net;
    std::unordered_map<int, int> index_of_id;
    index_of_id.reserve(c.buses.size() * 2);
    net.bus_of_case.assign(c.buses.size(), -1);
    for (size_t k = 0; k < c.buses.size(); ++k) {
        if (!index_of_id.emplace(c.buses[k].id, int(k)).second)
            throw std::runtime_error(c.name + ": bus " + std::to_string(c.buses[k].id) + " is defined twice");
        if (c.buses[k].type == BusType::Isolated) continue;
        net.bus_of_case[k] = net.nb++;
        net.case_of_bus.push_back(int(k));
    }
    auto internal = [&](int id, const char* what, size_t which) {
        auto it = index_of_id.find(id);
        if (it == index_of_id.end())
            throw std::runtime_error(c.name + ": " + what + " " + std::to_string(which + 1) + " refers to bus " +
                                     std::to_string(id) + ", which does not exist");
        return net.bus_of_case[size_t(it->second)];
    };
    for (size_t k = 0; k < c.branches.size(); ++k) {
        const Branch& br = c.branches[k];
        const int f = internal(br.from, "branch", k), t = internal(br.to, "branch", k);
        if (br.status <= 0 || f < 0 || t < 0) continue;
        net.branch_case.push_back(int(k));
        net.f.push_back(f);
        net.t.push_back(t);
    }
    std::vector<int> gens_at_bus(size_t(net.nb), 0);
    for (size_t k = 0; k < c.gens.size(); ++k) {
        const int b = internal(c.gens[k].bus, "generator", k);
        if (c.gens[k].status <= 0 || b < 0) continue;
        net.gen_case.push_back(int(k));
        net.gen_bus.push_back(b);
        ++gens_at_bus[size_t(b)];
    }
    for (int i = 0; i < net.nb; ++i) {
        const BusType type = c.buses[size_t(net.case_of_bus[size_t(i)])].type;
        const bool has_gen = gens_at_bus[size_t(i)] > 0;
        if (type == BusType::Ref && has_gen) net.ref.push_back(i);
        else if (type == BusType::PV && has_gen) net.pv.push_back(i);
        else net.pq.push_back(i);
    }
    if (net.ref.empty()) {
        if (net.pv.empty())
            throw std::runtime_error(c.name + ": no reference bus (no reference or PV bus with an in-service generator)");
        net.ref.push_back(net.pv.front());
        net.pv.erase(net.pv.begin());
    }
    net.is_ref.assign(size_t(net.nb), 0);
    for (int r : net.ref) net.is_ref[size_t(r)] = 1;
    return net;
}

// Every bus must be connected to a reference bus through in-service branches, or B (and the Jacobian) is
// singular; MATPOWER only warns about a singular matrix there, we refuse with a clear message.
void require_connected(const Case& c, const Network& net) {
    std::vector<std::vector<int>> adj(size_t(net.nb));
    for (size_t l = 0; l < net.f.size(); ++l) {
        adj[size_t(net.f[l])].push_back(net.t[l]);
        adj[size_t(net.t[l])].push_back(net.f[l]);
    }
    std::vector<char> seen(size_t(net.nb), 0);
    std::vector<int> stack(net.ref.begin(), net.ref.end());
    for (int r : net.ref) seen[size_t(r)] = 1;
    while (!stack.empty()) {
        const int i = stack.back();
        stack.pop_back();
        for (int j : adj[size_t(i)])
            if (!seen[size_t(j)]) {
                seen[size_t(j)] = 1;
                stack.push_back(j);
            }
    }
    for (int i = 0; i < net.nb; ++i)
        if (!seen[size_t(i)])
            throw std::runtime_error(c.name + ": bus " + std::to_string(c.buses[size_t(net.case_of_bus[size_t(i)])].id) +
                                     " is in an island without a reference bus (singular B)");
}

// [SECTION] DC model (makeBdc.m); see dc_network.hpp.

DcModel make_bdc(const Case& c, const Network& net) {
    DcModel m;
    const size_t nl = net.f.size();
    m.b.resize(nl);
    m.pfinj.resize(nl);
    m.pbusinj.assign(size_t(net.nb), 0.0);
    for (size_t l = 0; l < nl; ++l) {
        const Branch& br = c.branches[size_t(net.branch_case[l])];
        const double tap = br.ratio != 0 ? br.ratio : 1.0;
        m.b[l] = 1.0 / br.x_pu / tap;
        m.pfinj[l] = m.b[l] * (-br.angle_deg * std::numbers::pi / 180.0);
        m.pbusinj[size_t(net.f[l])] += m.pfinj[l];
        m.pbusinj[size_t(net.t[l])] -= m.pfinj[l];
    }
    return m;
}

namespace {

using Complex = std::complex<double>;
using SparseReal = Eigen::SparseMatrix<double>;
using SparseComplex = Eigen::SparseMatrix<Complex>;

constexpr double kRadPerDeg = std::numbers::pi / 180.0;
constexpr double kEps = std::numeric_limits<double>::epsilon();  // MATLAB's eps
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

// Bridges of the in-service branch graph (Tarjan's low-link, iterative): the branches whose outage splits
// the grid. Parallel branches are distinct edges, so neither of a parallel pair is a bridge.
std::vector<char> find_bridges(const Network& net) {
    const size_t nl = net.f.size();
    std::vector<std::vector<std::pair<int, int>>> adj(size_t(net.nb));  // (neighbour, branch)
    for (size_t l = 0; l < nl; ++l) {
        if (net.f[l] == net.t[l]) continue;
        adj[size_t(net.f[l])].push_back({net.t[l], int(l)});
        adj[size_t(net.t[l])].push_back({net.f[l], int(l)});
    }
    std::vector<char> bridge(nl, 0);
    std::vector<int> order(size_t(net.nb), -1), low(size_t(net.nb), 0);
    struct Frame {
        int bus, via, next;  // via: the branch we came by; next: position in adj[bus]
    };
    std::vector<Frame> stack;
    int counter = 0;
    for (int root = 0; root < net.nb; ++root) {
        if (order[size_t(root)] >= 0) continue;
        order[size_t(root)] = low[size_t(root)] = counter++;
        stack.push_back({root, -1, 0});
        while (!stack.empty()) {
            Frame& fr = stack.back();
            const auto& nbrs = adj[size_t(fr.bus)];
            if (fr.next < int(nbrs.size())) {
                const auto [j, l] = nbrs[size_t(fr.next++)];
                if (l == fr.via) continue;
                if (order[size_t(j)] < 0) {
                    order[size_t(j)] = low[size_t(j)] = counter++;
                    stack.push_back({j, l, 0});
                } else {
                    low[size_t(fr.bus)] = std::min(low[size_t(fr.bus)], order[size_t(j)]);
                }
            } else {
                const Frame done = fr;
                stack.pop_back();
                if (!stack.empty()) {
                    const int parent = stack.back().bus;
                    low[size_t(parent)] = std::min(low[size_t(parent)], low[size_t(done.bus)]);
                    if (low[size_t(done.bus)] > order[size_t(parent)]) bridge[size_t(done.via)] = 1;
                }
            }
        }
    }
    return bridge;
}

namespace {

// Bbus with the rows and columns of `fixed` buses removed, factored once (LDL', AMD ordering).
struct ReducedB {
    std::vector<int> red;  // internal bus -> row, -1 for a fixed bus
    int n = 0;
    Eigen::SimplicialLDLT<SparseReal> ldlt;

    ReducedB(const Case& c, const Network& net, const DcModel& m, const std::vector<char>& fixed) {
        red.assign(size_t(net.nb), -1);
        for (int i = 0; i < net.nb; ++i)
            if (!fixed[size_t(i)]) red[size_t(i)] = n++;
        std::vector<Eigen::Triplet<double>> trip;
        trip.reserve(net.f.size() * 4);
        for (size_t l = 0; l < net.f.size(); ++l) {
            const int rf = red[size_t(net.f[l])], rt = red[size_t(net.t[l])];
            const double b = m.b[l];
            if (rf >= 0) trip.emplace_back(rf, rf, b);
            if (rt >= 0) trip.emplace_back(rt, rt, b);
            if (rf >= 0 && rt >= 0) {
                trip.emplace_back(rf, rt, -b);
                trip.emplace_back(rt, rf, -b);
            }
        }
        SparseReal B(n, n);
        B.setFromTriplets(trip.begin(), trip.end());
        ldlt.compute(B);
        if (ldlt.info() != Eigen::Success)
            throw std::runtime_error(c.name + ": the DC power flow matrix B is singular");
    }
};

std::vector<char> fixed_buses(const Network& net, bool all_refs) {
    std::vector<char> fixed(size_t(net.nb), 0);
    if (all_refs) fixed = net.is_ref;
    else fixed[size_t(net.ref.front())] = 1;  // makePTDF's default slack: the first reference bus
    return fixed;
}

// [SECTION] AC model (makeYbus.m)
// Branch pi model with the ideal transformer at the from end: Ytt = ys + j b/2, Yff = Ytt / |tap|^2,
// Yft = -ys / conj(tap), Ytf = -ys / tap, tap = ratio * exp(j shift); bus shunts (Gs + j Bs) / baseMVA.
struct AcModel {
    std::vector<Complex> yff, yft, ytf, ytt;  // per in-service branch
    SparseComplex ybus;                        // column-major, with every diagonal entry present
};

AcModel make_ybus(const Case& c, const Network& net) {
    AcModel m;
    const size_t nl = net.f.size();
    m.yff.resize(nl);
    m.yft.resize(nl);
    m.ytf.resize(nl);
    m.ytt.resize(nl);
    std::vector<Eigen::Triplet<Complex>> trip;
    trip.reserve(nl * 4 + size_t(net.nb));
    for (int i = 0; i < net.nb; ++i) {
        const Bus& bus = c.buses[size_t(net.case_of_bus[size_t(i)])];
        trip.emplace_back(i, i, Complex(bus.gs_mw, bus.bs_mvar) / c.base_mva);
    }
    for (size_t l = 0; l < nl; ++l) {
        const Branch& br = c.branches[size_t(net.branch_case[l])];
        const Complex ys = 1.0 / Complex(br.r_pu, br.x_pu);
        const Complex tap = (br.ratio != 0 ? br.ratio : 1.0) * std::polar(1.0, br.angle_deg * kRadPerDeg);
        m.ytt[l] = ys + Complex(0, br.b_pu / 2);
        m.yff[l] = m.ytt[l] / (tap * std::conj(tap));
        m.yft[l] = -ys / std::conj(tap);
        m.ytf[l] = -ys / tap;
        const int f = net.f[l], t = net.t[l];
        trip.emplace_back(f, f, m.yff[l]);
        trip.emplace_back(f, t, m.yft[l]);
        trip.emplace_back(t, f, m.ytf[l]);
        trip.emplace_back(t, t, m.ytt[l]);
    }
    m.ybus.resize(net.nb, net.nb);
    m.ybus.setFromTriplets(trip.begin(), trip.end());
    return m;
}

PowerFlowResult empty_result(const Case& c) {
    PowerFlowResult r;
    r.vm_pu.resize(c.buses.size());
    r.va_deg.resize(c.buses.size());
    for (size_t k = 0; k < c.buses.size(); ++k) {  // isolated buses keep their case values (int2ext)
        r.vm_pu[k] = c.buses[k].vm_pu;
        r.va_deg[k] = c.buses[k].va_deg;
    }
    r.pf_mw.assign(c.branches.size(), 0.0);
    r.qf_mvar.assign(c.branches.size(), 0.0);
    r.pt_mw.assign(c.branches.size(), 0.0);
    r.qt_mvar.assign(c.branches.size(), 0.0);
    r.pg_mw.assign(c.gens.size(), 0.0);  // out-of-service generators report 0 (runpf.m)
    r.qg_mvar.assign(c.gens.size(), 0.0);
    return r;
}

// Buses in the order of an approximate minimum degree elimination of Ybus's pattern (AMD on the bus graph).
std::vector<int> bus_elimination_order(const SparseComplex& ybus) {
    SparseReal pattern(ybus.rows(), ybus.cols());
    std::vector<Eigen::Triplet<double>> trip;
    trip.reserve(size_t(ybus.nonZeros()));
    for (int c = 0; c < ybus.outerSize(); ++c)
        for (SparseComplex::InnerIterator it(ybus, c); it; ++it) trip.emplace_back(int(it.row()), c, 1.0);
    pattern.setFromTriplets(trip.begin(), trip.end());
    Eigen::PermutationMatrix<Eigen::Dynamic, Eigen::Dynamic, int> perm;
    Eigen::AMDOrdering<int>()(pattern, perm);
    // Eigen's orderings return the permutation that SimplicialLDLT uses as P^-1: entry k is the k-th bus
    // to eliminate.
    return std::vector<int>(perm.indices().data(), perm.indices().data() + perm.indices().size());
}

// Solves the Newton step J dx = F. The caller numbers the unknowns bus by bus in AMD order (Va, then Vm
// of each bus), so J's 2x2 blocks stay together and need no further ordering: SparseLU runs in natural
// order, in symmetric mode, with threshold partial pivoting (0.1) that keeps diagonal pivots unless they
// are small, in the spirit of UMFPACK's symmetric strategy behind the backslash in newtonpf.m. On
// ACTIVSg10k this gives L+U 277k nonzeros against 454k for SparseLU's default (COLAMD on J, pivoting
// threshold 1). J's pattern and where each Ybus entry's four contributions go are found once; each
// iteration only refills the values and refactors.
class NewtonJacobian {
public:
    NewtonJacobian(const SparseComplex& ybus, const std::vector<int>& ia, const std::vector<int>& iv, int n) {
        std::vector<Eigen::Triplet<double>> trip;
        trip.reserve(size_t(ybus.nonZeros()) * 4);
        for (int c = 0; c < ybus.outerSize(); ++c)
            for (SparseComplex::InnerIterator it(ybus, c); it; ++it) {
                const int r = int(it.row());
                for (int rr : {ia[size_t(r)], iv[size_t(r)]})
                    for (int cc : {ia[size_t(c)], iv[size_t(c)]})
                        if (rr >= 0 && cc >= 0) trip.emplace_back(rr, cc, 0.0);
            }
        j_.resize(n, n);
        j_.setFromTriplets(trip.begin(), trip.end());
        j_.makeCompressed();
        auto slot = [&](int rr, int cc) -> int {
            if (rr < 0 || cc < 0) return -1;
            const int* begin = j_.innerIndexPtr() + j_.outerIndexPtr()[cc];
            const int* end = j_.innerIndexPtr() + j_.outerIndexPtr()[cc + 1];
            return int(std::lower_bound(begin, end, rr) - j_.innerIndexPtr());
        };
        slots_.reserve(size_t(ybus.nonZeros()));
        for (int c = 0; c < ybus.outerSize(); ++c)
            for (SparseComplex::InnerIterator it(ybus, c); it; ++it) {
                const int r = int(it.row());
                slots_.push_back({slot(ia[size_t(r)], ia[size_t(c)]), slot(ia[size_t(r)], iv[size_t(c)]),
                                  slot(iv[size_t(r)], ia[size_t(c)]), slot(iv[size_t(r)], iv[size_t(c)])});
            }
        lu_.isSymmetric(true);
        lu_.setPivotThreshold(0.1);
        lu_.analyzePattern(j_);
    }

    // dSbus/dVa and dSbus/dVm in polar form (dSbus_dV.m):
    //   dS/dVa = j diag(V) conj(diag(I) - Ybus diag(V)),  dS/dVm = diag(V) conj(Ybus diag(V/|V|)) + conj(diag(I)) diag(V/|V|)
    // with I = Ybus V. J = [Re dS/dVa(pvpq, pvpq)  Re dS/dVm(pvpq, pq); Im dS/dVa(pq, pvpq)  Im dS/dVm(pq, pq)].
    bool factor(const SparseComplex& ybus, const Eigen::VectorXcd& v, const Eigen::VectorXcd& ibus) {
        double* val = j_.valuePtr();
        std::fill(val, val + j_.nonZeros(), 0.0);
        size_t k = 0;
        for (int c = 0; c < ybus.outerSize(); ++c) {
            const Complex vc = v[c], vnc = vc / std::abs(vc);
            for (SparseComplex::InnerIterator it(ybus, c); it; ++it, ++k) {
                const int r = int(it.row());
                const Complex y = it.value(), vr = v[r];
                Complex d_va = Complex(0, 1) * vr * std::conj(-y * vc);
                Complex d_vm = vr * std::conj(y * vnc);
                if (r == c) {
                    d_va += Complex(0, 1) * vr * std::conj(ibus[r]);
                    d_vm += std::conj(ibus[r]) * vnc;
                }
                const auto& s = slots_[k];
                if (s[0] >= 0) val[s[0]] += d_va.real();
                if (s[1] >= 0) val[s[1]] += d_vm.real();
                if (s[2] >= 0) val[s[2]] += d_va.imag();
                if (s[3] >= 0) val[s[3]] += d_vm.imag();
            }
        }
        lu_.factorize(j_);
        return lu_.info() == Eigen::Success;
    }

    Eigen::VectorXd solve(const Eigen::VectorXd& rhs) { return lu_.solve(rhs); }

private:
    SparseReal j_;
    std::vector<std::array<int, 4>> slots_;  // per Ybus entry: J positions of dP/dVa, dP/dVm, dQ/dVa, dQ/dVm
    Eigen::SparseLU<SparseReal, Eigen::NaturalOrdering<int>> lu_;
};

}  // namespace

// [SECTION] DC power flow (runpf.m with the DC model, dcpf.m)
PowerFlowResult dc_power_flow(const Case& c) {
    const Network net = build_network(c);
    require_connected(c, net);
    const DcModel m = make_bdc(c, net);
    const double base = c.base_mva;

    // Pbus = (Cg Pg - Pd) / baseMVA - Pbusinj - Gs / baseMVA
    std::vector<double> pbus(size_t(net.nb)), va(size_t(net.nb));
    for (int i = 0; i < net.nb; ++i) {
        const Bus& bus = c.buses[size_t(net.case_of_bus[size_t(i)])];
        pbus[size_t(i)] = -bus.pd_mw / base - m.pbusinj[size_t(i)] - bus.gs_mw / base;
        va[size_t(i)] = bus.va_deg * kRadPerDeg;
    }
    for (size_t g = 0; g < net.gen_case.size(); ++g)
        pbus[size_t(net.gen_bus[g])] += c.gens[size_t(net.gen_case[g])].pg_mw / base;

    // Va(pvpq) = B(pvpq, pvpq) \ (Pbus(pvpq) - B(pvpq, ref) Va0(ref))
    const ReducedB rb(c, net, m, fixed_buses(net, true));
    Eigen::VectorXd rhs(rb.n);
    for (int i = 0; i < net.nb; ++i)
        if (rb.red[size_t(i)] >= 0) rhs[rb.red[size_t(i)]] = pbus[size_t(i)];
    for (size_t l = 0; l < net.f.size(); ++l) {
        const int f = net.f[l], t = net.t[l];
        if (rb.red[size_t(f)] >= 0 && rb.red[size_t(t)] < 0) rhs[rb.red[size_t(f)]] += m.b[l] * va[size_t(t)];
        if (rb.red[size_t(t)] >= 0 && rb.red[size_t(f)] < 0) rhs[rb.red[size_t(t)]] += m.b[l] * va[size_t(f)];
    }
    const Eigen::VectorXd x = rb.ldlt.solve(rhs);
    for (int i = 0; i < net.nb; ++i)
        if (rb.red[size_t(i)] >= 0) va[size_t(i)] = x[rb.red[size_t(i)]];

    PowerFlowResult r = empty_result(c);
    r.converged = x.allFinite();
    r.iterations = 1;
    for (int i = 0; i < net.nb; ++i) {
        const size_t k = size_t(net.case_of_bus[size_t(i)]);
        r.vm_pu[k] = 1.0;
        r.va_deg[k] = va[size_t(i)] / kRadPerDeg;
    }
    // PF = (Bf Va + Pfinj) baseMVA, PT = -PF; B(ref, :) Va accumulates at the same time.
    std::vector<double> bva(size_t(net.nb), 0.0);
    for (size_t l = 0; l < net.f.size(); ++l) {
        const size_t f = size_t(net.f[l]), t = size_t(net.t[l]);
        const double flow = m.b[l] * (va[f] - va[t]);
        bva[f] += flow;
        bva[t] -= flow;
        const size_t k = size_t(net.branch_case[l]);
        r.pf_mw[k] = (flow + m.pfinj[l]) * base;
        r.pt_mw[k] = -r.pf_mw[k];
    }
    for (size_t g = 0; g < net.gen_case.size(); ++g) {
        const Gen& gen = c.gens[size_t(net.gen_case[g])];
        r.pg_mw[size_t(net.gen_case[g])] = gen.pg_mw;
        r.qg_mvar[size_t(net.gen_case[g])] = gen.qg_mvar;  // left as in the case, as runpf.m does for DC
    }
    // The first in-service generator at each reference bus takes up the balance:
    // Pg += (B(ref, :) Va - Pbus(ref)) baseMVA.
    for (int ref : net.ref) {
        for (size_t g = 0; g < net.gen_case.size(); ++g)
            if (net.gen_bus[g] == ref) {
                r.pg_mw[size_t(net.gen_case[g])] += (bva[size_t(ref)] - pbus[size_t(ref)]) * base;
                break;
            }
    }
    r.max_mismatch = 0;
    return r;
}

// [SECTION] AC power flow (newtonpf.m, pfsoln.m)
PowerFlowResult ac_power_flow(const Case& c, double tolerance, int max_iterations) {
    const Network net = build_network(c);
    require_connected(c, net);
    const AcModel m = make_ybus(c, net);
    const double base = c.base_mva;
    const int nb = net.nb;

    // Sbus = (Cg Sg - Sd) / baseMVA (makeSbus.m, constant-power loads)
    Eigen::VectorXcd sbus(nb);
    Eigen::VectorXcd v(nb);
    for (int i = 0; i < nb; ++i) {
        const Bus& bus = c.buses[size_t(net.case_of_bus[size_t(i)])];
        sbus[i] = -Complex(bus.pd_mw, bus.qd_mvar) / base;
        v[i] = std::polar(bus.vm_pu, bus.va_deg * kRadPerDeg);
    }
    std::vector<char> is_pq(size_t(nb), 0);
    for (int i : net.pq) is_pq[size_t(i)] = 1;
    // V0: the case voltages, with the magnitude set to Vg at PV and reference buses.
    const Eigen::VectorXcd v_case = v;
    for (size_t g = 0; g < net.gen_case.size(); ++g) {
        const Gen& gen = c.gens[size_t(net.gen_case[g])];
        const int i = net.gen_bus[g];
        sbus[i] += Complex(gen.pg_mw, gen.qg_mvar) / base;
        if (!is_pq[size_t(i)]) v[i] = gen.vg_pu / std::abs(v_case[i]) * v_case[i];
    }

    // Unknowns: Va at PV and PQ buses, Vm at PQ buses, as in newtonpf.m, but numbered bus by bus in a
    // fill-reducing order (see NewtonJacobian) rather than newtonpf's [Va(pv); Va(pq); Vm(pq)].
    std::vector<int> ia(size_t(nb), -1), iv(size_t(nb), -1);
    int n = 0;
    for (int i : bus_elimination_order(m.ybus)) {
        if (net.is_ref[size_t(i)]) continue;
        ia[size_t(i)] = n++;
        if (is_pq[size_t(i)]) iv[size_t(i)] = n++;
    }

    Eigen::VectorXd vm = v.cwiseAbs(), va(nb);
    for (int i = 0; i < nb; ++i) va[i] = std::arg(v[i]);
    Eigen::VectorXcd ibus(nb);
    Eigen::VectorXd F(n);
    auto mismatch = [&] {
        ibus = m.ybus * v;
        for (int i = 0; i < nb; ++i) {
            const Complex mis = v[i] * std::conj(ibus[i]) - sbus[i];
            if (ia[size_t(i)] >= 0) F[ia[size_t(i)]] = mis.real();
            if (iv[size_t(i)] >= 0) F[iv[size_t(i)]] = mis.imag();
        }
        return n > 0 ? F.cwiseAbs().maxCoeff() : 0.0;
    };

    PowerFlowResult r = empty_result(c);
    double norm_f = mismatch();
    bool converged = norm_f < tolerance;
    int it = 0;
    if (!converged && n > 0) {
        NewtonJacobian jac(m.ybus, ia, iv, n);
        while (!converged && it < max_iterations) {
            ++it;
            if (!jac.factor(m.ybus, v, ibus)) break;
            const Eigen::VectorXd dx = jac.solve(F);
            for (int i = 0; i < nb; ++i) {
                if (ia[size_t(i)] >= 0) va[i] -= dx[ia[size_t(i)]];
                if (iv[size_t(i)] >= 0) vm[i] -= dx[iv[size_t(i)]];
                v[i] = std::polar(vm[i], va[i]);
                vm[i] = std::abs(v[i]);
                va[i] = std::arg(v[i]);
            }
            norm_f = mismatch();
            if (!std::isfinite(norm_f)) break;
            converged = norm_f < tolerance;
        }
    }
    r.converged = converged;
    r.iterations = it;
    r.max_mismatch = norm_f;

    // pfsoln.m: bus voltages, generator outputs, branch flows.
    for (int i = 0; i < nb; ++i) {
        const size_t k = size_t(net.case_of_bus[size_t(i)]);
        r.vm_pu[k] = std::abs(v[i]);
        r.va_deg[k] = std::arg(v[i]) / kRadPerDeg;
    }
    for (size_t g = 0; g < net.gen_case.size(); ++g) {
        const Gen& gen = c.gens[size_t(net.gen_case[g])];
        r.pg_mw[size_t(net.gen_case[g])] = gen.pg_mw;
        r.qg_mvar[size_t(net.gen_case[g])] = gen.qg_mvar;
    }
    // Generators at PV and reference buses (by the case's bus type) get Qg = Im(injection) + Qd, shared
    // first equally, then in proportion to each generator's reactive range (infinite limits replaced by a
    // large finite bound M); at a bus whose total range is zero, equally.
    std::vector<size_t> on;  // indices into net.gen_case
    for (size_t g = 0; g < net.gen_case.size(); ++g)
        if (c.buses[size_t(net.case_of_bus[size_t(net.gen_bus[g])])].type != BusType::PQ) on.push_back(g);
    std::vector<double> qg(on.size()), qmin(on.size()), qmax(on.size());
    std::vector<int> ngg(size_t(nb), 0);
    for (size_t k = 0; k < on.size(); ++k) ++ngg[size_t(net.gen_bus[on[k]])];
    for (size_t k = 0; k < on.size(); ++k) {
        const int i = net.gen_bus[on[k]];
        const Bus& bus = c.buses[size_t(net.case_of_bus[size_t(i)])];
        qg[k] = (v[i] * std::conj(ibus[i])).imag() * base + bus.qd_mvar;
    }
    if (on.size() > 1) {
        std::vector<double> m_bus(size_t(nb), 0.0), tot(size_t(nb), 0.0), tmin(size_t(nb), 0.0), tmax(size_t(nb), 0.0);
        for (size_t k = 0; k < on.size(); ++k) {
            const Gen& gen = c.gens[size_t(net.gen_case[on[k]])];
            const size_t i = size_t(net.gen_bus[on[k]]);
            qg[k] /= ngg[i];
            qmin[k] = gen.qmin_mvar;
            qmax[k] = gen.qmax_mvar;
            double mk = std::abs(qg[k]);
            if (!std::isinf(qmax[k])) mk += std::abs(qmax[k]);
            if (!std::isinf(qmin[k])) mk += std::abs(qmin[k]);
            m_bus[i] += mk;
        }
        for (size_t k = 0; k < on.size(); ++k) {
            const size_t i = size_t(net.gen_bus[on[k]]);
            if (std::isinf(qmin[k])) qmin[k] = std::copysign(m_bus[i], qmin[k]);
            if (std::isinf(qmax[k])) qmax[k] = std::copysign(m_bus[i], qmax[k]);
            tot[i] += qg[k];
            tmin[i] += qmin[k];
            tmax[i] += qmax[k];
        }
        for (size_t k = 0; k < on.size(); ++k) {
            const size_t i = size_t(net.gen_bus[on[k]]);
            if (std::abs(tmin[i] - tmax[i]) < 10 * kEps)
                qg[k] = qmin[k] + (tot[i] - tmin[i]) / ngg[i];
            else
                qg[k] = qmin[k] + ((tot[i] - tmin[i]) / (tmax[i] - tmin[i] + kEps)) * (qmax[k] - qmin[k]);
        }
    }
    for (size_t k = 0; k < on.size(); ++k) r.qg_mvar[size_t(net.gen_case[on[k]])] = qg[k];
    // Reference bus: the first generator there takes Re(injection) + Pd less the other generators there.
    for (int ref : net.ref) {
        int first = -1;
        double others = 0;
        for (size_t k = 0; k < on.size(); ++k) {
            if (net.gen_bus[on[k]] != ref) continue;
            if (first < 0) first = net.gen_case[on[k]];
            else others += c.gens[size_t(net.gen_case[on[k]])].pg_mw;
        }
        if (first < 0) continue;
        const Bus& bus = c.buses[size_t(net.case_of_bus[size_t(ref)])];
        r.pg_mw[size_t(first)] = (v[ref] * std::conj(ibus[ref])).real() * base + bus.pd_mw - others;
    }
    // Sf = V(f) conj(Yf V) baseMVA, St = V(t) conj(Yt V) baseMVA
    for (size_t l = 0; l < net.f.size(); ++l) {
        const Complex vf = v[net.f[l]], vt = v[net.t[l]];
        const Complex sf = vf * std::conj(m.yff[l] * vf + m.yft[l] * vt) * base;
        const Complex st = vt * std::conj(m.ytf[l] * vf + m.ytt[l] * vt) * base;
        const size_t k = size_t(net.branch_case[l]);
        r.pf_mw[k] = sf.real();
        r.qf_mvar[k] = sf.imag();
        r.pt_mw[k] = st.real();
        r.qt_mvar[k] = st.imag();
    }
    return r;
}

// [SECTION] PTDF (makePTDF.m with the first reference bus as the slack)
// PTDF = Bf B^-1 with the slack's row and column removed from B, computed as the transpose of
// B^-1 Bf': one sparse factorization, then the branches' right-hand sides in blocks (never a dense inverse).
struct DcFlows::Impl {
    const Network& net;
    const DcModel& m;
    ReducedB rb;
    Impl(const Case& c, const Network& n, const DcModel& model) : net(n), m(model), rb(c, n, model, fixed_buses(n, false)) {}
};

DcFlows::DcFlows(const Case& c, const Network& net, const DcModel& m) : impl_(std::make_unique<Impl>(c, net, m)) {}
DcFlows::~DcFlows() = default;

void DcFlows::flows(const std::vector<double>& inj, std::vector<double>& flow) const {
    const Impl& d = *impl_;
    Eigen::VectorXd rhs = Eigen::VectorXd::Zero(d.rb.n);
    for (int i = 0; i < d.net.nb; ++i)
        if (const int r = d.rb.red[size_t(i)]; r >= 0) rhs(r) = inj[size_t(i)];
    const Eigen::VectorXd x = d.rb.ldlt.solve(rhs);
    auto theta = [&](int i) { const int r = d.rb.red[size_t(i)]; return r >= 0 ? x(r) : 0.0; };
    flow.resize(d.net.f.size());
    for (size_t l = 0; l < d.net.f.size(); ++l)
        flow[l] = d.m.b[l] * (theta(d.net.f[l]) - theta(d.net.t[l])) + d.m.pfinj[l];
}

void DcFlows::ptdf_row(int l, std::vector<double>& row) const {
    const Impl& d = *impl_;
    Eigen::VectorXd rhs = Eigen::VectorXd::Zero(d.rb.n);
    const int rf = d.rb.red[size_t(d.net.f[size_t(l)])], rt = d.rb.red[size_t(d.net.t[size_t(l)])];
    if (rf >= 0) rhs(rf) += d.m.b[size_t(l)];
    if (rt >= 0) rhs(rt) -= d.m.b[size_t(l)];
    const Eigen::VectorXd x = d.rb.ldlt.solve(rhs);
    row.assign(size_t(d.net.nb), 0.0);
    for (int i = 0; i < d.net.nb; ++i)
        if (const int r = d.rb.red[size_t(i)]; r >= 0) row[size_t(i)] = x(r);
}

void DcFlows::ptdf_column(int i, std::vector<double>& column) const {
    const Impl& d = *impl_;
    Eigen::VectorXd rhs = Eigen::VectorXd::Zero(d.rb.n);
    if (const int r = d.rb.red[size_t(i)]; r >= 0) rhs(r) = 1.0;
    const Eigen::VectorXd x = d.rb.ldlt.solve(rhs);
    auto theta = [&](int b) { const int r = d.rb.red[size_t(b)]; return r >= 0 ? x(r) : 0.0; };
    column.resize(d.net.f.size());
    for (size_t l = 0; l < d.net.f.size(); ++l) column[l] = d.m.b[l] * (theta(d.net.f[l]) - theta(d.net.t[l]));
}

std::vector<std::vector<double>> ptdf(const Case& c) {
    const Network net = build_network(c);
    require_connected(c, net);
    const DcModel m = make_bdc(c, net);
    const ReducedB rb(c, net, m, fixed_buses(net, false));
    std::vector<std::vector<double>> out(c.branches.size(), std::vector<double>(c.buses.size(), 0.0));
    const int nl = int(net.f.size());
    constexpr int kBlock = 256;
    Eigen::MatrixXd rhs;
    for (int l0 = 0; l0 < nl; l0 += kBlock) {
        const int cols = std::min(kBlock, nl - l0);
        rhs.setZero(rb.n, cols);
        for (int j = 0; j < cols; ++j) {
            const size_t l = size_t(l0 + j);
            const int rf = rb.red[size_t(net.f[l])], rt = rb.red[size_t(net.t[l])];
            if (rf >= 0) rhs(rf, j) += m.b[l];
            if (rt >= 0) rhs(rt, j) -= m.b[l];
        }
        const Eigen::MatrixXd x = rb.ldlt.solve(rhs);
        for (int j = 0; j < cols; ++j) {
            std::vector<double>& row = out[size_t(net.branch_case[size_t(l0 + j)])];
            for (int i = 0; i < net.nb; ++i) {
                const int ri = rb.red[size_t(i)];
                if (ri >= 0) row[size_t(net.case_of_bus[size_t(i)])] = x(ri, j);
            }
        }
    }
    return out;
}

// [SECTION] LODF (makeLODF.m) and N-1
// H = PTDF Cft', LODF(:, k) = H(:, k) / (1 - H(k, k)), diagonal -1. An outage that islands the grid (a
// bridge of the branch graph, where 1 - H(k, k) = 0 in exact arithmetic) gets a NaN column, as MATPOWER's
// 0/0 and x/0 would give; found from the topology rather than by a threshold on 1 - H(k, k).
std::vector<std::vector<double>> lodf(const Case& c, const std::vector<std::vector<double>>& ptdf_matrix) {
    const Network net = build_network(c);
    if (ptdf_matrix.size() != c.branches.size())
        throw std::invalid_argument(c.name + ": lodf needs a PTDF with one row per branch");
    const std::vector<char> bridge = find_bridges(net);
    const size_t nl = net.f.size();
    std::vector<size_t> fc(nl), tc(nl);
    std::vector<double> inv(nl);
    for (size_t k = 0; k < nl; ++k) {
        fc[k] = size_t(net.case_of_bus[size_t(net.f[k])]);
        tc[k] = size_t(net.case_of_bus[size_t(net.t[k])]);
        const std::vector<double>& row = ptdf_matrix[size_t(net.branch_case[k])];
        if (row.size() != c.buses.size())
            throw std::invalid_argument(c.name + ": lodf needs a PTDF with one column per bus");
        inv[k] = bridge[k] ? kNaN : 1.0 / (1.0 - (row[fc[k]] - row[tc[k]]));
    }
    std::vector<std::vector<double>> out(c.branches.size(), std::vector<double>(c.branches.size(), 0.0));
    for (size_t mon = 0; mon < nl; ++mon) {
        const std::vector<double>& p = ptdf_matrix[size_t(net.branch_case[mon])];
        std::vector<double>& row = out[size_t(net.branch_case[mon])];
        for (size_t k = 0; k < nl; ++k) row[size_t(net.branch_case[k])] = (p[fc[k]] - p[tc[k]]) * inv[k];
        row[size_t(net.branch_case[mon])] = -1.0;
    }
    return out;
}

// Post-outage flows f_l + LODF(l, k) f_k from the base DC flows. LODF's columns are formed one block of
// outages at a time (H(:, k) = Bf B^-1 (e_f - e_t)), so memory stays O(branches x block) on large grids.
std::vector<OutageResult> n_minus_1(const Case& c) {
    const PowerFlowResult base = dc_power_flow(c);
    const Network net = build_network(c);
    const DcModel m = make_bdc(c, net);
    const ReducedB rb(c, net, m, fixed_buses(net, false));
    const std::vector<char> bridge = find_bridges(net);
    const int nl = int(net.f.size());
    std::vector<double> flow(static_cast<size_t>(nl)), rate(static_cast<size_t>(nl));
    for (int l = 0; l < nl; ++l) {
        flow[size_t(l)] = base.pf_mw[size_t(net.branch_case[size_t(l)])];
        rate[size_t(l)] = c.branches[size_t(net.branch_case[size_t(l)])].rate_a_mva;
    }
    std::vector<OutageResult> out;
    out.reserve(size_t(nl));
    constexpr int kBlock = 256;
    Eigen::MatrixXd rhs;
    std::vector<double> theta(size_t(net.nb));
    for (int k0 = 0; k0 < nl; k0 += kBlock) {
        const int cols = std::min(kBlock, nl - k0);
        rhs.setZero(rb.n, cols);
        for (int j = 0; j < cols; ++j) {
            const size_t k = size_t(k0 + j);
            const int rf = rb.red[size_t(net.f[k])], rt = rb.red[size_t(net.t[k])];
            if (rf >= 0) rhs(rf, j) += 1.0;
            if (rt >= 0) rhs(rt, j) -= 1.0;
        }
        const Eigen::MatrixXd x = rb.ldlt.solve(rhs);
        for (int j = 0; j < cols; ++j) {
            const size_t k = size_t(k0 + j);
            OutageResult res;
            res.outaged = net.branch_case[k];
            res.islands = bridge[k] != 0;
            if (!res.islands) {
                for (int i = 0; i < net.nb; ++i) {
                    const int ri = rb.red[size_t(i)];
                    theta[size_t(i)] = ri >= 0 ? x(ri, j) : 0.0;
                }
                auto h = [&](size_t l) { return m.b[l] * (theta[size_t(net.f[l])] - theta[size_t(net.t[l])]); };
                const double shift = flow[k] / (1.0 - h(k));
                for (size_t l = 0; l < size_t(nl); ++l) {
                    if (l == k || rate[l] <= 0) continue;
                    const double pct = std::abs(flow[l] + h(l) * shift) / rate[l] * 100.0;
                    if (pct > res.worst_loading_pct || res.worst_branch < 0) {
                        res.worst_loading_pct = pct;
                        res.worst_branch = net.branch_case[l];
                    }
                }
            }
            out.push_back(res);
        }
    }
    return out;
}

}  // namespace infrascape::grid
