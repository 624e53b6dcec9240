#version 450
// Automaton pass A: spontaneous growth (see src/modules/city/sleuth.hpp).
#include "city/ca_common.glsl"

void main() {
    uint i = gl_GlobalInvocationID.x, j = gl_GlobalInvocationID.y;
    if (i >= pc.nx || j >= pc.ny) return;
    uint k = j * pc.nx + i;
    uint s = state_in[k] & ~(CA_NEW | CA_NEW_SPONT);
    float p_spont = pc.p_spont * pressure();
    if (free_cell(s) && ca_random(k, CA_RND_SPONT) < p_spont && ca_random(k, CA_RND_SPONT_SLOPE) < slope_weight[k]) {
        s |= CA_URBAN | CA_NEW | CA_NEW_SPONT;
        for (int dj = -pc.road_radius; dj <= pc.road_radius; ++dj)
            for (int di = -pc.road_radius; di <= pc.road_radius; ++di)
                if (inside(int(i) + di, int(j) + dj)) near_new[(int(j) + dj) * int(pc.nx) + int(i) + di] = 1u;
    }
    state_out[k] = s;
}
