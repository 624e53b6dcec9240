#version 450
// Automaton pass C: arterial roads grow into built cells along every road_spacing-th row and column
// (see src/modules/city/sleuth.hpp).
#include "city/ca_common.glsl"

void main() {
    int i = int(gl_GlobalInvocationID.x), j = int(gl_GlobalInvocationID.y);
    if (i >= int(pc.nx) || j >= int(pc.ny)) return;
    int nx = int(pc.nx), ny = int(pc.ny);
    uint k = uint(j * nx + i);
    uint s = state_in[k];
    bool east_west = j % pc.road_spacing == 0, north_south = i % pc.road_spacing == 0;
    if ((s & CA_URBAN) != 0u && (s & CA_ROAD) == 0u && (east_west || north_south)) {
        bool linked = false;
        if (east_west) {
            linked = linked || (i > 0 && (state_in[k - 1u] & CA_ROAD) != 0u);
            linked = linked || (i + 1 < nx && (state_in[k + 1u] & CA_ROAD) != 0u);
        }
        if (north_south) {
            linked = linked || (j > 0 && (state_in[k - uint(nx)] & CA_ROAD) != 0u);
            linked = linked || (j + 1 < ny && (state_in[k + uint(nx)] & CA_ROAD) != 0u);
        }
        if (linked) s |= CA_ROAD;
    }
    state_out[k] = s;
}
