// Urban scaling laws Y = Y0 N^beta with the exponents of Bettencourt et al. 2007 (PNAS 104(17), table 1), a log-log
// least-squares fit, per-capita changes per doubling, and Oke's (1973) heat-island intensity against population.
#include "modules/city/scaling.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace infrascape::city {

namespace {

// A law whose prefactor gives `at_million` at N = 1e6.
ScalingLaw law(std::string name, std::string unit, double beta, std::string kind, double at_million) {
    return {std::move(name), std::move(unit), at_million / std::pow(1e6, beta), beta, std::move(kind)};
}

}  // namespace

std::vector<ScalingLaw> default_scaling_laws() {
    // Exponents: Bettencourt, Lobo, Helbing, Kuehnert & West 2007, table 1 (urban system and year of the data in
    // brackets), except the metabolic comparison. Values at N = 1e6 are round illustrative magnitudes.
    return {
        law("GDP", "USD/year", 1.15, "socio-economic", 5e10),                 // GDP [China 2002]
        law("Total wages", "USD/year", 1.12, "socio-economic", 2e10),         // total wages [USA 2002]
        law("New patents", "patents/year", 1.27, "socio-economic", 300.0),    // new patents [USA 2001]
        law("Violent crime", "crimes/year", 1.16, "socio-economic", 5000.0),  // serious crimes [USA 2003]
        law("Road surface", "km^2", 0.83, "infrastructure", 40.0),            // road surface [Germany 2002]
        law("Cable length", "km", 0.87, "infrastructure", 1e4),               // electrical cables [Germany 2002]
        law("Petrol stations", "stations", 0.77, "infrastructure", 400.0),    // gasoline stations [USA 2001]
        law("Housing", "dwellings", 1.00, "individual", 4.2e5),               // total housing [USA 1990]
        law("Water use", "m^3/day", 1.01, "individual", 1.25e5),              // household water [Germany 2002]
        law("Jobs", "jobs", 1.01, "individual", 4.5e5),                       // total employment [USA 2001]
        // Not from the table: Kleiber's 3/4 law of organisms, for comparison (what a city's energy use would be
        // if it scaled like an organism's metabolism), normalised to 100 W per person at N = 1e6.
        law("Metabolic comparison", "W", 0.75, "metabolic", 1e8),
    };
}

double evaluate(const ScalingLaw& law, double n) { return law.y0 * std::pow(n, law.beta); }

double per_capita_change_per_doubling(double beta) { return std::exp2(beta - 1.0) - 1.0; }

double per_capita_elasticity(double beta) { return beta - 1.0; }

Fit fit_power_law(const std::vector<double>& n, const std::vector<double>& y) {
    if (n.size() != y.size()) throw std::invalid_argument("fit_power_law: n and y differ in size");
    std::vector<double> lx, ly;
    lx.reserve(n.size());
    ly.reserve(n.size());
    for (size_t i = 0; i < n.size(); ++i) {
        if (n[i] > 0.0 && y[i] > 0.0 && std::isfinite(n[i]) && std::isfinite(y[i])) {
            lx.push_back(std::log(n[i]));
            ly.push_back(std::log(y[i]));
        }
    }
    const bool distinct = std::any_of(lx.begin(), lx.end(), [&](double x) { return x != lx.front(); });
    if (lx.size() < 2 || !distinct) throw std::invalid_argument("fit_power_law: fewer than 2 distinct N > 0");

    // Two-pass (centred) sums.
    const double m = static_cast<double>(lx.size());
    double mx = 0.0, my = 0.0;
    for (size_t i = 0; i < lx.size(); ++i) {
        mx += lx[i];
        my += ly[i];
    }
    mx /= m;
    my /= m;
    double sxx = 0.0, sxy = 0.0, syy = 0.0;
    for (size_t i = 0; i < lx.size(); ++i) {
        const double dx = lx[i] - mx, dy = ly[i] - my;
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    const double beta = sxy / sxx;
    const double intercept = my - beta * mx;
    double ss_res = 0.0;
    for (size_t i = 0; i < lx.size(); ++i) {
        const double r = ly[i] - (intercept + beta * lx[i]);
        ss_res += r * r;
    }
    const double r2 = syy > 0.0 ? 1.0 - ss_res / syy : 1.0;
    return {beta, std::exp(intercept), r2, lx.size()};
}

double heat_island_max_k(double n, HeatIslandRegion region) {
    if (!(n > 0.0)) return 0.0;
    // Oke 1973, regressions of the maximum observed heat island on log10 population (calm, cloudless nights).
    const double l = std::log10(n);
    const double dt = region == HeatIslandRegion::NorthAmerica ? 2.96 * l - 6.41 : 2.01 * l - 4.06;
    return std::max(dt, 0.0);
}

}  // namespace infrascape::city
