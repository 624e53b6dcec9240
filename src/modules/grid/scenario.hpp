// A simulated summer day on a MATPOWER case: air temperature, demand with air conditioning, clear-sky
// solar and PV output, wind, a peak-shaving battery and a merit-free dispatch, every fixed step, giving
// bus demands and generator outputs for the power flow and the day's net-load ("duck") curve.
#pragma once

#include <filesystem>
#include <vector>

#include "modules/grid/case.hpp"

namespace infrascape::grid {

// [SECTION] Parameters
struct ScenarioParams {
    double latitude_deg = 30.3, longitude_deg = -97.7;  // site of the sun (longitude positive east)
    double utc_offset_h = -5;          // local clock (for the load shape and the temperature cycle)
    double t_peak_c = 40;              // afternoon peak air temperature (the live "t_ambient_c" slider)
    double diurnal_range_c = 12;       // peak minus the dawn minimum
    double cooling_threshold_c = 24;   // air-conditioning load grows above this
    double cooling_frac_per_c = 0.02;  // added demand per deg C above the threshold, fraction of base demand
    double cooling_lag_h = 2;  // air conditioning follows the air temperature this late (building mass)
    double cloud_factor = 0;   // 0 clear .. 1 overcast: fraction of clear-sky irradiance lost
    double utility_pv_mw = 0;  // installed utility PV (AC nameplate), on gens with fuel "solar"
    bool utility_pv_tracking = true;  // single-axis trackers (true) or a horizontal array (false)
    double rooftop_pv_mw = 0;         // behind-the-meter PV (AC, horizontal): reduces bus demand pro rata
    double battery_mw = 0, battery_mwh = 0;  // on gens with fuel "battery"
    double battery_round_trip = 0.88;        // AC-to-AC, split evenly (sqrt) between charging and discharging
    double battery_charge_below = 0.7;       // charge while net load < this fraction of dispatchable capacity
    double battery_discharge_above = 0.9;    // discharge the net load above this fraction of it
    double conductor_max_c = 75;             // conductor's maximum operating temperature
    double rating_ref_c = 25;                // ambient temperature at which the case's ratings hold
};

// Throws std::invalid_argument naming the first bad field (negative capacities, cloud outside [0, 1],
// round trip outside (0, 1], thresholds out of order, conductor_max_c <= rating_ref_c, non-finite values).
void validate(const ScenarioParams& p);

// [SECTION] Weather, load and PV models (each cites its source in scenario.cpp)
double local_hour(const ScenarioParams& p, double epoch_s);  // local clock hour in [0, 24)

// Two-piece cosine diurnal cycle (the WAVE model): minimum t_peak - range at kTempMinHour, maximum t_peak
// at kTempMaxHour (local clock, daylight time in summer).
constexpr double kTempMinHour = 6, kTempMaxHour = 16;
double ambient_temperature_c(const ScenarioParams& p, double local_hour);

// IEEE Reliability Test System (1979) table 3, summer weekday (weeks 18-30), hourly load in fraction of
// the daily peak, linearly interpolated between hour midpoints: max 1.0 (11:30, 13:30-14:30), minimum
// 0.56 (03:30-04:30), an evening shoulder of 0.92-0.96 until 21:30 with a lighting bump at 21:30. The
// table already holds that utility's ordinary summer air conditioning; the cooling term adds the
// temperature-driven part on top of it.
double load_shape(double local_hour);

// Haurwitz (1945) clear-sky global horizontal irradiance, as in pvlib: 1098 cos(z) exp(-0.059 / cos(z)),
// 0 with the sun at or below the horizon. zenith_deg: apparent (refracted) zenith.
double clear_sky_ghi_w_m2(double zenith_deg);

// AC output of a PV plant in fraction of its AC nameplate (PVWatts, Dobos 2014): DC = E/1000 * (dc/ac
// ratio) * (1 + gamma (Tcell - 25)) * (1 - losses), Sandia cell temperature (King et al. 2004), PVWatts
// inverter efficiency curve and clipping at nameplate. irradiance_w_m2: on the array plane (= GHI for
// a horizontal array).
double pv_output_fraction(double irradiance_w_m2, double ambient_c);

// Plane-of-array irradiance of a single-axis tracker (north-south horizontal axis, backtracking,
// +-60 deg) from GHI: Erbs (1982) split into beam and diffuse, isotropic sky (Liu & Jordan 1963).
// sun_azimuth_deg clockwise from north; day_of_year 1..366 for the extraterrestrial irradiance.
double tracker_poa_w_m2(double ghi_w_m2, double zenith_deg, double sun_azimuth_deg, int day_of_year);

// Multiplier of branch rate_a at this air temperature: steady-state conductor heat balance with the
// convective loss ~ (Tmax - Ta) dominating, so I ~ sqrt(Tmax - Ta) (IEEE 738 simplified); 1 at
// rating_ref_c, 0 when the air is at or above conductor_max_c.
double rating_factor(const ScenarioParams& p, double ambient_c);

double total_demand_mw(const Case& c);  // sum of the buses' PD
bool dispatchable(const Gen& g);        // neither solar, wind nor battery (by mpc.genfuel)

// [SECTION] One instant, system-wide
struct Conditions {
    double epoch_s = 0, local_hour = 0, ambient_c = 0, sun_elevation_deg = 0, ghi_w_m2 = 0;
    double demand_mw = 0;  // total customer demand incl. cooling, before rooftop PV
    double cooling_mw = 0;
    double utility_pv_mw = 0, rooftop_pv_mw = 0, wind_mw = 0;  // available output
    double net_load_mw = 0;  // demand - all PV - wind (the duck curve), before storage
    double rating_factor = 1;
};

// The world's weather in place of the scenario's own day (the weather coupling): the air temperature now and
// cooling_lag_h ago, and the irradiance (clouds and storms included).
struct WeatherOverride {
    double ambient_c = 0, lagged_ambient_c = 0, ghi_w_m2 = 0;
};

// base: the prepared case (before apply). Its total bus demand is the demand at load_shape 1 with no
// cooling; its in-service "solar" gens' pmax is the utility PV, its "wind" gens' pg the wind output.
Conditions conditions_at(const ScenarioParams& p, const Case& base, double epoch_s, const WeatherOverride* weather = nullptr);

// Makes the case ready for the scenario. Utility PV (fuel "solar", pmin 0, curtailable) totals
// utility_pv_mw: the case's own solar plants keep at most their size, and capacity beyond them is added as
// gens of type "PVX" at the buses of the dispatchable plants, pro rata to their capacity (a case without
// dispatchable plants gets them at its 10 largest-load buses instead). Batteries (fuel "battery", pmin =
// -pmax): in-service ones scaled so that they total battery_mw, or added at the 10 largest-load buses pro
// rata to their load. Wind pmin is set to 0 (curtailable). Idempotent for the same params; when the params
// change, prepare a fresh copy of the original case (own plants scaled down cannot grow back).
void prepare_case(Case& c, const ScenarioParams& p);

// [SECTION] Dispatch
struct BatteryState {
    double soc_mwh = 0;  // use battery_start() for the scenario's start: half full
};
BatteryState battery_start(const ScenarioParams& p);

struct Injections {                 // one step's operating point, applied to a copy of the prepared case
    std::vector<double> bus_pd_mw;  // per bus (case order): demand after rooftop PV and shedding
    std::vector<double> gen_pg_mw;  // per gen (case order); out-of-service gens 0
    double battery_mw = 0;          // + discharging, - charging (at the grid)
    double shed_mw = 0;             // demand the fleet could not serve (pro rata load shedding)
    double curtailed_mw = 0;        // utility PV and wind left unused because must-run output exceeded demand
    double reserve_margin = 0;   // (available capacity - served demand) / served demand; +inf if none served
    double served_mw = 0;        // sum of bus_pd_mw
    double battery_soc_mwh = 0;  // after the step
    double dt_s = 0;             // the step
    bool below_pmin = false;     // surplus so large that dispatchable gens went below pmin (decommitment)
};

// One step of dt_s: scales bus demand to the conditions (less rooftop PV, pro rata), takes utility PV at
// its available output and wind at its case pg, runs the battery rule, shares the balance among the
// in-service dispatchable gens (every other fuel) as pmin + a (pmax - pmin) with one a in [0, 1] for
// all, sheds pro rata what pmax cannot serve, and curtails PV then wind when pmin exceeds the need.
// Battery rule (no foresight): with L = demand after rooftop PV - utility PV - wind and C the dispatchable
// capacity, discharge min(battery_mw, L - discharge_above C) while L exceeds that level, charge
// min(battery_mw, charge_below C - L) while L is below this one, within the stored energy.
// Loads set by other modules (the demand coupling): fixed_mw per bus (NaN where the scenario's model holds)
// replaces the bus's demand, added_mw is drawn on top of it. cond.demand_mw must already include both (see
// grid_module.cpp); the scenario's share is spread over the other buses.
struct BusLoads {
    std::vector<double> fixed_mw, added_mw;
};
Injections dispatch(const Case& prepared, const ScenarioParams& p, const Conditions& cond,
                    BatteryState& battery, double dt_s, const BusLoads* loads = nullptr);

// Writes bus pd (qd scaled with it, keeping each bus's power factor) and gen pg into the case.
void apply(Case& c, const Injections& inj);

// The operator's freedom at an applied operating point: PV and wind may be curtailed down to 0 and batteries do
// at most their schedule; dispatchable units may go down to 0 (there is no unit commitment: a unit below its
// PMIN stands for one turned off).
void units_for_operator(Case& c);

// [SECTION] The day's record
struct DayRecord {
    std::vector<double> t_s, demand_mw, cooling_mw, pv_mw, wind_mw, net_load_mw, battery_mw, shed_mw,
        reserve_margin, ambient_c;
    std::vector<double> soc_mwh, step_s;  // battery energy after each step, and the step length
    void add(double t_s, const Conditions& cond, const Injections& inj);
    double peak_demand_mw() const;
    double peak_net_load_mw() const;           // before storage
    double peak_net_after_storage_mw() const;  // max of net load - battery (what the rest of the fleet sees)
    // Largest rise of net load within any 3 hours, and when it ends (at_t_s).
    double max_ramp_3h_mw(double* at_t_s = nullptr) const;
    double energy_not_served_mwh() const;  // sum of shed * step (rectangle rule over each recorded step)
    // header: t_s,ambient_c,demand_mw,cooling_mw,pv_mw,wind_mw,net_load_mw,battery_mw,shed_mw,reserve_margin
    void write_csv(const std::filesystem::path& file) const;
};

// Runs steps of dt_s from start_epoch_s on the prepared case (battery from `battery`, updated).
DayRecord simulate_day(const Case& prepared, const ScenarioParams& p, double start_epoch_s, int steps,
                       double dt_s, BatteryState& battery);

}  // namespace infrascape::grid
