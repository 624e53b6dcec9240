// One step (first order) or one Heun stage (second order) of the 2D shallow-water solver, one invocation per
// cell: the flow update from the four gathered face fluxes (HLL with the hydrostatic reconstruction of Audusse
// et al. 2004, deviatoric momentum form, wall and open-edge ghosts; faces reconstructed from the limited slopes
// of swe_slopes.comp in the second-order stages), then (first order, or Heun stage 2 after averaging with the
// step's start) rain and point inflows, Green-Ampt infiltration and semi-implicit Manning friction. The passes
// of src/modules/flood/swe_reference.hpp, mirrored function by function (hll, face_flux, face_state, flow_stage,
// apply_sources as add_sources in swe_sources.glsl), in float; the reference's closed_flux and open_ghost are
// ghost_of and edge_flux here (one face_flux call per face).
#include "flood/swe_shared.h"

layout(local_size_x = SWE_LOCAL, local_size_y = SWE_LOCAL) in;
layout(std430, binding = 0) readonly buffer StateIn { vec4 s_in[]; };    // h, hu, hv, F (infiltrated depth)
layout(std430, binding = 1) writeonly buffer StateOut { vec4 s_out[]; };
layout(std430, binding = 2) readonly buffer Bed { float bed[]; };        // m, relative to a local datum
layout(std430, binding = 3) readonly buffer Sources { vec4 src[]; };  // per cell: rain (m/s, < 0: wall), inflow (m/s), g n^2
layout(std430, binding = 4) buffer Ledger { vec4 ledger[]; };  // per cell and step: outflow (m3), infiltrated, rain, inflow (m)
layout(std430, binding = 5) readonly buffer Slopes { vec4 slopes[]; };  // [2k]: along x, [2k+1]: along y
layout(std430, binding = 6) readonly buffer Start { vec4 s_start[]; };  // Heun stage 2: the step's start
layout(std430, binding = 7) readonly buffer Clock { SweClock clock; };    // with SWE_CLOCK: dt
layout(push_constant) uniform Push { SwePush p; };


const float kDry = 1e-6;         // swe_reference.hpp kDryDepth
const float kOpenFroude = 0.03;  // swe_reference.hpp kOpenOutflowFroude

struct Face {
    float h, z, un, ut;
};
struct Flux {
    float mass, dev_l, dev_r, mom_t;
};
struct Prim {
    float h, u, v, z;
};

Prim prim_of(uint k) {
    const vec4 s = s_in[k];
    const bool wet = s.x > kDry;
    return Prim(s.x, wet ? s.y / s.x : 0.0, wet ? s.z / s.x : 0.0, bed[k]);
}

#ifdef SWE_FIRST_ORDER_ONLY
bool second_order() { return false; }  // swe_step_first.comp: the slopes' code compiled out
#else
bool second_order() { return (p.dims.w & (SWE_STAGE1 | SWE_STAGE2)) != 0u; }
#endif

// The cell's state on its face in direction dir at side -1 (West/South) or +1 (East/North): its own values
// (first order) or reconstructed from its limited slopes (swe_reference.cpp face_state).
Face face_of(uint k, Prim c, int dir, float side) {
    float h = c.h, z = c.z, u = c.u, v = c.v;
    if (second_order()) {
        const vec4 sl = slopes[2u * k + uint(dir)];
        h += 0.5 * side * sl.x;
        z += 0.5 * side * (sl.y - sl.x);
        u += 0.5 * side * sl.z;
        v += 0.5 * side * sl.w;
    }
    if (h <= kDry) {
        u = 0.0;
        v = 0.0;
    }
    return dir == 0 ? Face(h, z, u, v) : Face(h, z, v, u);
}

Flux hll(float hl, float ul, float hr, float ur) {
    const float g = p.step.z;
    const bool dry_l = hl <= kDry, dry_r = hr <= kDry;
    const float dp = 0.5 * g * (hl - hr) * (hl + hr);
    Flux f = Flux(0.0, -0.5 * g * hl * hl, -0.5 * g * hr * hr, 0.0);
    if (dry_l && dry_r) return f;
    const float cl = sqrt(g * hl), cr = sqrt(g * hr);
    float sl, sr;
    if (dry_l) {
        sl = ur - 2.0 * cr;
        sr = ur + cr;
    } else if (dry_r) {
        sl = ul - cl;
        sr = ul + 2.0 * cl;
    } else {
        const float u_star = 0.5 * (ul + ur) + cl - cr;
        const float c_star = 0.5 * (cl + cr) + 0.25 * (ul - ur);
        sl = min(ul - cl, u_star - c_star);
        sr = max(ur + cr, u_star + c_star);
    }
    const float ql = hl * ul, qr = hr * ur;
    const float al = ql * ul, ar = qr * ur;
    if (sl >= 0.0) {
        f.mass = ql;
        f.dev_l = al;
        f.dev_r = al + dp;
    } else if (sr <= 0.0) {
        f.mass = qr;
        f.dev_l = ar - dp;
        f.dev_r = ar;
    } else {
        const float inv = 1.0 / (sr - sl);
        const float shared_part = sr * al - sl * ar + sl * sr * (qr - ql);
        f.mass = (sr * ql - sl * qr + sl * sr * (hr - hl)) * inv;
        f.dev_l = (shared_part + sl * dp) * inv;
        f.dev_r = (shared_part + sr * dp) * inv;
    }
    return f;
}

Flux face_flux(Face l, Face r) {
    const float zs = max(l.z, r.z);
    const float hls = max(0.0, l.h + l.z - zs);
    const float hrs = max(0.0, r.h + r.z - zs);
    Flux f = hll(hls, hls > kDry ? l.un : 0.0, hrs, hrs > kDry ? r.un : 0.0);
    f.mom_t = f.mass * (f.mass >= 0.0 ? l.ut : r.ut);
    return f;
}

// The ghost cell's face beyond edge e of the domain, for the cell's own face c there (side -1: West/South, +1:
// East/North): a wall mirrors the cell with the normal velocity negated (closed_flux in the reference, whose mass
// and tangential momentum fluxes are then zeroed: edge_flux); an open edge copies it over a bed raised towards the
// inward neighbour's while the outward flow is slow (open_ghost).
// Each face is then one face_flux call whether it is inside or on an edge: a SIMD CPU device (llvmpipe) runs
// every branch for every cell, so choosing between three flux evaluations per face would cost all three.
Face ghost_of(uint e, Face c, float side, float z_in) {
    if ((p.dims.z & (1u << e)) == 0u) return Face(c.h, c.z, -c.un, c.ut);
    const float un_out = side * c.un;
    const float fr = c.h > kDry ? un_out / sqrt(p.step.z * c.h) : 0.0;
    const float free_part = clamp(fr / kOpenFroude, 0.0, 1.0);
    const float zg = c.z + (1.0 - free_part) * max(0.0, z_in - c.z);
    return Face(max(0.0, c.h + c.z - zg), zg, c.un, c.ut);
}

// A face on edge e of the domain carries no mass or tangential momentum when the edge is a wall.
Flux edge_flux(uint e, Flux f, bool on_edge) {
    if (on_edge && (p.dims.z & (1u << e)) == 0u) {
        f.mass = 0.0;
        f.mom_t = 0.0;
    }
    return f;
}

#include "flood/swe_sources.glsl"

// This cell's update, and its ledger terms for the reduction (swe_reduce.comp).
void update_cell(uint i, uint j, float dt) {
    const uint nx = p.dims.x, ny = p.dims.y;
    const uint k = j * nx + i;
    const float dx = p.step.x, r = dt / dx;
    const vec4 s = s_in[k];
    if (dt == 0.0) {  // the clock's window is used up: the state carries over unchanged
        s_out[k] = s;
        ledger[k] = vec4(0.0);
        return;
    }
    const Prim c = prim_of(k);
    const bool has_w = i > 0, has_e = i + 1 < nx, has_s = j > 0, has_n = j + 1 < ny;

    float h, hu, hv, outflow = 0.0;
    if (c.h == 0.0 && (!has_w || s_in[k - 1].x == 0.0) && (!has_e || s_in[k + 1].x == 0.0) &&
        (!has_s || s_in[k - nx].x == 0.0) && (!has_n || s_in[k + nx].x == 0.0)) {
        h = s.x;  // dry among dry: no flux
        hu = 0.0;
        hv = 0.0;
    } else {
        const Face cw = face_of(k, c, 0, -1.0), ce = face_of(k, c, 0, 1.0);
        const Face cs = face_of(k, c, 1, -1.0), cn = face_of(k, c, 1, 1.0);
        // The neighbours' faces (a cell on an edge reads itself there, then takes the ghost's face instead).
        const uint kw = has_w ? k - 1u : k, ke = has_e ? k + 1u : k;
        const uint ks = has_s ? k - nx : k, kn = has_n ? k + nx : k;
        Face nw = face_of(kw, prim_of(kw), 0, 1.0), ne = face_of(ke, prim_of(ke), 0, -1.0);
        Face ns = face_of(ks, prim_of(ks), 1, 1.0), nn = face_of(kn, prim_of(kn), 1, -1.0);
        if (!has_w) nw = cw;  // as the reference: the inward bed of an edge cell is its opposite neighbour's face
        if (!has_e) ne = ce;
        if (!has_s) ns = cs;
        if (!has_n) nn = cn;
        const float zin_w = nx > 1u ? ne.z : c.z, zin_e = nx > 1u ? nw.z : c.z;
        const float zin_s = ny > 1u ? nn.z : c.z, zin_n = ny > 1u ? ns.z : c.z;
        if (!has_w) nw = ghost_of(0u, cw, -1.0, zin_w);
        if (!has_e) ne = ghost_of(1u, ce, 1.0, zin_e);
        if (!has_s) ns = ghost_of(2u, cs, -1.0, zin_s);
        if (!has_n) nn = ghost_of(3u, cn, 1.0, zin_n);
        const Flux fw = edge_flux(0u, face_flux(nw, cw), !has_w);
        const Flux fe = edge_flux(1u, face_flux(ce, ne), !has_e);
        const Flux fs = edge_flux(2u, face_flux(ns, cs), !has_s);
        const Flux fn = edge_flux(3u, face_flux(cn, nn), !has_n);
        // Second order: the centred bed source of the hydrostatic reconstruction, g h (eta slope).
        const vec4 sx = second_order() ? slopes[2u * k] : vec4(0.0), sy = second_order() ? slopes[2u * k + 1u] : vec4(0.0);
        const float src_x = second_order() ? p.step.z * c.h * sx.y : 0.0;
        const float src_y = second_order() ? p.step.z * c.h * sy.y : 0.0;
        h = s.x - r * ((fe.mass - fw.mass) + (fn.mass - fs.mass));
        hu = s.y - r * ((fe.dev_l - fw.dev_r) + (fn.mom_t - fs.mom_t) + src_x);
        hv = s.z - r * ((fe.mom_t - fw.mom_t) + (fn.dev_l - fs.dev_r) + src_y);
        const float face_dt = (second_order() ? 0.5 : 1.0) * dt * dx;
        if (!has_w) outflow -= fw.mass * face_dt;
        if (!has_e) outflow += fe.mass * face_dt;
        if (!has_s) outflow -= fs.mass * face_dt;
        if (!has_n) outflow += fn.mass * face_dt;
        h = max(h, 0.0);  // never negative under the CFL condition (the reference books any clipping)
        if (h <= kDry) {
            hu = 0.0;
            hv = 0.0;
        }
    }

    if ((p.dims.w & SWE_STAGE1) != 0u) {  // Heun stage 1: U1 = U + dt L(U), sources come at the end of stage 2
        s_out[k] = vec4(h, hu, hv, s.w);
        ledger[k] = vec4(outflow, 0.0, 0.0, 0.0);
        return;
    }
    float f_m = s.w;
    if ((p.dims.w & SWE_STAGE2) != 0u) {  // U' = (U + U1 + dt L(U1)) / 2
        const vec4 s0 = s_start[k];
        h = 0.5 * (s0.x + h);
        hu = 0.5 * (s0.y + hu);
        hv = 0.5 * (s0.z + hv);
        f_m = s0.w;
        outflow += ledger[k].x;  // stage 1's half
    }

    // Sources (swe_reference.cpp apply_sources): rain and inflows, infiltration limited by the water there,
    // then semi-implicit Manning friction.
    float infiltrated, rain_dt, inflow_dt;
    add_sources(i, j, k, dt, h, hu, hv, f_m, true, infiltrated, rain_dt, inflow_dt);
    const float gn2 = (p.dims.w & SWE_MANNING_CELLS) != 0u ? src[k].z : p.step.w;  // Manning per cell or uniform
    if (h <= kDry) {
        hu = 0.0;
        hv = 0.0;
    } else if (gn2 > 0.0) {
        const float u = hu / h, v = hv / h;
        const float factor = 1.0 + dt * gn2 * sqrt(u * u + v * v) / (h * pow(h, 1.0 / 3.0));
        hu /= factor;
        hv /= factor;
    }
    s_out[k] = vec4(h, hu, hv, f_m);
    ledger[k] = vec4(outflow, infiltrated, rain_dt, inflow_dt);
}

void main() {
    const uint i = gl_GlobalInvocationID.x, j = gl_GlobalInvocationID.y;
    if (i >= p.dims.x || j >= p.dims.y) return;
    update_cell(i, j, (p.dims.w & SWE_CLOCK) != 0u ? clock.t.x : p.step.y);
}
