// Flood module: plain C++ reference of the 2D shallow-water solver (see swe_reference.hpp for the summary).
// Written per cell (each cell gathers its four interface fluxes, no scatter) so that a compute shader can
// mirror it one invocation per cell; every face flux is evaluated with the same (left, right) ordering from
// both sides, so mass is conserved to rounding.
#include "modules/flood/swe_reference.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace infrascape::flood {

namespace {

// One side of an interface in the face's frame: depth, normal and tangential velocity, bed.
struct Side {
    double h, un, ut, z;
};

// Flux through one face. Mass and tangential momentum are shared by both cells; the normal momentum flux
// differs by the hydrostatic-reconstruction correction of each side.
struct FaceFlux {
    double mass = 0.0;     // h u_n
    double mom_n_l = 0.0;  // normal momentum flux seen by the left (lower index) cell
    double mom_n_r = 0.0;  // ... seen by the right cell
    double mom_t = 0.0;    // tangential momentum flux
};

double velocity(double h, double q) { return h > kDryDepth ? q / h : 0.0; }

// HLL flux (Harten, Lax, van Leer 1983; Toro 2001 eq. 10.21) of the 1D SWE in the face frame between the
// reconstructed states (hl, hl ul) and (hr, hr ur). Wave speeds: Toro 2001 sec. 10.5 (two-rarefaction
// estimates eqs. 10.17-10.18 for wet/wet, eq. 10.23 style dry-bed speeds u - c, u + 2c when one side is dry).
// Returns mass flux and normal momentum flux.
void hll(double hl, double ul, double hr, double ur, double g, double& f_mass, double& f_mom) {
    const bool dry_l = hl <= kDryDepth, dry_r = hr <= kDryDepth;
    if (dry_l && dry_r) {
        f_mass = 0.0;
        f_mom = 0.0;
        return;
    }
    const double cl = std::sqrt(g * hl), cr = std::sqrt(g * hr);
    double sl, sr;
    if (dry_l) {
        sl = ur - 2.0 * cr;
        sr = ur + cr;
    } else if (dry_r) {
        sl = ul - cl;
        sr = ul + 2.0 * cl;
    } else {
        const double u_star = 0.5 * (ul + ur) + cl - cr;
        const double c_star = 0.5 * (cl + cr) + 0.25 * (ul - ur);
        sl = std::min(ul - cl, u_star - c_star);
        sr = std::max(ur + cr, u_star + c_star);
    }
    const double fl_mass = hl * ul, fl_mom = hl * ul * ul + 0.5 * g * hl * hl;
    const double fr_mass = hr * ur, fr_mom = hr * ur * ur + 0.5 * g * hr * hr;
    if (sl >= 0.0) {
        f_mass = fl_mass;
        f_mom = fl_mom;
    } else if (sr <= 0.0) {
        f_mass = fr_mass;
        f_mom = fr_mom;
    } else {
        const double inv = 1.0 / (sr - sl);
        f_mass = (sr * fl_mass - sl * fr_mass + sl * sr * (hr - hl)) * inv;
        f_mom = (sr * fl_mom - sl * fr_mom + sl * sr * (hr * ur - hl * ul)) * inv;
    }
}

// Interface flux with the hydrostatic reconstruction of Audusse et al. (2004, SIAM J. Sci. Comput. 25(6),
// sec. 2): z* = max(zl, zr), h*_l = max(0, hl + zl - z*), h*_r = max(0, hr + zr - z*), velocities kept,
// F = HLL(U*_l, U*_r); the left cell sees F + (0, g/2 (hl^2 - h*_l^2)), the right F + (0, g/2 (hr^2 - h*_r^2)).
// A lake at rest gives F = (0, g/2 h*^2) and exact cancellation with the corrections.
// The tangential momentum is carried passively, upwinded on the sign of the mass flux.
FaceFlux face_flux(const Side& l, const Side& r, double g) {
    const double zs = std::max(l.z, r.z);
    const double hls = std::max(0.0, l.h + l.z - zs);
    const double hrs = std::max(0.0, r.h + r.z - zs);
    FaceFlux f;
    double f_mom = 0.0;
    hll(hls, l.un, hrs, r.un, g, f.mass, f_mom);
    f.mom_n_l = f_mom + 0.5 * g * (l.h * l.h - hls * hls);
    f.mom_n_r = f_mom + 0.5 * g * (r.h * r.h - hrs * hrs);
    f.mom_t = f.mass * (f.mass >= 0.0 ? l.ut : r.ut);
    return f;
}

// Cell side in the frame of an x-face (normal u) or a y-face (normal v).
Side side_x(const SweGrid& grid, const SweState& s, size_t k) {
    return {s.h[k], velocity(s.h[k], s.hu[k]), velocity(s.h[k], s.hv[k]), grid.z[k]};
}
Side side_y(const SweGrid& grid, const SweState& s, size_t k) {
    return {s.h[k], velocity(s.h[k], s.hv[k]), velocity(s.h[k], s.hu[k]), grid.z[k]};
}

// Ghost cell beyond a boundary: the cell itself (open, zero gradient) or its mirror (closed wall).
Side ghost(const Side& c, Boundary b) {
    Side g = c;
    if (b == Boundary::Closed) g.un = -c.un;
    return g;
}

// Boundary face flux; a closed wall passes no mass (the mirrored HLL flux is already zero, made exact here).
FaceFlux boundary_flux(const Side& l, const Side& r, Boundary b, double g) {
    FaceFlux f = face_flux(l, r, g);
    if (b == Boundary::Closed) {
        f.mass = 0.0;
        f.mom_t = 0.0;
    }
    return f;
}

void check(const SweGrid& grid, const SweState& s) {
    const size_t n = grid.cells();
    if (grid.nx == 0 || grid.ny == 0 || !(grid.dx > 0.0)) throw std::invalid_argument("swe: empty grid or dx <= 0");
    if (grid.z.size() != n || s.h.size() != n || s.hu.size() != n || s.hv.size() != n)
        throw std::invalid_argument("swe: z/h/hu/hv sizes differ from nx * ny");
}

}  // namespace

SweState SweState::dry(const SweGrid& grid) {
    SweState s;
    s.h.assign(grid.cells(), 0.0);
    s.hu.assign(grid.cells(), 0.0);
    s.hv.assign(grid.cells(), 0.0);
    return s;
}

double max_wave_speed(const SweGrid& grid, const SweState& s) {
    check(grid, s);
    double smax = 0.0;
    for (size_t k = 0; k < grid.cells(); ++k) {
        const double h = s.h[k];
        if (h <= kDryDepth) continue;
        const double c = std::sqrt(grid.g * h);
        smax = std::max(smax, std::max(std::abs(s.hu[k] / h), std::abs(s.hv[k] / h)) + c);
    }
    return smax;
}

double cfl_time_step(const SweGrid& grid, const SweState& s, double cfl, double max_dt) {
    const double smax = max_wave_speed(grid, s);
    if (smax * max_dt <= cfl * grid.dx) return max_dt;
    return cfl * grid.dx / smax;
}

double stored_volume(const SweGrid& grid, const SweState& s) {
    double v = 0.0;
    for (double h : s.h) v += h;
    return v * grid.dx * grid.dx;
}

StepReport swe_step(const SweGrid& grid, SweState& s, double dt, const StepSources& src) {
    check(grid, s);
    const uint32_t nx = grid.nx, ny = grid.ny;
    const double g = grid.g, r = dt / grid.dx, face_area_dt = dt * grid.dx;
    const Boundary bw = grid.boundary[0], be = grid.boundary[1], bs = grid.boundary[2], bn = grid.boundary[3];
    StepReport rep;
    SweState out = s;

    // 1. Flux update, one cell at a time (first-order Godunov, explicit Euler).
    for (uint32_t j = 0; j < ny; ++j) {
        for (uint32_t i = 0; i < nx; ++i) {
            const size_t k = grid.index(i, j);
            const Side cx = side_x(grid, s, k), cy = side_y(grid, s, k);
            const FaceFlux fw = i > 0 ? face_flux(side_x(grid, s, k - 1), cx, g) : boundary_flux(ghost(cx, bw), cx, bw, g);
            const FaceFlux fe = i + 1 < nx ? face_flux(cx, side_x(grid, s, k + 1), g) : boundary_flux(cx, ghost(cx, be), be, g);
            const FaceFlux fs = j > 0 ? face_flux(side_y(grid, s, k - nx), cy, g) : boundary_flux(ghost(cy, bs), cy, bs, g);
            const FaceFlux fn = j + 1 < ny ? face_flux(cy, side_y(grid, s, k + nx), g) : boundary_flux(cy, ghost(cy, bn), bn, g);
            out.h[k] = s.h[k] - r * ((fe.mass - fw.mass) + (fn.mass - fs.mass));
            out.hu[k] = s.hu[k] - r * ((fe.mom_n_l - fw.mom_n_r) + (fn.mom_t - fs.mom_t));
            out.hv[k] = s.hv[k] - r * ((fe.mom_t - fw.mom_t) + (fn.mom_n_l - fs.mom_n_r));
            // Outward volume through boundary faces (West/South faces: outward is the negative direction).
            if (i == 0) rep.outflow_edge_m3[0] -= fw.mass * face_area_dt;
            if (i + 1 == nx) rep.outflow_edge_m3[1] += fe.mass * face_area_dt;
            if (j == 0) rep.outflow_edge_m3[2] -= fs.mass * face_area_dt;
            if (j + 1 == ny) rep.outflow_edge_m3[3] += fn.mass * face_area_dt;
        }
    }
    for (double v : rep.outflow_edge_m3) rep.outflow_m3 += v;

    // 2. Sources: uniform rain and point inflows (volume into one cell spread over its area).
    const double cell_area = grid.dx * grid.dx;
    if (src.rain_m_per_s > 0.0) {
        const double dh = src.rain_m_per_s * dt;
        for (double& h : out.h) h += dh;
        rep.rain_m3 = dh * cell_area * static_cast<double>(grid.cells());
    }
    for (const auto& [i, j, q] : src.inflows) {
        if (i >= nx || j >= ny) throw std::invalid_argument("swe: inflow cell (" + std::to_string(i) + ", " +
                                                            std::to_string(j) + ") outside the grid");
        out.h[grid.index(i, j)] += q * dt / cell_area;
        rep.inflow_m3 += q * dt;
    }

    // 3. Clip round-off negatives, zero dry velocities, semi-implicit Manning friction:
    //    (hu, hv) <- (hu, hv) / (1 + dt g n^2 |u| / h^(4/3)), which never reverses the flow.
    const double gn2 = g * grid.manning_n * grid.manning_n;
    for (size_t k = 0; k < grid.cells(); ++k) {
        double& h = out.h[k];
        if (h < 0.0) {
            rep.clipped_m3 += -h * cell_area;
            h = 0.0;
        }
        if (h <= kDryDepth) {
            out.hu[k] = 0.0;
            out.hv[k] = 0.0;
            continue;
        }
        if (gn2 > 0.0) {
            const double u = out.hu[k] / h, v = out.hv[k] / h;
            const double speed = std::sqrt(u * u + v * v);
            const double factor = 1.0 + dt * gn2 * speed / std::pow(h, 4.0 / 3.0);
            out.hu[k] /= factor;
            out.hv[k] /= factor;
        }
    }
    s = std::move(out);
    return rep;
}

void MassLedger::add(const StepReport& r) {
    rain_m3 += r.rain_m3;
    inflow_m3 += r.inflow_m3;
    clipped_m3 += r.clipped_m3;
    for (size_t e = 0; e < 4; ++e) outflow_edge_m3[e] += r.outflow_edge_m3[e];
}

double MassLedger::outflow_m3() const {
    return outflow_edge_m3[0] + outflow_edge_m3[1] + outflow_edge_m3[2] + outflow_edge_m3[3];
}

double MassLedger::expected_m3() const { return initial_m3 + rain_m3 + inflow_m3 + clipped_m3 - outflow_m3(); }

}  // namespace infrascape::flood
