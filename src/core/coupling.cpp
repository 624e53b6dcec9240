// The coupling step's context and log; see coupling.hpp.
#include "core/coupling.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <limits>
#include <stdexcept>

namespace infrascape {

const std::vector<CouplingDoc>& coupling_docs() {
    static const std::vector<CouplingDoc> docs = {
        {"weather", "the weather driver sets every module's air temperature, sunshine and rain"},
        {"demand", "cities' and campuses' electric demand lands on the grid buses that serve them"},
        {"outages", "a shed, islanded or dark bus cuts the loads it serves (city lights, campus GPUs)"},
        {"flood_grid", "water above a substation's flood wall trips every bus there"},
        {"flood_city", "flood depth over a city's built cells and the warning lead time it got"},
    };
    return docs;
}

void CouplingLog::begin_step(double t_s) {
    // A step where nothing was exchanged leaves no row (a scene without couplings keeps no log at all).
    if (!rows_.empty()) {
        bool any = false;
        for (double v : rows_.back()) any = any || !std::isnan(v);
        if (!any) {
            times_.back() = t_s;
            return;
        }
    }
    times_.push_back(t_s);
    rows_.emplace_back(columns_.size(), std::numeric_limits<double>::quiet_NaN());
}

void CouplingLog::record(const std::string& column, const std::string& unit, double value) {
    if (rows_.empty()) throw std::logic_error("CouplingLog::record before begin_step");
    auto [it, fresh] = index_.emplace(column, columns_.size());
    if (fresh) {
        columns_.push_back(column);
        units_.push_back(unit);
        for (auto& row : rows_) row.push_back(std::numeric_limits<double>::quiet_NaN());
    }
    rows_.back()[it->second] = value;
}

double CouplingLog::value(size_t row, const std::string& column) const {
    auto it = index_.find(column);
    if (it == index_.end() || row >= rows_.size()) return std::numeric_limits<double>::quiet_NaN();
    return rows_[row][it->second];
}

size_t CouplingLog::rows() const {
    if (rows_.empty()) return 0;
    bool any = false;
    for (double v : rows_.back()) any = any || !std::isnan(v);
    return any ? rows_.size() : rows_.size() - 1;
}

void CouplingLog::write_csv(const std::filesystem::path& file) const {
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file);
    if (!out) throw std::runtime_error("cannot write " + file.string());
    out << "time_s";
    for (const auto& c : columns_) out << ',' << c;
    out << "\nunit:s";
    for (const auto& u : units_) out << ',' << u;
    out << '\n' << std::setprecision(10);
    for (size_t r = 0; r < rows(); ++r) {
        out << times_[r];
        for (double v : rows_[r]) {
            out << ',';
            if (!std::isnan(v)) out << v;
        }
        out << '\n';
    }
}

void CouplingLog::clear() {
    columns_.clear();
    units_.clear();
    index_.clear();
    times_.clear();
    rows_.clear();
}

bool CouplingContext::enabled(const std::string& coupling) const {
    const std::string key = "world.couple_" + coupling;
    return params_.has(key) && params_.flag(key);
}

std::optional<double> CouplingContext::scalar(const std::string& coupling, const std::string& name) {
    if (!enabled(coupling)) return std::nullopt;
    const std::optional<double> v = bus_.scalar(name);
    if (v) log_.record(name, bus_.unit(name), *v);
    return v;
}

std::optional<double> CouplingContext::sample(const std::string& coupling, const std::string& name, double x_m, double y_m,
                                              const std::string& where) {
    if (!enabled(coupling)) return std::nullopt;
    const std::optional<double> v = bus_.sample(name, x_m, y_m);
    if (!v || std::isnan(*v)) return std::nullopt;
    log_.record(name + "@" + where, bus_.unit(name), *v);
    return v;
}

std::vector<std::string> CouplingContext::matching(const std::string& pattern) const {
    std::vector<std::string> out;
    const size_t star = pattern.find('*');
    for (const OutputBus::Entry& e : bus_.list()) {
        if (star == std::string::npos) {
            if (e.name == pattern) out.push_back(e.name);
            continue;
        }
        const std::string head = pattern.substr(0, star), tail = pattern.substr(star + 1);
        if (e.name.size() >= head.size() + tail.size() && e.name.compare(0, head.size(), head) == 0 &&
            e.name.compare(e.name.size() - tail.size(), tail.size(), tail) == 0)
            out.push_back(e.name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace infrascape
