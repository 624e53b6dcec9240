// Cooling plant power and PUE against the outdoor temperature, and the data-hall air metrics (ASHRAE
// envelopes, RCI, RTI). Plain algebra on steady states: one call per time step of the facility.
#include "modules/datacenter/facility.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace infrascape::datacenter {

namespace {

constexpr double kKelvin = 273.15;

void check_config(const FacilityConfig& c) {
    if (!(c.design_it_kw > 0)) throw std::invalid_argument("facility: design_it_kw must be > 0");
    if (!(c.ups_efficiency > 0 && c.ups_efficiency <= 1))
        throw std::invalid_argument("facility: ups_efficiency must be in (0, 1]");
    if (!(c.chiller_carnot_fraction > 0) || !(c.chiller_cop_max > 0))
        throw std::invalid_argument("facility: chiller Carnot fraction and COP cap must be > 0");
    if (!(c.chw_return_c > c.chw_supply_c) || !(c.liquid_return_c > c.liquid_supply_c))
        throw std::invalid_argument("facility: return water must be warmer than supply water");
}

}  // namespace

// [SECTION] Cooling plant and PUE

double chiller_cop(double water_supply_c, double outdoor_c, const FacilityConfig& config) {
    // Reversed Carnot cycle: COP_R,rev = T_L / (T_H - T_L) (Cengel & Boles, Thermodynamics: An Engineering
    // Approach, sec. 6-10 and 6-11); real vapour-compression chillers reach about half of it (second-law
    // efficiency ~0.4-0.6; ASHRAE Handbook - Fundamentals, ch. 2, Thermodynamics and Refrigeration Cycles).
    const double t_evap_k = water_supply_c - config.evaporator_approach_k + kKelvin;
    const double t_cond_k = outdoor_c + config.condenser_approach_k + kKelvin;
    if (t_cond_k <= t_evap_k) return config.chiller_cop_max;
    return std::min(config.chiller_cop_max,
                    config.chiller_carnot_fraction * t_evap_k / (t_cond_k - t_evap_k));
}

double economizer_share(double supply_c, double return_c, double approach_k, double outdoor_c) {
    // Water leaving the dry cooler is at best outdoor + approach. It cools the return water down to that
    // temperature; the chiller does the rest of the way to the supply temperature. The economizer's share of
    // the heat is then (T_return - (T_out + approach)) / (T_return - T_supply), clamped to [0, 1]: continuous
    // at both thresholds, T_out = T_supply - approach (all free) and T_return - approach (none free).
    const double share = (return_c - (outdoor_c + approach_k)) / (return_c - supply_c);
    return std::clamp(share, 0.0, 1.0);
}

FacilityPower facility_power(const FacilityLoad& load, const FacilityConfig& config) {
    check_config(config);
    if (!(load.it_kw > 0)) throw std::invalid_argument("facility: IT power must be > 0");
    const double f = load.liquid_fraction;
    if (!(f >= 0 && f <= 1)) throw std::invalid_argument("facility: liquid_fraction must be in [0, 1]");

    FacilityPower p;
    p.it_kw = load.it_kw;
    p.ups_loss_kw = load.it_kw / config.ups_efficiency - load.it_kw;
    p.misc_kw = config.misc_fraction * config.design_it_kw;
    // All electrical losses and lighting end up as heat in air-conditioned rooms: the air side removes them
    // with the IT heat the liquid loop does not take.
    p.air_heat_kw = (1 - f) * load.it_kw + p.ups_loss_kw + p.misc_kw;
    p.liquid_heat_kw = f * load.it_kw;

    // Air side: economizer, then chiller for the rest.
    p.air_economizer_share = economizer_share(config.chw_supply_c, config.chw_return_c,
                                              config.economizer_approach_k, load.outdoor_c);
    p.chiller_cop = chiller_cop(config.chw_supply_c, load.outdoor_c, config);
    p.chiller_kw = (1 - p.air_economizer_share) * p.air_heat_kw / p.chiller_cop;

    // Liquid loop: dry coolers alone while warm enough, a trim chiller for the rest.
    p.liquid_dry_cooler_share = economizer_share(config.liquid_supply_c, config.liquid_return_c,
                                                 config.economizer_approach_k, load.outdoor_c);
    p.trim_chiller_cop = chiller_cop(config.liquid_supply_c, load.outdoor_c, config);
    p.trim_chiller_kw = (1 - p.liquid_dry_cooler_share) * p.liquid_heat_kw / p.trim_chiller_cop;

    // CRAH fans, fan affinity law P ~ Q^3 (ASHRAE Handbook - HVAC Systems and Equipment, Fans chapter). Fans
    // with variable speed move the air heat at the design temperature difference, so Q / Q_design =
    // air heat / design_it_kw, unless the hall simulation gives the airflow.
    const double ratio =
        load.crah_airflow_ratio >= 0 ? load.crah_airflow_ratio : p.air_heat_kw / config.design_it_kw;
    p.crah_fan_kw = config.crah_fan_design_fraction * config.design_it_kw * ratio * ratio * ratio;

    // Pumps in proportion to the heat each loop carries (variable-flow loops; a simplification of their
    // affinity law, which static head and minimum flows flatten in practice).
    p.pump_kw = config.chw_pump_fraction * p.air_heat_kw + config.liquid_pump_fraction * p.liquid_heat_kw;
    // Heat rejected outdoors: all the heat plus the compressors' work.
    const double rejected_kw = p.air_heat_kw + p.liquid_heat_kw + p.chiller_kw + p.trim_chiller_kw;
    p.heat_rejection_fan_kw = config.heat_rejection_fan_fraction * rejected_kw;

    p.cooling_kw = p.chiller_kw + p.trim_chiller_kw + p.pump_kw;
    p.fans_kw = p.crah_fan_kw + p.heat_rejection_fan_kw;
    p.facility_kw = p.it_kw + p.ups_loss_kw + p.misc_kw + p.cooling_kw + p.fans_kw;
    p.pue = p.facility_kw / p.it_kw;  // The Green Grid, WP#49 "PUE: a comprehensive examination" (2012)
    return p;
}

// [SECTION] Data-hall metrics

AshraeClass ashrae_class(double t) {
    if (t >= 18 && t <= 27) return AshraeClass::Recommended;
    if (t >= 15 && t <= 32) return AshraeClass::A1;
    if (t >= 10 && t <= 35) return AshraeClass::A2;
    if (t >= 5 && t <= 40) return AshraeClass::A3;
    if (t >= 5 && t <= 45) return AshraeClass::A4;
    return AshraeClass::Outside;
}

const char* ashrae_class_name(AshraeClass c) {
    switch (c) {
        case AshraeClass::Recommended:
            return "recommended";
        case AshraeClass::A1:
            return "A1";
        case AshraeClass::A2:
            return "A2";
        case AshraeClass::A3:
            return "A3";
        case AshraeClass::A4:
            return "A4";
        case AshraeClass::Outside:
            break;
    }
    return "outside";
}

double rci_hi_percent(const std::vector<double>& intake_c, const RciLimits& l) {
    if (intake_c.empty()) throw std::invalid_argument("rci_hi_percent: no intake temperatures");
    if (!(l.max_allowable_c > l.max_recommended_c)) throw std::invalid_argument("rci_hi_percent: bad limits");
    double over = 0;
    for (double t : intake_c)
        if (t > l.max_recommended_c) over += t - l.max_recommended_c;
    const double n = static_cast<double>(intake_c.size());
    return (1 - over / ((l.max_allowable_c - l.max_recommended_c) * n)) * 100;
}

double rci_lo_percent(const std::vector<double>& intake_c, const RciLimits& l) {
    if (intake_c.empty()) throw std::invalid_argument("rci_lo_percent: no intake temperatures");
    if (!(l.min_recommended_c > l.min_allowable_c)) throw std::invalid_argument("rci_lo_percent: bad limits");
    double under = 0;
    for (double t : intake_c)
        if (t < l.min_recommended_c) under += l.min_recommended_c - t;
    const double n = static_cast<double>(intake_c.size());
    return (1 - under / ((l.min_recommended_c - l.min_allowable_c) * n)) * 100;
}

double rti_percent(double return_c, double supply_c, double equipment_rise_k) {
    if (!(equipment_rise_k > 0)) throw std::invalid_argument("rti_percent: equipment rise must be > 0");
    return (return_c - supply_c) / equipment_rise_k * 100;
}

double airflow_weighted_rise_k(const std::vector<double>& airflow_m3_per_s,
                               const std::vector<double>& rise_k) {
    if (airflow_m3_per_s.size() != rise_k.size() || airflow_m3_per_s.empty())
        throw std::invalid_argument("airflow_weighted_rise_k: need as many rises as airflows, at least one");
    double q = 0, q_dt = 0;
    for (size_t i = 0; i < rise_k.size(); ++i) {
        q += airflow_m3_per_s[i];
        q_dt += airflow_m3_per_s[i] * rise_k[i];
    }
    if (!(q > 0)) throw std::invalid_argument("airflow_weighted_rise_k: total airflow must be > 0");
    return q_dt / q;
}

HallMetrics hall_metrics(const std::vector<double>& intake_c, const RciLimits& limits) {
    HallMetrics m;
    m.rci_hi_percent = rci_hi_percent(intake_c, limits);
    m.rci_lo_percent = rci_lo_percent(intake_c, limits);
    m.max_intake_c = *std::max_element(intake_c.begin(), intake_c.end());
    m.min_intake_c = *std::min_element(intake_c.begin(), intake_c.end());
    size_t rec = 0, a1 = 0;
    for (double t : intake_c) {
        rec += (t >= limits.min_recommended_c && t <= limits.max_recommended_c) ? 1 : 0;
        a1 += (t >= limits.min_allowable_c && t <= limits.max_allowable_c) ? 1 : 0;
    }
    m.recommended_fraction = static_cast<double>(rec) / static_cast<double>(intake_c.size());
    m.allowable_a1_fraction = static_cast<double>(a1) / static_cast<double>(intake_c.size());
    return m;
}

}  // namespace infrascape::datacenter
