// The city's land-use cellular automaton after SLEUTH (Clarke, Hoppen and Gaydos 1997, "A self-modifying
// cellular automaton model of historical urbanization in the San Francisco Bay area", Environment and
// Planning B 24), in a gather form that runs one GPU invocation per cell. This is the plain C++ reference
// of the same rules as shaders/city/ca_*.comp; the GPU must equal it cell for cell for a seed.
//
// One generation is three passes, each reading the previous pass's grid and writing a new one:
//  A. spontaneous growth: a free cell urbanizes with probability p_spont (SLEUTH's diffusion coefficient:
//     0.005 * diffusion * sqrt(nx^2 + ny^2) random picks per generation, spread over the grid), if its
//     slope allows (slope weight, from the slope-resistance coefficient);
//  B. new spreading centres (breed), edge growth (spread) and road-influenced growth, gathered: a free cell
//     urbanizes when a neighbouring spontaneous cell breeds and picked it (two picks of eight directions),
//     when a built neighbour with >= 2 built neighbours spreads and picked it, or when it lies next to a
//     road within the road-gravity radius of this generation's new growth and wins its draw;
//  C. roads: a built cell on an arterial line (every road_spacing cells) next to a road becomes road, so
//     the network grows with the built area.
// Water and excluded cells never urbanize. SLEUTH's original road growth walks along roads from new
// cells; the gather form above keeps its inputs (breed, road gravity, slope) but not the walk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace infrascape::city {

// Counter-based random numbers: one uniform float in [0, 1) per (seed, generation, cell, stream). The same
// integer hash and the same exact float conversion run in the shaders.
uint32_t ca_hash(uint32_t x);
// The per-(seed, generation, stream) key, computed once per dispatch (push constants on the GPU), so a
// draw costs one hash per cell.
uint32_t ca_stream_key(uint32_t seed, uint32_t generation, uint32_t stream);
float ca_random_keyed(uint32_t key, uint32_t cell);
float ca_random(uint32_t seed, uint32_t generation, uint32_t cell, uint32_t stream);  // = keyed(stream_key(...), cell)
inline constexpr uint32_t kCaStreams = 11;

// Per-generation probabilities at full pressure, computed on the CPU as float and given to both
// implementations, and the housing demand that scales them: every rule's probability is multiplied by
// ca_pressure(built) = min(target_built - built, ramp) / ramp (0 once the city has the land it needs),
// quantized to 1/256 in integers so both implementations compute the very same float.
struct CaRates {
    float p_spont = 0;   // spontaneous urbanization per free cell
    float p_breed = 0;   // a spontaneous cell becomes a spreading centre
    float p_spread = 0;  // a qualifying built cell grows into one neighbour
    float p_road = 0;    // a road-side free cell near new growth urbanizes
    int road_radius = 0;   // cells searched for new growth around a road-side cell
    int road_spacing = 8;  // arterial roads every this many cells
    uint32_t target_built = 0xffffffffu;  // built cells the population needs
    uint32_t ramp = 1;                    // deficit (cells) at which the rules run at full rate
};
float ca_pressure(uint32_t built, const CaRates& r);

// SLEUTH's five coefficients, each 0..100.
struct SleuthCoefficients {
    double diffusion = 25, breed = 40, spread = 60, slope_resistance = 30, road_gravity = 50;
};
// Probabilities for one generation at full pressure, and the demand for land.
CaRates ca_rates(const SleuthCoefficients& c, uint32_t nx, uint32_t ny, int road_spacing, uint32_t target_built = 0xffffffffu,
                 uint32_t ramp = 1);
// Probability that a cell of this slope (percent) may urbanize: 1 on the flat, 0 at and above the critical slope.
float slope_weight(double slope_percent, double slope_resistance, double critical_slope_percent);

struct CaGrid {
    uint32_t nx = 0, ny = 0;
    std::vector<uint32_t> state;        // CA_* bits per cell, row-major (j * nx + i)
    std::vector<float> slope_weight;    // static per cell
    uint32_t at(int i, int j) const { return state[size_t(j) * nx + i]; }
};

// The three passes, each from `in` to a returned grid (slope weights copied). `built` is the number of built
// cells at the start of the generation (what the GPU's statistics pass counted).
CaGrid ca_pass_spontaneous(const CaGrid& in, const CaRates& r, uint32_t seed, uint32_t generation, uint32_t built);
CaGrid ca_pass_spread(const CaGrid& in, const CaRates& r, uint32_t seed, uint32_t generation, uint32_t built);
CaGrid ca_pass_roads(const CaGrid& in, const CaRates& r);
CaGrid ca_generation(const CaGrid& in, const CaRates& r, uint32_t seed, uint32_t generation);  // counts, then A, B, C

// Push constants of the three passes: mirrors CaPush in shaders/city/ca_common.glsl.
struct CaPush {
    uint32_t nx, ny, generation, seed;
    float p_spont, p_breed, p_spread, p_road;
    int32_t road_radius, road_spacing;
    uint32_t target_built, ramp;
    uint32_t stream_key[kCaStreams];
};
static_assert(sizeof(CaPush) == 92, "CaPush must match shaders/city/ca_common.glsl");
CaPush make_ca_push(uint32_t nx, uint32_t ny, uint32_t generation, uint32_t seed, const CaRates& r);

struct CaCounts {
    uint64_t built = 0, roads = 0, water = 0;
};
CaCounts ca_counts(const CaGrid& g);

}  // namespace infrascape::city
