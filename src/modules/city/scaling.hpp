// Urban scaling laws Y = Y0 N^beta (Bettencourt et al. 2007, PNAS 104(17), eq. 1; Bettencourt 2013, Science 340),
// their per-capita reading, a log-log least-squares fit, and Oke's (1973) heat-island intensity against city size.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace infrascape::city {

// Y = Y0 N^beta (Bettencourt et al. 2007, eq. 1).
struct ScalingLaw {
    std::string name;
    std::string unit;
    double y0;
    double beta;
    std::string kind;  // "socio-economic", "infrastructure", "individual", "metabolic"
};

// The module's default laws. Exponents from Bettencourt et al. 2007, table 1, where listed (the country and year
// of each are noted in scaling.cpp); y0 are illustrative prefactors setting a round value at N = 1e6 (the paper
// lists exponents, not prefactors), e.g. GDP ~5e10 USD/year at one million people.
std::vector<ScalingLaw> default_scaling_laws();

double evaluate(const ScalingLaw& law, double n);

// Fractional change of the per-capita quantity Y/N when N doubles: 2^(beta-1) - 1 (negative = saving).
// beta 0.85 -> -0.0989 (9.9% less per person), beta 3/4 -> -0.159, beta 1.15 -> +0.110.
// West's popular figures ("about 15% savings per doubling" for infrastructure at beta 0.85, "25%" for metabolism
// at 3/4, "15% more" wages, patents, crime at 1.15) are the exponent's distance from 1 read as a percentage: that
// is the per-capita elasticity d ln(Y/N) / d ln N = beta - 1 (a 1% larger city needs 0.15% less per person), exact
// for small changes but not over a doubling. Over a full doubling the change is 2^(beta-1) - 1 ~ 0.69 (beta-1):
// the total grows by 2^0.85 = 1.80x (80% more, not the "85% more" of the same reading), 9.9% less per person.
// This function returns the exact per-doubling value.
double per_capita_change_per_doubling(double beta);
// d ln(Y/N) / d ln N = beta - 1: West's "X% per doubling" figure as a fraction (e.g. -0.15 for beta 0.85).
double per_capita_elasticity(double beta);

struct Fit {
    double beta;
    double y0;
    double r2;
    size_t points;  // points used (N > 0 and Y > 0, both finite)
};
// Least-squares line through (ln N, ln Y) for points with N > 0 and Y > 0; r2 is the coefficient of determination
// in log space (1 - SS_res / SS_tot; 1 when all ln Y are equal and fitted exactly). Throws std::invalid_argument
// when the sizes differ or fewer than 2 distinct N remain.
Fit fit_power_law(const std::vector<double>& n, const std::vector<double>& y);

// Urban heat island: maximum city-minus-rural temperature difference (K) for population N, Oke (1973, "City size
// and the urban heat island", Atmospheric Environment 7, 769-779), calm clear nights:
// North American cities dT = 2.96 log10(N) - 6.41, European cities dT = 2.01 log10(N) - 4.06; clamped at >= 0.
enum class HeatIslandRegion { NorthAmerica, Europe };
double heat_island_max_k(double n, HeatIslandRegion region);

}  // namespace infrascape::city
