#version 450
// Automaton pass B: new spreading centres, edge growth and road-influenced growth, gathered per cell
// (see src/modules/city/sleuth.hpp). The eight neighbours are loaded once; a free cell with nothing
// built or paved around it (most of the countryside) is done after those eight loads.
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
    uint ns[8];
    uint any = 0u;
    for (int d = 0; d < 8; ++d) {
        int ni = i + kDx[d], nj = j + kDy[d];
        ns[d] = inside(ni, nj) ? state_in[nj * nx + ni] : 0u;
        any |= ns[d];
    }
    bool grow = false;
    if ((any & (CA_URBAN | CA_ROAD)) != 0u) {
        float pr = pressure();
        float p_breed = pc.p_breed * pr, p_spread = pc.p_spread * pr, p_road = pc.p_road * pr;
        for (int d = 0; d < 8 && !grow; ++d) {
            if ((ns[d] & CA_URBAN) == 0u) continue;
            int ni = i + kDx[d], nj = j + kDy[d];
            uint nk = uint(nj * nx + ni);
            uint back = uint((d + 4) % 8);
            if ((ns[d] & CA_NEW_SPONT) != 0u && ca_random(nk, CA_RND_BREED) < p_breed) {
                if (pick_direction(ca_random(nk, CA_RND_BREED_DIR1)) == back ||
                    pick_direction(ca_random(nk, CA_RND_BREED_DIR2)) == back)
                    grow = ca_random(k, CA_RND_BREED_SLOPE) < slope_weight[k];
            }
            if (!grow && (ns[d] & CA_NEW) == 0u && ca_random(nk, CA_RND_SPREAD) < p_spread &&
                pick_direction(ca_random(nk, CA_RND_SPREAD_DIR)) == back) {
                int built = 0;
                for (int e = 0; e < 8; ++e) {
                    int mi = ni + kDx[e], mj = nj + kDy[e];
                    if (inside(mi, mj) && (state_in[mj * nx + mi] & CA_URBAN) != 0u) ++built;
                }
                if (built >= CA_SPREAD_MIN_NEIGHBOURS) grow = ca_random(k, CA_RND_SPREAD_SLOPE) < slope_weight[k];
            }
        }
        if (!grow && (any & CA_ROAD) != 0u && near_new[k] != 0u && ca_random(k, CA_RND_ROAD) < p_road)
            grow = ca_random(k, CA_RND_ROAD_SLOPE) < slope_weight[k];
    }
    state_out[k] = grow ? (s | CA_URBAN | CA_NEW) : s;
}
