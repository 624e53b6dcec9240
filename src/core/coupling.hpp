// The world's coupling step: every world.coupling_s of simulation time the session calls each module's
// couple() in a fixed order (the registry's: weather, flood, city, datacenter, grid), and each reads what it
// declared in inputs() from the output bus through a CouplingContext, which logs every value it hands over.
// This is operator splitting with a fixed order: a run is deterministic, a module sees the values that the
// modules before it published at this step and those after it at the previous one, and every exchange is a
// column of DIR/world/couplings.csv. Each coupling can be switched off (world.couple_<name>): a module then
// gets nothing and runs as it would alone.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/output_bus.hpp"
#include "scene/params.hpp"

namespace infrascape {

// The named couplings, each with its world.couple_<name> switch (see coupling_names()).
struct CouplingDoc {
    const char* name;
    const char* help;
};
const std::vector<CouplingDoc>& coupling_docs();

// An input a module reads from the bus at the coupling step: the output's name (a '*' stands for any
// instance id, "datacenter:*.facility_mw"), its unit, what the module does with it, and which coupling
// carries it.
struct InputPort {
    std::string name, unit, help, coupling;
};

// The values handed over at each coupling step, in the order they were first read; written as
// couplings.csv (time_s, then one column per value) with a units row under the header.
class CouplingLog {
public:
    void begin_step(double t_s);
    void record(const std::string& column, const std::string& unit, double value);
    size_t rows() const;  // steps at which something was exchanged
    const std::vector<std::string>& columns() const { return columns_; }
    // The value of a column at a row; NaN where it was not exchanged.
    double value(size_t row, const std::string& column) const;
    void write_csv(const std::filesystem::path& file) const;
    void clear();

private:
    std::vector<std::string> columns_, units_;
    std::map<std::string, size_t> index_;
    std::vector<double> times_;
    std::vector<std::vector<double>> rows_;  // rows_[row][column], NaN-padded
};

class CouplingContext {
public:
    CouplingContext(const OutputBus& bus, const ParamStore& params, CouplingLog& log, double t_s)
        : bus_(bus), params_(params), log_(log), t_s_(t_s) {}
    double t_s() const { return t_s_; }
    // Whether world.couple_<coupling> is on.
    bool enabled(const std::string& coupling) const;
    // A published scalar, logged under its name; nothing when the coupling is off or nobody publishes it.
    std::optional<double> scalar(const std::string& coupling, const std::string& name);
    // A published field at a world point, logged as "<name>@<where>"; nothing when off, unpublished or NaN.
    std::optional<double> sample(const std::string& coupling, const std::string& name, double x_m, double y_m,
                                 const std::string& where);
    // Names on the bus that match a pattern with one '*' (e.g. "datacenter:*.facility_kw"), sorted.
    std::vector<std::string> matching(const std::string& pattern) const;
    // A value this module computed from its inputs and hands on (e.g. the load it puts on a bus), logged.
    void note(const std::string& column, const std::string& unit, double value) { log_.record(column, unit, value); }
    const OutputBus& bus() const { return bus_; }

private:
    const OutputBus& bus_;
    const ParamStore& params_;
    CouplingLog& log_;
    double t_s_;
};

}  // namespace infrascape
