// A power-grid case as MATPOWER describes it (case format version 2): buses, generators and branches in
// MATPOWER's units (MW, MVAr, per unit, degrees, kV), plus the optional gentype, genfuel and bus_name
// columns. Reference: R. D. Zimmerman, C. E. Murillo-Sanchez, MATPOWER User's Manual, appendix B
// ("Data File Format"), tables B-1 (bus), B-2 (generator) and B-3 (branch).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace infrascape::grid {

enum class BusType { PQ = 1, PV = 2, Ref = 3, Isolated = 4 };

struct Bus {
    int id = 0;  // BUS_I: the external bus number used by gens and branches
    BusType type = BusType::PQ;
    double pd_mw = 0, qd_mvar = 0;  // demand
    double gs_mw = 0, bs_mvar = 0;  // shunt conductance / susceptance, at V = 1 p.u.
    int area = 1;
    double vm_pu = 1, va_deg = 0;  // voltage magnitude and angle (initial guess / solution)
    double base_kv = 0;
    int zone = 1;
    double vmax_pu = 1.1, vmin_pu = 0.9;
    std::string name;  // from mpc.bus_name when present
};

struct Gen {
    int bus = 0;
    double pg_mw = 0, qg_mvar = 0;
    double qmax_mvar = 0, qmin_mvar = 0;
    double vg_pu = 1;  // voltage set point
    double mbase_mva = 100;
    int status = 1;  // > 0 in service
    double pmax_mw = 0, pmin_mw = 0;
    std::string type;  // from mpc.gentype when present (e.g. "ST", "WT", "PV")
    std::string fuel;  // from mpc.genfuel when present (e.g. "coal", "ng", "wind", "solar", "nuclear")
};

struct Branch {
    int from = 0, to = 0;
    double r_pu = 0, x_pu = 0, b_pu = 0;  // series resistance and reactance, total line charging
    double rate_a_mva = 0, rate_b_mva = 0, rate_c_mva = 0;  // 0 means unlimited
    double ratio = 0;      // transformer off-nominal turns ratio at the from end; 0 means a line (ratio 1)
    double angle_deg = 0;  // transformer phase shift
    int status = 1;        // > 0 in service
    double angmin_deg = -360, angmax_deg = 360;
};

// A generator's cost (MATPOWER's gencost row, table B-4): model 1 is piecewise linear with points
// (MW, $/h) in `coeffs` as x1, y1, x2, y2, ...; model 2 is a polynomial in MW with the coefficients in
// `coeffs` from the highest order down (c_n ... c1 c0, in $/h).
struct GenCost {
    int model = 2;
    double startup = 0, shutdown = 0;
    std::vector<double> coeffs;
};

struct Case {
    std::string name;  // the function name in the file (e.g. "case9")
    double base_mva = 100;
    std::vector<Bus> buses;  // in file order
    std::vector<Gen> gens;
    std::vector<Branch> branches;
    std::vector<GenCost> gencost;  // one per generator when the case has mpc.gencost, else empty

    // Index of a bus in `buses` by its external number; -1 when there is none.
    int bus_index(int id) const;
};

// Reads a MATPOWER case file (version 2). Throws infrascape::InputError "file:line:col: what is wrong"
// (with `shown` as the file name) for anything malformed; see tests/grid/corpus/.
Case load_matpower(const std::filesystem::path& file, const std::string& shown);

}  // namespace infrascape::grid
