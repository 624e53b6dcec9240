// Facility side of the datacenter: the cooling plant's power against the outdoor temperature (chillers,
// water-side economizer, CRAH fans, pumps, dry coolers for the liquid loop), the PUE, and the data-hall air
// metrics (ASHRAE inlet envelopes, Herrlin's Rack Cooling Index and Return Temperature Index).
#pragma once

#include <vector>

namespace infrascape::datacenter {

// [SECTION] Cooling plant and PUE

// Defaults: a 1 MW hall with an air side on chilled water (16/26 C) from air-cooled chillers with a
// water-side economizer, and a direct-to-chip liquid loop at 40 C supply (ASHRAE W40 class) rejected by dry
// coolers with an air-cooled trim chiller. Power fractions are kW per kW of the heat they serve.
struct FacilityConfig {
    double design_it_kw = 1000;
    double ups_efficiency = 0.95;  // UPS and distribution losses: IT / eta - IT
    double misc_fraction = 0.005;  // lighting and offices: a constant misc_fraction * design_it_kw

    // Air side: chilled water feeds the CRAHs.
    double chw_supply_c = 16;
    double chw_return_c = 26;
    double evaporator_approach_k = 3;        // refrigerant evaporates this far below the water it chills
    double condenser_approach_k = 10;        // air-cooled condenser: condenses this far above the outdoor air
    double chiller_carnot_fraction = 0.5;    // eta in COP = eta * T_evap / (T_cond - T_evap)
    double chiller_cop_max = 10;             // real machines' ceiling at small lift
    double economizer_approach_k = 5;        // dry cooler: water leaves this far above the outdoor air
    double crah_fan_design_fraction = 0.03;  // CRAH fan kW at design airflow per kW of design_it_kw
    double chw_pump_fraction = 0.015;
    double heat_rejection_fan_fraction = 0.015;  // dry-cooler / condenser fans per kW of heat rejected

    // Liquid loop (cold plates).
    double liquid_supply_c = 40;
    double liquid_return_c = 50;
    double liquid_pump_fraction = 0.01;
};

struct FacilityLoad {
    double it_kw = 1000;
    double liquid_fraction = 0;      // share of the IT heat taken by the liquid loop
    double outdoor_c = 20;           // dry bulb (air-cooled plant)
    double crah_airflow_ratio = -1;  // CRAH airflow / design airflow; < 0: air heat / design_it_kw
};

struct FacilityPower {
    double it_kw = 0;
    double ups_loss_kw = 0, misc_kw = 0;
    double air_heat_kw = 0, liquid_heat_kw = 0;  // heat the air side / the liquid loop remove
    double air_economizer_share = 0;             // share of the air side's heat the economizer takes
    double liquid_dry_cooler_share = 0;          // share of the liquid heat the dry coolers take alone
    double chiller_cop = 0, trim_chiller_cop = 0;
    double chiller_kw = 0, trim_chiller_kw = 0;  // compressors of the air side and the liquid trim chiller
    double crah_fan_kw = 0, heat_rejection_fan_kw = 0, pump_kw = 0;
    double cooling_kw = 0;   // chillers + pumps
    double fans_kw = 0;      // CRAH + heat rejection fans
    double facility_kw = 0;  // IT + UPS losses + misc + cooling + fans
    double pue = 0;          // facility / IT
};

// Chiller COP as a fraction of the reversed-Carnot COP, COP = eta * T_evap / (T_cond - T_evap) with
// absolute temperatures, T_evap = chilled water - evaporator approach, T_cond = outdoor + condenser approach,
// capped at chiller_cop_max (and equal to it when T_cond <= T_evap).
double chiller_cop(double water_supply_c, double outdoor_c, const FacilityConfig& config);

// Share of a water loop's heat an economizer (dry cooler) removes without compressors: 1 when the outdoor
// air is at least `approach` below the supply water, 0 when not below the return water by `approach`, and
// linear in between (the economizer precools the return water in series with the chiller).
double economizer_share(double supply_c, double return_c, double approach_k, double outdoor_c);

// Throws std::invalid_argument for IT power <= 0, a liquid fraction outside [0, 1] or a bad config.
FacilityPower facility_power(const FacilityLoad& load, const FacilityConfig& config = {});

// [SECTION] Data-hall metrics

// ASHRAE TC 9.9, Thermal Guidelines for Data Processing Environments (5th ed., 2021), dry-bulb inlet
// envelopes: recommended 18-27 C; allowable A1 15-32, A2 10-35, A3 5-40, A4 5-45 C (humidity not checked).
enum class AshraeClass { Recommended, A1, A2, A3, A4, Outside };
AshraeClass ashrae_class(double inlet_c);  // the tightest envelope that holds the temperature
const char* ashrae_class_name(AshraeClass c);

struct RciLimits {
    double min_allowable_c = 15, min_recommended_c = 18;
    double max_recommended_c = 27, max_allowable_c = 32;
};

// Rack Cooling Index, Herrlin (2005), ASHRAE Transactions 111(2), over n equipment intake temperatures:
//   RCI_HI = [1 - sum_{T_x > T_max,rec} (T_x - T_max,rec) / ((T_max,all - T_max,rec) n)] * 100 %
//   RCI_LO = [1 - sum_{T_x < T_min,rec} (T_min,rec - T_x) / ((T_min,rec - T_min,all) n)] * 100 %
// 100 % means no intake outside the recommended range; not clamped (intakes beyond the allowable range can
// make it negative). Throws std::invalid_argument for no intakes.
double rci_hi_percent(const std::vector<double>& intake_c, const RciLimits& limits = {});
double rci_lo_percent(const std::vector<double>& intake_c, const RciLimits& limits = {});

// Return Temperature Index, Herrlin (2008), ASHRAE Transactions 114(2):
//   RTI = (T_return - T_supply) / dT_equipment * 100 %
// with dT_equipment the airflow-weighted mean temperature rise across the IT equipment. Above 100 %:
// hot air recirculates into the intakes; below: cold air bypasses the equipment.
double rti_percent(double return_c, double supply_c, double equipment_rise_k);

// Airflow-weighted mean rise, sum(Q_i dT_i) / sum(Q_i), e.g. over racks' (outlet - inlet).
double airflow_weighted_rise_k(const std::vector<double>& airflow_m3_per_s,
                               const std::vector<double>& rise_k);

struct HallMetrics {
    double rci_hi_percent = 0, rci_lo_percent = 0;
    double max_intake_c = 0, min_intake_c = 0;
    double recommended_fraction = 0;   // share of intakes in [min_recommended, max_recommended] (18-27 C)
    double allowable_a1_fraction = 0;  // share of intakes in [min_allowable, max_allowable] (15-32 C)
};
HallMetrics hall_metrics(const std::vector<double>& intake_c, const RciLimits& limits = {});

}  // namespace infrascape::datacenter
