#version 450
// One step of the local-inertial scheme (Bates, Horritt & Fewtrell 2010, with de Almeida et al.'s 2012 theta
// weighting), one invocation per cell: src/modules/flood/swe_reference.cpp inertial_step mirrored in float. The
// state's y and z hold the discharges per unit width at the cell's East and North faces. Each cell computes the
// new discharge of its four faces from the old state (a face shared by two cells is computed by both from the same
// values in the same order, so the water leaving one is the water entering the other, to the bit), updates its
// depth by continuity, then takes its rain, inflows and infiltration (swe_sources.glsl). Same bindings as
// swe_step.comp; the slopes and start buffers are not read.
#include "flood/swe_shared.h"

layout(local_size_x = SWE_LOCAL, local_size_y = SWE_LOCAL) in;
layout(std430, binding = 0) readonly buffer StateIn { vec4 s_in[]; };    // h, q East, q North, F
layout(std430, binding = 1) writeonly buffer StateOut { vec4 s_out[]; };
layout(std430, binding = 2) readonly buffer Bed { float bed[]; };        // m, relative to a local datum
layout(std430, binding = 3) readonly buffer Sources { vec4 src[]; };  // per cell: rain (m/s, < 0: wall), inflow (m/s), g n^2
layout(std430, binding = 4) buffer Ledger { vec4 ledger[]; };  // per cell and step: outflow (m3), infiltrated, rain, inflow (m)
layout(std430, binding = 7) readonly buffer Clock { SweClock clock; };    // with SWE_CLOCK: dt
layout(push_constant) uniform Push { SwePush p; };

const float kDry = 1e-6;  // swe_reference.hpp kDryDepth

#include "flood/swe_sources.glsl"

float gn2_of(uint k) { return (p.dims.w & SWE_MANNING_CELLS) != 0u ? src[k].z : p.step.w; }
float eta_of(uint k) { return s_in[k].x + bed[k]; }

// swe_reference.cpp inertial_face: the new discharge across a face from its old value q (q_th: weighted with its
// neighbours), the two sides' surfaces, beds and depths, capped at a quarter of the donor cell's water.
float inertial_face(float q, float q_th, float eta_l, float eta_r, float z_l, float z_r, float h_l, float h_r, float gn2,
                    float dt) {
    const float dx = p.step.x, g = p.step.z;
    const float hf = max(eta_l, eta_r) - max(z_l, z_r);
    const float q1 = (q_th - g * hf * dt * (eta_r - eta_l) / dx) / (1.0 + dt * gn2 * abs(q) / pow(max(hf, kDry), 7.0 / 3.0));
    const float cap = 0.25 * dx / dt;
    const float capped = q1 > 0.0 ? min(q1, cap * h_l) : max(q1, -cap * h_r);
    return hf <= kDry ? 0.0 : capped;
}

// The East face of cell (il, j) (il + 1 < nx) and the North face of cell (i, jl) (jl + 1 < ny).
float face_x(uint il, uint j, float dt) {
    const uint nx = p.dims.x, l = j * nx + il, r = l + 1u;
    const float q = s_in[l].y;
    const float q_prev = il > 0u ? s_in[l - 1u].y : q;
    const float q_next = il + 2u < nx ? s_in[r].y : q;  // the East face of the right cell
    const float th = p.scheme.x;
    return inertial_face(q, th * q + (1.0 - th) * 0.5 * (q_prev + q_next), eta_of(l), eta_of(r), bed[l], bed[r], s_in[l].x,
                         s_in[r].x, 0.5 * (gn2_of(l) + gn2_of(r)), dt);
}
float face_y(uint i, uint jl, float dt) {
    const uint nx = p.dims.x, ny = p.dims.y, l = jl * nx + i, r = l + nx;
    const float q = s_in[l].z;
    const float q_prev = jl > 0u ? s_in[l - nx].z : q;
    const float q_next = jl + 2u < ny ? s_in[r].z : q;  // the North face of the upper cell
    const float th = p.scheme.x;
    return inertial_face(q, th * q + (1.0 - th) * 0.5 * (q_prev + q_next), eta_of(l), eta_of(r), bed[l], bed[r], s_in[l].x,
                         s_in[r].x, 0.5 * (gn2_of(l) + gn2_of(r)), dt);
}

// swe_reference.cpp inertial_open_edge: the outward discharge (>= 0) through an open edge of cell k, whose inward
// neighbour has surface eta_in and whose opposite face carries q_in outward.
float open_edge(uint k, float eta_in, float q_in, float dt) {
    const float h = s_in[k].x, z = bed[k], eta = h + z;
    const float drop = max(0.0, eta_in - eta);
    const float q = max(0.0, q_in);
    return max(0.0, inertial_face(q, q, eta, eta - drop, z, z - drop, h, 0.0, gn2_of(k), dt));
}

void main() {
    const uint i = gl_GlobalInvocationID.x, j = gl_GlobalInvocationID.y;
    const uint nx = p.dims.x, ny = p.dims.y;
    if (i >= nx || j >= ny) return;
    const uint k = j * nx + i;
    const float dt = (p.dims.w & SWE_CLOCK) != 0u ? clock.t.x : p.step.y;
    const vec4 s = s_in[k];
    if (dt == 0.0) {  // the clock's window is used up: the state carries over unchanged
        s_out[k] = s;
        ledger[k] = vec4(0.0);
        return;
    }
    const float dx = p.step.x;
    // Faces inside the domain: each computed at a clamped index so every read stays in the grid, then used only
    // where the face exists.
    const float fe = nx > 1u ? face_x(min(i, nx - 2u), j, dt) : 0.0, fw = nx > 1u ? face_x(max(i, 1u) - 1u, j, dt) : 0.0;
    const float fn = ny > 1u ? face_y(i, min(j, ny - 2u), dt) : 0.0, fs = ny > 1u ? face_y(i, max(j, 1u) - 1u, dt) : 0.0;
    const float q_e = i + 1u < nx ? fe : 0.0, q_w_in = i > 0u ? fw : 0.0;
    const float q_n = j + 1u < ny ? fn : 0.0, q_s_in = j > 0u ? fs : 0.0;
    // Open edges: water out only (a closed edge carries nothing).
    float out_w = 0.0, out_e = 0.0, out_s = 0.0, out_n = 0.0;
    if (i == 0u && nx > 1u && (p.dims.z & 1u) != 0u) out_w = open_edge(k, eta_of(k + 1u), -s.y, dt);
    if (i + 1u == nx && nx > 1u && (p.dims.z & 2u) != 0u) out_e = open_edge(k, eta_of(k - 1u), s_in[k - 1u].y, dt);
    if (j == 0u && ny > 1u && (p.dims.z & 4u) != 0u) out_s = open_edge(k, eta_of(k + nx), -s.z, dt);
    if (j + 1u == ny && ny > 1u && (p.dims.z & 8u) != 0u) out_n = open_edge(k, eta_of(k - nx), s_in[k - nx].z, dt);
    const float q_w = i > 0u ? q_w_in : -out_w, q_s = j > 0u ? q_s_in : -out_s;
    const float q_east = i + 1u < nx ? q_e : out_e, q_north = j + 1u < ny ? q_n : out_n;
    float h = max(0.0, s.x + dt * ((q_w - q_east) + (q_s - q_north)) / dx);
    const float outflow = (out_w + out_e + out_s + out_n) * dx * dt;

    float f_m = s.w, qe = q_e, qn = q_n;
    float infiltrated, rain_dt, inflow_dt;
    add_sources(i, j, k, dt, h, qe, qn, f_m, false, infiltrated, rain_dt, inflow_dt);
    s_out[k] = vec4(h, q_e, q_n, f_m);
    ledger[k] = vec4(outflow, infiltrated, rain_dt, inflow_dt);
}
