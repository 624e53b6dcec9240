// The city's ports: what it reads from the world at the coupling step (the air temperature at its centre from
// the weather, the share of its load the grid serves) and the electric demand it hands to the grid. The
// demand model: every resident draws a base load that follows the day's shape (all sectors, IEEE RTS summer
// weekday) plus air conditioning that grows with the air temperature above a threshold, lagged by the
// buildings' thermal mass (a degree-hour model, as in ERCOT's weather-normalised load studies):
//   P = N (base_kw_per_capita shape(local hour) + cooling_kw_per_capita_per_c max(0, T(t - lag) - threshold)).
// Defaults: 1.6 kW and 0.075 kW/C per resident, 24 C, 2 h: 30 million Texans at 40 C give about 84 GW, the
// ERCOT-scale summer peak.
#pragma once

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "core/coupling.hpp"
#include "scene/params.hpp"

namespace infrascape::city {

struct DemandParams {
    double base_kw_per_capita = 1.6;
    double cooling_kw_per_capita_per_c = 0.075;
    double cooling_threshold_c = 24;
    double cooling_lag_h = 2;
    double air_temp_c = 30;  // without a weather module in the scene
};
void add_demand_params(std::vector<ParamSpec>& params);  // the city block's declarations of the above
DemandParams demand_params(const ParamStore& p);

// MW drawn by `population` residents at a local hour with the lagged air temperature; cooling_mw (when not
// null) receives the air-conditioning part.
double demand_mw(double population, double local_hour, double lagged_air_c, const DemandParams& p,
                 double* cooling_mw = nullptr);

class CityPorts {
public:
    static std::vector<InputPort> inputs();
    // At each coupling step: reads the weather at the centre and the grid's service there, and sets the demand
    // for the population at this time.
    // `instance` names the city in the log ("city:houston").
    void couple(CouplingContext& ctx, const std::string& instance, double centre_x_m, double centre_y_m, double population,
                double local_hour, const DemandParams& p);
    // Before the first coupling step: the demand at the start with the city's own air temperature.
    void start(double population, double local_hour, const DemandParams& p);
    double demand_mw() const { return demand_mw_; }
    double cooling_mw() const { return cooling_mw_; }
    double air_temp_c() const { return air_temp_c_; }
    double served_fraction() const { return served_; }  // 1 without a grid
    bool weather_coupled() const { return weather_; }

private:
    std::deque<std::pair<double, double>> history_;  // (t_s, air temperature), for the lag
    double demand_mw_ = 0, cooling_mw_ = 0, air_temp_c_ = 30, served_ = 1;
    bool weather_ = false;
};

}  // namespace infrascape::city
