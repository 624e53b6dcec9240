#version 450
// One FTCS step of the heat equation with source and Newtonian cooling; the same scheme and operation
// order as src/modules/example/diffusion_reference.cpp (zero-flux, cell-centred boundaries).
layout(local_size_x = 16, local_size_y = 16) in;
layout(std430, binding = 0) readonly buffer In { float t_in[]; };
layout(std430, binding = 1) writeonly buffer Out { float t_out[]; };
layout(std430, binding = 2) readonly buffer Src { float source_k_per_s[]; };
layout(push_constant) uniform Push {
    uint nx, ny;
    float dt_s;
    float r;          // diffusivity / dx^2 (1/s)
    float cooling;    // 1/s
} pc;

float at(uint i, uint j) { return t_in[j * pc.nx + i]; }

void main() {
    uint i = gl_GlobalInvocationID.x, j = gl_GlobalInvocationID.y;
    if (i >= pc.nx || j >= pc.ny) return;
    float c = at(i, j);
    float w = at(i > 0u ? i - 1u : i, j);
    float e = at(i + 1u < pc.nx ? i + 1u : i, j);
    float s = at(i, j > 0u ? j - 1u : j);
    float n = at(i, j + 1u < pc.ny ? j + 1u : j);
    float lap = (e + w) + (n + s) - 4.0 * c;
    uint k = j * pc.nx + i;
    t_out[k] = c + pc.dt_s * (pc.r * lap + source_k_per_s[k] - pc.cooling * c);
}
