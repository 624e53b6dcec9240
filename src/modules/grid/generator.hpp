// A synthetic transmission grid for scenes without a MATPOWER case: load substations at the towns, a meshed
// 345 kV backbone over 138 kV regional networks, a generation fleet by fuel, and each bus's map position,
// built and checked (DC N-1, AC power flow) in the spirit of Birchfield et al., IEEE TPWRS 32(4), 2017.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "modules/grid/case.hpp"

namespace infrascape::grid {

// A town: where people live (map position in the world frame: x east, y north, metres from the centre).
struct LoadCentre {
    double x_m = 0, y_m = 0, weight = 1;  // weight: relative population (share of the peak load)
    std::string name;                     // generated when empty
};

struct GeneratorParams {
    uint64_t seed = 1;
    double extent_m = 200000;         // side of the square region centred on the origin
    std::vector<LoadCentre> centres;  // when empty, `towns` towns are placed (Zipf-sized, from the seed)
    int towns = 12;
    int substations = 60;         // 138 kV load buses, spread over the towns by weight
    double peak_load_mw = 8000;   // total bus demand at the design peak
    double reserve_margin = 0.2;  // installed dispatchable capacity = peak * (1 + reserve_margin)
    // Shares of the dispatchable capacity by fuel; they must sum to 1 (roughly a US-average thermal mix).
    double share_gas = 0.55, share_coal = 0.2, share_nuclear = 0.15, share_hydro = 0.1;
    // Variable and storage capacity on top of the dispatchable fleet, MW (fuels "wind", "solar", "battery").
    double wind_mw = 0, solar_mw = 0, battery_mw = 0;
    double height_m_unused = 0;  // unused; part of the interface as specified
    // Optional terrain height at (x_m, y_m): hydro and wind go high, thermal plants stay low.
    std::function<double(double, double)> terrain_height_m;
};

struct GeneratedGrid {
    Case grid;                                    // solved AC base case at the design peak (MATPOWER units)
    std::vector<std::array<double, 2>> bus_xy_m;  // per bus (case order), map position
    std::vector<std::string> town_names;  // the towns that got substations (generated names if none given)
    // Also, for the viewer and for checks:
    std::vector<LoadCentre> towns;         // the same towns with their positions and weights
    std::vector<double> branch_length_km;  // per branch: route length (0 for transformers)
    std::vector<int> bus_town;             // per bus: index into `towns` of the town it is named after
};

// Builds the grid; deterministic for the same parameters (byte-identical case). Throws std::invalid_argument
// naming the parameter for impossible ones: substations outside [2, 1000], extent_m <= 0, peak_load_mw <= 0
// or above 1000 MW per substation, negative capacities or shares, shares not summing to 1, reserve_margin
// outside [0, 3] or too small for the peak plus losses, towns outside [1, 1000] without centres, a centre
// outside the region or with weight <= 0. About 5 ms for 60 substations, 20-70 ms for 200, 0.5-1 s for 1000.
GeneratedGrid generate_grid(const GeneratorParams& params);

// Mean nodal degree: 2 * (distinct bus pairs joined by in-service branches) / buses, the measure of
// Birchfield et al. 2017 use (parallel circuits count once).
double mean_bus_degree(const Case& c);

}  // namespace infrascape::grid
