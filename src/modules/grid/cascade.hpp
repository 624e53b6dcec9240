// Cascading line failures on a transmission grid: a DC power flow that survives islanding (each island balanced
// by its own generators or by shedding load) and a cascade driver that trips branches overloaded for longer than
// a dwell time, re-solves, and records every topology the grid passes through so that the viewer can replay it.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "modules/grid/case.hpp"

namespace infrascape::grid {

// [SECTION] Island-aware DC power flow

struct Island {
    std::vector<int> buses;    // bus indices (case order, ascending)
    double demand_mw = 0;      // demand of its buses (Pd + Gs at 1 p.u.) before shedding
    double generation_mw = 0;  // after balancing
    double shed_mw = 0;        // demand_mw - served demand
    bool energised = false;    // has in-service generation serving load (false: dark, nothing served, no flow)
};

struct FlowState {
    std::vector<double> pf_mw;         // per branch, from end (0 when out of service or in a dark island)
    std::vector<double> loading_pct;   // |pf| / (rate_a * rating_factor) * 100; 0 for unrated or out of service
    std::vector<int> island_of_bus;    // index into islands
    std::vector<Island> islands;       // ordered by their lowest bus index
    std::vector<double> served_pd_mw;  // per bus: served demand (Pd + Gs) after shedding
    std::vector<double> gen_pg_mw;     // per gen after island balancing (0 when out of service or dark)
    std::vector<double> va_deg;        // per bus; each island's reference holds its case angle, dark islands 0
    double shed_mw = 0;                // sum over islands
};

// DC power flow that survives islanding (MATPOWER's DC model, makeBdc.m: susceptance 1 / (x * tap), phase
// shifters as injections, Gs as a load at 1 p.u.). Branches with status 0, branches with out[l] != 0 (`out` is
// empty or has one entry per branch) and branches touching isolated (type 4) buses are removed; islands are
// found over the remaining branches (an isolated bus is an island of its own, dark). Each island is balanced:
//   - generation short of demand: in-service gens rise in proportion to their remaining headroom up,
//     max(pmax, pg) - pg; if the island's capacity sum(max(pmax, pg)) is still short, every gen runs at that
//     capacity and the shortfall is shed pro rata over the buses with positive demand;
//   - generation above demand: gens fall in proportion to their headroom down, pg - min(pmin, pg); if the
//     island's minimum generation still exceeds demand, the excess is curtailed from the gens' minima pro rata
//     (gens run below pmin: a DC snapshot has no unit commitment, so this stands in for units tripping or
//     cycling off); an island whose (negative) net demand even zero generation exceeds goes dark;
//   - an island without in-service generation, or without capacity, is dark: all its demand is shed.
// A caller-dispatched pg outside [pmin, pmax] is respected (the limits widen to include it), so a balanced
// operating point is solved as given: with no outages it reproduces dc_power_flow's flows.
// Each island is solved with its own reference bus (the first of the case's reference buses inside it, else
// the bus of its largest-pmax in-service gen, else its first bus), held at its case angle. The case's pd and pg
// are the requested operating point; the result holds what is served. Throws std::invalid_argument for a
// wrong-sized `out` or rating_factor <= 0, std::runtime_error for a branch or gen naming a missing bus or an
// in-service branch with x * tap == 0.
FlowState island_dc_flow(const Case& c, const std::vector<char>& out, double rating_factor = 1.0);

// The same solve with a cache: the branch graph, its islands and the sparse LDL' factorisation of the reduced B
// matrix are kept while the topology is unchanged, so a new operating point (pd, pg, limits, ratings) costs one
// pair of triangular solves. A change of branch status or `out`, branch x/ratio/angle, or bus ids or types
// rebuilds the islands and refactors; a change of gen status or pmax refactors only if an island's reference
// moves.
class IslandDcFlow {
public:
    IslandDcFlow();
    ~IslandDcFlow();
    IslandDcFlow(IslandDcFlow&&) noexcept;
    IslandDcFlow& operator=(IslandDcFlow&&) noexcept;

    const FlowState& solve(const Case& c, const std::vector<char>& out, double rating_factor = 1.0);
    const FlowState& flows() const { return flows_; }  // of the last solve
    int factorisations() const { return factorisations_; }  // how many times B was factorised

private:
    struct Cache;  // topology, factorisation and work space (Eigen stays out of this header)
    std::unique_ptr<Cache> cache_;
    FlowState flows_;
    int factorisations_ = 0;
};

// [SECTION] Cascade

struct CascadeParams {
    double dwell_s = 600;           // a branch above trip_pct for longer than this trips
    double trip_pct = 100;          // of the (temperature-adjusted) rating
    double instant_trip_pct = 150;  // above this a branch trips at once (protection)
};

struct TripEvent {
    double t_s;
    int branch;
    double loading_pct;  // just before the trip
    int stage;           // the stage the trip created
    std::string cause;   // "manual", "overload", "instant"
};

struct Stage {  // one state of the network between trips, for replay
    double t_s = 0;
    std::vector<int> tripped;  // branches that tripped to create this stage (ascending)
    FlowState flows;           // flows after those trips
};

// Time-delayed overload tripping in the spirit of the relay models of cascading-failure simulators (J. Song,
// E. Cotilla-Sanchez, G. Ghanavati, P. D. H. Hines, "Dynamic Modeling of Cascading Failure in Power Systems",
// IEEE Trans. Power Systems 31(3), 2016, pp. 2085-2095; the quasi-steady DC cascade of I. Dobson et al., "An initial
// model for complex dynamics in electric power system blackouts", HICSS 2001), simplified to a fixed dwell time
// instead of an inverse-time curve, plus an instantaneous trip above instant_trip_pct.
class Cascade {
public:
    Cascade(const Case& c, CascadeParams p);
    void set_params(const CascadeParams& p);
    const CascadeParams& params() const { return params_; }

    // Solves the case's current operating point (pd/pg as dispatched by the caller for this step) on the current
    // topology; applies pending manual trips (and re-solves); advances each branch's over-rating timer by dt_s
    // (a timer resets when loading drops to or below trip_pct); trips branches whose timer exceeds dwell_s
    // (strictly) and those above instant_trip_pct, and re-solves after each round of trips within the step until
    // no more trip (each round is a Stage, stamped t_s). Timers do not advance between rounds of one step, but a
    // branch at or below trip_pct after a round has its timer reset. Returns the final flows. `operating_point`
    // must have the constructor's case's bus, gen and branch counts (std::invalid_argument otherwise).
    const FlowState& step(const Case& operating_point, double t_s, double dt_s, double rating_factor);
    void trip(int branch, double t_s);  // manual trip: takes effect in the next step (recorded as "manual")
    void restore();                     // all branches back in service, timers and records cleared
    const std::vector<char>& out() const { return out_; }  // 1 where a branch has tripped
    const std::vector<TripEvent>& events() const { return events_; }
    const std::vector<Stage>& stages() const { return stages_; }  // since the last restore (stage 0: first solve)
    const FlowState& flows() const { return solver_.flows(); }
    std::vector<double> overload_timer_s() const { return timer_s_; }
    const IslandDcFlow& solver() const { return solver_; }

private:
    // Takes the trips' branches out (their events get the loading just before and the new stage's index),
    // re-solves, and records a stage at t_s.
    void apply_trips(const Case& op, double t_s, double rating_factor, std::vector<TripEvent> trips);

    size_t n_bus_, n_gen_, n_branch_;
    CascadeParams params_;
    IslandDcFlow solver_;
    std::vector<char> out_;
    std::vector<double> timer_s_;
    std::vector<std::pair<int, double>> pending_;  // manual trips: branch, time
    std::vector<TripEvent> events_;
    std::vector<Stage> stages_;
};

}  // namespace infrascape::grid
