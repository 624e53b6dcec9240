// Flood module: plain C++ reference of the 2D shallow-water solver (see swe_reference.hpp for the summary and
// the list of GPU passes). Written per cell (each cell gathers its four interface fluxes, no scatter) so that
// a compute shader can mirror it one invocation per cell; every face flux is evaluated with the same (left,
// right) ordering from both sides, so mass is conserved to rounding.
#include "modules/flood/swe_reference.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace infrascape::flood {

namespace {

// [SECTION] Reconstruction

// Primitive variables of a cell: depth, velocities, bed. Velocities are 0 in dry cells (h <= kDryDepth).
struct Prim {
    double h, u, v, z;
};

double velocity(double h, double q) {
    return h > kDryDepth ? q / h : 0.0;
}

// Limited differences across one cell along one direction: the value on the cell's face at +-dx/2 is
// centre +- slope / 2. eta is the free surface h + z; the reconstructed bed is eta - h.
struct CellSlopes {
    double h = 0.0, eta = 0.0, u = 0.0, v = 0.0;
};

struct Slopes {
    std::vector<CellSlopes> x, y;  // per cell, along x and along y
};

// minmod (Roe 1986) or van Leer (1974) of the backward and forward differences. Both return 0 at an
// extremum and keep the face value between the neighbours' values, so a reconstructed depth is never
// negative (h -+ s/2 >= 0).
double limit(double a, double b, Limiter lim) {
    if (a * b <= 0.0) return 0.0;
    if (lim == Limiter::VanLeer) return 2.0 * a * b / (a + b);
    return a > 0.0 ? std::min(a, b) : std::max(a, b);
}

// Neighbour seen through a boundary (ghost cell for the slope computation): the cell itself for an open edge
// (zero gradient), the cell with its normal velocity negated for a wall. In both cases the slopes of h and
// eta vanish at boundary cells across that edge, so boundary cells are first order in h and eta along the
// edge normal.
Prim ghost_prim(const Prim& c, Boundary b, int dir) {
    Prim g = c;
    if (b == Boundary::Closed) (dir == 0 ? g.u : g.v) = -(dir == 0 ? c.u : c.v);
    return g;
}

// Slopes of cell c along one direction from its minus and plus neighbours (Audusse et al. 2004, sec. 3: h,
// eta = h + z and the velocities are reconstructed; limiting eta makes a lake at rest have zero slopes, hence
// well balanced). A dry cell is first order (zero slopes).
CellSlopes cell_slopes(const Prim& m, const Prim& c, const Prim& p, Limiter lim) {
    CellSlopes s;
    if (c.h <= kDryDepth) return s;
    const double eta = c.h + c.z;
    // A dry neighbour whose bed is above this cell's surface acts as a wall for the surface: its eta (its
    // bed) is replaced by this cell's eta. Otherwise a shoreline cell would see a surface slope towards the
    // dry bank and a bed source with nothing to balance it (a spurious steady current along shores).
    const double eta_m = m.h <= kDryDepth && m.z > eta ? eta : m.h + m.z;
    const double eta_p = p.h <= kDryDepth && p.z > eta ? eta : p.h + p.z;
    s.h = limit(c.h - m.h, p.h - c.h, lim);
    s.eta = limit(eta - eta_m, eta_p - eta, lim);
    s.u = limit(c.u - m.u, p.u - c.u, lim);
    s.v = limit(c.v - m.v, p.v - c.v, lim);
    return s;
}

// Pass "slopes" of the second-order scheme: per cell, reads the cell and its 4 neighbours, writes 8 slopes.
void compute_slopes(const SweGrid& grid, const std::vector<Prim>& prim, Slopes& out) {
    const uint32_t nx = grid.nx, ny = grid.ny;
    out.x.resize(grid.cells());
    out.y.resize(grid.cells());
    for (uint32_t j = 0; j < ny; ++j) {
        for (uint32_t i = 0; i < nx; ++i) {
            const size_t k = grid.index(i, j);
            const Prim& c = prim[k];
            const Prim w = i > 0 ? prim[k - 1] : ghost_prim(c, grid.boundary[0], 0);
            const Prim e = i + 1 < nx ? prim[k + 1] : ghost_prim(c, grid.boundary[1], 0);
            const Prim s = j > 0 ? prim[k - nx] : ghost_prim(c, grid.boundary[2], 1);
            const Prim n = j + 1 < ny ? prim[k + nx] : ghost_prim(c, grid.boundary[3], 1);
            out.x[k] = cell_slopes(w, c, e, grid.limiter);
            out.y[k] = cell_slopes(s, c, n, grid.limiter);
        }
    }
}

// One side of a face in the face's frame: depth, bed, normal and tangential velocity.
struct FaceState {
    double h, z, un, ut;
};

// State of cell k on its face in direction dir (0: x, 1: y) at side -1 (West/South) or +1 (East/North).
// First order (no slopes): the cell's own values. The reconstructed bed z +- (s_eta - s_h)/2 equals z exactly
// when the slopes vanish.
FaceState face_state(const Prim& c, const CellSlopes* sl, int dir, double side) {
    double h = c.h, z = c.z, u = c.u, v = c.v;
    if (sl) {
        h += 0.5 * side * sl->h;
        z += 0.5 * side * (sl->eta - sl->h);
        u += 0.5 * side * sl->u;
        v += 0.5 * side * sl->v;
    }
    if (h <= kDryDepth) u = v = 0.0;
    return dir == 0 ? FaceState{h, z, u, v} : FaceState{h, z, v, u};
}

// [SECTION] Interface flux

// Flux through one face in "deviatoric" form: mass, tangential momentum, and the normal momentum flux minus
// the hydrostatic pressure g h*^2 / 2 of each side's reconstructed state (dev_l for the left cell, dev_r for
// the right). Adding back g h_f^2 / 2 with each cell's own face depth h_f gives the usual hydrostatic-
// reconstruction fluxes; in the cell update these terms and the bed source sum to g h (eta slope), see
// flow_stage().
struct FaceFlux {
    double mass = 0.0;   // h u_n
    double dev_l = 0.0;  // normal momentum flux - g h*_l^2 / 2
    double dev_r = 0.0;  // normal momentum flux - g h*_r^2 / 2
    double mom_t = 0.0;  // tangential momentum flux
};

// HLL flux (Harten, Lax, van Leer 1983; Toro 2001 eq. 10.21) of the 1D SWE between (hl, hl ul) and
// (hr, hr ur). Wave speeds: Toro 2001 sec. 10.5 (two-rarefaction estimates eqs. 10.17-10.18 for wet/wet,
// dry-bed speeds u - c, u + 2c when one side is dry). The momentum flux is returned minus each side's
// pressure P = g h^2 / 2, with Pl - Pr factored as g/2 (hl - hr)(hl + hr), so that two identical states give
// exactly (h u, h u^2, h u^2).
void hll(double hl, double ul, double hr, double ur, double g, FaceFlux& f) {
    const bool dry_l = hl <= kDryDepth, dry_r = hr <= kDryDepth;
    const double dp = 0.5 * g * (hl - hr) * (hl + hr);  // Pl - Pr
    if (dry_l && dry_r) {
        f.mass = 0.0;
        f.dev_l = -0.5 * g * hl * hl;
        f.dev_r = -0.5 * g * hr * hr;
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
    const double ql = hl * ul, qr = hr * ur;
    const double al = ql * ul, ar = qr * ur;  // advective momentum fluxes h u^2
    if (sl >= 0.0) {
        f.mass = ql;
        f.dev_l = al;
        f.dev_r = al + dp;
    } else if (sr <= 0.0) {
        f.mass = qr;
        f.dev_l = ar - dp;
        f.dev_r = ar;
    } else {
        const double inv = 1.0 / (sr - sl);
        const double common = sr * al - sl * ar + sl * sr * (qr - ql);
        f.mass = (sr * ql - sl * qr + sl * sr * (hr - hl)) * inv;
        f.dev_l = (common + sl * dp) * inv;  // (sr Fl - sl Fr + sl sr dq) / (sr - sl) - Pl
        f.dev_r = (common + sr * dp) * inv;  // ... - Pr
    }
}

// Interface flux with the hydrostatic reconstruction of Audusse et al. (2004, SIAM J. Sci. Comput. 25(6),
// sec. 2): z* = max(zl, zr), h*_l = max(0, hl + zl - z*), h*_r = max(0, hr + zr - z*), velocities kept,
// F = HLL(U*_l, U*_r). A lake at rest gives two identical states, hence zero mass and deviatoric flux.
// The tangential momentum is carried passively, upwinded on the sign of the mass flux.
FaceFlux face_flux(const FaceState& l, const FaceState& r, double g) {
    const double zs = std::max(l.z, r.z);
    const double hls = std::max(0.0, l.h + l.z - zs);
    const double hrs = std::max(0.0, r.h + r.z - zs);
    FaceFlux f;
    hll(hls, hls > kDryDepth ? l.un : 0.0, hrs, hrs > kDryDepth ? r.un : 0.0, g, f);
    f.mom_t = f.mass * (f.mass >= 0.0 ? l.ut : r.ut);
    return f;
}

// [SECTION] Boundaries

// Ghost of a wall: the cell's face state with the normal velocity negated. The mirrored HLL flux has no mass;
// it is set to exactly 0, and so is the tangential flux.
FaceFlux closed_flux(const FaceState& c, double side, double g) {
    const FaceState ghost{c.h, c.z, -c.un, c.ut};
    FaceFlux f = side > 0.0 ? face_flux(c, ghost, g) : face_flux(ghost, c, g);
    f.mass = 0.0;
    f.mom_t = 0.0;
    return f;
}

// Ghost of an open (free outflow) edge: zero gradient of eta and of the velocity (the ghost has the cell's
// surface elevation and velocities), hydrostatic reconstruction at the boundary face.
//
// Why the ghost's bed is not simply the cell's bed: with a plain copy of the cell, a lake at rest touching
// the edge over a sloping bed is linearly unstable. Eigenvalues of the step's Jacobian about the lake reach
// 1.01-1.10 on small test lakes (random and smooth beds, 1D and 2D); the growth rate converges (~0.3/s on
// one bed) as dx -> 0, so it is not a rounding artefact; round-off grew to a blow-up in ~1200 steps on the
// 40 x 40 island lake. The mechanism: where the boundary cell is lower than its inward neighbour, its inner
// face passes only the hydrostatic "throat" eta - max(z_cell, z_in) times the velocity, while a copied ghost
// lets the whole depth h pass; a slight outflow (inflow) then lowers (raises) the boundary cell, and the
// pressure difference feeds the same flow. In 1D the growing mode is the whole lake draining or filling
// through the edge. Raising the ghost's bed to z_in, the bed the inward neighbour shows at the shared face,
// gives both faces the same throat: all eigenvalues are then <= 1 (same test set, corners included). The
// growth rate is proportional to the part of the step not raised.
//
// That raised bed, though, throttles water running downhill off the edge (the exit passes only the throat
// times the cell's velocity) and water ponds there without end. So the raise fades out linearly with the
// outward Froude number Fr = u_out / sqrt(g h) of the cell: full at rest or for inflow, none from
// Fr = kOpenOutflowFroude (0.03) up. The fade does not change the step's linearisation about a lake at rest
// (the flux of a rest state does not depend on the ghost's bed), so the lake stays stable; outflows faster
// than Fr = 0.03 see the plain zero-gradient ghost.
//
// Known limitations. A zero-gradient condition cannot tell a lake that continues beyond the edge from water
// that runs away downhill; that needs boundary data (a far-field level, a rating curve). Other ghosts were
// tried, each failing one of the two cases: the raised bed alone, a discharge-preserving throat, limiting
// the exit flux by the inflow.
//  (1) An outflow slower than Fr = 0.03 at the edge is throttled and ponds; since ponding slows it further,
//      it can pond without end. With 0.05 instead of 0.03, the sloping 40 x 40 terrain of the mass-balance
//      test, with a lake at its open corner, ponded without end; with 0.03 it settles like the plain copy.
//  (2) A lake touching an open edge whose bed drops towards the edge, disturbed hard enough that the edge
//      flow passes Fr = 0.03, can drain through the edge (the plain copy's instability, now only beyond that
//      threshold): on the 32 x 32 test lake (1 m deep, Manning 0.03), 3-5 cm humps 8 m from the edges
//      settle back, a 3 cm hump 4 m from an edge drained it.
//  (3) Zero gradient of eta means a level surface beyond the edge, so a river backs up near an open edge:
//      a 0.52 m deep river at Froude 0.4 is 0.77 m deep 50 m from the edge with the first-order scheme,
//      1.11 m with the second-order one, and at normal depth again 500 m upstream.
FaceState open_ghost(const FaceState& c, double side, double z_in, double g) {
    const double un_out = side * c.un;
    const double fr = c.h > kDryDepth ? un_out / std::sqrt(g * c.h) : 0.0;
    const double free_part = std::clamp(fr / kOpenOutflowFroude, 0.0, 1.0);
    const double zg = c.z + (1.0 - free_part) * std::max(0.0, z_in - c.z);
    return {std::max(0.0, c.h + c.z - zg), zg, c.un, c.ut};
}

FaceFlux open_flux(const FaceState& c, double side, double z_in, double g) {
    const FaceState ghost = open_ghost(c, side, z_in, g);
    return side > 0.0 ? face_flux(c, ghost, g) : face_flux(ghost, c, g);
}

// [SECTION] Flow update

// Forward-Euler flow update of one stage, per cell (pass "flow" / "stage"): gathers the 4 face fluxes and
// writes U + dt L(U). With slopes (second order) the face states are reconstructed and the cell gets the
// centred bed source of the second-order hydrostatic reconstruction (Audusse et al. 2004, sec. 3),
// -g (h_W + h_E)/2 (z_E - z_W); with the face pressures added back this sums to
//   d(hu)/dt = -[(dev_E - dev_W) + g h s_eta] / dx - (tangential flux differences) / dx,
// since (h_W + h_E)/2 = h and h_E^2 - h_W^2 = 2 h s_h. Boundary outflows are added to `outflow_edge_m3` with
// weight `w` (1 for Euler, 1/2 for each Heun stage); negative depths (none under the CFL condition) are
// clipped and booked.
void flow_stage(const SweGrid& grid, const std::vector<Prim>& prim, const SweState& in, const Slopes* sl,
                double dt, double w, SweState& out, StepReport& rep) {
    const uint32_t nx = grid.nx, ny = grid.ny;
    const double g = grid.g, r = dt / grid.dx, face_dt = w * dt * grid.dx, cell_area = grid.dx * grid.dx;
    const auto& b = grid.boundary;
    out.h.resize(grid.cells());
    out.hu.resize(grid.cells());
    out.hv.resize(grid.cells());
    for (uint32_t j = 0; j < ny; ++j) {
        for (uint32_t i = 0; i < nx; ++i) {
            const size_t k = grid.index(i, j);
            const Prim& c = prim[k];
            // Early out (worth it on the GPU too): a dry cell between dry neighbours has no flux at all.
            if (c.h == 0.0 && (i == 0 || prim[k - 1].h == 0.0) && (i + 1 == nx || prim[k + 1].h == 0.0) &&
                (j == 0 || prim[k - nx].h == 0.0) && (j + 1 == ny || prim[k + nx].h == 0.0)) {
                out.h[k] = in.h[k];
                out.hu[k] = 0.0;
                out.hv[k] = 0.0;
                continue;
            }
            const CellSlopes* sx = sl ? &sl->x[k] : nullptr;
            const CellSlopes* sy = sl ? &sl->y[k] : nullptr;
            auto sx_of = [&](size_t n) { return sl ? &sl->x[n] : nullptr; };
            auto sy_of = [&](size_t n) { return sl ? &sl->y[n] : nullptr; };
            const FaceState cw = face_state(c, sx, 0, -1.0), ce = face_state(c, sx, 0, +1.0);
            const FaceState cs = face_state(c, sy, 1, -1.0), cn = face_state(c, sy, 1, +1.0);
            // Neighbours' face states on the shared faces (or the cell's own for a one-cell-wide grid: copy).
            const FaceState nw = i > 0 ? face_state(prim[k - 1], sx_of(k - 1), 0, +1.0) : cw;
            const FaceState ne = i + 1 < nx ? face_state(prim[k + 1], sx_of(k + 1), 0, -1.0) : ce;
            const FaceState ns = j > 0 ? face_state(prim[k - nx], sy_of(k - nx), 1, +1.0) : cs;
            const FaceState nn = j + 1 < ny ? face_state(prim[k + nx], sy_of(k + nx), 1, -1.0) : cn;
            // Beds of the inward neighbours at the cell's opposite faces (for open-edge ghosts).
            const double zin_w = nx > 1 ? ne.z : c.z, zin_e = nx > 1 ? nw.z : c.z;
            const double zin_s = ny > 1 ? nn.z : c.z, zin_n = ny > 1 ? ns.z : c.z;
            auto edge = [&](size_t e, const FaceState& cf, double side, double zin) {
                return b[e] == Boundary::Closed ? closed_flux(cf, side, g) : open_flux(cf, side, zin, g);
            };
            const FaceFlux fw = i > 0 ? face_flux(nw, cw, g) : edge(0, cw, -1.0, zin_w);
            const FaceFlux fe = i + 1 < nx ? face_flux(ce, ne, g) : edge(1, ce, +1.0, zin_e);
            const FaceFlux fs = j > 0 ? face_flux(ns, cs, g) : edge(2, cs, -1.0, zin_s);
            const FaceFlux fn = j + 1 < ny ? face_flux(cn, nn, g) : edge(3, cn, +1.0, zin_n);
            const double src_x = sx ? g * c.h * sx->eta : 0.0, src_y = sy ? g * c.h * sy->eta : 0.0;
            double h = in.h[k] - r * ((fe.mass - fw.mass) + (fn.mass - fs.mass));
            double hu = in.hu[k] - r * ((fe.dev_l - fw.dev_r) + (fn.mom_t - fs.mom_t) + src_x);
            double hv = in.hv[k] - r * ((fe.mom_t - fw.mom_t) + (fn.dev_l - fs.dev_r) + src_y);
            if (i == 0) rep.outflow_edge_m3[0] -= fw.mass * face_dt;  // West/South: outward is negative
            if (i + 1 == nx) rep.outflow_edge_m3[1] += fe.mass * face_dt;
            if (j == 0) rep.outflow_edge_m3[2] -= fs.mass * face_dt;
            if (j + 1 == ny) rep.outflow_edge_m3[3] += fn.mass * face_dt;
            if (h < 0.0) {
                rep.clipped_m3 += -h * cell_area * w;
                h = 0.0;
            }
            if (h <= kDryDepth) hu = hv = 0.0;
            out.h[k] = h;
            out.hu[k] = hu;
            out.hv[k] = hv;
        }
    }
}

void primitives(const SweGrid& grid, const SweState& s, std::vector<Prim>& prim) {
    prim.resize(grid.cells());
    for (size_t k = 0; k < grid.cells(); ++k) {
        const double h = s.h[k];
        prim[k] = {h, velocity(h, s.hu[k]), velocity(h, s.hv[k]), grid.z[k]};
    }
}

// [SECTION] Sources

// Green-Ampt infiltration capacity over one step from cumulative depth F (Green & Ampt 1911; Chow, Maidment &
// Mays 1988, Applied Hydrology, sec. 4.3): the rate f = Ks (1 + psi dtheta / F) integrated with the midpoint
// rule,
//   dF = Ks dt (1 + psi dtheta / (F + dF / 2)),
// a quadratic in dF with the positive root below. It is finite at F = 0 (dF ~ sqrt(2 Ks psi dtheta dt), the
// early-time Green-Ampt behaviour), exact for psi dtheta = 0 (dF = Ks dt), second order in dt otherwise. The
// root is evaluated without cancellation: -b + sqrt(b^2 + c) when b < 0, c / (b + sqrt(b^2 + c)) otherwise.
double infiltration_capacity(const GreenAmpt& soil, double f_m, double dt) {
    if (soil.ks_m_per_s <= 0.0) return 0.0;
    const double kdt = soil.ks_m_per_s * dt;
    const double b = f_m - 0.5 * kdt;
    const double c = 2.0 * kdt * (f_m + soil.suction_m * soil.moisture_deficit);
    const double root = std::sqrt(b * b + c);
    return b < 0.0 ? root - b : c / (b + root);
}

// Sources of one step, per cell (the tail of the last pass): rain and point inflows (rasterised to a per-cell
// rate), infiltration limited by the water available after them (Mein & Larson 1973: infiltration is
// supply-limited before ponding), then semi-implicit Manning friction
//   (hu, hv) <- (hu, hv) / (1 + dt g n^2 |u| / h^(4/3)),
// a point-implicit treatment of the friction term that never reverses the flow and stays stable as h -> 0.
void apply_sources(const SweGrid& grid, SweState& s, double dt, const StepSources& src, StepReport& rep) {
    // The inertial scheme's hu, hv are face discharges with friction already in them: only the water changes here.
    const bool momenta = !grid.inertial;
    const double cell_area = grid.dx * grid.dx;
    const size_t n = grid.cells();
    std::vector<double> inflow_m_per_s;
    if (!src.inflows.empty()) {
        inflow_m_per_s.assign(n, 0.0);
        for (const auto& [i, j, q] : src.inflows) {
            inflow_m_per_s[grid.index(i, j)] += q / cell_area;
            rep.inflow_m3 += q * dt;
        }
    }
    const bool rain_cells = !src.rain_m_per_s_cells.empty();
    const bool soil_cells = !grid.soil_per_cell.empty();
    const bool infiltrating = soil_cells || grid.infiltration.ks_m_per_s > 0.0;
    if (infiltrating && s.infiltrated_m.size() != n) s.infiltrated_m.assign(n, 0.0);
    const double gn2_all = grid.g * grid.manning_n * grid.manning_n;
    const bool manning_cells = !grid.manning_per_cell.empty();
    double rain_m = 0.0, infiltrated_m = 0.0;
    for (size_t k = 0; k < n; ++k) {
        const bool wall = !grid.walls.empty() && grid.walls[k];
        const double rain = wall ? 0.0 : src.rain_m_per_s + (rain_cells ? src.rain_m_per_s_cells[k] : 0.0);
        rain_m += rain * dt;
        double h = s.h[k] + rain * dt + (inflow_m_per_s.empty() ? 0.0 : inflow_m_per_s[k] * dt);
        if (infiltrating && h > 0.0) {
            const GreenAmpt& soil = soil_cells ? grid.soil_per_cell[k] : grid.infiltration;
            const double df = std::min(h, infiltration_capacity(soil, s.infiltrated_m[k], dt));
            if (df > 0.0 && momenta) {
                const double keep = (h - df) / h;  // the infiltrated water takes its momentum with it
                s.hu[k] *= keep;
                s.hv[k] *= keep;
            }
            if (df > 0.0) {
                h -= df;
                s.infiltrated_m[k] += df;
                infiltrated_m += df;
            }
        }
        s.h[k] = h;
        if (!momenta) continue;
        if (h <= kDryDepth) {
            s.hu[k] = 0.0;
            s.hv[k] = 0.0;
            continue;
        }
        const double gn2 = manning_cells ? grid.g * grid.manning_per_cell[k] * grid.manning_per_cell[k] : gn2_all;
        if (gn2 > 0.0) {
            const double u = s.hu[k] / h, v = s.hv[k] / h;
            const double factor = 1.0 + dt * gn2 * std::sqrt(u * u + v * v) / (h * std::cbrt(h));
            s.hu[k] /= factor;
            s.hv[k] /= factor;
        }
    }
    rep.rain_m3 = rain_m * cell_area;
    rep.infiltrated_m3 = infiltrated_m * cell_area;
}

void check(const SweGrid& grid, const SweState& s) {
    const size_t n = grid.cells();
    if (grid.nx == 0 || grid.ny == 0 || !(grid.dx > 0.0))
        throw std::invalid_argument("swe: empty grid or dx <= 0");
    if (grid.z.size() != n || s.h.size() != n || s.hu.size() != n || s.hv.size() != n)
        throw std::invalid_argument("swe: z/h/hu/hv sizes differ from nx * ny");
}

void check_step(const SweGrid& grid, const SweState& s, const StepSources& src) {
    check(grid, s);
    const size_t n = grid.cells();
    auto bad_soil = [](const GreenAmpt& a) {
        return !(a.ks_m_per_s >= 0.0 && a.suction_m >= 0.0 && a.moisture_deficit >= 0.0 &&
                 a.moisture_deficit <= 1.0);
    };
    if (!grid.soil_per_cell.empty() && grid.soil_per_cell.size() != n)
        throw std::invalid_argument("swe: soil_per_cell size differs from nx * ny");
    if (!grid.manning_per_cell.empty() && grid.manning_per_cell.size() != n)
        throw std::invalid_argument("swe: manning_per_cell size differs from nx * ny");
    for (double m : grid.manning_per_cell)
        if (!(m >= 0.0)) throw std::invalid_argument("swe: negative or NaN Manning n in manning_per_cell");
    if (bad_soil(grid.infiltration) ||
        std::any_of(grid.soil_per_cell.begin(), grid.soil_per_cell.end(), bad_soil))
        throw std::invalid_argument("swe: Green-Ampt parameters must be >= 0, moisture deficit <= 1");
    if (!s.infiltrated_m.empty() && s.infiltrated_m.size() != n)
        throw std::invalid_argument("swe: infiltrated_m size differs from nx * ny");
    if (!(src.rain_m_per_s >= 0.0)) throw std::invalid_argument("swe: negative rain rate");
    if (!src.rain_m_per_s_cells.empty()) {
        if (src.rain_m_per_s_cells.size() != n)
            throw std::invalid_argument("swe: rain_m_per_s_cells size differs");
        for (double r : src.rain_m_per_s_cells)
            if (!(r >= 0.0)) throw std::invalid_argument("swe: negative rain rate in rain_m_per_s_cells");
    }
    for (const auto& [i, j, q] : src.inflows) {
        if (i >= grid.nx || j >= grid.ny)
            throw std::invalid_argument("swe: inflow cell (" + std::to_string(i) + ", " + std::to_string(j) +
                                        ") outside the grid");
        if (!(q >= 0.0)) throw std::invalid_argument("swe: negative inflow");
    }
}

}  // namespace

SweState SweState::dry(const SweGrid& grid) {
    SweState s;
    s.h.assign(grid.cells(), 0.0);
    s.hu.assign(grid.cells(), 0.0);
    s.hv.assign(grid.cells(), 0.0);
    s.infiltrated_m.assign(grid.cells(), 0.0);
    return s;
}

double max_wave_speed(const SweGrid& grid, const SweState& s) {
    check(grid, s);
    double smax = 0.0;
    for (size_t k = 0; k < grid.cells(); ++k) {
        const double h = s.h[k];
        if (h <= kDryDepth) continue;
        const double c = std::sqrt(grid.g * h);
        smax = std::max(smax, grid.inertial ? c : std::max(std::abs(s.hu[k] / h), std::abs(s.hv[k] / h)) + c);
    }
    return smax;
}

// The CFL numbers: the first-order update of a cell is a convex combination of non-negative terms when
// dt (sum over the 4 faces of the outgoing HLL coefficients) <= dx, which holds for dt a / dx <= 1/2 with a
// the largest |u| + c when neighbouring speeds are alike (kCfl2D = 0.45; an isolated column draining into
// dry cells on all 4 sides needs 3/8, clipped and booked if ever hit). With the MUSCL reconstruction the
// cell mean is the average of its 4 face values (each h_f >= 0), so each face must keep its quarter:
// dt a / dx <= 1/4 (the argument of Audusse et al. 2004 sec. 3, and of Kurganov & Petrova 2007, Commun.
// Math. Sci. 5, for their 2D scheme), kept by each forward-Euler stage of Heun's SSP scheme
// (kCfl2DSecondOrder = 0.25). Measured: no clipping in any test.
double default_cfl(const SweGrid& grid) {
    return grid.inertial ? kInertialAlpha : grid.second_order ? kCfl2DSecondOrder : kCfl2D;
}

double cfl_time_step(const SweGrid& grid, const SweState& s, double cfl, double max_dt) {
    if (cfl <= 0.0) cfl = default_cfl(grid);
    const double smax = max_wave_speed(grid, s);
    if (smax * max_dt <= cfl * grid.dx) return max_dt;
    return cfl * grid.dx / smax;
}

double stored_volume(const SweGrid& grid, const SweState& s) {
    double v = 0.0;
    for (double h : s.h) v += h;
    return v * grid.dx * grid.dx;
}

// One step. First order: one forward-Euler flow stage. Second order: Heun's SSP-RK2 (Shu & Osher 1988),
//   U1 = U + dt L(U),  U' = (U + U1 + dt L(U1)) / 2,
// chosen over MUSCL-Hancock because each stage is a forward-Euler step of the positive first-order-in-time
// scheme, so positivity and the lake-at-rest balance carry over unchanged at wet/dry fronts, where the
// Hancock half-step predictor needs extra fixes (its predicted face depths can go negative). Cost: two flux
// passes per step. Then sources and friction (first-order operator splitting).
// [SECTION] The local-inertial scheme (Bates, Horritt & Fewtrell 2010, J. Hydrol. 387, 33-45), as LISFLOOD-FP's
// "acceleration" solver: the shallow-water momentum equation without its advection term, solved for the
// discharge per unit width q at each face on a staggered grid, with Manning friction taken semi-implicitly and
// the q-centred weighting of de Almeida, Bates, Freer & Souvignet (2012, Water Resour. Res. 48, W05528, eq. 7):
//   q' = (q_th - g h_f dt d(eta)/dx) / (1 + g n^2 dt |q| / h_f^(7/3)),
//   q_th = theta q + (1 - theta) (q_prev + q_next) / 2,   h_f = max(eta_l, eta_r) - max(z_l, z_r),
// with q_prev and q_next the discharges of the faces before and after along the flow direction (the face's own
// where there is none); no flow across a face where h_f <= kDryDepth. Then continuity,
// h' = h + dt (q_W - q_E + q_S - q_N) / dx, and the rain, inflow and infiltration of apply_sources. A face's
// Manning n is the mean of its two cells'. So that no depth goes negative, a face may carry at most a quarter of
// its donor cell's water in one step (|q'| <= h_donor dx / (4 dt)). A closed edge carries nothing. An open edge
// lets water out only, as if the water surface went on past the edge at the slope it has towards it (from the
// inward neighbour to the edge cell; none if it rises): the face formula against a ghost cell that much lower,
// with the edge cell's opposite face discharge standing in for the edge's own last value.
// The time step is dt = alpha dx / sqrt(g h_max) (Bates et al. eq. 12) with alpha = kInertialAlpha = 0.6. Bates et
// al. use up to 0.7, but 0.7 sits at the 2D limit of this forward-backward update (1/sqrt(2)): on deep, slow water
// over a bumpy bed a checkerboard mode grew there, doubling every five steps (and faster with theta < 1); at 0.6
// it did not, for theta from 0.7 to 1 (tests/flood/test_inertial_reference.cpp, tests/gpu/test_flood_gpu.cpp).
namespace {

double inertial_face(double q, double q_th, double eta_l, double eta_r, double z_l, double z_r, double h_l, double h_r,
                     double gn2, double g, double dt, double dx) {
    const double hf = std::max(eta_l, eta_r) - std::max(z_l, z_r);
    if (hf <= kDryDepth) return 0.0;
    const double q1 = (q_th - g * hf * dt * (eta_r - eta_l) / dx) / (1.0 + dt * gn2 * std::abs(q) / std::pow(hf, 7.0 / 3.0));
    const double cap = 0.25 * dx / dt;
    return q1 > 0.0 ? std::min(q1, cap * h_l) : std::max(q1, -cap * h_r);
}

// The discharge out of the domain through an open edge, per unit width (>= 0), for the edge cell (h, z) whose
// inward neighbour has surface eta_in and whose face opposite the edge carries q_in outward.
double inertial_open_edge(double h, double z, double eta_in, double q_in, double gn2, double g, double dt, double dx) {
    const double eta = h + z;
    const double drop = std::max(0.0, eta_in - eta);  // the surface's fall over one cell towards the edge
    const double q = std::max(0.0, q_in);
    return std::max(0.0, inertial_face(q, q, eta, eta - drop, z, z - drop, h, 0.0, gn2, g, dt, dx));
}

StepReport inertial_step(const SweGrid& grid, SweState& s, double dt, const StepSources& src) {
    const uint32_t nx = grid.nx, ny = grid.ny;
    const size_t n = grid.cells();
    const double g = grid.g, dx = grid.dx, th = grid.inertial_theta;
    const bool per_cell = !grid.manning_per_cell.empty();
    auto gn2 = [&](size_t k) {
        const double m = per_cell ? grid.manning_per_cell[k] : grid.manning_n;
        return g * m * m;
    };
    auto eta = [&](size_t k) { return s.h[k] + grid.z[k]; };
    // New face discharges from the old state: East faces (hu) and North faces (hv) inside the domain.
    std::vector<double> qe(n, 0.0), qn(n, 0.0);
    for (uint32_t j = 0; j < ny; ++j)
        for (uint32_t i = 0; i < nx; ++i) {
            const size_t k = grid.index(i, j);
            if (i + 1 < nx) {
                const double q = s.hu[k];
                const double q_prev = i > 0 ? s.hu[k - 1] : q, q_next = i + 2 < nx ? s.hu[k + 1] : q;
                const double q_th = th * q + (1.0 - th) * 0.5 * (q_prev + q_next);
                qe[k] = inertial_face(q, q_th, eta(k), eta(k + 1), grid.z[k], grid.z[k + 1], s.h[k], s.h[k + 1],
                                      0.5 * (gn2(k) + gn2(k + 1)), g, dt, dx);
            }
            if (j + 1 < ny) {
                const double q = s.hv[k];
                const double q_prev = j > 0 ? s.hv[k - nx] : q, q_next = j + 2 < ny ? s.hv[k + nx] : q;
                const double q_th = th * q + (1.0 - th) * 0.5 * (q_prev + q_next);
                qn[k] = inertial_face(q, q_th, eta(k), eta(k + nx), grid.z[k], grid.z[k + nx], s.h[k], s.h[k + nx],
                                      0.5 * (gn2(k) + gn2(k + nx)), g, dt, dx);
            }
        }
    // Open edges: outward discharge per unit width at each edge cell (index by Edge).
    auto open = [&](Edge e) { return grid.boundary[size_t(e)] == Boundary::Open; };
    StepReport rep;
    std::vector<double> h(s.h);
    for (uint32_t j = 0; j < ny; ++j)
        for (uint32_t i = 0; i < nx; ++i) {
            const size_t k = grid.index(i, j);
            double q_w = i > 0 ? qe[k - 1] : 0.0, q_e = i + 1 < nx ? qe[k] : 0.0;
            double q_s = j > 0 ? qn[k - nx] : 0.0, q_n = j + 1 < ny ? qn[k] : 0.0;
            if (i == 0 && open(Edge::West)) {
                const double out = nx > 1 ? inertial_open_edge(s.h[k], grid.z[k], eta(k + 1), -s.hu[k], gn2(k), g, dt, dx) : 0.0;
                q_w = -out;
                rep.outflow_edge_m3[size_t(Edge::West)] += out * dx * dt;
            }
            if (i + 1 == nx && open(Edge::East)) {
                const double out = nx > 1 ? inertial_open_edge(s.h[k], grid.z[k], eta(k - 1), s.hu[k - 1], gn2(k), g, dt, dx) : 0.0;
                q_e = out;
                rep.outflow_edge_m3[size_t(Edge::East)] += out * dx * dt;
            }
            if (j == 0 && open(Edge::South)) {
                const double out = ny > 1 ? inertial_open_edge(s.h[k], grid.z[k], eta(k + nx), -s.hv[k], gn2(k), g, dt, dx) : 0.0;
                q_s = -out;
                rep.outflow_edge_m3[size_t(Edge::South)] += out * dx * dt;
            }
            if (j + 1 == ny && open(Edge::North)) {
                const double out = ny > 1 ? inertial_open_edge(s.h[k], grid.z[k], eta(k - nx), s.hv[k - nx], gn2(k), g, dt, dx) : 0.0;
                q_n = out;
                rep.outflow_edge_m3[size_t(Edge::North)] += out * dx * dt;
            }
            h[k] = s.h[k] + dt * ((q_w - q_e) + (q_s - q_n)) / dx;
            if (h[k] < 0.0) {
                rep.clipped_m3 -= h[k] * dx * dx;
                h[k] = 0.0;
            }
        }
    s.h.swap(h);
    s.hu.swap(qe);
    s.hv.swap(qn);
    for (double v : rep.outflow_edge_m3) rep.outflow_m3 += v;
    apply_sources(grid, s, dt, src, rep);
    return rep;
}

}  // namespace

StepReport swe_step(const SweGrid& grid, SweState& s, double dt, const StepSources& src) {
    check_step(grid, s, src);
    if (grid.inertial) return inertial_step(grid, s, dt, src);
    // Scratch buffers kept between calls (per thread): fresh multi-megabyte vectors every step cost more in
    // page faults than the arithmetic. The GPU equivalent is the ping-pong and slope buffers allocated once.
    struct Scratch {
        std::vector<Prim> prim;
        Slopes slopes;
        SweState u1, out;
    };
    thread_local Scratch ws;
    StepReport rep;
    primitives(grid, s, ws.prim);
    SweState& out = ws.out;
    if (!grid.second_order) {
        flow_stage(grid, ws.prim, s, nullptr, dt, 1.0, out, rep);
    } else {
        compute_slopes(grid, ws.prim, ws.slopes);
        flow_stage(grid, ws.prim, s, &ws.slopes, dt, 0.5, ws.u1, rep);
        primitives(grid, ws.u1, ws.prim);
        compute_slopes(grid, ws.prim, ws.slopes);
        flow_stage(grid, ws.prim, ws.u1, &ws.slopes, dt, 0.5, out, rep);
        for (size_t k = 0; k < grid.cells(); ++k) {
            out.h[k] = 0.5 * (s.h[k] + out.h[k]);
            out.hu[k] = 0.5 * (s.hu[k] + out.hu[k]);
            out.hv[k] = 0.5 * (s.hv[k] + out.hv[k]);
        }
    }
    for (double v : rep.outflow_edge_m3) rep.outflow_m3 += v;
    std::swap(out.infiltrated_m, s.infiltrated_m);
    apply_sources(grid, out, dt, src, rep);
    std::swap(s, out);  // the old state's buffers become next step's scratch
    return rep;
}

void MassLedger::add(const StepReport& r) {
    rain_m3 += r.rain_m3;
    inflow_m3 += r.inflow_m3;
    clipped_m3 += r.clipped_m3;
    infiltrated_m3 += r.infiltrated_m3;
    for (size_t e = 0; e < 4; ++e) outflow_edge_m3[e] += r.outflow_edge_m3[e];
}

double MassLedger::outflow_m3() const {
    return outflow_edge_m3[0] + outflow_edge_m3[1] + outflow_edge_m3[2] + outflow_edge_m3[3];
}

double MassLedger::expected_m3() const {
    return initial_m3 + rain_m3 + inflow_m3 + clipped_m3 - outflow_m3() - infiltrated_m3;
}

}  // namespace infrascape::flood
