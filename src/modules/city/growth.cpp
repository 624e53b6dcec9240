// Bettencourt et al. 2007 (PNAS 104(17)) growth equation dN/dt = a N^beta - b N: closed form, singularity time,
// a Dormand-Prince 5(4) integrator in ln N with propagated global error control, and West's innovation cycles.
#include "modules/city/growth.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace infrascape::city {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// (1 - e^-x) / x, 1 at x = 0; accurate for small |x| through expm1.
double phi(double x) { return x == 0.0 ? 1.0 : -std::expm1(-x) / x; }

// ln(N(t)/N0) of the closed form. With u = N^(1-beta): u/u0 = 1 + z, z = g (1-beta) t phi((1-beta) b t),
// g = a N0^(beta-1) - b (which is (u(t) - u0)/u0 rearranged from u(t) = a/b + (u0 - a/b) e^(-(1-beta) b t)),
// so ln(N/N0) = log1p(z) / (1-beta). +inf past a singularity (beta > 1), -inf at extinction (beta < 1, a < 0).
double closed_form_log_ratio(const GrowthParams& p, double n0, double t) {
    if (t == 0.0) return 0.0;
    if (p.beta == 1.0) return (p.a - p.b) * t;
    const double g = p.a * std::pow(n0, p.beta - 1.0) - p.b;
    if (g == 0.0) return 0.0;  // stationary: a N0^(beta-1) = b
    const double one_minus_beta = 1.0 - p.beta;
    const double z = g * one_minus_beta * t * phi(one_minus_beta * p.b * t);
    if (!(z > -1.0)) return one_minus_beta < 0.0 ? kInf : -kInf;
    return std::log1p(z) / one_minus_beta;
}

// Right-hand side in z = ln(N/N0): dz/dt = a N^(beta-1) - b = c e^((beta-1) z) - b with c = a N0^(beta-1).
struct LogRhs {
    double c, b, bm1;
    double operator()(double z) const { return bm1 == 0.0 ? c - b : c * std::exp(bm1 * z) - b; }
};

// Compensated (Kahan) running sum.
struct KahanSum {
    double sum = 0.0, comp = 0.0;
    void add(double x) {
        const double y = x - comp;
        const double t = sum + y;
        comp = (t - sum) - y;
        sum = t;
    }
    double value() const { return sum - comp; }
};

struct PassResult {
    double z = 0.0;           // ln(N_end / N0)
    double f_end = 0.0;       // F(z_end)
    double time_shift = 0.0;  // sum |le_k| / |F(z_k)|: local errors expressed as shifts in time
    bool ok = true;           // false: the solution left the finite range (past a singularity)
};

// One DP5(4) pass over [0, dt]. A step is accepted when its local error estimate le satisfies
// |le| <= kappa * rel_tol/2 * (h/dt) * min(1, |F(z_new)| / f_end_guess): error per unit step, in the units
// in which it reaches the end (see integrate_population).
PassResult dp45_pass(const LogRhs& f, double dt, double rel_tol, double kappa, double f_end_guess) {
    // Dormand & Prince 1980, RK5(4)7M (Hairer, Norsett & Wanner, Solving ODEs I, table 5.2). Autonomous: no c_i.
    constexpr double a21 = 1.0 / 5.0;
    constexpr double a31 = 3.0 / 40.0, a32 = 9.0 / 40.0;
    constexpr double a41 = 44.0 / 45.0, a42 = -56.0 / 15.0, a43 = 32.0 / 9.0;
    constexpr double a51 = 19372.0 / 6561.0, a52 = -25360.0 / 2187.0, a53 = 64448.0 / 6561.0, a54 = -212.0 / 729.0;
    constexpr double a61 = 9017.0 / 3168.0, a62 = -355.0 / 33.0, a63 = 46732.0 / 5247.0, a64 = 49.0 / 176.0,
                     a65 = -5103.0 / 18656.0;
    constexpr double b1 = 35.0 / 384.0, b3 = 500.0 / 1113.0, b4 = 125.0 / 192.0, b5 = -2187.0 / 6784.0,
                     b6 = 11.0 / 84.0;
    // b - b* (5th minus 4th order weights).
    constexpr double e1 = 71.0 / 57600.0, e3 = -71.0 / 16695.0, e4 = 71.0 / 1920.0, e5 = -17253.0 / 339200.0,
                     e6 = 22.0 / 525.0, e7 = -1.0 / 40.0;

    PassResult r;
    KahanSum z, t;
    double k1 = f(0.0);
    const double fy = std::fabs(f.bm1 * (k1 + f.b));  // |dF/dz| at the start
    const double scale = std::fabs(k1) + fy;
    double h = scale > 0.0 ? std::min(dt, 0.05 / scale) : dt;
    const double h_min = dt * 1e-14;
    const double tol_unit = kappa * 0.5 * rel_tol / dt;
    const double f_ref = std::fabs(f_end_guess);
    long steps = 0;
    constexpr long kMaxSteps = 2000000;
    KahanSum shift;

    while (true) {
        const double t_now = t.value();
        const double left = dt - t_now;
        if (!(left > 0.0)) break;
        bool last = false;
        if (h >= left || t_now + 1.01 * h >= dt) {
            h = left;
            last = true;
        }
        const double z0 = z.value();
        const double k2 = f(z0 + h * (a21 * k1));
        const double k3 = f(z0 + h * (a31 * k1 + a32 * k2));
        const double k4 = f(z0 + h * (a41 * k1 + a42 * k2 + a43 * k3));
        const double k5 = f(z0 + h * (a51 * k1 + a52 * k2 + a53 * k3 + a54 * k4));
        const double k6 = f(z0 + h * (a61 * k1 + a62 * k2 + a63 * k3 + a64 * k4 + a65 * k5));
        const double dz = h * (b1 * k1 + b3 * k3 + b4 * k4 + b5 * k5 + b6 * k6);
        const double z1 = z0 + dz;
        const double k7 = f(z1);
        const double le = h * (e1 * k1 + e3 * k3 + e4 * k4 + e5 * k5 + e6 * k6 + e7 * k7);
        const double weight = f_ref > 0.0 ? std::min(1.0, std::fabs(k7) / f_ref) : 1.0;
        // Rounding noise of the estimate itself (stage arguments carry eps |z|): no smaller step can beat it.
        const double fz = std::fabs(f.bm1 * (k1 + f.b));
        const double noise = 8.0 * std::numeric_limits<double>::epsilon() * h * (std::fabs(k1) + fz * (std::fabs(z0) + 1.0));
        const double tol = std::max(tol_unit * h * weight, noise);
        double err = std::fabs(le) / tol;
        if (!std::isfinite(dz) || !std::isfinite(k7)) err = kInf;
        const bool forced = ++steps > kMaxSteps || h <= h_min;
        if (err <= 1.0 || (forced && std::isfinite(err))) {
            z.add(dz);
            t.add(h);
            if (last) t = KahanSum{dt, 0.0};
            if (k7 != 0.0) shift.add(std::fabs(le) / std::fabs(k7));
            k1 = k7;  // first same as last
            if (last) break;
            const double fac = err == 0.0 ? 5.0 : std::clamp(0.9 * std::pow(err, -0.25), 0.2, 5.0);
            h *= fac;
        } else {
            if (forced) {  // cannot go on finitely: the solution blew up inside the interval
                r.ok = false;
                return r;
            }
            const double fac = std::isfinite(err) ? std::clamp(0.9 * std::pow(err, -0.25), 0.2, 0.9) : 0.2;
            h = std::max(h * fac, h_min);
        }
    }
    r.z = z.value();
    r.f_end = k1;
    r.time_shift = shift.value();
    r.ok = std::isfinite(r.z);
    return r;
}

}  // namespace

double growth_rate(const GrowthParams& p, double n) {
    if (n == 0.0) return 0.0;
    return p.a * std::pow(n, p.beta) - p.b * n;
}

double closed_form_population(const GrowthParams& p, double n0, double t_years) {
    if (n0 == 0.0) return 0.0;
    if (!(n0 > 0.0)) return kNaN;
    // Consistent with singularity_time by construction (rounding could otherwise leave a huge finite value at t_c).
    if (p.beta > 1.0 && t_years >= singularity_time(p, n0)) return kInf;
    const double l = closed_form_log_ratio(p, n0, t_years);
    if (l == 0.0) return n0;
    if (l == kInf) return kInf;
    if (l == -kInf) return 0.0;
    return std::exp(std::log(n0) + l);
}

double singularity_time(const GrowthParams& p, double n0) {
    if (!(p.beta > 1.0) || !(n0 > 0.0)) return kInf;
    if (std::isinf(n0)) return 0.0;
    const double g = p.a * std::pow(n0, p.beta - 1.0) - p.b;  // initial specific growth rate
    if (!(g > 0.0)) return kInf;                                // shrinking or stationary
    if (p.b == 0.0) return 1.0 / ((p.beta - 1.0) * g);          // u0 / ((beta-1) a)
    const double r = p.b / g;                                   // a/(a - b u0) = 1 + b/g
    if (!(r > -1.0)) return kInf;                               // b < 0 with a <= 0: exponential only
    return std::log1p(r) / ((p.beta - 1.0) * p.b);
}

double integrate_population(const GrowthParams& p, double n0, double dt_years, double rel_tol) {
    if (!(dt_years >= 0.0)) throw std::invalid_argument("integrate_population: dt must be >= 0");
    if (!(rel_tol > 0.0)) throw std::invalid_argument("integrate_population: rel_tol must be > 0");
    if (n0 == 0.0) return 0.0;
    if (!(n0 > 0.0)) return kNaN;
    if (std::isinf(n0)) return n0;
    if (dt_years == 0.0) return n0;
    if (dt_years >= singularity_time(p, n0)) return kInf;

    const LogRhs f{p.a * std::pow(n0, p.beta - 1.0), p.b, p.beta - 1.0};
    const double f0 = f(0.0);
    if (f0 == 0.0) return n0;  // equilibrium

    // Global error control. A local error le_k committed at z_k reaches the end as le_k F(z_end)/F(z_k) (the
    // flow of a scalar autonomous equation has derivative F(z(t))/F(z(s))). Pass 1 guesses F(z_end) = F(z_0).
    // If the estimate misses: when F(z_end) came out larger than guessed the weights were too lenient, so the
    // next pass uses it; otherwise the tolerance is scaled down by what was missed.
    double kappa = 1.0, f_end_guess = f0;
    PassResult r;
    for (int pass = 0; pass < 6; ++pass) {
        r = dp45_pass(f, dt_years, rel_tol, kappa, f_end_guess);
        if (!r.ok) return kInf;
        const double global = std::max(std::fabs(r.f_end) * r.time_shift, 0.0);
        const double ratio = global / (0.5 * rel_tol);
        if (ratio <= 1.0) break;
        if (!(std::fabs(r.f_end) > 1.1 * std::fabs(f_end_guess))) kappa *= std::clamp(0.5 / ratio, 1e-6, 0.5);
        f_end_guess = r.f_end;
    }
    return std::exp(std::log(n0) + r.z);
}

// --- GrowthModel -------------------------------------------------------------------------------------

GrowthModel::GrowthModel(GrowthParams p, double n0, double margin_years, double a_gain)
    : p_(p), n_(n0), margin_(margin_years), gain_(a_gain), last_innovation_t_(-kInf) {
    if (!(n0 > 0.0)) throw std::invalid_argument("GrowthModel: n0 must be > 0");
    set_margin(margin_years, a_gain);
}

void GrowthModel::set_params(const GrowthParams& p) {
    p_ = p;
    held_ = false;
}

void GrowthModel::set_margin(double margin_years, double a_gain) {
    if (!(a_gain >= 0.0) || std::isinf(a_gain)) throw std::invalid_argument("GrowthModel: a_gain must be >= 0");
    if (!std::isfinite(margin_years)) throw std::invalid_argument("GrowthModel: margin must be finite");
    margin_ = margin_years;
    gain_ = a_gain;
}

double GrowthModel::growth_rate() const { return held_ ? 0.0 : city::growth_rate(p_, n_); }

double GrowthModel::next_singularity_years() const { return t_ + singularity_time(p_, n_); }

void GrowthModel::innovate() {
    innovations_.push_back({t_, n_, next_singularity_years()});
    p_.a *= gain_;
    last_innovation_t_ = t_;
    held_ = false;
}

void GrowthModel::advance(double dt_years) {
    if (!(dt_years > 0.0)) return;
    held_ = false;
    double remaining = dt_years;
    // Each pass either reaches the end, innovates (at most once per margin/2 of model time) or holds until
    // the next innovation is allowed, so the count is bounded by 2 dt / (margin/2) + 2. The cap only matters for
    // absurd inputs (a margin of seconds with a_gain >= 1 over centuries): the rest of the step is then held.
    constexpr int kMaxPasses = 1000000;
    int pass = 0;
    for (; remaining > 0.0 && pass < kMaxPasses; ++pass) {
        if (!(n_ > 0.0) || std::isinf(n_)) {  // extinct or past the singularity: only time moves
            t_ += remaining;
            remaining = 0.0;
            break;
        }
        const double ts = singularity_time(p_, n_);  // relative to now
        if (margin_ > 0.0 && std::isfinite(ts) && ts - margin_ <= remaining) {
            const double to = std::max(ts - margin_, 0.0);
            if (to > 0.0) {
                n_ = integrate_population(p_, n_, to);
                t_ += to;
                remaining -= to;
                if (std::isinf(n_)) continue;  // margin below what double precision resolves: singularity reached
            }
            const double earliest = last_innovation_t_ + 0.5 * margin_;
            // (t_ != last: with a margin below the resolution of t, never two innovations at the same instant.)
            if (t_ >= earliest && t_ != last_innovation_t_) {
                innovations_.push_back({t_, n_, t_ + (ts - to)});
                p_.a *= gain_;
                last_innovation_t_ = t_;
                held_ = false;
                continue;
            }
            // Loop guard: too soon after the last innovation. Hold N (growth clamped at the margin).
            if (earliest > t_ && earliest - t_ <= remaining) {
                remaining -= earliest - t_;
                t_ = earliest;
            } else {
                t_ += remaining;
                remaining = 0.0;
            }
            held_ = true;
            continue;
        }
        n_ = integrate_population(p_, n_, remaining);
        t_ += remaining;
        remaining = 0.0;
        held_ = false;
    }
    if (remaining > 0.0) {
        t_ += remaining;
        held_ = true;
    }
}

}  // namespace infrascape::city
