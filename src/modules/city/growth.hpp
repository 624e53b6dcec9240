// Population growth of a city after Bettencourt et al. 2007 (PNAS 104(17) 7301): dN/dt = a N^beta - b N, its closed
// form and finite-time singularity, an adaptive integrator, and West's innovation cycles (G. West, Scale, 2017, ch. 10).
// Resources Y = Y0 N^beta pay for maintenance R N and growth E dN/dt, so a = Y0/E and b = R/E. CPU only.
#pragma once

#include <vector>

namespace infrascape::city {

// dN/dt = a N^beta - b N, t in years, a in N^(1-beta) per year, b per year. Valid input: a >= 0, b >= 0,
// beta > 0 (b < 0, an extra exponential growth, also works in every function below).
struct GrowthParams {
    double a = 0;
    double b = 0;
    double beta = 1;
};

// dN/dt at population n.
double growth_rate(const GrowthParams& p, double n);

// Closed form of dN/dt = a N^beta - b N (Bernoulli equation: u = N^(1-beta) gives du/dt = (1-beta)(a - b u),
// so u(t) = a/b + (u0 - a/b) exp(-(1-beta) b t); b = 0 and beta = 1 handled as their limits).
// Returns +inf at and after a finite-time singularity (beta > 1), NaN never for valid input (N0 > 0).
// Evaluated as ln(N/N0) = log1p(g (1-beta) t phi((1-beta) b t)) / (1-beta), with g = a N0^(beta-1) - b the
// initial specific growth rate and phi(x) = (1 - e^-x)/x, which is the same expression rearranged so that it
// stays accurate as beta -> 1 and b -> 0 (and equals (a - b) t at beta = 1 exactly). n0 == 0 gives 0,
// n0 < 0 NaN. Meant for t >= 0 (a negative t runs the equation backwards).
double closed_form_population(const GrowthParams& p, double n0, double t_years);

// Time from t = 0 (population n0) to the finite-time singularity, or +inf when there is none
// (beta <= 1, or beta > 1 with a n0^(beta-1) <= b, i.e. the city shrinks or stays).
// beta > 1, b > 0: t_c = ln(a / (a - b u0)) / ((beta-1) b) with u0 = n0^(1-beta); b = 0: t_c = u0 / ((beta-1) a).
// (Bettencourt et al. 2007's collapse time; evaluated as log1p(b/g) / ((beta-1) b) with g = a n0^(beta-1) - b.)
double singularity_time(const GrowthParams& p, double n0);

// Adaptive integration (Dormand-Prince 5(4) with error control, or an equally accurate scheme) from n0 over
// dt years. `rel_tol` is the stated accuracy: the result must agree with closed_form_population to within
// rel_tol relative for all cases where the closed form is finite. Integrate in log N (y = ln N) for accuracy
// over many orders of magnitude.
//
// How the global accuracy is met: for a scalar autonomous equation y' = F(y) an error e made at time s is
// carried to the end exactly (to first order) as e F(y_end) / F(y(s)), so each step's local error estimate
// is weighed by that factor and the run is repeated with a tighter tolerance until the propagated sum
// F(y_end) * sum |le_k| / |F(y_k)| is below rel_tol/2 (usually one or two passes). Time and ln N are summed
// with compensation. Limit: near a singularity the problem itself is ill-conditioned (N ~ (t_c - t)^(-1/(beta-1)),
// so a rounding error of t (~1e-16 t_c) alone costs 1e-16 t_c / ((beta-1)(t_c - t)) relative in N, for the closed
// form too); the promise holds while (t_c - t)/t_c >~ 1e-15 / ((beta-1) rel_tol) and rel_tol >~ 1e-12: measured,
// rel_tol 1e-9 gives ~1e-12 up to 0.9999 t_c and ~1e-10 at 0.99999 t_c (beta 1.1 to 1.3), in under 1 ms and 4 ms.
// Returns +inf when dt reaches the singularity time. dt < 0 or rel_tol <= 0 throw std::invalid_argument.
double integrate_population(const GrowthParams& p, double n0, double dt_years, double rel_tol = 1e-9);

// West's successive growth cycles: a population integrated through time; when the time left to the
// singularity falls below `margin_years` (with beta > 1), an innovation resets the growth: the cycle
// restarts from the current N with `a` multiplied by `a_gain` (beta and b unchanged).
// Innovations can also be forced from outside (the scene timeline) with innovate().
//
// Direction of a_gain: the singularity time falls as `a` rises (b = 0: t_c = N^(1-beta) / ((beta-1) a)), so
// an innovation that postpones the collapse lowers `a`: a_gain < 1 (default 0.5). Right after an automatic
// innovation at N the new cycle's singularity is at t + margin / a_gain when b = 0, and at
// t + ln(g / (g - (1 - e^(-k m)))) / k with g = a_gain, k = (beta-1) b, m = margin when b > 0; always later
// than t + margin for a_gain < 1 (and none at all once g <= 1 - e^(-k m)).
// With a fixed a_gain the cycles are self-similar: after the first innovation they all last the same time
// (b = 0: margin (1/a_gain - 1)) and N grows by the same factor a_gain^(-1/(beta-1)) in each; what shrinks is
// the time to the singularity that the original economy (the initial a) would have from the current N,
// t_c(a0, N_k) = margin a_gain^k for b = 0, West's "the next innovation must come sooner and sooner", and each
// cycle's length relative to the elapsed time.
//
// Loop guard: two automatic innovations are never less than margin/2 apart. When one falls due sooner (an
// a_gain >= 1, or one too close to 1, leaves the new cycle within the margin of its singularity) the population
// is held where it is (the growth is clamped at the margin: N frozen, growth_rate() = 0) until margin/2 has
// passed since the last innovation, and then the next innovation is applied. So N stays finite for any a_gain
// and any margin > 0 that double precision resolves (margin >~ 1e-9 of the time to the singularity, and the
// population at the margin representable; below that the singularity is reached as with no margin).
// margin <= 0 switches automatic innovations off: the population then reaches the singularity (+inf) and stays
// there (time still advances).
struct Innovation {
    double t_years;              // when (absolute years)
    double n;                    // at which population
    double singularity_t_years;  // the singularity it averted (absolute years; +inf for a forced one with none)
};

class GrowthModel {
public:
    // n0 > 0, a finite margin and a finite a_gain >= 0, else std::invalid_argument.
    GrowthModel(GrowthParams p, double n0, double margin_years, double a_gain = 0.5);
    void set_params(const GrowthParams& p);  // live change (panel / timeline); the cycle continues from the current N
    void set_margin(double margin_years, double a_gain);
    // Integrates, innovating automatically when needed (possibly several times in one call, splitting the
    // interval exactly at the innovation times). dt <= 0 does nothing.
    void advance(double dt_years);
    void innovate();  // a forced innovation now (a *= a_gain), recorded like an automatic one
    double t_years() const { return t_; }
    double population() const { return n_; }
    double growth_rate() const;  // dN/dt now, per year (0 while the population is held by the loop guard)
    const GrowthParams& params() const { return p_; }
    double margin_years() const { return margin_; }
    double a_gain() const { return gain_; }
    bool held() const { return held_; }       // the last advance() ended with the population held (loop guard)
    double next_singularity_years() const;    // absolute time of the current cycle's singularity, +inf if none
    const std::vector<Innovation>& innovations() const { return innovations_; }

private:
    GrowthParams p_;
    double n_;
    double t_ = 0;
    double margin_;
    double gain_;
    double last_innovation_t_;
    bool held_ = false;
    std::vector<Innovation> innovations_;
};

}  // namespace infrascape::city
