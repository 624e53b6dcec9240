// The grid's ports: what it reads from the world at the coupling step and how it turns it into an operating
// point. From the weather: the air temperature (demand, line ratings, PV temperature) and the irradiance (PV)
// in place of the scenario's own day. From the cities: each city's demand replaces the scenario's demand at
// the load buses inside its service area (a disc of its built area), shared in proportion to their case loads.
// From the campuses: each facility's MW is added at its bus (or the nearest bus to its site). From the flood:
// water deeper than a substation's flood wall trips every branch at that substation.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/coupling.hpp"
#include "modules/grid/case.hpp"

namespace infrascape::grid {

struct ExternalLoad {
    std::string source;  // "city:houston", "campus:austin"
    double mw = 0;
    std::vector<int> buses;  // case bus indices that take it
    std::vector<double> share;  // of mw, per bus (sums to 1)
    bool replaces = false;   // a city replaces the scenario's demand at its buses; a campus adds to it
};

class GridPorts {
public:
    static std::vector<InputPort> inputs();
    // Reads every input; `bus_xy` are the buses' map positions, `site_of` their substation sites.
    void couple(CouplingContext& ctx, const Case& base, const std::vector<std::array<double, 2>>& bus_xy,
                const std::vector<int>& site_of, size_t site_count, double flood_wall_m);

    std::optional<double> air_temp_c, ghi_w_m2;  // from the weather, when coupled
    std::vector<ExternalLoad> loads;
    std::vector<double> site_depth_m;  // per substation site: water depth from the flood (NaN: no data)
    std::vector<char> site_flooded;    // per site: depth above the flood wall (latched: stays tripped)

    // Per bus: the demand the couplings set (NaN where the scenario's model holds) and what campuses add.
    void bus_loads(size_t bus_count, std::vector<double>& fixed_mw, std::vector<double>& added_mw) const;
};

}  // namespace infrascape::grid
