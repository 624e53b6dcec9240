// How much warning a place gets from the same flood, by its size: the flood module's "networks by city size".
// A town buys its river gauges and its alerting (sirens, staffed dispatch, phone alerts) out of a budget that
// grows faster than its population: investment per resident rises as N^beta (West, Scale, 2017: city budgets and
// services scale superlinearly, beta about 0.15). The model, with beta = flood.warning_exponent and N_ref =
// flood.warning_ref_population (a town that affords exactly one gauge):
//   gauges afforded     n(N) = clamp(floor((N / N_ref)^(1 + beta)), 1, gauges on the river)
//                       the n gauges nearest the places at risk (a bigger network reaches further upstream);
//   alert delay         d(N) = flood.alert_delay_min * (N / N_ref)^(-beta)   (inverse to spending per resident);
//   the alert goes out  d(N) after the first of the network's gauges passes its warning depth;
//   lead time of a site = the water's arrival there minus the alert (negative: alerted after the water came).
// The gauge times and arrivals come from the flood solver; the scaling is an assumption with its exponent as a
// parameter, not a calibrated fit.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace infrascape::flood {

struct WarningScaling {
    double exponent = 0.15;          // beta
    double ref_population = 20000;   // N_ref: one gauge, alerts after ref_delay_s
    double ref_delay_s = 30 * 60.0;  // d(N_ref)
};

struct WarningNetwork {
    std::string place;  // the city whose budget sizes it ("city:kerrville")
    double population = 0;
    size_t gauges = 0;      // how many of the river's gauges it has, nearest the sites first
    double alert_delay_s = 0;
};
WarningNetwork network_for(const std::string& place, double population, size_t gauges_on_river, const WarningScaling& s);

struct WarningOutcome {
    double detect_s = -1;    // first siren among the network's gauges (flood clock; -1: none yet)
    double alert_s = -1;     // detect_s + alert delay (-1: no alert yet)
    size_t reached = 0;      // sites the water reached
    size_t warned_in_time = 0;  // of those, alerted before the water came
    double mean_lead_s = 0, min_lead_s = 0;  // over the sites reached after an alert went out (0 when none)
    size_t with_lead = 0;    // sites counted in the mean
};
// siren_s: each gauge's siren time, nearest the sites first (-1: not sounded); arrival_s: each site's water arrival
// (-1: still dry). An alert counts for a site only if it went out before `now_s` (the flood clock).
WarningOutcome warning_outcome(const WarningNetwork& net, const std::vector<double>& siren_s,
                               const std::vector<double>& arrival_s, double now_s);

}  // namespace infrascape::flood
