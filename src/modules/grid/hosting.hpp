// Hosting capacity: the largest constant load that can be added at a bus while the base case and (optionally)
// every single-branch outage keep every rated branch within RATE_A, with the generators re-dispatched within
// their limits and no load shed (security-constrained, on the DC model of opf.hpp).
//
// For a bus b with PTDF column a_b (the flow on each branch per p.u. drawn at b), the exact value is the LP
//   max  lambda
//   s.t. sum_g Pg - lambda = D                                   (system balance; D: the case's load)
//        |F0_r + sum_g a_r(bus g) Pg - a_r(b) lambda| <= R_r    (each monitored row r: a branch in the base
//                                                                 case, or branch l after the outage of k, with
//                                                                 a_r = PTDF_l + LODF_lk PTDF_k; angle limits)
//        Pmin <= Pg <= Pmax, lambda >= 0
// solved with COIN-OR CLP's dual simplex, one LP per bus warm-started from the last bus's basis, the monitored
// rows generated as they are violated (the LP's dispatch is checked against every branch and every
// non-islanding outage; the worst outage of each overloaded branch joins the LP and it is solved again). This
// is the feasibility frontier of the DC SCOPF: with the load added, dc_opf(n_minus_1) is feasible exactly up
// to lambda* (tests/grid/test_hosting.cpp checks it against a bisection over full OPF solves).
//
// Screening bound: each monitored row alone with the balance and the generator limits is a continuous
// knapsack (maximise sum Pg with one two-sided linear constraint), solved greedily: the units that push the
// row toward its limit are backed down in order of their sensitivity, a_r(bus g) - a_r(b), largest first
// (Dantzig 1957). Each such single-row relaxation bounds lambda from above, so their minimum over every base
// branch and the outage pairs screened at the base dispatch (and the total headroom sum Pmax - D) is an upper
// bound; it costs O(log G) per bus and row after one sort per row, for all buses at once.
#pragma once

#include <atomic>
#include <functional>
#include <iosfwd>
#include <limits>
#include <string>
#include <vector>

#include "modules/grid/case.hpp"

namespace infrascape::grid {

struct HostingOptions {
    bool n_minus_1 = true;      // also secure every single branch outage that does not island the grid
    double rating_scale = 1.0;  // multiplies every RATE_A (ratings derated by heat)
    double tolerance_mw = 1e-3; // a flow this far above its rating counts as a violation
    int threads = 0;            // LP workers; 0: the machine's cores
    double min_mw = 0;          // buses whose screening bound is below this are not solved exactly
    // Called from the workers after each bus (done, of total); keep it cheap and thread-safe.
    std::function<void(int, int)> progress;
    const std::atomic<bool>* cancel = nullptr;  // set to stop early (the unsolved buses stay Skipped)
};

enum class HostingLimit {
    Branch,      // a branch's rating (in the base case or after an outage) binds
    Angle,       // a branch's angle-difference limit binds
    Generation,  // the fleet's headroom (sum of PMAX) binds
    Infeasible,  // not even the case as it is can be served securely
    Skipped,     // not solved exactly (its bound is below min_mw, or the run was cancelled)
    Isolated,    // the bus is isolated (type 4)
};
const char* hosting_limit_name(HostingLimit l);

struct BusHosting {
    double hosting_mw = std::numeric_limits<double>::quiet_NaN();  // exact; NaN unless solved
    double bound_mw = std::numeric_limits<double>::quiet_NaN();    // the screening bound (>= hosting_mw)
    HostingLimit limit = HostingLimit::Skipped;
    int binding_branch = -1;       // case branch index (Branch, Angle)
    int binding_contingency = -1;  // case branch index of the outage, -1 for the base case
    double marginal_cost = std::numeric_limits<double>::quiet_NaN();  // $/MWh: the base SCOPF's LMP at the bus
};

struct HostingResult {
    std::vector<BusHosting> buses;  // per case bus
    double base_objective = 0;      // $/h, the secure dispatch before any load is added
    double setup_s = 0, bound_s = 0, exact_s = 0;
    long lp_solves = 0, rows_added = 0;
    int exact_buses = 0;
};

// Hosting capacity at the given case buses (indices into c.buses; empty: every bus). Throws std::runtime_error
// for a case without ratings (RATE_A 0 on every branch), without generator costs, or whose own load cannot be
// served securely (the SCOPF of the case as it is is infeasible).
HostingResult hosting_capacity(const Case& c, const HostingOptions& o = {}, const std::vector<int>& buses = {});

// The table `grid hosting` writes: bus,hosting_mw,binding_branch,binding_contingency,marginal_cost,limit,bound_mw,
// binding_from,binding_to, one row per bus in `buses` (case indices; empty: every bus), branches as 1-based rows.
void write_hosting_table(std::ostream& out, const Case& c, const HostingResult& r, const std::vector<int>& buses = {});

// [SECTION] Upgrades of a bus's binding branch, each evaluated by a new exact solve at that bus.
struct HostingUpgrade {
    std::string kind;        // "reconductor" (RATE_A x reconductor_factor) or "parallel" (a second, identical circuit)
    int branch = -1;         // case branch index
    double hosting_mw = 0;   // at the bus after the upgrade
    double gain_mw = 0;      // over the bus's hosting capacity before it
    BusHosting after;
};
// `before`: the bus's hosting capacity when it is already known (else it is solved first).
std::vector<HostingUpgrade> hosting_upgrades(const Case& c, int bus, const HostingOptions& o,
                                             double reconductor_factor = 1.5, const BusHosting* before = nullptr);

// [SECTION] A campus of GPUs as a load: GPUs x kW per GPU x server overhead (CPUs, memory, network and fans per
// GPU's watt) x PUE. Throws std::invalid_argument for a negative or non-finite input or a PUE below 1.
struct Campus {
    double gpus = 0;
    double gpu_kw = 0.7;            // H100 SXM board power
    // Server wall power / GPU power: an 8-GPU HGX H100 server is rated 10.2 kW for 5.6 kW of GPUs (1.8) and draws
    // less in service; with networking and storage per server, about 1.45 at a training load.
    double server_overhead = 1.45;
    double pue = 1.2;
};
double campus_mw(const Campus& campus);

}  // namespace infrascape::grid
