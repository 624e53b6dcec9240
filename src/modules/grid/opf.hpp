// DC optimal power flow (MATPOWER's rundcopf formulation) and its security-constrained form: generators
// dispatched at least cost within their limits so that every rated branch stays within RATE_A, optionally
// also after any single branch outage (N-1, by line outage distribution factors), optionally with load
// shedding at a value of lost load as the last resort. Solved with COIN-OR CLP (a convex QP: the cases'
// quadratic costs go in as they are; see the README for why CLP and not GLPK).
//
// Formulation (MATPOWER User's Manual, section 6.1 "Standard AC OPF" with the DC model of section 3.7,
// and MATPOWER's opf_setup.m/dcopf_solver.m): variables Va (rad, reference angle fixed), Pg (p.u.);
//   min  sum_g f_g(Pg_g)                                   (gencost: polynomial up to quadratic, or piecewise
//                                                           linear through one cost variable per generator)
//   s.t. Bbus Va + Pbusinj + Pd + Gs = Cg Pg               (nodal balance; its multiplier is the LMP)
//        |Bf Va + Pfinj| <= RATE_A / baseMVA              (branches with RATE_A > 0)
//        ANGMIN <= Va_f - Va_t <= ANGMAX                   (where the case limits the angle difference)
//        Pmin <= Pg <= Pmax
// N-1 (the security-constrained form): for each outage k that does not island the grid and each rated branch
// l, |f_l + LODF_lk f_k| <= RATE_A_l; the violated pairs are added as rows and the QP solved again until no
// post-contingency flow exceeds its rating (constraint generation, as in Stott & Alsac's SCOPF practice).
#pragma once

#include <string>
#include <vector>

#include "modules/grid/case.hpp"

namespace infrascape::grid {

struct OpfOptions {
    bool n_minus_1 = false;          // also secure every single branch outage (that does not island the grid)
    bool allow_shedding = false;     // load may be shed at voll_per_mwh (else an infeasible case fails)
    double voll_per_mwh = 10000.0;   // value of lost load, $/MWh
    double rating_scale = 1.0;       // multiplies every RATE_A (e.g. ratings derated by heat)
    int max_security_rounds = 30;    // constraint-generation rounds for N-1
    double tolerance_mw = 1e-4;      // a post-contingency flow this far above its rating counts as a violation
    // Ptdf (the default): injections only, flow and angle-difference rows added as they bind. Angles:
    // MATPOWER's form (bus angles as variables, a balance row per bus); CLP's QP can stall short of the
    // optimum on it when lines bind, so it serves as the cross-check for linear costs only.
    enum class Form { Ptdf, Angles } form = Form::Ptdf;
};

struct OpfResult {
    bool solved = false;             // an optimum was found
    std::string message;             // why not, when !solved
    double objective = 0;            // $/h, including the constant cost terms (and shedding at VOLL)
    std::vector<double> pg_mw;       // per case generator (0 for out-of-service ones)
    std::vector<double> va_deg;      // per case bus
    std::vector<double> lmp;         // per case bus, $/MWh (the nodal balance's multiplier)
    std::vector<double> shed_mw;     // per case bus
    std::vector<double> pf_mw;       // per case branch, from end (0 out of service)
    std::vector<int> binding;        // case branch indices at their base-case rating (within 1e-3 MW)
    int security_rows = 0;           // N-1 constraints added
    int rounds = 0;                  // QP solves
    int islanding_outages = 0;       // outages skipped because they split the grid
    double total_shed_mw() const;
};

// A DC OPF kept between solves, for a sequence of operating points on one network (the grid module's
// security-constrained economic dispatch every 5 minutes): built once for the case's topology (in-service
// buses, branches and generators), then each solve takes the case's current loads, generator limits and a
// rating scale and warm-starts CLP from the previous optimum. Rebuild it when the topology changes. It uses
// the PTDF form (options.form is ignored).
class DcOpf {
public:
    DcOpf(const Case& c, const OpfOptions& options);
    ~DcOpf();
    DcOpf(const DcOpf&) = delete;
    DcOpf& operator=(const DcOpf&) = delete;
    // `c` must have the topology the solver was built for (same buses, branch and generator statuses);
    // pd, gs, pmin and pmax may differ. rating_scale multiplies options.rating_scale.
    OpfResult solve(const Case& c, double rating_scale = 1.0);

private:
    struct Impl;
    Impl* impl_;
};

// One solve in the chosen form (a DcOpf, or the angle form, built and solved once). Throws std::runtime_error for a case without gencost, with a cost the DC OPF cannot take (a polynomial
// above quadratic order, as MATPOWER's DC OPF), or without a reference bus. An infeasible problem (load
// above the generation that the ratings let through, and no shedding) gives solved = false with a message.
OpfResult dc_opf(const Case& c, const OpfOptions& options = {});

}  // namespace infrascape::grid
