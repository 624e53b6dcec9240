// Tests of the summer-day scenario (modules/grid/scenario): each weather, load, PV and rating model against
// hand values from its published formula; a day at 5-minute steps on case30 and on ACTIVSg2000 (skipped when
// ../shared/data lacks it) for balance, limits, timing of PV and of the evening ramp, and DC power flow;
// hotter / cloudier / with-battery comparisons; exact load shedding; and bad parameters.
#include <catch2/catch.hpp>

#include <set>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>

#include "grid_test_support.hpp"
#include "modules/grid/case.hpp"
#include "modules/grid/power_flow.hpp"
#include "modules/grid/scenario.hpp"
#include "core/solar_position.hpp"

using namespace infrascape::grid;

namespace {

using grid_test::kData;
using grid_test::shipped_case;

constexpr double kDayStart = 1752555600.0;  // 2025-07-15 05:00 UTC = 00:00 CDT (UTC-5)
constexpr double kStep = 300.0;
constexpr int kSteps = 289;  // midnight to midnight inclusive

double local_h(double t_s) {
    return (t_s - kDayStart) / 3600.0;
}

// Solar noon of the day in local hours (NOAA), for the default site.
double solar_noon_h(const ScenarioParams& p) {
    const double noon_utc_s = kDayStart + 12 * 3600.0;
    return noaa_solar_day(noon_utc_s, p.latitude_deg, p.longitude_deg, p.utc_offset_h).solar_noon_min / 60.0;
}

size_t argmax(const std::vector<double>& v) {
    return size_t(std::max_element(v.begin(), v.end()) - v.begin());
}

double sum(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s;
}

struct DayChecks {
    double max_balance_mw = 0, max_pmin_violation_mw = 0, max_pmax_violation_mw = 0;
    double soc_min_mwh = 1e300, soc_max_mwh = -1e300;
    int power_flows = 0;
};

// A whole day step by step with the checks that need each step's injections: balance, gen limits, SOC, and a
// DC power flow on the applied case every `pf_every` steps.
DayRecord run_checked_day(const Case& prepared, const ScenarioParams& p, DayChecks& chk, int pf_every) {
    BatteryState battery = battery_start(p);
    DayRecord rec;
    for (int k = 0; k < kSteps; ++k) {
        const double t = kDayStart + k * kStep;
        const Conditions cond = conditions_at(p, prepared, t);
        const Injections inj = dispatch(prepared, p, cond, battery, kStep);
        rec.add(t, cond, inj);
        chk.max_balance_mw = std::max(chk.max_balance_mw, std::abs(sum(inj.gen_pg_mw) - sum(inj.bus_pd_mw)));
        REQUIRE_FALSE(inj.below_pmin);
        for (size_t g = 0; g < prepared.gens.size(); ++g) {
            const Gen& gen = prepared.gens[g];
            if (gen.status <= 0) {
                REQUIRE(inj.gen_pg_mw[g] == 0);
                continue;
            }
            chk.max_pmin_violation_mw = std::max(chk.max_pmin_violation_mw, gen.pmin_mw - inj.gen_pg_mw[g]);
            chk.max_pmax_violation_mw = std::max(chk.max_pmax_violation_mw, inj.gen_pg_mw[g] - gen.pmax_mw);
        }
        chk.soc_min_mwh = std::min(chk.soc_min_mwh, battery.soc_mwh);
        chk.soc_max_mwh = std::max(chk.soc_max_mwh, battery.soc_mwh);
        if (k % pf_every == 0) {
            Case applied = prepared;
            apply(applied, inj);
            const PowerFlowResult pf = dc_power_flow(applied);
            REQUIRE(pf.converged);
            // Generation balances demand, so the slack gen keeps its dispatched output (DC has no losses).
            double shunt_mw = 0;  // DC power flow takes bus Gs as load
            for (const Bus& b : applied.buses) shunt_mw += b.gs_mw;
            REQUIRE(sum(pf.pg_mw) == Approx(sum(inj.bus_pd_mw) + shunt_mw).margin(1e-6));
            ++chk.power_flows;
        }
    }
    return rec;
}

}  // namespace

// [SECTION] Each model against hand values

TEST_CASE("Haurwitz clear-sky GHI: closed form at zenith 0 and 60 deg, zero below the horizon",
          "[grid][scenario]") {
    CHECK(clear_sky_ghi_w_m2(0) == Approx(1098.0 * std::exp(-0.059)).epsilon(1e-12));  // 1035.10
    CHECK(clear_sky_ghi_w_m2(0) == Approx(1035.10).margin(0.01));
    CHECK(clear_sky_ghi_w_m2(60) == Approx(1098.0 * 0.5 * std::exp(-0.118)).epsilon(1e-12));  // 487.90
    CHECK(clear_sky_ghi_w_m2(60) == Approx(487.90).margin(0.01));
    CHECK(clear_sky_ghi_w_m2(90) == 0);
    CHECK(clear_sky_ghi_w_m2(95) == 0);
    CHECK(clear_sky_ghi_w_m2(120) == 0);
}

TEST_CASE("Rating factor: 1 at the reference ambient, sqrt((75-40)/(75-25)) at 40 C, 0 from 75 C",
          "[grid][scenario]") {
    const ScenarioParams p;
    CHECK(rating_factor(p, 25) == Approx(1.0).epsilon(1e-15));
    CHECK(rating_factor(p, 40) == Approx(std::sqrt(35.0 / 50.0)).epsilon(1e-15));  // 0.83666
    CHECK(rating_factor(p, 0) == Approx(std::sqrt(75.0 / 50.0)).epsilon(1e-15));
    CHECK(rating_factor(p, 75) == 0);
    CHECK(rating_factor(p, 90) == 0);
}

TEST_CASE("Temperature cycle: minimum peak-range at 06:00, maximum peak at 16:00, continuous",
          "[grid][scenario]") {
    ScenarioParams p;
    p.t_peak_c = 40;
    p.diurnal_range_c = 12;
    CHECK(ambient_temperature_c(p, kTempMinHour) == Approx(28.0).epsilon(1e-14));
    CHECK(ambient_temperature_c(p, kTempMaxHour) == Approx(40.0).epsilon(1e-14));
    // Half way up (11:00) and half way down (23:00) the cosine gives the mean.
    CHECK(ambient_temperature_c(p, 11) == Approx(34.0).epsilon(1e-14));
    CHECK(ambient_temperature_c(p, 23) == Approx(34.0).epsilon(1e-14));
    double lo = 1e9, hi = -1e9, lo_h = 0, hi_h = 0, max_jump = 0;
    for (int m = 0; m <= 24 * 60; ++m) {
        const double h = m / 60.0, t = ambient_temperature_c(p, h);
        if (t < lo) lo = t, lo_h = h;
        if (t > hi) hi = t, hi_h = h;
        if (m > 0) max_jump = std::max(max_jump, std::abs(t - ambient_temperature_c(p, h - 1 / 60.0)));
    }
    CHECK(lo_h == Approx(6.0));
    CHECK(hi_h == Approx(16.0));
    CHECK(lo == Approx(28.0));
    CHECK(hi == Approx(40.0));
    CHECK(max_jump < 0.05);  // no step at midnight or at the extremes
    CHECK(ambient_temperature_c(p, 24) == Approx(ambient_temperature_c(p, 0)));
}

TEST_CASE("Load shape: RTS-79 summer weekday, max 1, night trough, evening shoulder and lighting peak",
          "[grid][scenario]") {
    double hi = 0, lo = 2;
    for (int m = 0; m < 24 * 60; ++m) {
        hi = std::max(hi, load_shape(m / 60.0));
        lo = std::min(lo, load_shape(m / 60.0));
    }
    CHECK(hi == Approx(1.0).epsilon(1e-15));
    CHECK(lo == Approx(0.56).epsilon(1e-15));
    // Table values at hour midpoints: 03:30 and 04:30 the trough, 11:30 the first 100 %.
    CHECK(load_shape(3.5) == Approx(0.56));
    CHECK(load_shape(11.5) == Approx(1.0));
    CHECK(load_shape(17.5) == Approx(0.96));
    // Evening: demand stays at >= 92 % of the peak until 21:30, with a local maximum at 21:30 (0.93).
    for (double h = 17; h <= 21.5; h += 0.25) CHECK(load_shape(h) >= 0.92 - 1e-12);
    CHECK(load_shape(21.5) == Approx(0.93));
    CHECK(load_shape(21.5) > load_shape(20.5));
    CHECK(load_shape(21.5) > load_shape(22.5));
    CHECK(load_shape(0) == Approx(load_shape(24)));
}

TEST_CASE("PVWatts output: hand value at 1000 W/m2 and 25 C, clipping, temperature derate, zero at night",
          "[grid][scenario]") {
    // Sandia: Tm = 1000 exp(-3.56 - 0.075) + 25 = 51.38 C, Tc = 54.38 C; PVWatts DC = 1.2 (1 - 0.0047
    // * 29.38)
    // * 0.86 = 0.8895 of AC nameplate; inverter zeta = 0.8539, eta = 0.96/0.9637 (-0.0162 zeta - 0.0059/zeta
    // + 0.9858) = 0.9614; AC = 0.8551.
    const double tc = 1000 * std::exp(-3.56 - 0.075) + 25 + 3;
    const double pdc = 1.2 * (1 - 0.0047 * (tc - 25)) * 0.86;
    const double zeta = pdc * 0.96;
    const double ac = 0.96 / 0.9637 * (-0.0162 * zeta - 0.0059 / zeta + 0.9858) * pdc;
    CHECK(pv_output_fraction(1000, 25) == Approx(ac).epsilon(1e-12));
    CHECK(pv_output_fraction(1000, 25) == Approx(0.8551).margin(1e-4));
    CHECK(pv_output_fraction(1000, 45) < pv_output_fraction(1000, 25));  // hot cells make less
    CHECK(pv_output_fraction(1400, 0) == 1.0);                           // clipped at the AC nameplate
    CHECK(pv_output_fraction(0, 30) == 0);
    CHECK(pv_output_fraction(-5, 30) == 0);
    CHECK(pv_output_fraction(2, 30) == 0);  // below the inverter's start, the curve is negative: clamped
}

TEST_CASE("Tracker plane of array: equals GHI with the sun overhead, gains on low sun, zero at night",
          "[grid][scenario]") {
    CHECK(tracker_poa_w_m2(1000, 0, 180, 196) == Approx(1000).epsilon(1e-12));
    const double ghi = clear_sky_ghi_w_m2(60);
    CHECK(tracker_poa_w_m2(ghi, 60, 270, 196) > 1.4 * ghi);  // turned toward the western sun
    CHECK(tracker_poa_w_m2(ghi, 60, 270, 196) == Approx(tracker_poa_w_m2(ghi, 60, 90, 196)).epsilon(1e-12));
    CHECK(tracker_poa_w_m2(0, 95, 290, 196) == 0);
    CHECK(tracker_poa_w_m2(10, 95, 290, 196) == 0);
}

TEST_CASE("Local hour and conditions: the clock, night without sun, demand = shape + cooling",
          "[grid][scenario]") {
    auto c30 = shipped_case("case30");
    if (!c30) return;
    ScenarioParams p;
    CHECK(local_hour(p, kDayStart) == Approx(0.0).margin(1e-9));
    CHECK(local_hour(p, kDayStart + 13.5 * 3600) == Approx(13.5));
    CHECK(local_hour(p, kDayStart - 3600) == Approx(23.0));
    prepare_case(*c30, p);
    const Conditions night = conditions_at(p, *c30, kDayStart + 2 * 3600);
    CHECK(night.ghi_w_m2 == 0);
    CHECK(night.sun_elevation_deg < 0);
    const double base = 189.2;
    const Conditions noon = conditions_at(p, *c30, kDayStart + 13 * 3600);
    const double t_lag = ambient_temperature_c(p, 13 - p.cooling_lag_h);
    CHECK(noon.cooling_mw == Approx(base * 0.02 * (t_lag - 24)));
    CHECK(noon.demand_mw == Approx(base * load_shape(13) + noon.cooling_mw));
    CHECK(noon.ghi_w_m2 > 900);
    CHECK(noon.rating_factor == Approx(rating_factor(p, noon.ambient_c)));
}

// [SECTION] Preparing the case

TEST_CASE("prepare_case adds solar and battery gens to case30, scales ACTIVSg2000's, and is idempotent",
          "[grid][scenario]") {
    auto c30 = shipped_case("case30");
    if (!c30) return;
    ScenarioParams p;
    p.utility_pv_mw = 60;
    p.battery_mw = 20;
    p.battery_mwh = 80;
    Case c = *c30;
    prepare_case(c, p);
    double solar = 0, battery = 0;
    int n_solar = 0, n_battery = 0;
    for (const Gen& g : c.gens) {
        if (g.fuel == "solar") {
            solar += g.pmax_mw;
            ++n_solar;
            CHECK(g.pmin_mw == 0);
        }
        if (g.fuel == "battery") {
            battery += g.pmax_mw;
            ++n_battery;
            CHECK(g.pmin_mw == -g.pmax_mw);
        }
    }
    CHECK(n_solar == 6);  // one PV gen at each of the six plant buses
    CHECK(n_battery == 10);
    CHECK(solar == Approx(60));
    CHECK(battery == Approx(20));
    Case again = c;
    prepare_case(again, p);
    REQUIRE(again.gens.size() == c.gens.size());
    for (size_t k = 0; k < c.gens.size(); ++k) {
        CHECK(again.gens[k].pmax_mw == c.gens[k].pmax_mw);
        CHECK(again.gens[k].pmin_mw == c.gens[k].pmin_mw);
    }
    p.utility_pv_mw = 90;  // changed params rescale the added gens
    prepare_case(again, p);
    solar = 0;
    for (const Gen& g : again.gens)
        if (g.fuel == "solar") solar += g.pmax_mw;
    CHECK(solar == Approx(90));
    CHECK(again.gens.size() == c.gens.size());

    auto big = shipped_case("case_ACTIVSg2000");
    if (!big) return;
    ScenarioParams q;
    q.utility_pv_mw = 20000;
    double own_before = 0;
    for (const Gen& g : big->gens)
        if (g.fuel == "solar" && g.status > 0) own_before += g.pmax_mw;
    prepare_case(*big, q);
    // The case's own solar plants keep their size; the rest sits at the dispatchable plants' buses.
    solar = 0;
    double own = 0;
    std::set<int> plant_buses;
    for (const Gen& g : big->gens) {
        if (g.fuel == "solar" && g.status > 0) solar += g.pmax_mw;
        if (g.fuel == "solar" && g.status > 0 && g.type != "PVX") own += g.pmax_mw;
        if (g.fuel != "solar" && g.fuel != "wind" && g.status > 0 && g.pmax_mw > 0) plant_buses.insert(g.bus);
    }
    CHECK(solar == Approx(20000));
    CHECK(own == Approx(own_before));
    for (const Gen& g : big->gens)
        if (g.type == "PVX") CHECK(plant_buses.count(g.bus) == 1);
    const size_t n_prepared = big->gens.size();
    q.utility_pv_mw = 100;  // below the case's own: those scale down, the added ones go to 0, none are removed
    Case small = *shipped_case("case_ACTIVSg2000");
    prepare_case(small, q);
    CHECK(small.gens.size() == n_prepared);
    solar = 0;
    for (const Gen& g : small.gens)
        if (g.fuel == "solar" && g.status > 0) solar += g.pmax_mw;
    CHECK(solar == Approx(100));
}

// [SECTION] Whole days

TEST_CASE("Day on case30: balance, limits, DC flow, PV timing, net-load belly and evening ramp",
          "[grid][scenario]") {
    auto c30 = shipped_case("case30");
    if (!c30) return;
    ScenarioParams p;
    p.utility_pv_mw = 150;  // ~80 % of the case's demand: a high-PV duck
    Case c = *c30;
    prepare_case(c, p);
    DayChecks chk;
    const DayRecord rec = run_checked_day(c, p, chk, 1);
    INFO("max |sum pg - sum pd| " << chk.max_balance_mw << " MW");
    CHECK(chk.max_balance_mw < 1e-6);
    CHECK(chk.max_pmin_violation_mw <= 1e-9);
    CHECK(chk.max_pmax_violation_mw <= 1e-9);
    CHECK(chk.power_flows == kSteps);
    const double noon = solar_noon_h(p);
    for (size_t k = 0; k < rec.t_s.size(); ++k) {
        const double h = local_h(rec.t_s[k]);
        if (h < 6.5 || h > 21) CHECK(rec.pv_mw[k] == 0);
    }
    const size_t i_noon = size_t(std::lround(noon * 12));
    CHECK(rec.pv_mw[i_noon] >= 0.95 * rec.pv_mw[argmax(rec.pv_mw)]);
    double min_net = 1e300, min_net_h = 0;
    for (size_t k = 0; k < rec.t_s.size(); ++k)
        if (rec.net_load_mw[k] < min_net) min_net = rec.net_load_mw[k], min_net_h = local_h(rec.t_s[k]);
    INFO("solar noon " << noon << " h, net-load minimum " << min_net << " MW at " << min_net_h << " h");
    CHECK(min_net_h > 8);
    CHECK(min_net_h < 16);
    double ramp_end = 0;
    const double ramp = rec.max_ramp_3h_mw(&ramp_end);
    INFO("largest 3-h ramp " << ramp << " MW ending " << local_h(ramp_end) << " h");
    CHECK(local_h(ramp_end) >= 17);
    CHECK(local_h(ramp_end) <= 21);
    CHECK(rec.energy_not_served_mwh() == 0);
}

TEST_CASE("Day on ACTIVSg2000 with 20 GW PV at 40 C: the solar cliff", "[grid][scenario][slow]") {
    auto big = shipped_case("case_ACTIVSg2000");
    if (!big) return;
    ScenarioParams p;
    p.utility_pv_mw = 20000;
    Case c = *big;
    prepare_case(c, p);
    DayChecks chk;
    const DayRecord rec = run_checked_day(c, p, chk, 12);  // DC power flow every hour
    CHECK(chk.max_balance_mw < 1e-6);
    CHECK(chk.max_pmin_violation_mw <= 1e-9);
    CHECK(chk.max_pmax_violation_mw <= 1e-9);
    CHECK(chk.power_flows == 25);

    const double noon = solar_noon_h(p);
    CHECK(noon == Approx(13.6).margin(0.1));  // central Texas in July, daylight time
    double pv_hours = 0, pv_weighted = 0;
    for (size_t k = 0; k < rec.t_s.size(); ++k) {
        const double h = local_h(rec.t_s[k]);
        if (h < 6.5 || h > 21) CHECK(rec.pv_mw[k] == 0);
        pv_hours += rec.pv_mw[k];
        pv_weighted += rec.pv_mw[k] * h;
    }
    const double pv_centre_h = pv_weighted / pv_hours;
    const size_t i_noon = size_t(std::lround(noon * 12));
    INFO("solar noon " << noon << " h, PV centre " << pv_centre_h << " h, PV max "
                       << rec.pv_mw[argmax(rec.pv_mw)] << " MW at " << local_h(rec.t_s[argmax(rec.pv_mw)])
                       << " h");
    CHECK(std::abs(pv_centre_h - noon) < 0.75);
    CHECK(rec.pv_mw[i_noon] >= 0.97 * rec.pv_mw[argmax(rec.pv_mw)]);

    double ramp_end = 0;
    const double ramp = rec.max_ramp_3h_mw(&ramp_end);
    const size_t i_net = argmax(rec.net_load_mw), i_dem = argmax(rec.demand_mw);
    INFO("largest 3-h ramp " << ramp << " MW ending " << local_h(ramp_end) << " h; net peak "
                             << rec.net_load_mw[i_net] << " MW at " << local_h(rec.t_s[i_net])
                             << " h; demand peak " << rec.demand_mw[i_dem] << " MW at "
                             << local_h(rec.t_s[i_dem]) << " h; ENS " << rec.energy_not_served_mwh()
                             << " MWh");
    CHECK(local_h(ramp_end) >= 17);
    CHECK(local_h(ramp_end) <= 21);
    CHECK(ramp > 10000);
    // The net peak comes after sunset, hours after the demand peak, when PV is gone.
    CHECK(local_h(rec.t_s[i_net]) > local_h(rec.t_s[i_dem]) + 1.5);
    CHECK(rec.pv_mw[i_net] < 0.05 * rec.pv_mw[argmax(rec.pv_mw)]);
    // At solar noon PV takes about a fifth of the demand off the thermal fleet.
    CHECK(rec.demand_mw[i_noon] - rec.net_load_mw[i_noon] - rec.wind_mw[i_noon] >
          0.15 * rec.demand_mw[i_noon]);

    const auto out = std::filesystem::temp_directory_path() / "infrascape_test_scenario_day.csv";
    rec.write_csv(out);
    std::ifstream in(out);
    std::string header;
    std::getline(in, header);
    CHECK(header ==
          "t_s,ambient_c,demand_mw,cooling_mw,pv_mw,wind_mw,net_load_mw,battery_mw,shed_mw,reserve_margin");
    int rows = 0;
    for (std::string line; std::getline(in, line);) ++rows;
    CHECK(rows == kSteps);
    in.close();
    std::filesystem::remove(out);
}

TEST_CASE("Hotter peak means more demand and cooling; clouds mean less PV", "[grid][scenario]") {
    auto c30 = shipped_case("case30");
    if (!c30) return;
    ScenarioParams p;
    p.utility_pv_mw = 60;
    p.rooftop_pv_mw = 20;
    Case c = *c30;
    prepare_case(c, p);
    BatteryState b0;
    ScenarioParams hot = p, mild = p, cloudy = p;
    hot.t_peak_c = 42;
    mild.t_peak_c = 32;
    cloudy.cloud_factor = 0.6;
    const DayRecord r_hot = simulate_day(c, hot, kDayStart, kSteps, kStep, b0);
    const DayRecord r_mild = simulate_day(c, mild, kDayStart, kSteps, kStep, b0);
    const DayRecord r_clear = simulate_day(c, p, kDayStart, kSteps, kStep, b0);
    const DayRecord r_cloudy = simulate_day(c, cloudy, kDayStart, kSteps, kStep, b0);
    CHECK(r_hot.peak_demand_mw() > r_mild.peak_demand_mw() + 0.1 * 189.2);
    CHECK(sum(r_hot.cooling_mw) > sum(r_mild.cooling_mw));
    for (size_t k = 0; k < r_hot.t_s.size(); ++k) {
        CHECK(r_hot.demand_mw[k] >= r_mild.demand_mw[k]);
        CHECK(r_cloudy.pv_mw[k] <= r_clear.pv_mw[k] + 1e-12);
    }
    CHECK(sum(r_cloudy.pv_mw) < 0.6 * sum(r_clear.pv_mw));
    CHECK(sum(r_cloudy.pv_mw) > 0.2 * sum(r_clear.pv_mw));
    CHECK(r_cloudy.peak_demand_mw() == Approx(r_clear.peak_demand_mw()));  // no cloud cooling in this model
}

TEST_CASE("Battery: charges when net load is low, discharges at the evening peak, lowers it, SOC in bounds",
          "[grid][scenario]") {
    // case30 with its fleet cut to 70 % (235 MW) so that the evening of a 40 C day stresses it.
    auto c30 = shipped_case("case30");
    if (!c30) return;
    ScenarioParams p;
    p.utility_pv_mw = 60;
    p.battery_mw = 20;
    p.battery_mwh = 60;
    Case c = *c30;
    for (Gen& g : c.gens) g.pmax_mw *= 0.7;
    prepare_case(c, p);
    DayChecks chk;
    const DayRecord with = run_checked_day(c, p, chk, 6);
    ScenarioParams none = p;
    none.battery_mw = none.battery_mwh = 0;
    Case c0 = *c30;
    for (Gen& g : c0.gens) g.pmax_mw *= 0.7;
    prepare_case(c0, none);
    DayChecks chk0;
    const DayRecord without = run_checked_day(c0, none, chk0, 6);
    INFO("peak net after storage " << with.peak_net_after_storage_mw() << " MW with, "
                                   << without.peak_net_after_storage_mw() << " MW without; ENS "
                                   << with.energy_not_served_mwh() << " / "
                                   << without.energy_not_served_mwh());
    CHECK(chk.max_balance_mw < 1e-6);
    CHECK(chk.soc_min_mwh >= 0);
    CHECK(chk.soc_max_mwh <= p.battery_mwh);
    CHECK(with.peak_net_after_storage_mw() < without.peak_net_after_storage_mw() - 10);
    CHECK(with.energy_not_served_mwh() <= without.energy_not_served_mwh());
    double charged = 0, discharged_evening = 0, discharged_before_17 = 0;
    for (size_t k = 0; k < with.t_s.size(); ++k) {
        const double h = local_h(with.t_s[k]);
        if (with.battery_mw[k] < 0) charged -= with.battery_mw[k];
        if (with.battery_mw[k] > 0 && h >= 17) discharged_evening += with.battery_mw[k];
        if (with.battery_mw[k] > 0 && h < 17) discharged_before_17 += with.battery_mw[k];
        if (with.battery_mw[k] < 0) CHECK(with.net_load_mw[k] < 0.7 * 0.7 * 335 + 1e-9);
    }
    CHECK(charged > 0);
    CHECK(discharged_evening > 0);
    CHECK(discharged_before_17 == 0);
    // Midday solar surplus: with PV as large as the demand and a lower charging level (50 % of the fleet,
    // under the night's net load), the battery charges only while the sun shines, and gives it back at night.
    ScenarioParams sunny = p;
    sunny.utility_pv_mw = 200;
    sunny.battery_charge_below = 0.5;
    Case cs = *c30;
    for (Gen& g : cs.gens) g.pmax_mw *= 0.7;
    prepare_case(cs, sunny);
    BatteryState bs = battery_start(sunny);
    const DayRecord r = simulate_day(cs, sunny, kDayStart, kSteps, kStep, bs);
    double charged_in_sun = 0, returned_evening = 0;
    for (size_t k = 0; k < r.t_s.size(); ++k) {
        if (r.battery_mw[k] < 0) {
            CHECK(r.pv_mw[k] > 0);
            charged_in_sun -= r.battery_mw[k];
        }
        if (r.battery_mw[k] > 0 && local_h(r.t_s[k]) >= 17) returned_evening += r.battery_mw[k];
    }
    CHECK(charged_in_sun > 0);
    CHECK(returned_evening > 0);
}

TEST_CASE("Battery on ACTIVSg2000: 5 GW / 20 GWh removes the evening shedding", "[grid][scenario][slow]") {
    auto big = shipped_case("case_ACTIVSg2000");
    if (!big) return;
    ScenarioParams p;
    p.utility_pv_mw = 20000;
    Case c0 = *big;
    prepare_case(c0, p);
    BatteryState b0;
    const DayRecord without = simulate_day(c0, p, kDayStart, kSteps, kStep, b0);
    p.battery_mw = 5000;
    p.battery_mwh = 20000;
    Case c = *big;
    prepare_case(c, p);
    BatteryState b = battery_start(p);
    CHECK(b.soc_mwh == 10000);
    const DayRecord with = simulate_day(c, p, kDayStart, kSteps, kStep, b);
    INFO("ENS " << without.energy_not_served_mwh() << " MWh without, " << with.energy_not_served_mwh()
                << " with");
    CHECK(without.energy_not_served_mwh() > 0);
    CHECK(with.energy_not_served_mwh() < without.energy_not_served_mwh());
    CHECK(with.peak_net_after_storage_mw() < without.peak_net_after_storage_mw() - 4000);
    for (double soc : with.soc_mwh) CHECK((soc >= 0 && soc <= 20000));
}

// [SECTION] Shedding and the record's figures

namespace {
// Two buses, one line: an 80 MW gen at the reference bus, 100 MW of load at the other.
Case short_case() {
    Case c;
    c.name = "short";
    Bus ref;
    ref.id = 1;
    ref.type = BusType::Ref;
    Bus load;
    load.id = 2;
    load.pd_mw = 100;
    load.qd_mvar = 20;
    c.buses = {ref, load};
    Gen g;
    g.bus = 1;
    g.pmax_mw = 80;
    g.fuel = "ng";
    c.gens = {g};
    Branch br;
    br.from = 1;
    br.to = 2;
    br.x_pu = 0.1;
    c.branches = {br};
    return c;
}
}  // namespace

TEST_CASE("Shedding: too little capacity sheds exactly the shortfall; energy not served integrates it",
          "[grid][scenario]") {
    Case c = short_case();
    ScenarioParams p;
    prepare_case(c, p);
    BatteryState b;
    Conditions cond;
    cond.demand_mw = 100;
    Injections inj = dispatch(c, p, cond, b, 300);
    CHECK(inj.shed_mw == Approx(20).epsilon(1e-14));
    CHECK(inj.served_mw == Approx(80).epsilon(1e-14));
    CHECK(inj.bus_pd_mw[1] == Approx(80).epsilon(1e-14));
    CHECK(inj.gen_pg_mw[0] == Approx(80).epsilon(1e-14));
    CHECK(inj.reserve_margin == Approx(0).margin(1e-14));
    Case applied = c;
    apply(applied, inj);
    CHECK(applied.buses[1].qd_mvar == Approx(16));  // power factor kept
    CHECK(dc_power_flow(applied).pf_mw[0] == Approx(80));

    // A day: shed whenever demand exceeds 80 MW, and the record integrates shed * 5 min.
    DayRecord rec = simulate_day(c, p, kDayStart, kSteps, kStep, b);
    double expected_mwh = 0;
    for (int k = 0; k < kSteps; ++k) {
        const Conditions at = conditions_at(p, c, kDayStart + k * kStep);
        const double shortfall = std::max(0.0, at.demand_mw - 80);
        CHECK(rec.shed_mw[size_t(k)] == Approx(shortfall).margin(1e-9));
        expected_mwh += shortfall * kStep / 3600;
    }
    CHECK(expected_mwh > 100);
    CHECK(rec.energy_not_served_mwh() == Approx(expected_mwh).epsilon(1e-12));

    // Rooftop PV lowers bus demand pro rata; with enough capacity nothing is shed.
    cond.demand_mw = 90;
    cond.rooftop_pv_mw = 15;
    inj = dispatch(c, p, cond, b, 300);
    CHECK(inj.shed_mw == 0);
    CHECK(inj.bus_pd_mw[1] == Approx(75));
    CHECK(inj.gen_pg_mw[0] == Approx(75));
    CHECK(inj.reserve_margin == Approx(5.0 / 75.0));
}

TEST_CASE("Surplus: must-run output above demand curtails PV, the balance still holds", "[grid][scenario]") {
    Case c = short_case();
    c.gens[0].pmin_mw = 30;
    ScenarioParams p;
    p.utility_pv_mw = 60;
    prepare_case(c, p);
    REQUIRE(c.gens.size() == 2);  // one solar gen added at the only load bus
    BatteryState b;
    Conditions cond;
    cond.demand_mw = 50;
    cond.utility_pv_mw = 45;
    const Injections inj = dispatch(c, p, cond, b, 300);
    CHECK(inj.gen_pg_mw[0] == Approx(30));  // at pmin
    CHECK(inj.gen_pg_mw[1] == Approx(20));  // PV curtailed from 45
    CHECK(inj.curtailed_mw == Approx(25));
    CHECK_FALSE(inj.below_pmin);
    CHECK(sum(inj.gen_pg_mw) == Approx(sum(inj.bus_pd_mw)).margin(1e-9));
}

TEST_CASE("DayRecord: 3-hour ramp and its end on a made-up series", "[grid][scenario]") {
    DayRecord r;
    const double net[] = {50, 40, 45, 60, 80, 70, 30, 90, 95};  // one point per hour
    for (int k = 0; k < 9; ++k) {
        Conditions c;
        c.net_load_mw = net[k];
        c.demand_mw = net[k] + 10;
        Injections inj;
        inj.dt_s = 3600;
        inj.shed_mw = k == 8 ? 2 : 0;
        r.add(k * 3600.0, c, inj);
    }
    double at = -1;
    CHECK(r.max_ramp_3h_mw(&at) == Approx(65));  // 30 at 6 h to 95 at 8 h
    CHECK(at == 8 * 3600.0);
    CHECK(r.peak_net_load_mw() == 95);
    CHECK(r.peak_demand_mw() == 105);
    CHECK(r.energy_not_served_mwh() == Approx(2));
}

// [SECTION] Bad parameters

TEST_CASE("Bad parameters throw std::invalid_argument naming the field", "[grid][scenario]") {
    Case c = short_case();
    auto expect_bad = [&](ScenarioParams p, const std::string& field) {
        INFO(field);
        CHECK_THROWS_WITH(validate(p), Catch::Contains("ScenarioParams." + field));
        CHECK_THROWS_AS(prepare_case(c, p), std::invalid_argument);
        CHECK_THROWS_AS(conditions_at(p, c, kDayStart), std::invalid_argument);
        BatteryState b;
        CHECK_THROWS_AS(dispatch(c, p, Conditions{}, b, 300), std::invalid_argument);
    };
    ScenarioParams p;
    p.utility_pv_mw = -1;
    expect_bad(p, "utility_pv_mw");
    p = {};
    p.rooftop_pv_mw = -0.5;
    expect_bad(p, "rooftop_pv_mw");
    p = {};
    p.battery_mw = -10;
    expect_bad(p, "battery_mw");
    p = {};
    p.battery_mwh = -1;
    expect_bad(p, "battery_mwh");
    p = {};
    p.cloud_factor = 1.5;
    expect_bad(p, "cloud_factor");
    p = {};
    p.cloud_factor = -0.1;
    expect_bad(p, "cloud_factor");
    p = {};
    p.battery_round_trip = 0;
    expect_bad(p, "battery_round_trip");
    p = {};
    p.conductor_max_c = 20;
    expect_bad(p, "conductor_max_c");
    p = {};
    p.t_peak_c = std::nan("");
    expect_bad(p, "t_peak_c");
    p = {};
    p.battery_charge_below = 0.95;
    expect_bad(p, "battery_charge_below");
    CHECK_THROWS_WITH(validate([] {
                          ScenarioParams q;
                          q.cloud_factor = 2;
                          return q;
                      }()),
                      "ScenarioParams.cloud_factor = 2.000000: must be in [0, 1]");
    BatteryState b;
    CHECK_THROWS_AS(dispatch(c, ScenarioParams{}, Conditions{}, b, 0), std::invalid_argument);
    Injections wrong;
    CHECK_THROWS_AS(apply(c, wrong), std::invalid_argument);
}
