// The flood module's ports: rain from the weather, the world's cities and the warning networks they would afford.
#include "modules/flood/flood_module_impl.hpp"

namespace infrascape::flood {

// [SECTION] Ports: rain from the weather at the DEM's centre (the weather's storm cell is tens of kilometres
// across, so one value serves the whole DEM); the population of every city in the world, whose size sets the
// warning network each would afford on this river.
std::vector<InputPort> FloodModule::inputs() const {
    return {{"weather.rain_mm_h", "mm/h", "rain at the DEM's centre, added to the scene's uniform rain", "weather"},
            {"city.population", "people", "sizes the warning network that city would afford", "flood_city"},
            {"city:*.population", "people", "sizes the warning network each city would afford", "flood_city"}};
}

void FloodModule::couple(CouplingContext& ctx) {
    weather_rain_mm_h_ = ctx.sample("weather", "weather.rain_mm_h", place_x_, place_y_, "flood").value_or(0.0);
    populations_.clear();
    std::vector<std::string> names = ctx.matching("city:*.population");
    if (ctx.bus().scalar("city.population")) names.insert(names.begin(), "city.population");
    for (const std::string& name : names)
        if (auto n = ctx.scalar("flood_city", name)) populations_.push_back({name.substr(0, name.size() - 11), *n});
    for (const WarningNetwork& net : networks()) {
        const WarningOutcome o = outcome(net);
        if (o.with_lead) ctx.note("flood.lead_time_min@" + net.place, "min", o.mean_lead_s / 60.0);
    }
}

// The hazard rating of Defra/EA FD2320/TR2 without the debris factor, HR = d (v + 0.5): above 0.75 a danger to
// some, above 1.25 to most people.
double FloodModule::host_hazard(double x_world, double y_world) const {
    const double h = host_cell(x_world, y_world, 0);
    if (std::isnan(h)) return h;
    const double v = h > kSpeedDepth ? std::hypot(host_cell(x_world, y_world, 1), host_cell(x_world, y_world, 2)) / h : 0.0;
    return h * (v + 0.5);
}

double FloodModule::host_max_depth(double x_world, double y_world) const {
    // The largest depth among the frames read back (the GPU's own maxima, over every window, are exported).
    const double x = x_world - place_x_ + centre_x_, y = y_world - place_y_ + centre_y_;
    if (!inside_map(x, y)) return std::nan("");
    const auto [i, j] = cell_of_map(x, y);
    return host_max_[grid_.index(i, j)];
}

}  // namespace infrascape::flood
