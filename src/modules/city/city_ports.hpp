// The city's ports: what it reads from the world at the coupling step (the air temperature at its centre from
// the weather, the share of its load the grid serves) and the electric demand it hands to the grid. The
// demand model: every resident draws a base load that follows the day's shape (all sectors, IEEE RTS summer
// weekday) plus air conditioning that grows with the air temperature above a threshold, lagged by the
// buildings' thermal mass (a degree-hour model, as in ERCOT's weather-normalised load studies):
//   P = N (base_kw_per_capita shape(local hour) + cooling_kw_per_capita_per_c max(0, T(t - lag) - threshold)).
// Defaults: 1.6 kW and 0.075 kW/C per resident, 24 C, 2 h: 30 million Texans at 40 C give about 84 GW, the
// ERCOT-scale summer peak.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
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

// What a flood does to the city's built cells (coupling "flood_city"): a cell is under water when the depth there
// rose more than kFloodedRise_m above what it was when the flood was first seen (so a river the city was built
// along does not count), and in the hazard zone when the hazard rating d (v + 0.5) passes 0.75 (Defra/EA
// FD2320: a danger for some). People in the hazard zone: the population spread evenly over the built cells.
constexpr double kFloodedRise_m = 0.3;
constexpr double kHazardRating = 0.75;
struct FloodImpact {
    size_t exposed_cells = 0;  // built cells inside the flood's grid
    size_t flooded_cells = 0, hazard_cells = 0;
    double people_in_hazard = 0;
    size_t worst_flooded = 0;  // the largest flooded count so far
    double worst_people = 0;
};

class CityPorts {
public:
    static std::vector<InputPort> inputs();
    // At each coupling step, with the built cells' world centres: samples the flood's depth and hazard there.
    void flood(CouplingContext& ctx, const std::string& instance, const std::vector<std::array<double, 2>>& built_cells,
               const std::vector<size_t>& cell_ids, double population);
    const FloodImpact& flood_impact() const { return flood_; }
    bool flood_seen() const { return flood_seen_; }
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
    // At each coupling step, the grid's service over the city's cells, by block (kServiceBlocks x kServiceBlocks
    // over its n x n cells of cell_m, cell (0, 0) centred at (x0, y0)): each block is served by the grid's
    // nearest bus to its centre, and gets that bus's served share (coupling "outages"; 1 when off or without a
    // grid) and its number (-1 without a grid). The blocks are sampled straight from the bus; the log keeps the
    // centre's share (couple) and the number of buses serving the city.
    static constexpr uint32_t kServiceBlocks = 16;
    void service(CouplingContext& ctx, const std::string& instance, double x0_m, double y0_m, double cell_m, uint32_t n);
    const std::vector<float>& block_served() const { return block_served_; }
    const std::vector<int32_t>& block_bus() const { return block_bus_; }
    bool weather_coupled() const { return weather_; }

private:
    std::deque<std::pair<double, double>> history_;  // (t_s, air temperature), for the lag
    double demand_mw_ = 0, cooling_mw_ = 0, air_temp_c_ = 30, served_ = 1;
    bool weather_ = false;
    FloodImpact flood_;
    bool flood_seen_ = false;
    std::map<size_t, double> flood_baseline_;  // cell id -> depth when the flood was first seen there
    std::vector<float> block_served_ = std::vector<float>(kServiceBlocks * kServiceBlocks, 1.0f);
    std::vector<int32_t> block_bus_ = std::vector<int32_t>(kServiceBlocks * kServiceBlocks, -1);
};

}  // namespace infrascape::city
