#include "modules/flood/warning_network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace infrascape::flood {

WarningNetwork network_for(const std::string& place, double population, size_t gauges_on_river, const WarningScaling& s) {
    WarningNetwork n;
    n.place = place;
    n.population = population;
    const double ratio = std::max(population, 1.0) / s.ref_population;
    const double afforded = std::floor(std::pow(ratio, 1.0 + s.exponent) + 1e-9);
    n.gauges = gauges_on_river == 0 ? 0 : size_t(std::clamp(afforded, 1.0, double(gauges_on_river)));
    n.alert_delay_s = s.ref_delay_s * std::pow(ratio, -s.exponent);
    return n;
}

WarningOutcome warning_outcome(const WarningNetwork& net, const std::vector<double>& siren_s,
                               const std::vector<double>& arrival_s, double now_s) {
    WarningOutcome o;
    for (size_t g = 0; g < std::min(net.gauges, siren_s.size()); ++g)
        if (siren_s[g] >= 0 && (o.detect_s < 0 || siren_s[g] < o.detect_s)) o.detect_s = siren_s[g];
    if (o.detect_s >= 0 && o.detect_s + net.alert_delay_s <= now_s) o.alert_s = o.detect_s + net.alert_delay_s;
    double sum = 0, lo = std::numeric_limits<double>::infinity();
    for (double a : arrival_s) {
        if (a < 0) continue;
        ++o.reached;
        if (o.alert_s < 0) continue;
        const double lead = a - o.alert_s;
        if (lead > 0) ++o.warned_in_time;
        sum += lead;
        lo = std::min(lo, lead);
        ++o.with_lead;
    }
    if (o.with_lead) {
        o.mean_lead_s = sum / double(o.with_lead);
        o.min_lead_s = lo;
    }
    return o;
}

}  // namespace infrascape::flood
