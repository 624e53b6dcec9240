// One step of the local-inertial scheme (Bates, Horritt & Fewtrell 2010, with de Almeida et al.'s 2012 theta
// weighting), one invocation per cell: src/modules/flood/swe_reference.cpp inertial_step mirrored in float. The
// state's y and z hold the discharges per unit width at the cell's East and North faces. Each cell computes the
// new discharge of its four faces from the old state (a face shared by two cells is computed by both from the same
// values in the same order, so the water leaving one is the water entering the other, to the bit), updates its
// depth by continuity, then takes its rain, inflows and infiltration (swe_sources.glsl). Same bindings as
// swe_step.comp; the slopes and start buffers are not read. Built for one Manning n or n per cell
// (SWE_MANNING_PER_CELL), and for theta 1 or any theta (SWE_THETA_ONE: the faces' neighbours along the flow are
// neither loaded nor weighed): swe_inertial{,_manning}{,_theta}.comp.
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

// g n^2 of a cell: per cell in the build for a Manning raster (swe_inertial_manning.comp), else the grid's one value,
// so a grid of one roughness does not load the sources of five cells (llvmpipe runs both sides of a branch).
#ifdef SWE_MANNING_PER_CELL
float gn2_of(uint k) { return src[k].z; }
#else
float gn2_of(uint k) { return p.step.w; }
#endif

// swe_reference.cpp inertial_face: the new discharge across a face from its old value q, its neighbours along the
// flow (q_prev, q_next; theta-weighted), the two sides' surfaces, beds and depths, capped at a quarter of the donor
// cell's water.
float inertial_face(float q, float q_prev, float q_next, float eta_l, float eta_r, float z_l, float z_r, float h_l,
                    float h_r, float gn2, float dt) {
    const float dx = p.step.x, g = p.step.z;
#ifdef SWE_THETA_ONE
    const float q_th = q;  // theta 1: Bates et al.'s original, the neighbours along the flow weigh nothing
#else
    const float th = p.scheme.x;
    const float q_th = th * q + (1.0 - th) * 0.5 * (q_prev + q_next);
#endif
    const float hf = max(eta_l, eta_r) - max(z_l, z_r);
    const float q1 = (q_th - g * hf * dt * (eta_r - eta_l) / dx) / (1.0 + dt * gn2 * abs(q) / pow(max(hf, kDry), 7.0 / 3.0));
    const float cap = 0.25 * dx / dt;
    const float capped = q1 > 0.0 ? min(q1, cap * h_l) : max(q1, -cap * h_r);
    return hf <= kDry ? 0.0 : capped;
}

// One cell's values: its state, bed and g n^2 (loaded once; on llvmpipe every load is a loop over the SIMD lanes).
struct Cell {
    vec4 s;
    float z, gn2;
};
Cell cell_at(uint k) { return Cell(s_in[k], bed[k], gn2_of(k)); }

// The arguments of inertial_face for one face, from West/South (l) to East/North (r).
struct FaceArgs {
    float q, q_prev, q_next, eta_l, eta_r, z_l, z_r, h_l, h_r, gn2;
};
float eval(FaceArgs a, float dt) {
    return inertial_face(a.q, a.q_prev, a.q_next, a.eta_l, a.eta_r, a.z_l, a.z_r, a.h_l, a.h_r, a.gn2, dt);
}
// An interior face between cells l and r along axis a (0: x, 1: y), with the old discharges of the faces before
// and after it.
FaceArgs interior(Cell l, Cell r, int a, float q_prev, float q_next) {
    return FaceArgs(a == 0 ? l.s.y : l.s.z, q_prev, q_next, l.s.x + l.z, r.s.x + r.z, l.z, r.z, l.s.x, r.s.x,
                    0.5 * (l.gn2 + r.gn2));
}
// swe_reference.cpp inertial_open_edge: water leaving cell c through an open edge, whose inward neighbour has
// surface eta_in and whose opposite face carries q_in outward, is inertial_face with c as the donor and beyond it
// a dry ghost as low as the inward slope continued (drop). `west` turns it to run from the ghost into c (every
// argument mirrored, so the value is exactly the negated outward one): an edge face is then evaluated by the same
// call as the interior face it stands in for, and a cell makes four evaluations, not six.
FaceArgs open_edge(Cell c, float eta_in, float q_in, bool west) {
    const float eta = c.s.x + c.z, drop = max(0.0, eta_in - eta), q = max(0.0, q_in);
    return west ? FaceArgs(-q, -q, -q, eta - drop, eta, c.z - drop, c.z, 0.0, c.s.x, c.gn2)
                : FaceArgs(q, q, q, eta, eta - drop, c.z, c.z - drop, c.s.x, 0.0, c.gn2);
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
    // The cell and its neighbours out to two cells along each axis, at indices clamped into the grid (a clamped
    // neighbour is loaded and not used).
    const uint iw = max(i, 1u) - 1u, ie = min(i + 1u, nx - 1u), iww = max(i, 2u) - 2u;
    const uint js = max(j, 1u) - 1u, jn = min(j + 1u, ny - 1u), jss = max(j, 2u) - 2u;
    const Cell c = Cell(s, bed[k], gn2_of(k));
    const Cell w = cell_at(j * nx + iw), e = cell_at(j * nx + ie);
    const Cell so = cell_at(js * nx + i), no = cell_at(jn * nx + i);
#ifdef SWE_THETA_ONE
    const float q_ww = 0.0, q_ss = 0.0;  // not weighed with theta 1: not loaded
#else
    const float q_ww = s_in[j * nx + iww].y, q_ss = s_in[jss * nx + i].z;
#endif
    const bool has_w = i > 0u, has_e = i + 1u < nx, has_s = j > 0u, has_n = j + 1u < ny;
    // Open edges, water out only (a closed edge carries nothing; a one-cell-wide grid has none).
    const bool open_w = !has_w && nx > 1u && (p.dims.z & 1u) != 0u, open_e = !has_e && nx > 1u && (p.dims.z & 2u) != 0u;
    const bool open_s = !has_s && ny > 1u && (p.dims.z & 4u) != 0u, open_n = !has_n && ny > 1u && (p.dims.z & 8u) != 0u;
    // The four faces; each interior face's neighbours along the flow are its own discharge where missing (as the
    // reference), so the two cells that share a face compute it from the same values. On the grid's edge the face
    // is the open edge's (its ghost; see open_edge).
    const float r_w = eval(has_w ? interior(w, c, 0, i > 1u ? q_ww : w.s.y, has_e ? c.s.y : w.s.y)
                                 : open_edge(c, e.s.x + e.z, -c.s.y, true), dt);
    const float r_e = eval(has_e ? interior(c, e, 0, has_w ? w.s.y : c.s.y, i + 2u < nx ? e.s.y : c.s.y)
                                 : open_edge(c, w.s.x + w.z, w.s.y, false), dt);
    const float r_s = eval(has_s ? interior(so, c, 1, j > 1u ? q_ss : so.s.z, has_n ? c.s.z : so.s.z)
                                 : open_edge(c, no.s.x + no.z, -c.s.z, true), dt);
    const float r_n = eval(has_n ? interior(c, no, 1, has_s ? so.s.z : c.s.z, j + 2u < ny ? no.s.z : c.s.z)
                                 : open_edge(c, so.s.x + so.z, so.s.z, false), dt);
    const float q_e = has_e ? r_e : 0.0, q_n = has_n ? r_n : 0.0;
    const float out_w = open_w ? max(0.0, -r_w) : 0.0, out_e = open_e ? max(0.0, r_e) : 0.0;
    const float out_s = open_s ? max(0.0, -r_s) : 0.0, out_n = open_n ? max(0.0, r_n) : 0.0;
    const float q_w = has_w ? r_w : -out_w, q_east = has_e ? q_e : out_e;
    const float q_s = has_s ? r_s : -out_s, q_north = has_n ? q_n : out_n;
    float h = max(0.0, s.x + dt * ((q_w - q_east) + (q_s - q_north)) / dx);
    const float outflow = ((out_w + out_e) + (out_s + out_n)) * dx * dt;

    float f_m = s.w, qe = q_e, qn = q_n;
    float infiltrated, rain_dt, inflow_dt;
    add_sources(i, j, k, dt, h, qe, qn, f_m, false, infiltrated, rain_dt, inflow_dt);
    s_out[k] = vec4(h, q_e, q_n, f_m);
    ledger[k] = vec4(outflow, infiltrated, rain_dt, inflow_dt);
}
