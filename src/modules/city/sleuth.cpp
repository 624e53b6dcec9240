// The city automaton's C++ reference; see sleuth.hpp. Every expression that decides a cell's fate is
// written to match shaders/city/ca_*.comp exactly: integer hashing, float thresholds from ca_rates().
#include "modules/city/sleuth.hpp"

#include <algorithm>
#include <cmath>

#include "city/ca_shared.h"

namespace infrascape::city {

uint32_t ca_hash(uint32_t x) {
    // lowbias32 (Chris Wellons' hash prospector): a cheap integer hash with good avalanche.
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

uint32_t ca_stream_key(uint32_t seed, uint32_t generation, uint32_t stream) {
    return ca_hash(seed ^ ca_hash(generation * 16u + stream));
}

float ca_random_keyed(uint32_t key, uint32_t cell) {
    const uint32_t h = ca_hash(key ^ (cell * 0x9e3779b9U));
    return float(h >> 8) * (1.0f / 16777216.0f);  // exact in float: 24 bits
}

float ca_random(uint32_t seed, uint32_t generation, uint32_t cell, uint32_t stream) {
    return ca_random_keyed(ca_stream_key(seed, generation, stream), cell);
}

float ca_pressure(uint32_t built, const CaRates& r) {
    if (built >= r.target_built) return 0.0f;
    const uint32_t ramp = std::max(r.ramp, 1u);
    const uint32_t q = std::min(r.target_built - built, ramp) * 256u / ramp;  // ramp < 2^24: no overflow
    return float(q) * (1.0f / 256.0f);
}

CaRates ca_rates(const SleuthCoefficients& c, uint32_t nx, uint32_t ny, int road_spacing, uint32_t target_built,
                 uint32_t ramp) {
    const double pressure = 1.0;
    CaRates r;
    r.target_built = target_built;
    r.ramp = std::clamp(ramp, 1u, 1u << 23);
    const double picks = 0.005 * c.diffusion * std::sqrt(double(nx) * nx + double(ny) * ny);
    r.p_spont = float(std::min(1.0, picks / (double(nx) * ny)) * pressure);
    r.p_breed = float(c.breed / 100.0 * pressure);
    r.p_spread = float(c.spread / 100.0 * pressure);
    r.p_road = float(c.breed / 100.0 * c.road_gravity / 100.0 * pressure);
    // SLEUTH searches up to road_gravity/100 * (nx + ny)/16 cells for a road; capped to keep the gather cheap.
    r.road_radius = std::clamp(int(std::lround(c.road_gravity / 100.0 * (nx + ny) / 16.0)), 1, 8);
    r.road_spacing = std::max(2, road_spacing);
    return r;
}

float slope_weight(double slope_percent, double slope_resistance, double critical) {
    if (slope_percent >= critical) return 0.0f;
    // SLEUTH's slope table holds a rejection probability, 1 - ((critical - slope) / critical)^(resistance / 50)
    // (its spread.c), so the chance to urbanize is ((critical - slope) / critical)^(resistance / 50): higher
    // resistance makes it fall faster with slope.
    const double exponent = std::max(slope_resistance, 1e-3) / 50.0;
    return float(std::pow((critical - std::max(slope_percent, 0.0)) / critical, exponent));
}

namespace {

const int kDx[8] = {1, 1, 0, -1, -1, -1, 0, 1};  // direction d: east, then counter-clockwise
const int kDy[8] = {0, 1, 1, 1, 0, -1, -1, -1};

bool free_cell(uint32_t s) { return (s & (CA_URBAN | CA_ROAD | CA_WATER | CA_EXCLUDED)) == 0; }

uint32_t pick_direction(float u) { return std::min(uint32_t(u * 8.0f), 7u); }

}  // namespace

CaGrid ca_pass_spontaneous(const CaGrid& in, const CaRates& r, uint32_t seed, uint32_t gen, uint32_t built) {
    CaGrid out = in;
    const float p_spont = r.p_spont * ca_pressure(built, r);
    for (uint32_t k = 0; k < in.state.size(); ++k) {
        uint32_t s = in.state[k] & ~(CA_NEW | CA_NEW_SPONT);  // flags describe this generation only
        if (free_cell(s) && ca_random(seed, gen, k, CA_RND_SPONT) < p_spont &&
            ca_random(seed, gen, k, CA_RND_SPONT_SLOPE) < in.slope_weight[k])
            s |= CA_URBAN | CA_NEW | CA_NEW_SPONT;
        out.state[k] = s;
    }
    return out;
}

CaGrid ca_pass_spread(const CaGrid& in, const CaRates& r, uint32_t seed, uint32_t gen, uint32_t built) {
    CaGrid out = in;
    const float pressure = ca_pressure(built, r);
    const float p_breed = r.p_breed * pressure, p_spread = r.p_spread * pressure, p_road = r.p_road * pressure;
    const int nx = int(in.nx), ny = int(in.ny);
    auto inside = [&](int i, int j) { return i >= 0 && j >= 0 && i < nx && j < ny; };
    for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) {
            const uint32_t k = uint32_t(j * nx + i);
            const uint32_t s = in.state[k];
            if (!free_cell(s)) continue;
            bool grow = false;
            // Neighbour n at direction d from this cell sees this cell at direction (d + 4) % 8.
            for (int d = 0; d < 8 && !grow; ++d) {
                const int ni = i + kDx[d], nj = j + kDy[d];
                if (!inside(ni, nj)) continue;
                const uint32_t nk = uint32_t(nj * nx + ni);
                const uint32_t ns = in.state[nk];
                const uint32_t back = uint32_t((d + 4) % 8);
                if ((ns & CA_NEW_SPONT) && ca_random(seed, gen, nk, CA_RND_BREED) < p_breed) {
                    if (pick_direction(ca_random(seed, gen, nk, CA_RND_BREED_DIR1)) == back ||
                        pick_direction(ca_random(seed, gen, nk, CA_RND_BREED_DIR2)) == back)
                        grow = ca_random(seed, gen, k, CA_RND_BREED_SLOPE) < in.slope_weight[k];
                }
                if (!grow && (ns & CA_URBAN) && !(ns & CA_NEW) && ca_random(seed, gen, nk, CA_RND_SPREAD) < p_spread &&
                    pick_direction(ca_random(seed, gen, nk, CA_RND_SPREAD_DIR)) == back) {
                    int built = 0;
                    for (int e = 0; e < 8; ++e) {
                        const int mi = ni + kDx[e], mj = nj + kDy[e];
                        if (inside(mi, mj) && (in.state[size_t(mj) * nx + mi] & CA_URBAN)) ++built;
                    }
                    if (built >= CA_SPREAD_MIN_NEIGHBOURS)
                        grow = ca_random(seed, gen, k, CA_RND_SPREAD_SLOPE) < in.slope_weight[k];
                }
            }
            if (!grow) {
                bool by_road = false;
                for (int d = 0; d < 8 && !by_road; ++d) {
                    const int ni = i + kDx[d], nj = j + kDy[d];
                    by_road = inside(ni, nj) && (in.state[size_t(nj) * nx + ni] & CA_ROAD);
                }
                if (by_road && ca_random(seed, gen, k, CA_RND_ROAD) < p_road) {
                    bool near_new = false;
                    for (int dj = -r.road_radius; dj <= r.road_radius && !near_new; ++dj)
                        for (int di = -r.road_radius; di <= r.road_radius && !near_new; ++di)
                            near_new = inside(i + di, j + dj) && (in.state[size_t(j + dj) * nx + (i + di)] & CA_NEW);
                    if (near_new) grow = ca_random(seed, gen, k, CA_RND_ROAD_SLOPE) < in.slope_weight[k];
                }
            }
            if (grow) out.state[k] = s | CA_URBAN | CA_NEW;
        }
    return out;
}

CaGrid ca_pass_roads(const CaGrid& in, const CaRates& r) {
    CaGrid out = in;
    const int nx = int(in.nx), ny = int(in.ny);
    for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) {
            const uint32_t k = uint32_t(j * nx + i);
            const uint32_t s = in.state[k];
            if (!(s & CA_URBAN) || (s & CA_ROAD)) continue;
            if (i % r.road_spacing != 0 && j % r.road_spacing != 0) continue;
            const bool east_west = j % r.road_spacing == 0, north_south = i % r.road_spacing == 0;
            bool linked = false;
            if (east_west) {
                linked |= i > 0 && (in.state[k - 1] & CA_ROAD);
                linked |= i + 1 < nx && (in.state[k + 1] & CA_ROAD);
            }
            if (north_south) {
                linked |= j > 0 && (in.state[k - nx] & CA_ROAD);
                linked |= j + 1 < ny && (in.state[k + nx] & CA_ROAD);
            }
            if (linked) out.state[k] = s | CA_ROAD;
        }
    return out;
}

CaGrid ca_generation(const CaGrid& in, const CaRates& r, uint32_t seed, uint32_t generation) {
    const uint32_t built = uint32_t(ca_counts(in).built);
    return ca_pass_roads(ca_pass_spread(ca_pass_spontaneous(in, r, seed, generation, built), r, seed, generation, built), r);
}

CaPush make_ca_push(uint32_t nx, uint32_t ny, uint32_t generation, uint32_t seed, const CaRates& r) {
    CaPush p{nx, ny, generation, seed, r.p_spont, r.p_breed, r.p_spread, r.p_road, r.road_radius, r.road_spacing,
             r.target_built, r.ramp, {}};
    for (uint32_t s = 0; s < kCaStreams; ++s) p.stream_key[s] = ca_stream_key(seed, generation, s);
    return p;
}

CaCounts ca_counts(const CaGrid& g) {
    CaCounts c;
    for (uint32_t s : g.state) {
        c.built += (s & CA_URBAN) != 0;
        c.roads += (s & CA_ROAD) != 0;
        c.water += (s & CA_WATER) != 0;
    }
    return c;
}

}  // namespace infrascape::city
