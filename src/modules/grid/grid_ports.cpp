// The grid's ports; see grid_ports.hpp.
#include "modules/grid/grid_ports.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace infrascape::grid {

std::vector<InputPort> GridPorts::inputs() {
    return {
        {"weather.air_temp_c", "C", "air temperature: demand's cooling term, line ratings, PV cell temperature", "weather"},
        {"weather.ghi_w_m2", "W/m2", "global horizontal irradiance: utility and rooftop PV", "weather"},
        {"city:*.demand_factor", "", "a city's demand over its base (hour, heat, growth): scales the case's load at the load buses of its service area", "demand"},
        {"city:*.centre_x_m, city:*.centre_y_m, city:*.radius_m", "m", "where a city's service area is", "demand"},
        {"campus:*.facility_mw", "MW", "a campus's draw from the grid (0 while it runs on its generators)", "demand"},
        {"campus:*.bus, campus:*.x_m, campus:*.y_m", "", "a campus's bus (0: the nearest bus to its site)", "demand"},
        {"flood.depth_m", "m", "water depth at each substation: above grid.flood_wall_m it trips the substation", "flood_grid"},
    };
}

namespace {

// The instance names ("city:houston") that publish `suffix` ("demand_mw"), from a pattern match on the bus.
std::vector<std::string> instances(const CouplingContext& ctx, const std::string& module, const std::string& suffix) {
    std::vector<std::string> out;
    for (const std::string& name : ctx.matching(module + "*." + suffix)) out.push_back(name.substr(0, name.size() - suffix.size() - 1));
    return out;
}

}  // namespace

void GridPorts::couple(CouplingContext& ctx, const Case& base, const std::vector<std::array<double, 2>>& bus_xy,
                       const std::vector<int>& site_of, size_t site_count, double flood_wall_m) {
    // The system's air temperature: the weather at the world's site (the origin), where the load-weighted
    // centre of a state-wide case roughly is.
    air_temp_c = ctx.sample("weather", "weather.air_temp_c", 0, 0, "grid_site");
    ghi_w_m2 = ctx.scalar("weather", "weather.ghi_w_m2");
    loads.clear();
    const size_t nb = base.buses.size();
    auto nearest = [&](double x, double y, bool loaded_only) {
        int best = -1;
        double best_d2 = std::numeric_limits<double>::infinity();
        for (size_t b = 0; b < nb; ++b) {
            if (loaded_only && !(base.buses[b].pd_mw > 0)) continue;
            const double dx = bus_xy[b][0] - x, dy = bus_xy[b][1] - y, d2 = dx * dx + dy * dy;
            if (d2 < best_d2) best_d2 = d2, best = int(b);
        }
        return best;
    };
    // [SECTION] Cities: their demand at the load buses of their service area, pro rata to the case's loads.
    for (const std::string& city : instances(ctx, "city", "demand_factor")) {
        const auto factor = ctx.scalar("demand", city + ".demand_factor");
        const auto x = ctx.bus().scalar(city + ".centre_x_m"), y = ctx.bus().scalar(city + ".centre_y_m");
        const auto r = ctx.bus().scalar(city + ".radius_m");
        if (!factor || !x || !y || !r) continue;
        ExternalLoad load{city, 0, {}, {}, true};
        // The load buses within the city's radius, and at least the 10 nearest (a city whose centre the case
        // serves from a little further out still spreads over several substations).
        std::vector<std::pair<double, int>> by_distance;
        for (size_t b = 0; b < nb; ++b)
            if (base.buses[b].pd_mw > 0) {
                const double dx = bus_xy[b][0] - *x, dy = bus_xy[b][1] - *y;
                by_distance.push_back({dx * dx + dy * dy, int(b)});
            }
        if (by_distance.empty()) continue;
        std::sort(by_distance.begin(), by_distance.end());
        const double reach2 = std::max(*r * *r, by_distance[std::min<size_t>(9, by_distance.size() - 1)].first);
        double total = 0;
        for (const auto& [d2, b] : by_distance) {
            if (d2 > reach2) break;
            load.buses.push_back(b);
            load.share.push_back(base.buses[size_t(b)].pd_mw);
            total += base.buses[size_t(b)].pd_mw;
        }
        // The case's load at these buses stands for the city's residents at their base demand; the city's
        // model drives it through the hours, the heat and the years (its demand over that base).
        load.mw = *factor * total;
        for (double& s : load.share) s /= total;
        ctx.note("grid.buses_serving@" + city, "", double(load.buses.size()));
        ctx.note("grid.city_load_mw@" + city, "MW", load.mw);
        loads.push_back(std::move(load));
    }
    // [SECTION] Campuses: their facility draw added at their bus.
    for (const std::string& campus : instances(ctx, "campus", "facility_mw")) {
        const auto mw = ctx.scalar("demand", campus + ".facility_mw");
        if (!mw) continue;
        const double bus_id = ctx.bus().scalar(campus + ".bus").value_or(0);
        int b = bus_id > 0 ? base.bus_index(int(bus_id)) : -1;
        if (b < 0) {
            const auto x = ctx.bus().scalar(campus + ".x_m"), y = ctx.bus().scalar(campus + ".y_m");
            if (x && y) b = nearest(*x, *y, false);
        }
        if (b < 0) continue;
        loads.push_back({campus, *mw, {b}, {1.0}, false});
    }
    // [SECTION] The flood at the substations: a site is flooded once the water there passes the wall.
    site_depth_m.assign(site_count, std::numeric_limits<double>::quiet_NaN());
    if (site_flooded.size() != site_count) site_flooded.assign(site_count, 0);
    std::vector<char> sampled(site_count, 0);
    for (size_t b = 0; b < nb && b < site_of.size(); ++b) {
        const size_t s = size_t(site_of[b]);
        if (s >= site_count || sampled[s]) continue;
        sampled[s] = 1;
        // Only substations the flood's grid covers give a value; the log names them by their first bus.
        const auto d = ctx.sample("flood_grid", "flood.depth_m", bus_xy[b][0], bus_xy[b][1],
                                  "substation_" + std::to_string(base.buses[b].id));
        if (!d) continue;
        site_depth_m[s] = *d;
        if (*d > flood_wall_m) site_flooded[s] = 1;
    }
}

void GridPorts::bus_loads(size_t bus_count, std::vector<double>& fixed_mw, std::vector<double>& added_mw) const {
    fixed_mw.assign(bus_count, std::numeric_limits<double>::quiet_NaN());
    added_mw.assign(bus_count, 0.0);
    for (const ExternalLoad& l : loads)
        for (size_t k = 0; k < l.buses.size(); ++k) {
            const size_t b = size_t(l.buses[k]);
            if (l.replaces) fixed_mw[b] = (std::isnan(fixed_mw[b]) ? 0.0 : fixed_mw[b]) + l.mw * l.share[k];
            else added_mw[b] += l.mw * l.share[k];
        }
}

}  // namespace infrascape::grid
