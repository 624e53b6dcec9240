// Power flow on a MATPOWER case: DC power flow (a sparse LU solve of B theta = P, Eigen) and AC power
// flow by Newton-Raphson in polar coordinates, both following MATPOWER's models and conventions so that
// results match MATPOWER's own (Zimmerman et al., MATPOWER User's Manual, sections 3.1-3.3 and 4.1-4.2;
// MATPOWER's makeBdc.m, makeYbus.m, newtonpf.m, pfsoln.m), and the sensitivity matrices PTDF and LODF
// (makePTDF.m, makeLODF.m) with N-1 screening.
#pragma once

#include <string>
#include <vector>

#include "modules/grid/case.hpp"

namespace infrascape::grid {

struct PowerFlowResult {
    bool converged = false;
    int iterations = 0;
    double max_mismatch = 0;        // final largest |mismatch| in p.u. (AC)
    std::vector<double> vm_pu;      // per bus, in case order (DC: all 1)
    std::vector<double> va_deg;     // per bus
    std::vector<double> pf_mw;      // per branch, from end (0 for out-of-service branches)
    std::vector<double> qf_mvar;    // per branch, from end (DC: 0)
    std::vector<double> pt_mw;      // per branch, to end
    std::vector<double> qt_mvar;    // per branch, to end
    std::vector<double> pg_mw;      // per generator after the solve (slack picks up the balance)
    std::vector<double> qg_mvar;    // per generator (AC)
};

// DC power flow (MATPOWER's rundcpf with default options): branch susceptance 1/(x * tap), phase shifters
// as injections, bus shunt conductance Gs as a load, out-of-service branches and generators removed, the
// reference bus angle held at its case value. Throws std::runtime_error for a case without a reference bus
// or with a singular B (an island without a reference).
PowerFlowResult dc_power_flow(const Case& c);

// AC power flow (MATPOWER's runpf with default options: Newton's method, tolerance 1e-8 p.u., at most 10
// iterations, generator reactive limits not enforced). Voltage set points of in-service generators fix
// the magnitude at PV and reference buses. `converged` is false when it does not converge.
PowerFlowResult ac_power_flow(const Case& c, double tolerance = 1e-8, int max_iterations = 10);

// Dense sensitivity matrices for in-service branches (rows/cols in case branch order; out-of-service
// branches get zero rows/columns): PTDF[branch][bus] in MW of branch flow per MW injected at the bus and
// withdrawn at the reference bus; LODF[monitored][outaged] = change of flow on `monitored` per MW of
// pre-outage flow on `outaged` when `outaged` trips (-1 on the diagonal; NaN where the outage islands the
// grid).
std::vector<std::vector<double>> ptdf(const Case& c);
std::vector<std::vector<double>> lodf(const Case& c, const std::vector<std::vector<double>>& ptdf_matrix);

struct OutageResult {
    int outaged = 0;                // branch index
    bool islands = false;           // the outage splits the grid
    double worst_loading_pct = 0;   // largest |post-outage flow| / rate_a over rated branches, in percent
    int worst_branch = -1;          // which branch carries it
};
// N-1: every in-service branch outage, from base-case DC flows and LODF.
std::vector<OutageResult> n_minus_1(const Case& c);

}  // namespace infrascape::grid
