// `infrascape grid pf` and `infrascape grid n1`; see grid_cli.hpp.
#include "modules/grid/grid_cli.hpp"

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <stdexcept>

#include "modules/grid/case.hpp"
#include "modules/grid/opf.hpp"
#include "modules/grid/power_flow.hpp"
#include "scene/scene.hpp"

namespace infrascape::grid {

namespace {

const char* kHelp = R"(Usage:
  infrascape grid pf CASE.m [--ac] --out-bus BUS.csv --out-branch BRANCH.csv
      DC power flow (AC with --ac, Newton-Raphson) on a MATPOWER case file (format version 2). Writes
      bus,vm_pu,va_deg and from_bus,to_bus,pf_mw,qf_mvar, one row per bus and per branch in case order
      (DC: vm_pu 1, qf_mvar 0), and prints the solve time.
  infrascape grid n1 CASE.m --out N1.csv
      N-1 screening: for every in-service branch outage, the worst post-contingency loading in percent of
      RATE_A (DC flows and line outage distribution factors) and the branch that carries it. Prints the time.
  infrascape grid opf CASE.m --out-bus BUS.csv --out-gen GEN.csv [--n-1] [--shed VOLL]
      DC optimal power flow (MATPOWER's rundcopf formulation, solved by COIN-OR CLP): least-cost dispatch
      within generator limits and RATE_A. --n-1 also keeps every branch within RATE_A after any single
      branch outage that does not island the grid; --shed lets load be shed at VOLL $/MWh instead of
      failing when it cannot be served. Writes bus,vm_pu,va_deg,lmp (lmp in $/MWh) and gen,bus,pg_mw (gen:
      the 1-based row of the case's gen table), and prints `objective: <value> $/h`. Exit 1 if infeasible.
      --repeat N then re-solves N operating points with every load scaled between 97% and 103%, each
      warm-started from the last (as the grid module's dispatch does every 5 minutes), and prints the time
      per solve.
  infrascape grid hosting CASE.m --out HOSTING.csv [--contingencies none|n-1] [--hour H] [--bus N[,N...]]
                            [--pmin case|zero] [--min-mw MW] [--threads N] [--upgrades] [--profile P0,...,P23]
      Hosting capacity: for each bus, the largest constant load that can be added while every rated branch
      stays within RATE_A in the base case and (n-1, the default) after any single branch outage that does
      not island the grid, the generators re-dispatched within their limits and no load shed (an exact LP per
      bus, COIN-OR CLP). Writes bus,hosting_mw,binding_branch,binding_contingency,marginal_cost,limit,
      bound_mw,binding_from,binding_to: binding_branch and binding_contingency are 1-based rows of the case's
      branch table (the contingency empty for the base case), marginal_cost the bus's price ($/MWh) in the
      secure dispatch before the load is added, limit what binds (branch, angle, generation, infeasible,
      skipped, isolated), bound_mw the screening bound (never below the exact value). --hour H takes the
      heatwave day of the grid module at local hour H (its loads, derated ratings and solar) instead of the
      case as it is (and, as the module's operator does, lets dispatchable units go down to 0). --pmin zero
      does that alone: the ACTIVSg cases cannot serve their own load within RATE_A in the DC model with
      every unit at or above its PMIN. --bus limits the run to those bus numbers; --min-mw solves exactly only the buses whose
      bound reaches MW (the others: limit skipped). --upgrades (with one --bus): the capacity that
      reconductoring the binding branch (RATE_A x 1.5) or a parallel circuit would add. --profile: a load
      that follows 24 hourly factors (local hours 0-23 of the heatwave day; hosting_mw is its peak) instead of
      a constant one: the least over the hours of that hour's capacity over the factor's share of the peak.
  infrascape grid hosting CASE.m --campus-bus N --gpus N [--gpu-kw 0.7] [--server-overhead 1.45] [--pue 1.2]
                            [--contingencies none|n-1] [--hour H] [--out HOSTING.csv ...]
      A campus of GPUs at a bus: its load (GPUs x kW per GPU x server overhead x PUE), the bus's hosting
      capacity, and the secure dispatch with it (load shed at 10,000 $/MWh if it does not fit).
)";

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::ofstream open_out(const std::string& path) {
    std::filesystem::path p(path);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p);
    if (!out) throw std::runtime_error("cannot write " + path);
    out << std::setprecision(12);
    return out;
}

int pf(const std::vector<std::string>& a) {
    std::string file, bus_out, branch_out;
    bool ac = false;
    for (size_t i = 0; i < a.size(); ++i) {
        auto value = [&](const char* opt) {
            if (i + 1 >= a.size()) throw std::invalid_argument(std::string(opt) + " needs a value");
            return a[++i];
        };
        if (a[i] == "--ac") ac = true;
        else if (a[i] == "--out-bus") bus_out = value("--out-bus");
        else if (a[i] == "--out-branch") branch_out = value("--out-branch");
        else if (!a[i].empty() && a[i][0] == '-') throw std::invalid_argument("unknown option '" + a[i] + "' for grid pf");
        else if (file.empty()) file = a[i];
        else throw std::invalid_argument("grid pf takes one case file");
    }
    if (file.empty()) throw std::invalid_argument("grid pf needs a case file; see `infrascape grid --help`");
    if (bus_out.empty() || branch_out.empty()) throw std::invalid_argument("grid pf needs --out-bus and --out-branch");
    const Case c = load_matpower(file, file);
    const auto t0 = std::chrono::steady_clock::now();
    const PowerFlowResult r = ac ? ac_power_flow(c) : dc_power_flow(c);
    const double t = seconds_since(t0);
    if (ac && !r.converged) {
        std::fprintf(stderr, "infrascape: AC power flow did not converge on %s (%d iterations, mismatch %.3g p.u.)\n",
                     file.c_str(), r.iterations, r.max_mismatch);
        return 1;
    }
    std::ofstream bus = open_out(bus_out);
    bus << "bus,vm_pu,va_deg\n";
    for (size_t k = 0; k < c.buses.size(); ++k) bus << c.buses[k].id << ',' << r.vm_pu[k] << ',' << r.va_deg[k] << '\n';
    std::ofstream br = open_out(branch_out);
    br << "from_bus,to_bus,pf_mw,qf_mvar\n";
    for (size_t k = 0; k < c.branches.size(); ++k)
        br << c.branches[k].from << ',' << c.branches[k].to << ',' << r.pf_mw[k] << ',' << r.qf_mvar[k] << '\n';
    std::printf("%s power flow on %s (%zu buses, %zu branches): %s in %.4f s%s\n", ac ? "AC" : "DC", c.name.c_str(),
                c.buses.size(), c.branches.size(), ac ? "converged" : "solved", t,
                ac ? (" after " + std::to_string(r.iterations) + " iterations").c_str() : "");
    return 0;
}

int n1(const std::vector<std::string>& a) {
    std::string file, out_path;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i] == "--out") {
            if (i + 1 >= a.size()) throw std::invalid_argument("--out needs a value");
            out_path = a[++i];
        } else if (!a[i].empty() && a[i][0] == '-') {
            throw std::invalid_argument("unknown option '" + a[i] + "' for grid n1");
        } else if (file.empty()) {
            file = a[i];
        } else {
            throw std::invalid_argument("grid n1 takes one case file");
        }
    }
    if (file.empty()) throw std::invalid_argument("grid n1 needs a case file; see `infrascape grid --help`");
    if (out_path.empty()) throw std::invalid_argument("grid n1 needs --out N1.csv");
    const Case c = load_matpower(file, file);
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<OutageResult> rows = n_minus_1(c);
    const double t = seconds_since(t0);
    std::ofstream out = open_out(out_path);
    out << "outaged_from,outaged_to,islands,worst_loading_pct,worst_from,worst_to\n";
    size_t overloads = 0;
    for (const OutageResult& r : rows) {
        const Branch& k = c.branches[size_t(r.outaged)];
        out << k.from << ',' << k.to << ',' << (r.islands ? 1 : 0) << ',';
        if (r.worst_branch >= 0) {
            const Branch& w = c.branches[size_t(r.worst_branch)];
            out << r.worst_loading_pct << ',' << w.from << ',' << w.to << '\n';
        } else {
            out << ",,\n";
        }
        overloads += r.worst_loading_pct > 100.0;
    }
    std::printf("N-1 on %s: %zu outages screened in %.4f s, %zu with a branch above 100%% of RATE_A\n", c.name.c_str(),
                rows.size(), t, overloads);
    return 0;
}

int opf(const std::vector<std::string>& a) {
    std::string file, bus_out, gen_out;
    OpfOptions options;
    long repeat = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        auto value = [&](const char* opt) {
            if (i + 1 >= a.size()) throw std::invalid_argument(std::string(opt) + " needs a value");
            return a[++i];
        };
        if (a[i] == "--n-1") options.n_minus_1 = true;
        else if (a[i] == "--repeat") {
            const std::string v = value("--repeat");
            char* end = nullptr;
            repeat = std::strtol(v.c_str(), &end, 10);
            if (end == v.c_str() || *end || repeat < 1 || repeat > 100000)
                throw std::invalid_argument("--repeat needs a count from 1 to 100000, not '" + v + "'");
        }
        else if (a[i] == "--out-bus") bus_out = value("--out-bus");
        else if (a[i] == "--out-gen") gen_out = value("--out-gen");
        else if (a[i] == "--shed") {
            const std::string v = value("--shed");
            char* end = nullptr;
            options.voll_per_mwh = std::strtod(v.c_str(), &end);
            if (end == v.c_str() || *end || !(options.voll_per_mwh > 0))
                throw std::invalid_argument("--shed needs a positive value of lost load in $/MWh, not '" + v + "'");
            options.allow_shedding = true;
        } else if (!a[i].empty() && a[i][0] == '-') throw std::invalid_argument("unknown option '" + a[i] + "' for grid opf");
        else if (file.empty()) file = a[i];
        else throw std::invalid_argument("grid opf takes one case file");
    }
    if (file.empty()) throw std::invalid_argument("grid opf needs a case file; see `infrascape grid --help`");
    if (bus_out.empty() || gen_out.empty()) throw std::invalid_argument("grid opf needs --out-bus and --out-gen");
    const Case c = load_matpower(file, file);
    if (c.gencost.empty()) throw InputError({file, 1, 1}, "the case has no mpc.gencost; the OPF needs generator costs");
    const auto t0 = std::chrono::steady_clock::now();
    const OpfResult r = dc_opf(c, options);
    const double t = seconds_since(t0);
    if (!r.solved) {
        std::fprintf(stderr, "infrascape: DC OPF on %s: %s\n", file.c_str(), r.message.c_str());
        return 1;
    }
    if (repeat > 0) {
        Case op = c;
        int failed = 0;
        DcOpf solver(c, options);
        solver.solve(c);
        const auto t1 = std::chrono::steady_clock::now();
        for (long k = 0; k < repeat; ++k) {
            const double f = 0.97 + 0.06 * double(k % 11) / 10;
            for (size_t b = 0; b < c.buses.size(); ++b) op.buses[b].pd_mw = c.buses[b].pd_mw * f;
            failed += !solver.solve(op).solved;
        }
        std::printf("%ld warm-started re-solves: %.4f s each (%d infeasible)\n", repeat, seconds_since(t1) / double(repeat), failed);
    }
    std::ofstream bus = open_out(bus_out);
    bus << "bus,vm_pu,va_deg,lmp\n";
    for (size_t k = 0; k < c.buses.size(); ++k)
        bus << c.buses[k].id << ",1," << r.va_deg[k] << ',' << r.lmp[k] << '\n';
    std::ofstream gen = open_out(gen_out);
    gen << "gen,bus,pg_mw\n";
    for (size_t g = 0; g < c.gens.size(); ++g) gen << g + 1 << ',' << c.gens[g].bus << ',' << r.pg_mw[g] << '\n';
    std::printf("objective: %.10g $/h\n", r.objective);
    std::printf("DC OPF%s on %s (%zu buses, %zu generators, %zu branches): %zu binding branches, %.6g MW shed, "
                "%d QP solves%s in %.4f s\n",
                options.n_minus_1 ? " with N-1" : "", c.name.c_str(), c.buses.size(), c.gens.size(),
                c.branches.size(), r.binding.size(), r.total_shed_mw(), r.rounds,
                options.n_minus_1 ? (", " + std::to_string(r.security_rows) + " security constraints").c_str() : "", t);
    return 0;
}

}  // namespace

int grid_cli(const std::vector<std::string>& args) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::fputs(kHelp, stdout);
        return args.empty() ? 2 : 0;
    }
    for (const std::string& s : args)
        if (s == "--help" || s == "-h") {
            std::fputs(kHelp, stdout);
            return 0;
        }
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args[0] == "pf") return pf(rest);
    if (args[0] == "n1") return n1(rest);
    if (args[0] == "opf") return opf(rest);
    if (args[0] == "hosting") return hosting_cli(rest);
    throw std::invalid_argument("unknown grid command '" + args[0] + "'; see `infrascape grid --help`");
}

}  // namespace infrascape::grid
