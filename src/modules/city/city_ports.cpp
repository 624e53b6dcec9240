// The city's ports and its demand model; see city_ports.hpp.
#include "modules/city/city_ports.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/load_shape.hpp"

namespace infrascape::city {

void add_demand_params(std::vector<ParamSpec>& p) {
    p.push_back(number_param("base_kw_per_capita", "kW", 0, 20, 1.6,
                             "electric demand per resident at the day's peak, all sectors, before air conditioning"));
    p.push_back(number_param("cooling_kw_per_capita_per_c", "kW/C", 0, 1, 0.075,
                             "air-conditioning demand per resident per degree above cooling_threshold_c"));
    p.push_back(number_param("cooling_threshold_c", "C", 0, 40, 24, "air temperature above which air conditioning runs"));
    p.push_back(number_param("cooling_lag_h", "h", 0, 12, 2, "how late air conditioning follows the air (buildings' thermal mass)"));
    p.push_back(number_param("air_temp_c", "C", -30, 55, 30, "air temperature when the scene has no weather module"));
}

DemandParams demand_params(const ParamStore& p) {
    DemandParams d;
    d.base_kw_per_capita = p.number("city.base_kw_per_capita");
    d.cooling_kw_per_capita_per_c = p.number("city.cooling_kw_per_capita_per_c");
    d.cooling_threshold_c = p.number("city.cooling_threshold_c");
    d.cooling_lag_h = p.number("city.cooling_lag_h");
    d.air_temp_c = p.number("city.air_temp_c");
    return d;
}

double demand_mw(double population, double local_hour, double lagged_air_c, const DemandParams& p, double* cooling_mw) {
    const double cooling_kw = population * p.cooling_kw_per_capita_per_c * std::max(0.0, lagged_air_c - p.cooling_threshold_c);
    if (cooling_mw) *cooling_mw = cooling_kw / 1000;
    return (population * p.base_kw_per_capita * rts_summer_load_shape(local_hour) + cooling_kw) / 1000;
}

void CityPorts::start(double population, double local_hour, const DemandParams& p) {
    air_temp_c_ = p.air_temp_c;
    demand_mw_ = city::demand_mw(population, local_hour, p.air_temp_c, p, &cooling_mw_);
}

std::vector<InputPort> CityPorts::inputs() {
    return {
        {"weather.air_temp_c", "C", "air temperature at the city's centre: drives its air conditioning (lagged)", "weather"},
        {"grid.served_fraction", "", "share of load the grid serves at the city's centre: below 1 the city goes dark", "outages"},
        {"flood.depth_m", "m", "water depth at each built cell: cells under water", "flood_city"},
        {"flood.hazard", "", "hazard rating d (v + 0.5) at each built cell: people in the hazard zone", "flood_city"},
    };
}

void CityPorts::couple(CouplingContext& ctx, const std::string& where, double cx, double cy, double population,
                       double local_hour, const DemandParams& p) {
    const double t = ctx.t_s();
    if (auto temp = ctx.sample("weather", "weather.air_temp_c", cx, cy, where)) {
        air_temp_c_ = *temp;
        weather_ = true;
    } else {
        air_temp_c_ = p.air_temp_c;
        weather_ = false;
    }
    history_.emplace_back(t, air_temp_c_);
    // The temperature cooling_lag_h ago (the oldest kept, until the run is that old), linear between samples.
    const double want = t - p.cooling_lag_h * 3600;
    while (history_.size() > 2 && history_[1].first <= want) history_.pop_front();
    double lagged = history_.front().second;
    if (history_.size() >= 2 && history_[0].first <= want && history_[1].first > want) {
        const double w = (want - history_[0].first) / (history_[1].first - history_[0].first);
        lagged = history_[0].second + w * (history_[1].second - history_[0].second);
    }
    demand_mw_ = city::demand_mw(population, local_hour, lagged, p, &cooling_mw_);
    served_ = 1;
    if (auto s = ctx.sample("outages", "grid.served_fraction", cx, cy, where)) served_ = std::clamp(*s, 0.0, 1.0);
}

void CityPorts::service(CouplingContext& ctx, const std::string& instance, double x0_m, double y0_m, double cell_m,
                        uint32_t n) {
    const uint32_t b = kServiceBlocks;
    const bool outages = ctx.enabled("outages");
    std::set<int32_t> buses;
    for (uint32_t bj = 0; bj < b; ++bj)
        for (uint32_t bi = 0; bi < b; ++bi) {
            // The block's centre (cell i is in block i b / n, as the instance pass splits them).
            const double ci = (bi + 0.5) * double(n) / b - 0.5, cj = (bj + 0.5) * double(n) / b - 0.5;
            const double x = x0_m + ci * cell_m, y = y0_m + cj * cell_m;
            const size_t k = size_t(bj) * b + bi;
            const std::optional<double> bus = ctx.bus().sample("grid.serving_bus", x, y);
            block_bus_[k] = bus && std::isfinite(*bus) ? int32_t(*bus) : -1;
            if (block_bus_[k] >= 0) buses.insert(block_bus_[k]);
            const std::optional<double> s = outages ? ctx.bus().sample("grid.served_fraction", x, y) : std::nullopt;
            block_served_[k] = s && std::isfinite(*s) ? float(std::clamp(*s, 0.0, 1.0)) : 1.0f;
        }
    if (!buses.empty()) ctx.note("city.serving_buses@" + instance, "", double(buses.size()));
}

void CityPorts::flood(CouplingContext& ctx, const std::string& where, const std::vector<std::array<double, 2>>& cells,
                      const std::vector<size_t>& ids, double population) {
    if (!ctx.enabled("flood_city") || ctx.bus().unit("flood.depth_m").empty()) return;
    // Every built cell is sampled directly (not logged one by one); the log gets the totals.
    FloodImpact f;
    f.worst_flooded = flood_.worst_flooded;
    f.worst_people = flood_.worst_people;
    for (size_t c = 0; c < cells.size(); ++c) {
        const auto d = ctx.bus().sample("flood.depth_m", cells[c][0], cells[c][1]);
        if (!d || std::isnan(*d)) continue;
        ++f.exposed_cells;
        const auto [it, fresh] = flood_baseline_.emplace(ids[c], *d);
        if (*d - it->second > kFloodedRise_m) ++f.flooded_cells;
        // The river's own channel is not a hazard to the people living beside it: only a flooded cell counts.
        const auto hr = ctx.bus().sample("flood.hazard", cells[c][0], cells[c][1]);
        if (hr && *hr > kHazardRating && *d - it->second > kFloodedRise_m) ++f.hazard_cells;
    }
    if (f.exposed_cells == 0 && !flood_seen_) return;  // a flood elsewhere in the world
    flood_seen_ = true;
    f.people_in_hazard = cells.empty() ? 0.0 : population * double(f.hazard_cells) / double(cells.size());
    f.worst_flooded = std::max(f.worst_flooded, f.flooded_cells);
    f.worst_people = std::max(f.worst_people, f.people_in_hazard);
    flood_ = f;
    ctx.note(where + ".flooded_cells", "cells", double(f.flooded_cells));
    ctx.note(where + ".people_in_hazard", "people", f.people_in_hazard);
}

}  // namespace infrascape::city
