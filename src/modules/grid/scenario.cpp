// The summer-day scenario of the grid module: weather (temperature cycle, clear-sky sun), demand with air
// conditioning, utility and rooftop PV, wind, a peak-shaving battery and a proportional dispatch with load
// shedding, step by step. Each model cites its source where it is implemented.
#include "modules/grid/scenario.hpp"
#include "core/load_shape.hpp"

#include <algorithm>
#include <map>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <numbers>
#include <numeric>
#include <stdexcept>
#include <string>

#include "core/solar_position.hpp"

namespace infrascape::grid {
namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;
constexpr double kRadToDeg = 180.0 / std::numbers::pi;

// [SECTION] Model constants, with their sources

// The IEEE RTS (1979) summer weekday load shape is in core/load_shape.hpp, shared with the cities.

// PVWatts (A. P. Dobos, "PVWatts Version 5 Manual", NREL/TP-6A20-62641, 2014): "standard" module
// temperature coefficient, default system losses 14 %, nominal inverter efficiency 0.96 and the
// reference efficiency 0.9637 of its inverter curve (as in pvlib.inverter.pvwatts). DC/AC ratio 1.2:
// the PVWatts calculator's default (version 5 used 1.1).
constexpr double kGammaPerC = -0.0047;
constexpr double kSystemLosses = 0.14;
constexpr double kInverterEtaNom = 0.96, kInverterEtaRef = 0.9637;
constexpr double kDcAcRatio = 1.2;

// Sandia array temperature model (D. L. King, W. E. Boyson, J. A. Kratochvil, "Photovoltaic Array
// Performance Model", SAND2004-3535, 2004, eqs. 11-12, table 1: glass/cell/polymer sheet, open rack),
// with a steady 1 m/s wind at module height.
constexpr double kSapmA = -3.56, kSapmB = -0.075, kSapmDeltaC = 3.0, kWindSpeedM_s = 1.0;

// Single-axis tracker: ground coverage ratio and rotation limit typical of utility plants, ground albedo.
constexpr double kTrackerGcr = 0.35, kTrackerMaxDeg = 60.0, kAlbedo = 0.2;

// prepare_case adds solar / battery gens at this many of the largest-load buses when the case has none.
constexpr int kAddedGenBuses = 10;

std::string lower(std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

enum class GenKind { Solar, Wind, Battery, Dispatchable };

GenKind kind_of(const Gen& g) {
    const std::string f = lower(g.fuel);
    if (f == "solar") return GenKind::Solar;
    if (f == "wind") return GenKind::Wind;
    if (f == "battery") return GenKind::Battery;
    return GenKind::Dispatchable;
}


double wrap_hour(double h) {
    double r = std::fmod(h, 24.0);
    if (r < 0) r += 24.0;
    return r >= 24.0 ? 0.0 : r;
}

int day_of_year(double epoch_s) {
    using namespace std::chrono;
    const sys_days day{days{static_cast<long>(std::floor(epoch_s / 86400.0))}};
    const year_month_day ymd{day};
    return static_cast<int>((day - sys_days{ymd.year() / January / 1}).count()) + 1;
}

void check(bool ok, const char* field, double value, const char* rule) {
    if (ok) return;
    throw std::invalid_argument(std::string("ScenarioParams.") + field + " = " + std::to_string(value) +
                                ": " + rule);
}

}  // namespace

// [SECTION] Parameters

void validate(const ScenarioParams& p) {
    const std::pair<const char*, double> all[] = {
        {"latitude_deg", p.latitude_deg},
        {"longitude_deg", p.longitude_deg},
        {"utc_offset_h", p.utc_offset_h},
        {"t_peak_c", p.t_peak_c},
        {"diurnal_range_c", p.diurnal_range_c},
        {"cooling_threshold_c", p.cooling_threshold_c},
        {"cooling_frac_per_c", p.cooling_frac_per_c},
        {"cooling_lag_h", p.cooling_lag_h},
        {"cloud_factor", p.cloud_factor},
        {"utility_pv_mw", p.utility_pv_mw},
        {"rooftop_pv_mw", p.rooftop_pv_mw},
        {"battery_mw", p.battery_mw},
        {"battery_mwh", p.battery_mwh},
        {"battery_round_trip", p.battery_round_trip},
        {"battery_charge_below", p.battery_charge_below},
        {"battery_discharge_above", p.battery_discharge_above},
        {"conductor_max_c", p.conductor_max_c},
        {"rating_ref_c", p.rating_ref_c},
    };
    for (const auto& [name, v] : all) check(std::isfinite(v), name, v, "must be a finite number");
    check(std::abs(p.latitude_deg) <= 90, "latitude_deg", p.latitude_deg, "must be in [-90, 90]");
    check(std::abs(p.longitude_deg) <= 180, "longitude_deg", p.longitude_deg, "must be in [-180, 180]");
    check(std::abs(p.utc_offset_h) <= 14, "utc_offset_h", p.utc_offset_h, "must be in [-14, 14]");
    check(p.diurnal_range_c >= 0, "diurnal_range_c", p.diurnal_range_c, "must not be negative");
    check(p.cooling_frac_per_c >= 0, "cooling_frac_per_c", p.cooling_frac_per_c, "must not be negative");
    check(p.cooling_lag_h >= 0 && p.cooling_lag_h <= 24, "cooling_lag_h", p.cooling_lag_h,
          "must be in [0, 24]");
    check(p.cloud_factor >= 0 && p.cloud_factor <= 1, "cloud_factor", p.cloud_factor, "must be in [0, 1]");
    check(p.utility_pv_mw >= 0, "utility_pv_mw", p.utility_pv_mw, "capacity must not be negative");
    check(p.rooftop_pv_mw >= 0, "rooftop_pv_mw", p.rooftop_pv_mw, "capacity must not be negative");
    check(p.battery_mw >= 0, "battery_mw", p.battery_mw, "capacity must not be negative");
    check(p.battery_mwh >= 0, "battery_mwh", p.battery_mwh, "energy capacity must not be negative");
    check(p.battery_round_trip > 0 && p.battery_round_trip <= 1, "battery_round_trip", p.battery_round_trip,
          "must be in (0, 1]");
    check(p.battery_charge_below >= 0, "battery_charge_below", p.battery_charge_below,
          "must not be negative");
    check(p.battery_discharge_above <= 1, "battery_discharge_above", p.battery_discharge_above,
          "must be at most 1 (the whole dispatchable capacity)");
    check(p.battery_charge_below <= p.battery_discharge_above, "battery_charge_below", p.battery_charge_below,
          "must not exceed battery_discharge_above");
    check(p.conductor_max_c > p.rating_ref_c, "conductor_max_c", p.conductor_max_c,
          "must exceed rating_ref_c (the ambient at which the case's ratings hold)");
}

// [SECTION] Weather, load and PV models

double local_hour(const ScenarioParams& p, double epoch_s) {
    return wrap_hour(epoch_s / 3600.0 + p.utc_offset_h);
}

// Two-piece cosine between the daily extremes: the WAVE model (C. T. de Wit et al., "Simulation of
// assimilation, respiration and transpiration of crops", Pudoc, Wageningen, 1978) as evaluated by
// D. C. Reicosky et al., "Accuracy of hourly air temperatures calculated from daily minima and maxima",
// Agric. For. Meteorol. 46 (1989) 193-209: a half cosine rising from the minimum near dawn to the
// maximum in mid-afternoon, and a half cosine falling over the remaining hours to the next minimum.
double ambient_temperature_c(const ScenarioParams& p, double hour) {
    const double h = wrap_hour(hour);
    const double t_min = p.t_peak_c - p.diurnal_range_c;
    const double rise_h = kTempMaxHour - kTempMinHour;
    if (h >= kTempMinHour && h <= kTempMaxHour)
        return t_min +
               p.diurnal_range_c * 0.5 * (1 - std::cos(std::numbers::pi * (h - kTempMinHour) / rise_h));
    const double since_max_h = wrap_hour(h - kTempMaxHour);
    return t_min + p.diurnal_range_c * 0.5 * (1 + std::cos(std::numbers::pi * since_max_h / (24 - rise_h)));
}

double load_shape(double hour) { return rts_summer_load_shape(hour); }

// B. Haurwitz, "Insolation in relation to cloudiness and cloud density", J. Meteorol. 2 (1945) 154-166,
// in the form of M. Reno, C. Hansen, J. Stein, SAND2012-2389 (2012), eq. 2, and pvlib.clearsky.haurwitz.
double clear_sky_ghi_w_m2(double zenith_deg) {
    const double cos_z = std::cos(zenith_deg * kDegToRad);
    if (!(cos_z > 0)) return 0.0;
    return 1098.0 * cos_z * std::exp(-0.059 / cos_z);
}

double pv_output_fraction(double irradiance_w_m2, double ambient_c) {
    if (!(irradiance_w_m2 > 0)) return 0.0;
    const double e = irradiance_w_m2;
    // Sandia model: back-of-module temperature (King et al. 2004, eq. 11), then the cell (eq. 12).
    const double t_module_c = e * std::exp(kSapmA + kSapmB * kWindSpeedM_s) + ambient_c;
    const double t_cell_c = t_module_c + e / 1000.0 * kSapmDeltaC;
    // PVWatts DC power (Dobos 2014, eq. 2), in units of the AC nameplate, less the system losses.
    const double pdc = kDcAcRatio * e / 1000.0 * (1 + kGammaPerC * (t_cell_c - 25.0)) * (1 - kSystemLosses);
    if (!(pdc > 0)) return 0.0;
    // PVWatts inverter (Dobos 2014, eqs. 8-9): efficiency curve in zeta = Pdc / Pdc0 with Pdc0 = Pac0 /
    // eta_nom, output clipped at the AC nameplate.
    const double zeta = pdc * kInverterEtaNom;
    const double eta = kInverterEtaNom / kInverterEtaRef * (-0.0162 * zeta - 0.0059 / zeta + 0.9858);
    return std::clamp(eta * pdc, 0.0, 1.0);
}

double tracker_poa_w_m2(double ghi_w_m2, double zenith_deg, double sun_azimuth_deg, int day_of_year) {
    if (!(ghi_w_m2 > 0) || !(zenith_deg < 90)) return 0.0;
    const double cos_z = std::cos(zenith_deg * kDegToRad);
    // Extraterrestrial irradiance: Spencer (1971) as in pvlib.irradiance.get_extra_radiation.
    const double b = 2 * std::numbers::pi * (day_of_year - 1) / 365.0;
    const double e0 = 1367.0 * (1.00011 + 0.034221 * std::cos(b) + 0.00128 * std::sin(b) +
                                0.000719 * std::cos(2 * b) + 0.000077 * std::sin(2 * b));
    // Erbs, Klein, Duffie, "Estimation of the diffuse radiation fraction for hourly, daily and
    // monthly-average global radiation", Solar Energy 28 (1982) 293-302, eq. 1, with pvlib's guards.
    const double kt = std::clamp(ghi_w_m2 / (e0 * std::max(cos_z, 0.065)), 0.0, 1.0);
    double diffuse_frac = 0.165;
    if (kt <= 0.22)
        diffuse_frac = 1 - 0.09 * kt;
    else if (kt <= 0.8)
        diffuse_frac =
            0.9511 - 0.1604 * kt + 4.388 * kt * kt - 16.638 * std::pow(kt, 3) + 12.336 * std::pow(kt, 4);
    // Near the horizon (zenith > 87 deg, pvlib's limit) all of it is taken as diffuse.
    const double dhi = zenith_deg > 87 ? ghi_w_m2 : diffuse_frac * ghi_w_m2;
    const double dni = zenith_deg > 87 ? 0.0 : (ghi_w_m2 - dhi) / cos_z;
    // Sun vector (east, north, up); the tracker normal turns about the north-south axis: (sin R, 0, cos R).
    const double sin_z = std::sin(zenith_deg * kDegToRad);
    const double sun_east = sin_z * std::sin(sun_azimuth_deg * kDegToRad);
    const double ideal_deg = std::atan2(sun_east, cos_z) * kRadToDeg;
    // Backtracking (Lorenzo, Narvarte, Munoz, Prog. Photovolt. 19 (2011) 747-753; pvlib.tracking.singleaxis):
    // turn back from the ideal angle just enough that rows do not shade each other.
    double rot_deg = ideal_deg;
    const double shade = std::abs(std::cos(ideal_deg * kDegToRad)) / kTrackerGcr;
    if (shade < 1) rot_deg = ideal_deg - std::copysign(std::acos(shade) * kRadToDeg, ideal_deg);
    rot_deg = std::clamp(rot_deg, -kTrackerMaxDeg, kTrackerMaxDeg);
    const double cos_r = std::cos(rot_deg * kDegToRad);
    const double cos_aoi = std::sin(rot_deg * kDegToRad) * sun_east + cos_r * cos_z;
    // Isotropic sky (B. Y. H. Liu, R. C. Jordan, Solar Energy 7 (1963) 53-74) plus ground reflection.
    return dni * std::max(0.0, cos_aoi) + dhi * (1 + cos_r) / 2 + ghi_w_m2 * kAlbedo * (1 - cos_r) / 2;
}

// IEEE Std 738-2012, eq. (1): I = sqrt((qc + qr - qs) / R(Tc)). With the convective loss qc proportional
// to (Tmax - Ta) and radiation and solar gain folded into it, the allowed current scales as
// sqrt(Tmax - Ta); normalised to 1 at the ambient of the case's ratings.
double rating_factor(const ScenarioParams& p, double ambient_c) {
    validate(p);
    return std::sqrt(std::max(0.0, p.conductor_max_c - ambient_c) / (p.conductor_max_c - p.rating_ref_c));
}

// [SECTION] One instant

double total_demand_mw(const Case& c) {
    double s = 0;
    for (const Bus& b : c.buses) s += b.pd_mw;
    return s;
}

bool dispatchable(const Gen& g) { return kind_of(g) == GenKind::Dispatchable; }

Conditions conditions_at(const ScenarioParams& p, const Case& base, double epoch_s, const WeatherOverride* weather) {
    validate(p);
    Conditions c;
    c.epoch_s = epoch_s;
    c.local_hour = local_hour(p, epoch_s);
    c.ambient_c = weather ? weather->ambient_c : ambient_temperature_c(p, c.local_hour);

    const SolarPosition sun = noaa_solar_position(epoch_s, p.latitude_deg, p.longitude_deg);
    c.sun_elevation_deg = sun.elevation_deg;
    const double zenith_deg = 90.0 - sun.elevation_deg;  // apparent (refracted), as pvlib's Haurwitz takes
    c.ghi_w_m2 = weather ? weather->ghi_w_m2 : clear_sky_ghi_w_m2(zenith_deg) * (1 - p.cloud_factor);

    // Demand: the daily activity pattern on the case's total, plus air conditioning driven by the air
    // temperature cooling_lag_h earlier (heat reaches the indoor air through the building's mass late).
    const double base_mw = total_demand_mw(base);
    const double t_lagged_c = weather ? weather->lagged_ambient_c : ambient_temperature_c(p, c.local_hour - p.cooling_lag_h);
    c.cooling_mw =
        std::max(0.0, base_mw) * p.cooling_frac_per_c * std::max(0.0, t_lagged_c - p.cooling_threshold_c);
    c.demand_mw = base_mw * load_shape(c.local_hour) + c.cooling_mw;

    double solar_pmax_mw = 0;
    for (const Gen& g : base.gens) {
        if (g.status <= 0) continue;
        const GenKind k = kind_of(g);
        if (k == GenKind::Solar) solar_pmax_mw += std::max(0.0, g.pmax_mw);
        if (k == GenKind::Wind) c.wind_mw += std::clamp(g.pg_mw, 0.0, std::max(0.0, g.pmax_mw));
    }
    const double utility_poa = p.utility_pv_tracking ? tracker_poa_w_m2(c.ghi_w_m2, zenith_deg,
                                                                        sun.azimuth_deg, day_of_year(epoch_s))
                                                     : c.ghi_w_m2;
    c.utility_pv_mw = solar_pmax_mw * pv_output_fraction(utility_poa, c.ambient_c);
    c.rooftop_pv_mw = p.rooftop_pv_mw * pv_output_fraction(c.ghi_w_m2, c.ambient_c);
    c.net_load_mw = c.demand_mw - c.utility_pv_mw - c.rooftop_pv_mw - c.wind_mw;
    c.rating_factor = rating_factor(p, c.ambient_c);
    return c;
}

// [SECTION] Preparing the case

namespace {

// Scales the in-service gens of one kind to total_mw, or adds them at the largest-load buses.
void size_fleet(Case& c, GenKind kind, const char* fuel, const char* type, double total_mw) {
    const bool storage = kind == GenKind::Battery;
    std::vector<size_t> fleet;
    double sum_mw = 0;
    for (size_t k = 0; k < c.gens.size(); ++k) {
        if (c.gens[k].status > 0 && kind_of(c.gens[k]) == kind) {
            fleet.push_back(k);
            sum_mw += std::max(0.0, c.gens[k].pmax_mw);
        }
    }
    if (fleet.empty()) {
        if (total_mw <= 0) return;
        std::vector<size_t> buses;
        for (size_t b = 0; b < c.buses.size(); ++b)
            if (c.buses[b].type != BusType::Isolated) buses.push_back(b);
        if (buses.empty())
            throw std::invalid_argument("prepare_case: the case has no connected bus for new gens");
        std::stable_sort(buses.begin(), buses.end(),
                         [&](size_t a, size_t b) { return c.buses[a].pd_mw > c.buses[b].pd_mw; });
        if (buses.size() > kAddedGenBuses) buses.resize(kAddedGenBuses);
        double load_mw = 0;
        for (size_t b : buses) load_mw += std::max(0.0, c.buses[b].pd_mw);
        for (size_t b : buses) {
            const double share =
                load_mw > 0 ? std::max(0.0, c.buses[b].pd_mw) / load_mw : 1.0 / double(buses.size());
            if (load_mw > 0 && share <= 0) continue;
            Gen g;
            g.bus = c.buses[b].id;
            g.pmax_mw = total_mw * share;
            g.pmin_mw = storage ? -g.pmax_mw : 0.0;
            g.pg_mw = 0;
            g.qmax_mvar = g.qmin_mvar = 0;  // unity power factor
            g.vg_pu = c.buses[b].vm_pu;
            g.type = type;
            g.fuel = fuel;
            c.gens.push_back(g);
        }
        return;
    }
    // Already at the target (a repeated call): leave the numbers bit for bit as they are.
    const bool at_target = std::abs(sum_mw - total_mw) <= 1e-9 * std::max(1.0, total_mw);
    for (size_t k : fleet) {
        Gen& g = c.gens[k];
        if (!at_target)
            g.pmax_mw =
                sum_mw > 0 ? std::max(0.0, g.pmax_mw) * (total_mw / sum_mw) : total_mw / double(fleet.size());
        g.pmin_mw = storage ? -g.pmax_mw : 0.0;
        g.pg_mw = storage ? 0.0 : g.pmax_mw;
    }
}

// Utility PV. The case's own solar plants keep their size (scaled down pro rata when utility_pv_mw is
// smaller); capacity beyond them connects at the buses of the dispatchable plants, pro rata to the plants'
// capacity there. Their transmission was built to carry that much power, so a large PV build-out does not
// land on the few lines of a case's small solar sites (which would overload them several times over); in
// practice much new solar and storage connects at existing plants' points of interconnection. The added gens
// carry type "PVX" and exist (at pmax 0 when not needed) whenever the case has a dispatchable plant, so the
// number of gens does not depend on utility_pv_mw. A case with no dispatchable plant falls back to
// size_fleet's rule (the largest-load buses).
void size_solar(Case& c, double total_mw) {
    std::vector<size_t> own, added;
    double own_mw = 0;
    std::map<int, double> plant_mw;  // bus id -> dispatchable capacity there
    for (size_t k = 0; k < c.gens.size(); ++k) {
        const Gen& g = c.gens[k];
        if (g.status <= 0) continue;
        const GenKind kind = kind_of(g);
        if (kind == GenKind::Solar) {
            if (g.type == "PVX") {
                added.push_back(k);
            } else {
                own.push_back(k);
                own_mw += std::max(0.0, g.pmax_mw);
            }
        } else if (kind == GenKind::Dispatchable && g.pmax_mw > 0) {
            plant_mw[g.bus] += g.pmax_mw;
        }
    }
    if (plant_mw.empty() && added.empty()) {
        size_fleet(c, GenKind::Solar, "solar", "PV", total_mw);
        return;
    }
    // The case's own plants: at most their size.
    const double own_target = std::min(total_mw, own_mw);
    if (own_mw > 0 && std::abs(own_mw - own_target) > 1e-9 * std::max(1.0, own_mw))
        for (size_t k : own) c.gens[k].pmax_mw = std::max(0.0, c.gens[k].pmax_mw) * (own_target / own_mw);
    for (size_t k : own) {
        c.gens[k].pmin_mw = 0;
        c.gens[k].pg_mw = c.gens[k].pmax_mw;
    }
    if (added.empty()) {
        for (const auto& [bus, mw] : plant_mw) {
            const int b = c.bus_index(bus);
            if (b < 0) continue;
            Gen g;
            g.bus = bus;
            g.qmax_mvar = g.qmin_mvar = 0;  // unity power factor
            g.vg_pu = c.buses[b].vm_pu;
            g.type = "PVX";
            g.fuel = "solar";
            added.push_back(c.gens.size());
            c.gens.push_back(g);
        }
    }
    double plants_total = 0;
    for (const auto& [bus, mw] : plant_mw) plants_total += mw;
    const double rest_mw = std::max(0.0, total_mw - own_target);
    for (size_t k : added) {
        Gen& g = c.gens[k];
        const auto it = plant_mw.find(g.bus);
        const double share = plants_total > 0 && it != plant_mw.end() ? it->second / plants_total
                                                                      : 1.0 / double(added.size());
        g.pmax_mw = rest_mw * share;
        g.pmin_mw = 0;
        g.pg_mw = g.pmax_mw;
    }
}

}  // namespace

void prepare_case(Case& c, const ScenarioParams& p) {
    validate(p);
    size_solar(c, p.utility_pv_mw);
    size_fleet(c, GenKind::Battery, "battery", "BA", p.battery_mw);
    for (Gen& g : c.gens)
        if (g.status > 0 && kind_of(g) == GenKind::Wind) g.pmin_mw = 0;  // wind can be curtailed
}

// [SECTION] Dispatch

BatteryState battery_start(const ScenarioParams& p) {
    return BatteryState{0.5 * p.battery_mwh};
}

Injections dispatch(const Case& prepared, const ScenarioParams& p, const Conditions& cond,
                    BatteryState& battery, double dt_s, const BusLoads* loads) {
    validate(p);
    if (!(dt_s > 0) || !std::isfinite(dt_s)) throw std::invalid_argument("dispatch: dt_s must be positive");
    Injections inj;
    inj.dt_s = dt_s;
    const double step_h = dt_s / 3600.0;

    // Bus demand: the case's distribution scaled to the conditions' demand less rooftop PV; buses whose load
    // another module sets take that instead, and campuses add theirs.
    double base_mw = total_demand_mw(prepared), coupled_mw = 0;
    const bool coupled = loads && loads->fixed_mw.size() == prepared.buses.size();
    if (coupled)
        for (size_t b = 0; b < prepared.buses.size(); ++b) {
            if (!std::isnan(loads->fixed_mw[b])) base_mw -= prepared.buses[b].pd_mw, coupled_mw += loads->fixed_mw[b];
            coupled_mw += loads->added_mw[b];
        }
    const double load_mw = cond.demand_mw - cond.rooftop_pv_mw;
    const double scale = base_mw != 0 ? (load_mw - coupled_mw) / base_mw : 0.0;
    inj.bus_pd_mw.resize(prepared.buses.size());
    for (size_t b = 0; b < prepared.buses.size(); ++b) {
        inj.bus_pd_mw[b] = prepared.buses[b].pd_mw * scale;
        if (coupled) {
            if (!std::isnan(loads->fixed_mw[b])) inj.bus_pd_mw[b] = loads->fixed_mw[b];
            inj.bus_pd_mw[b] += loads->added_mw[b];
        }
    }
    const double bus_total_mw = base_mw != 0 || coupled ? load_mw : 0.0;

    // Variable renewables at their available output; the dispatchable fleet's range.
    const size_t n = prepared.gens.size();
    inj.gen_pg_mw.assign(n, 0.0);
    std::vector<GenKind> kinds(n);
    double solar_pmax_mw = 0, battery_pmax_mw = 0, cap_mw = 0, floor_mw = 0;
    for (size_t k = 0; k < n; ++k) {
        const Gen& g = prepared.gens[k];
        kinds[k] = kind_of(g);
        if (g.status <= 0) continue;
        if (kinds[k] == GenKind::Solar) solar_pmax_mw += std::max(0.0, g.pmax_mw);
        if (kinds[k] == GenKind::Battery) battery_pmax_mw += std::max(0.0, g.pmax_mw);
        if (kinds[k] == GenKind::Dispatchable) {
            cap_mw += g.pmax_mw;
            floor_mw += g.pmin_mw;
        }
    }
    const double solar_frac = solar_pmax_mw > 0 ? cond.utility_pv_mw / solar_pmax_mw : 0.0;
    double solar_mw = 0, wind_mw = 0;
    for (size_t k = 0; k < n; ++k) {
        const Gen& g = prepared.gens[k];
        if (g.status <= 0) continue;
        if (kinds[k] == GenKind::Solar) solar_mw += inj.gen_pg_mw[k] = std::max(0.0, g.pmax_mw) * solar_frac;
        if (kinds[k] == GenKind::Wind)
            wind_mw += inj.gen_pg_mw[k] = std::clamp(g.pg_mw, 0.0, std::max(0.0, g.pmax_mw));
    }

    // Battery, peak shaving without foresight: its level rule against the dispatchable capacity.
    const double power_mw = std::min(battery_pmax_mw, p.battery_mw);
    const double energy_mwh = p.battery_mwh;
    const double eta = std::sqrt(p.battery_round_trip);  // one way
    const double soc = std::clamp(battery.soc_mwh, 0.0, energy_mwh);
    const bool has_battery = power_mw > 0 && energy_mwh > 0;
    const double max_discharge_mw = has_battery ? std::min(power_mw, soc * eta / step_h) : 0.0;
    const double max_charge_mw = has_battery ? std::min(power_mw, (energy_mwh - soc) / (eta * step_h)) : 0.0;
    // What the battery and the dispatchable gens must meet.
    const double net_mw = bus_total_mw - solar_mw - wind_mw;
    double battery_mw = 0;
    if (net_mw > p.battery_discharge_above * cap_mw)
        battery_mw = std::min(max_discharge_mw, net_mw - p.battery_discharge_above * cap_mw);
    else if (net_mw < p.battery_charge_below * cap_mw)
        battery_mw = -std::min(max_charge_mw, p.battery_charge_below * cap_mw - net_mw);

    double need_mw = net_mw - battery_mw;  // for the dispatchable gens
    double served_mw = bus_total_mw;
    if (need_mw > cap_mw) {
        // Shortage: no charging, then shed pro rata what pmax cannot serve.
        if (battery_mw < 0) {
            const double less = std::min(-battery_mw, need_mw - cap_mw);
            battery_mw += less;
            need_mw -= less;
        }
        if (need_mw > cap_mw) {
            inj.shed_mw = need_mw - cap_mw;
            need_mw = cap_mw;
            served_mw = bus_total_mw - inj.shed_mw;
            const double keep = bus_total_mw > 0 ? served_mw / bus_total_mw : 0.0;
            for (double& pd : inj.bus_pd_mw) pd *= keep;
        }
    } else if (need_mw < floor_mw) {
        // Surplus over the fleet's minimum: less discharge, more charging, then curtail PV and wind.
        double surplus = floor_mw - need_mw;
        auto take = [&](double available) {
            const double t = std::clamp(available, 0.0, surplus);
            surplus -= t;
            return t;
        };
        battery_mw -= take(battery_mw);
        battery_mw -= take(max_charge_mw + std::min(battery_mw, 0.0));
        const double solar_cut = take(solar_mw), wind_cut = take(wind_mw);
        for (size_t k = 0; k < n; ++k) {
            if (kinds[k] == GenKind::Solar && solar_mw > 0) inj.gen_pg_mw[k] *= 1 - solar_cut / solar_mw;
            if (kinds[k] == GenKind::Wind && wind_mw > 0) inj.gen_pg_mw[k] *= 1 - wind_cut / wind_mw;
        }
        inj.curtailed_mw = solar_cut + wind_cut;
        solar_mw -= solar_cut;
        wind_mw -= wind_cut;
        need_mw = floor_mw - surplus;
        inj.below_pmin = surplus > 0;
    }

    // Dispatchable gens: pmin + a (pmax - pmin), one a for all, so each shares the balance in proportion
    // to its range. Below the fleet's minimum (inj.below_pmin) the gens with pmin > 0 back down pro rata,
    // as if units were decommitted; if even that is not enough, rooftop PV is curtailed (demand raised).
    const double range_mw = cap_mw - floor_mw;
    const double a = range_mw > 0 ? std::clamp((need_mw - floor_mw) / range_mw, 0.0, 1.0) : 0.0;
    double positive_floor_mw = 0;
    for (size_t k = 0; k < n; ++k)
        if (prepared.gens[k].status > 0 && kinds[k] == GenKind::Dispatchable)
            positive_floor_mw += std::max(0.0, prepared.gens[k].pmin_mw);
    const double floor_cut_mw = inj.below_pmin ? std::min(floor_mw - need_mw, positive_floor_mw) : 0.0;
    const double floor_keep = positive_floor_mw > 0 ? 1 - floor_cut_mw / positive_floor_mw : 1.0;
    double dispatch_mw = 0;
    for (size_t k = 0; k < n; ++k) {
        const Gen& g = prepared.gens[k];
        if (g.status <= 0 || kinds[k] != GenKind::Dispatchable) continue;
        double pg = g.pmin_mw + a * (g.pmax_mw - g.pmin_mw);
        if (inj.below_pmin && g.pmin_mw > 0) pg = g.pmin_mw * floor_keep;
        dispatch_mw += inj.gen_pg_mw[k] = pg;
    }
    if (inj.below_pmin) {
        const double excess_mw = dispatch_mw + solar_mw + wind_mw + battery_mw - served_mw;
        if (excess_mw > 0 && base_mw != 0) {
            for (size_t b = 0; b < inj.bus_pd_mw.size(); ++b)
                inj.bus_pd_mw[b] += excess_mw * prepared.buses[b].pd_mw / base_mw;
            served_mw += excess_mw;
        }
    }

    // Battery gens share its output pro rata to their power; the state of charge follows (one-way losses).
    for (size_t k = 0; k < n; ++k)
        if (prepared.gens[k].status > 0 && kinds[k] == GenKind::Battery && battery_pmax_mw > 0)
            inj.gen_pg_mw[k] = battery_mw * std::max(0.0, prepared.gens[k].pmax_mw) / battery_pmax_mw;
    const double charge_mwh = battery_mw < 0 ? -battery_mw * eta * step_h : -battery_mw / eta * step_h;
    battery.soc_mwh = has_battery ? std::clamp(soc + charge_mwh, 0.0, energy_mwh) : soc;
    inj.battery_mw = battery_mw;
    inj.battery_soc_mwh = battery.soc_mwh;

    inj.served_mw = served_mw;
    const double available_mw = cap_mw + cond.utility_pv_mw + cond.wind_mw + max_discharge_mw;
    inj.reserve_margin =
        served_mw > 0 ? (available_mw - served_mw) / served_mw : std::numeric_limits<double>::infinity();
    return inj;
}

void apply(Case& c, const Injections& inj) {
    if (inj.bus_pd_mw.size() != c.buses.size() || inj.gen_pg_mw.size() != c.gens.size())
        throw std::invalid_argument("apply: the injections were made for a case of another size");
    for (size_t b = 0; b < c.buses.size(); ++b) {
        Bus& bus = c.buses[b];
        if (bus.pd_mw != 0) bus.qd_mvar *= inj.bus_pd_mw[b] / bus.pd_mw;
        bus.pd_mw = inj.bus_pd_mw[b];
    }
    for (size_t k = 0; k < c.gens.size(); ++k) c.gens[k].pg_mw = inj.gen_pg_mw[k];
}

void units_for_operator(Case& c) {
    for (Gen& g : c.gens) {
        if (g.status <= 0) continue;
        if (dispatchable(g)) g.pmin_mw = 0;
        else if (g.pmin_mw >= 0) g.pmin_mw = 0, g.pmax_mw = std::max(0.0, g.pg_mw);
        else g.pmin_mw = std::min(0.0, g.pg_mw), g.pmax_mw = std::max(0.0, g.pg_mw);
    }
}

// [SECTION] The day's record

void DayRecord::add(double t, const Conditions& cond, const Injections& inj) {
    t_s.push_back(t);
    demand_mw.push_back(cond.demand_mw);
    cooling_mw.push_back(cond.cooling_mw);
    pv_mw.push_back(cond.utility_pv_mw + cond.rooftop_pv_mw);
    wind_mw.push_back(cond.wind_mw);
    net_load_mw.push_back(cond.net_load_mw);
    battery_mw.push_back(inj.battery_mw);
    shed_mw.push_back(inj.shed_mw);
    reserve_margin.push_back(inj.reserve_margin);
    ambient_c.push_back(cond.ambient_c);
    soc_mwh.push_back(inj.battery_soc_mwh);
    step_s.push_back(inj.dt_s);
}

namespace {
double max_of(const std::vector<double>& v) {
    return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end());
}
}  // namespace

double DayRecord::peak_demand_mw() const {
    return max_of(demand_mw);
}
double DayRecord::peak_net_load_mw() const {
    return max_of(net_load_mw);
}

double DayRecord::peak_net_after_storage_mw() const {
    double peak = net_load_mw.empty() ? 0.0 : -std::numeric_limits<double>::infinity();
    for (size_t k = 0; k < net_load_mw.size(); ++k) peak = std::max(peak, net_load_mw[k] - battery_mw[k]);
    return peak;
}

// CAISO's "maximum 3-hour net load ramp": the largest net_load(t) - min net_load over [t - 3 h, t].
double DayRecord::max_ramp_3h_mw(double* at_t_s) const {
    double best = 0, best_t = t_s.empty() ? 0.0 : t_s.front();
    for (size_t j = 0; j < t_s.size(); ++j) {
        for (size_t i = j; i-- > 0 && t_s[j] - t_s[i] <= 3 * 3600.0 + 1e-6;) {
            const double rise = net_load_mw[j] - net_load_mw[i];
            if (rise > best) {
                best = rise;
                best_t = t_s[j];
            }
        }
    }
    if (at_t_s) *at_t_s = best_t;
    return best;
}

double DayRecord::energy_not_served_mwh() const {
    double mwh = 0;
    for (size_t k = 0; k < shed_mw.size(); ++k) mwh += shed_mw[k] * step_s[k] / 3600.0;
    return mwh;
}

void DayRecord::write_csv(const std::filesystem::path& file) const {
    std::ofstream out(file);
    if (!out) throw std::runtime_error("cannot write " + file.string());
    out.precision(10);
    out << "t_s,ambient_c,demand_mw,cooling_mw,pv_mw,wind_mw,net_load_mw,battery_mw,shed_mw,reserve_margin\n";
    for (size_t k = 0; k < t_s.size(); ++k)
        out << t_s[k] << ',' << ambient_c[k] << ',' << demand_mw[k] << ',' << cooling_mw[k] << ',' << pv_mw[k]
            << ',' << wind_mw[k] << ',' << net_load_mw[k] << ',' << battery_mw[k] << ',' << shed_mw[k] << ','
            << reserve_margin[k] << '\n';
    if (!out) throw std::runtime_error("failed writing " + file.string());
}

DayRecord simulate_day(const Case& prepared, const ScenarioParams& p, double start_epoch_s, int steps,
                       double dt_s, BatteryState& battery) {
    DayRecord rec;
    for (int k = 0; k < steps; ++k) {
        const double t = start_epoch_s + k * dt_s;
        const Conditions cond = conditions_at(p, prepared, t);
        rec.add(t, cond, dispatch(prepared, p, cond, battery, dt_s));
    }
    return rec;
}

}  // namespace infrascape::grid
