// The IEEE RTS summer weekday load shape; see load_shape.hpp.
#include "core/load_shape.hpp"

#include <cmath>

namespace infrascape {

namespace {
// Table 3: hourly peak load in percent of the daily peak, summer weeks 18-30, weekday; entry k covers hour
// k..k+1.
// clang-format off
constexpr double kRtsSummerWeekdayPct[24] = {64, 60, 58, 56, 56, 58, 64, 76, 87, 95, 99, 100,
                                             99, 100, 100, 97, 96, 96, 93, 92, 92, 93, 87, 72};
// clang-format on
}  // namespace

double rts_summer_load_shape(double hour) {
    // The hourly values stand at the hour midpoints; linear interpolation keeps the maximum at 1.0.
    double h = std::fmod(hour, 24.0);
    if (h < 0) h += 24;
    const double x = h - 0.5;
    const double i = std::floor(x);
    const double f = x - i;
    const int k0 = (static_cast<int>(i) + 24) % 24, k1 = (k0 + 1) % 24;
    return ((1 - f) * kRtsSummerWeekdayPct[k0] + f * kRtsSummerWeekdayPct[k1]) / 100.0;
}

}  // namespace infrascape
