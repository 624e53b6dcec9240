#version 450
// Automaton pass B: new spreading centres, edge growth and road-influenced growth, gathered per cell
// (see src/modules/city/sleuth.hpp).
#include "city/ca_common.glsl"

void main() {
    int i = int(gl_GlobalInvocationID.x), j = int(gl_GlobalInvocationID.y);
    if (i >= int(pc.nx) || j >= int(pc.ny)) return;
    int nx = int(pc.nx);
    uint k = uint(j * nx + i);
    uint s = state_in[k];
    if (!free_cell(s)) {
        state_out[k] = s;
        return;
    }
    float pr = pressure();
    float p_breed = pc.p_breed * pr, p_spread = pc.p_spread * pr, p_road = pc.p_road * pr;
    bool grow = false;
    for (int d = 0; d < 8 && !grow; ++d) {
        int ni = i + kDx[d], nj = j + kDy[d];
        if (!inside(ni, nj)) continue;
        uint nk = uint(nj * nx + ni);
        uint ns = state_in[nk];
        uint back = uint((d + 4) % 8);
        if ((ns & CA_NEW_SPONT) != 0u && ca_random(nk, CA_RND_BREED) < p_breed) {
            if (pick_direction(ca_random(nk, CA_RND_BREED_DIR1)) == back ||
                pick_direction(ca_random(nk, CA_RND_BREED_DIR2)) == back)
                grow = ca_random(k, CA_RND_BREED_SLOPE) < slope_weight[k];
        }
        if (!grow && (ns & CA_URBAN) != 0u && (ns & CA_NEW) == 0u && ca_random(nk, CA_RND_SPREAD) < p_spread &&
            pick_direction(ca_random(nk, CA_RND_SPREAD_DIR)) == back) {
            int built = 0;
            for (int e = 0; e < 8; ++e) {
                int mi = ni + kDx[e], mj = nj + kDy[e];
                if (inside(mi, mj) && (state_in[mj * nx + mi] & CA_URBAN) != 0u) ++built;
            }
            if (built >= CA_SPREAD_MIN_NEIGHBOURS) grow = ca_random(k, CA_RND_SPREAD_SLOPE) < slope_weight[k];
        }
    }
    if (!grow && p_road > 0.0) {
        bool by_road = false;
        for (int d = 0; d < 8 && !by_road; ++d) {
            int ni = i + kDx[d], nj = j + kDy[d];
            by_road = inside(ni, nj) && (state_in[nj * nx + ni] & CA_ROAD) != 0u;
        }
        if (by_road && near_new[k] != 0u && ca_random(k, CA_RND_ROAD) < p_road)
            grow = ca_random(k, CA_RND_ROAD_SLOPE) < slope_weight[k];
    }
    state_out[k] = grow ? (s | CA_URBAN | CA_NEW) : s;
}
