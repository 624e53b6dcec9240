// `infrascape grid hosting`: hosting capacity of every bus of a MATPOWER case, a campus placed at a bus, and the
// upgrades of a bus's binding branch; see hosting.hpp.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "modules/grid/case.hpp"
#include "modules/grid/grid_cli.hpp"
#include "modules/grid/hosting.hpp"
#include "modules/grid/opf.hpp"
#include "modules/grid/scenario.hpp"
#include "scene/scene.hpp"

namespace infrascape::grid {

namespace {

double number(const std::string& opt, const std::string& v) {
    char* end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    if (end == v.c_str() || *end || !std::isfinite(x)) throw std::invalid_argument(opt + " needs a number, not '" + v + "'");
    return x;
}

// The grid module's heatwave day at local hour `hour` (its default scenario: a 40 C afternoon): loads with their
// air conditioning, ratings derated by the heat (returned in rating_factor), solar and wind at what they can give
// then (curtailable down to 0), dispatchable units free down to 0 as the module's operator has them.
Case operating_point_at(const Case& c, double hour, double& rating_factor, bool quiet = false) {
    ScenarioParams p;
    Case prepared = c;
    prepare_case(prepared, p);
    const double epoch = 1752537600.0 /* 2025-07-15 00:00 UTC */ - p.utc_offset_h * 3600.0 + hour * 3600.0;
    const Conditions cond = conditions_at(p, prepared, epoch);
    BatteryState battery = battery_start(p);
    const Injections inj = dispatch(prepared, p, cond, battery, 300.0);
    Case op = prepared;
    apply(op, inj);
    // Units the scenario adds (utility PV, batteries) have no cost in the case: they run at no marginal cost.
    while (op.gencost.size() < op.gens.size()) op.gencost.push_back(GenCost{2, 0, 0, {0.0, 0.0}});
    units_for_operator(op);
    rating_factor = cond.rating_factor;
    if (!quiet)
        std::printf("hour %.2f of the heatwave day: %.0f MW of demand (%.0f of it cooling), %.1f C, ratings x %.3f\n", hour,
                    inj.served_mw, cond.cooling_mw, cond.ambient_c, cond.rating_factor);
    return op;
}

std::string branch_name(const Case& c, int l) {
    if (l < 0) return "";
    return std::to_string(l + 1) + " (" + std::to_string(c.branches[size_t(l)].from) + "-" +
           std::to_string(c.branches[size_t(l)].to) + ")";
}

}  // namespace

int hosting_cli(const std::vector<std::string>& a) {
    std::string file, out_path;
    HostingOptions o;
    std::vector<int> bus_ids;
    double hour = std::nan("");
    bool upgrades = false, pmin_zero = false;
    std::vector<double> profile;  // --profile: 24 hourly factors of the added load
    int campus_bus = 0;
    Campus campus;
    bool has_campus = false;
    for (size_t i = 0; i < a.size(); ++i) {
        auto value = [&](const char* opt) {
            if (i + 1 >= a.size()) throw std::invalid_argument(std::string(opt) + " needs a value");
            return a[++i];
        };
        if (a[i] == "--contingencies") {
            const std::string v = value("--contingencies");
            if (v != "none" && v != "n-1") throw std::invalid_argument("--contingencies must be none or n-1, not '" + v + "'");
            o.n_minus_1 = v == "n-1";
        } else if (a[i] == "--hour") {
            hour = number("--hour", value("--hour"));
            if (hour < 0 || hour >= 24) throw std::invalid_argument("--hour must be from 0 to 24 (local clock), not " + a[i]);
        } else if (a[i] == "--out") out_path = value("--out");
        else if (a[i] == "--bus") {
            std::stringstream list(value("--bus"));
            for (std::string item; std::getline(list, item, ',');) {
                const double id = number("--bus", item);
                if (id != std::floor(id)) throw std::invalid_argument("--bus needs bus numbers, not '" + item + "'");
                bus_ids.push_back(int(id));
            }
        } else if (a[i] == "--min-mw") {
            o.min_mw = number("--min-mw", value("--min-mw"));
        } else if (a[i] == "--threads") {
            const double t = number("--threads", value("--threads"));
            if (t < 1 || t > 256 || t != std::floor(t)) throw std::invalid_argument("--threads needs a count from 1 to 256");
            o.threads = int(t);
        } else if (a[i] == "--pmin") {
            const std::string v = value("--pmin");
            if (v != "case" && v != "zero") throw std::invalid_argument("--pmin must be case or zero, not '" + v + "'");
            pmin_zero = v == "zero";
        } else if (a[i] == "--profile") {
            std::stringstream list(value("--profile"));
            for (std::string item; std::getline(list, item, ',');) profile.push_back(number("--profile", item));
            if (profile.size() != 24 || *std::min_element(profile.begin(), profile.end()) < 0 ||
                *std::max_element(profile.begin(), profile.end()) <= 0)
                throw std::invalid_argument("--profile needs 24 factors of at least 0 (local hours 0 to 23), one above 0");
        } else if (a[i] == "--upgrades") upgrades = true;
        else if (a[i] == "--campus-bus") {
            const double id = number("--campus-bus", value("--campus-bus"));
            if (id != std::floor(id)) throw std::invalid_argument("--campus-bus needs a bus number");
            campus_bus = int(id), has_campus = true;
        } else if (a[i] == "--gpus") campus.gpus = number("--gpus", value("--gpus"));
        else if (a[i] == "--gpu-kw") campus.gpu_kw = number("--gpu-kw", value("--gpu-kw"));
        else if (a[i] == "--server-overhead") campus.server_overhead = number("--server-overhead", value("--server-overhead"));
        else if (a[i] == "--pue") campus.pue = number("--pue", value("--pue"));
        else if (!a[i].empty() && a[i][0] == '-') throw std::invalid_argument("unknown option '" + a[i] + "' for grid hosting");
        else if (file.empty()) file = a[i];
        else throw std::invalid_argument("grid hosting takes one case file");
    }
    if (file.empty()) throw std::invalid_argument("grid hosting needs a case file; see `infrascape grid --help`");
    const double load_mw = has_campus ? campus_mw(campus) : 0.0;  // checks the campus's numbers first
    if (!has_campus && out_path.empty()) throw std::invalid_argument("grid hosting needs --out HOSTING.csv (or --campus-bus)");
    if (upgrades && bus_ids.size() != 1) throw std::invalid_argument("--upgrades needs one --bus");
    if (!profile.empty() && (!std::isnan(hour) || has_campus || upgrades))
        throw std::invalid_argument("--profile takes the whole heatwave day: not with --hour, --campus-bus or --upgrades");
    Case c = load_matpower(file, file);
    if (c.gencost.empty()) throw InputError({file, 1, 1}, "the case has no mpc.gencost; hosting capacity needs generator costs");
    if (std::none_of(c.branches.begin(), c.branches.end(), [](const Branch& b) { return b.rate_a_mva > 0 && b.rate_a_mva < 1e10; }))
        throw InputError({file, 1, 1}, "the case has no line ratings (RATE_A is 0 on every branch); hosting capacity needs them");
    auto index_of = [&](int id) {
        const int b = c.bus_index(id);
        if (b < 0) throw std::invalid_argument("there is no bus " + std::to_string(id) + " in " + file);
        return b;
    };
    std::vector<int> buses;
    for (int id : bus_ids) buses.push_back(index_of(id));
    const int campus_index = has_campus ? index_of(campus_bus) : -1;
    if (!std::isnan(hour)) c = operating_point_at(c, hour, o.rating_scale);
    else if (pmin_zero)
        for (Gen& g : c.gens) g.pmin_mw = std::min(g.pmin_mw, 0.0);

    if (has_campus) {
        // The campus at its bus: its load against the bus's hosting capacity, and the secure dispatch that
        // serves it (shedding at VOLL only if it does not fit).
        HostingOptions one = o;
        const BusHosting h = hosting_capacity(c, one, {campus_index}).buses[size_t(campus_index)];
        Case with = c;
        with.buses[size_t(campus_index)].pd_mw += load_mw;
        OpfOptions oo;
        oo.n_minus_1 = o.n_minus_1;
        oo.rating_scale = o.rating_scale;
        oo.allow_shedding = true;
        oo.voll_per_mwh = 10000;
        const OpfResult before = dc_opf(c, oo), after = dc_opf(with, oo);
        std::printf("campus: %.0f GPUs x %.3g kW x %.3g (servers) x PUE %.3g = %.1f MW at bus %d\n", campus.gpus, campus.gpu_kw,
                    campus.server_overhead, campus.pue, load_mw, campus_bus);
        std::printf("hosting capacity at bus %d: %.1f MW (%s%s%s)\n", campus_bus, h.hosting_mw, hosting_limit_name(h.limit),
                    h.binding_branch >= 0 ? ", branch " : "", branch_name(c, h.binding_branch).c_str());
        if (!after.solved) {
            std::fprintf(stderr, "infrascape: the dispatch with the campus failed: %s\n", after.message.c_str());
            return 1;
        }
        std::printf("%s: %.1f MW shed with the campus, price at the bus %.2f -> %.2f $/MWh, system cost %.0f -> %.0f $/h\n",
                    load_mw <= h.hosting_mw + 1e-3 ? "fits" : "does not fit", after.total_shed_mw() - before.total_shed_mw(),
                    before.lmp[size_t(campus_index)], after.lmp[size_t(campus_index)], before.objective, after.objective);
        if (out_path.empty()) return 0;
    }

    const auto t0 = std::chrono::steady_clock::now();
    HostingResult r;
    if (!profile.empty()) {
        // A load whose MW follows the profile (its peak: the reported MW) fits if it fits every hour: the hours are
        // independent operating points (no storage or ramp limits couple them), so its hosting capacity is the
        // least over the hours of that hour's capacity divided by the profile's share of its peak then.
        const double peak = *std::max_element(profile.begin(), profile.end());
        std::vector<int> binding_hour;
        for (int h = 0; h < 24; ++h) {
            if (profile[size_t(h)] <= 0) continue;
            HostingOptions oh = o;
            const Case ch = operating_point_at(c, h + 0.5, oh.rating_scale, true);
            HostingResult rh;
            try {
                rh = hosting_capacity(ch, oh, buses);
            } catch (const std::runtime_error& e) {
                if (std::string(e.what()).find("cannot be served") == std::string::npos) throw;
                // The hour's own load does not fit: a load present then fits nowhere.
                std::printf("%02d:30 local: the grid cannot serve its own load, so no bus can add any then\n", h);
                rh.buses.assign(ch.buses.size(), BusHosting{});
                for (BusHosting& x : rh.buses) x.hosting_mw = 0, x.bound_mw = 0, x.limit = HostingLimit::Infeasible;
            }
            const double share = profile[size_t(h)] / peak;
            const bool first = r.buses.empty();
            if (first) r = rh, binding_hour.assign(rh.buses.size(), -1);
            for (size_t b = 0; b < rh.buses.size(); ++b) {
                BusHosting x = rh.buses[b];
                if (!std::isfinite(x.hosting_mw)) continue;
                x.hosting_mw /= share;
                x.bound_mw /= share;
                if (binding_hour[b] < 0 || x.hosting_mw < r.buses[b].hosting_mw) r.buses[b] = x, binding_hour[b] = h;
            }
            if (!first) {
                r.exact_buses = std::max(r.exact_buses, rh.exact_buses);
                r.lp_solves += rh.lp_solves, r.rows_added += rh.rows_added;
                r.setup_s += rh.setup_s, r.bound_s += rh.bound_s, r.exact_s += rh.exact_s;
            }
        }
        std::vector<int> count(24, 0);
        for (int h : binding_hour)
            if (h >= 0) ++count[size_t(h)];
        std::printf("daily profile: the hour that limits the most buses is %02d:30 local (%d buses)\n",
                    int(std::max_element(count.begin(), count.end()) - count.begin()),
                    *std::max_element(count.begin(), count.end()));
    }
    try {
        if (profile.empty()) r = hosting_capacity(c, o, buses);
    } catch (const std::runtime_error& e) {
        if (std::string(e.what()).find("cannot be served") == std::string::npos || pmin_zero || !std::isnan(hour)) throw;
        throw std::runtime_error(std::string(e.what()) + "; units held at their PMIN can cause this (try --pmin zero)");
    }
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!out_path.empty()) {
        std::filesystem::path p(out_path);
        if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
        std::ofstream out(p);
        if (!out) throw std::runtime_error("cannot write " + out_path);
        write_hosting_table(out, c, r, buses);
    }
    std::printf("hosting capacity%s on %s: %d buses solved exactly (%ld LPs, %ld monitored rows added) in %.3f s "
                "(set-up and secure base dispatch %.3f s, screening bound %.3f s, LPs %.3f s)\n",
                o.n_minus_1 ? " with N-1" : "", c.name.c_str(), r.exact_buses, r.lp_solves, r.rows_added, t, r.setup_s,
                r.bound_s, r.exact_s);
    if (upgrades) {
        const int b = buses[0];
        const BusHosting& h = r.buses[size_t(b)];
        std::printf("bus %d: %.1f MW, %s%s%s\n", bus_ids[0], h.hosting_mw, hosting_limit_name(h.limit),
                    h.binding_branch >= 0 ? ", branch " : "", branch_name(c, h.binding_branch).c_str());
        const std::vector<HostingUpgrade> ups = hosting_upgrades(c, b, o, 1.5, &h);
        if (ups.empty()) std::printf("no branch binds at bus %d: a line upgrade adds nothing\n", bus_ids[0]);
        for (const HostingUpgrade& u : ups)
            std::printf("upgrade: %-11s branch %s: %.1f MW (%+.1f MW), then %s%s%s\n", u.kind.c_str(),
                        branch_name(c, u.branch).c_str(), u.hosting_mw, u.gain_mw, hosting_limit_name(u.after.limit),
                        u.after.binding_branch >= 0 ? " on branch " : "",
                        u.after.binding_branch >= 0 && u.after.binding_branch < int(c.branches.size())
                            ? branch_name(c, u.after.binding_branch).c_str()
                            : (u.after.binding_branch >= 0 ? "(the new circuit)" : ""));
    }
    return 0;
}

}  // namespace infrascape::grid
