#version 450
// Temperature sums over fixed groups of the LBM's cells, so that a step's readback is a few hundred numbers instead
// of the lattice: each chunk (at most LBM_PROBE_CHUNK cells of one group, listed in `cells`) sums T - offset over
// its cells in a fixed order, one invocation per chunk; LbmGpu::probe_sums adds the chunks of each group on the CPU
// (src/modules/datacenter/lbm_gpu.cpp). The offset (a temperature near the field's) keeps the float sums exact to
// a few 1e-6 K per cell.
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer Moments { vec4 moments[]; };  // ux, uy, uz, T
layout(std430, binding = 1) readonly buffer Cells { uint cells[]; };
layout(std430, binding = 2) readonly buffer Chunks { uvec2 chunks[]; };  // first cell in `cells`, count
layout(std430, binding = 3) writeonly buffer Sums { float sums[]; };
layout(push_constant) uniform Push { uint chunk_count; float offset; } pc;

void main() {
    const uint i = gl_GlobalInvocationID.x;
    if (i >= pc.chunk_count) return;
    const uvec2 chunk = chunks[i];
    float s = 0.0;
    for (uint k = 0u; k < chunk.y; ++k) s += moments[cells[chunk.x + k]].w - pc.offset;
    sums[i] = s;
}
