// The internal network MATPOWER's solvers work on (ext2int.m, bustypes.m) and the DC model (makeBdc.m),
// shared by the power flows (power_flow.cpp) and the DC optimal power flow (opf.cpp).
#pragma once

#include <memory>
#include <vector>

#include "modules/grid/case.hpp"

namespace infrascape::grid {

// ext2int drops isolated buses (type 4), out-of-service generators and branches, and generators and
// branches attached to isolated buses; the rest keep their case order. bustypes then makes a PV or
// reference bus without an in-service generator a PQ bus and, when no reference bus is left, promotes the
// first PV bus.
struct Network {
    int nb = 0;                      // internal (non-isolated) buses
    std::vector<int> bus_of_case;    // case bus index -> internal index, -1 for an isolated bus
    std::vector<int> case_of_bus;    // internal index -> case bus index
    std::vector<int> branch_case;    // in-service branches: case index
    std::vector<int> f, t;           // ... and their internal end buses
    std::vector<int> gen_case;       // in-service generators: case index
    std::vector<int> gen_bus;        // ... and their internal bus
    std::vector<int> ref, pv, pq;    // internal bus indices, ascending
    std::vector<char> is_ref;        // per internal bus
};
Network build_network(const Case& c);

// Every bus must be connected to a reference bus through in-service branches; throws std::runtime_error
// naming a bus in an island without one.
void require_connected(const Case& c, const Network& net);

// Per in-service branch: its outage splits the network (a bridge of the branch graph, Tarjan's algorithm).
std::vector<char> find_bridges(const Network& net);

// b = 1 / (x * tap) per in-service branch (tap = ratio, or 1 where ratio is 0); Bbus = Cft' diag(b) Cft;
// a phase shifter of angle phi injects Pfinj = -b * phi at its from bus and withdraws it at its to bus.
struct DcModel {
    std::vector<double> b, pfinj;  // per in-service branch, p.u.
    std::vector<double> pbusinj;   // per internal bus, p.u.
};
DcModel make_bdc(const Case& c, const Network& net);

// Branch flows from bus injections through one sparse factorization of the reduced B (the slack: the first
// reference bus, as makePTDF's default), the same flows as PTDF * injections (plus the phase shifters' Pfinj)
// in O(nonzeros) instead of O(branches x buses).
class DcFlows {
public:
    DcFlows(const Case& c, const Network& net, const DcModel& m);
    ~DcFlows();
    // inj: per internal bus (p.u.); flow: per internal branch (p.u.), resized.
    void flows(const std::vector<double>& inj, std::vector<double>& flow) const;
    // One row of the PTDF (branch l's flow per p.u. injected at each internal bus and withdrawn at the slack),
    // per internal bus, by one solve with B (symmetric): B x = Bf_l'.
    void ptdf_row(int l, std::vector<double>& row) const;
    // One column of the PTDF (every internal branch's flow per p.u. injected at internal bus i).
    void ptdf_column(int i, std::vector<double>& column) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace infrascape::grid
