// Facility power and PUE (modules/datacenter/facility): chiller COP worked by hand, economizer thresholds,
// PUE against the outdoor temperature, and the hall metrics (ASHRAE classes, RCI, RTI) against hand values.
#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "modules/datacenter/facility.hpp"

using namespace infrascape::datacenter;

TEST_CASE("facility: chiller COP and economizer share by hand", "[datacenter][facility]") {
    const FacilityConfig c;
    // Outdoor 30 C: T_evap = 16 - 3 = 13 C = 286.15 K, T_cond = 30 + 10 = 40 C = 313.15 K,
    // COP = 0.5 * 286.15 / 27 = 5.299074.
    CHECK(chiller_cop(16, 30, c) == Approx(0.5 * 286.15 / 27).epsilon(1e-12));
    CHECK(chiller_cop(16, 30, c) == Approx(5.299074));
    // Outdoor 40 C: 0.5 * 286.15 / 37 = 3.866892.
    CHECK(chiller_cop(16, 40, c) == Approx(3.866892));
    // Small lift: capped at 10 (Carnot fraction would give 0.5 * 286.15 / 12 = 11.92 at 15 C outdoor).
    CHECK(chiller_cop(16, 15, c) == 10.0);
    CHECK(chiller_cop(16, -20, c) == 10.0);
    // Economizer on 16/26 C water with a 5 K approach: all free below 11 C, none above 21 C,
    // at 15 C (26 - 20) / 10 = 0.6.
    CHECK(economizer_share(16, 26, 5, 11) == 1.0);
    CHECK(economizer_share(16, 26, 5, 15) == Approx(0.6));
    CHECK(economizer_share(16, 26, 5, 21) == 0.0);
}

TEST_CASE("facility: PUE at 40 C on chillers, worked by hand", "[datacenter][facility]") {
    // 1000 kW IT, all air, outdoor 40 C (no free cooling: 40 > 21):
    //   UPS losses 1000 / 0.95 - 1000 = 52.632, misc 0.005 * 1000 = 5, air heat 1057.632 kW
    //   chiller 1057.632 / 3.866892 = 273.51; CRAH fans 0.03 * 1000 * 1.057632^3 = 35.49
    //   pumps 0.015 * 1057.632 = 15.86; heat rejection 0.015 * (1057.632 + 273.51) = 19.97
    //   facility = 1000 + 52.63 + 5 + 273.51 + 35.49 + 15.86 + 19.97 = 1402.47 -> PUE 1.4025
    const FacilityPower p = facility_power({1000, 0, 40, -1});
    const double air = 1000 / 0.95 - 1000 + 5 + 1000;
    const double chiller = air / (0.5 * 286.15 / 37);
    const double facility = 1000 / 0.95 + 5 + chiller + 0.03 * 1000 * std::pow(air / 1000, 3) + 0.015 * air +
                            0.015 * (air + chiller);
    CHECK(p.air_heat_kw == Approx(air));
    CHECK(p.chiller_kw == Approx(chiller));
    CHECK(p.air_economizer_share == 0.0);
    CHECK(p.facility_kw == Approx(facility).epsilon(1e-12));
    CHECK(p.pue == Approx(1.4025).margin(5e-5));
    CHECK(p.facility_kw == Approx(p.it_kw + p.ups_loss_kw + p.misc_kw + p.cooling_kw + p.fans_kw));

    // Fan affinity: the hall simulation's airflow at 80 % of design costs 0.8^3 of the design fan power.
    CHECK(facility_power({1000, 0, 40, 0.8}).crah_fan_kw == Approx(0.03 * 1000 * 0.512));
}

TEST_CASE("facility: PUE rises with outdoor temperature and is continuous at the thresholds",
          "[datacenter][facility]") {
    // Our numbers (1 MW, defaults): all air: PUE 1.125 in free cooling (<= 11 C), 1.29 at 25 C, 1.40 at 40 C;
    // 80 % liquid: 1.086 in free cooling, 1.19 at 40 C (trim chiller on the liquid loop above 35 C).
    CHECK(facility_power({1000, 0, 0, -1}).pue == Approx(1.1249).margin(1e-4));
    CHECK(facility_power({1000, 0, 10, -1}).pue == Approx(1.1249).margin(1e-4));
    CHECK(facility_power({1000, 0, 40, -1}).pue == Approx(1.4025).margin(1e-4));
    CHECK(facility_power({1000, 0.8, 5, -1}).pue == Approx(1.0859).margin(1e-4));
    CHECK(facility_power({1000, 0.8, 40, -1}).pue == Approx(1.1941).margin(1e-4));
    for (double f : {0.0, 0.5, 0.8, 1.0}) {
        const double free_pue = facility_power({1000, f, 0, -1}).pue;
        CHECK(free_pue >= 1.08);
        CHECK(free_pue <= 1.2);
        double last = 0;
        for (double t = -20; t <= 50; t += 0.25) {
            const double pue = facility_power({1000, f, t, -1}).pue;
            CHECK(pue >= last - 1e-12);
            last = pue;
        }
    }
    const double air_pue_40 = facility_power({1000, 0, 40, -1}).pue;
    CHECK(air_pue_40 >= 1.3);
    CHECK(air_pue_40 <= 1.6);
    CHECK(facility_power({1000, 0, 40, -1}).pue > facility_power({1000, 0.8, 40, -1}).pue);

    // Continuity: air side economizer ends at 11 and 21 C, the liquid dry coolers at 35 and 45 C.
    const double eps = 1e-7;
    for (double f : {0.0, 0.8}) {
        for (double t : {11.0, 21.0, 35.0, 45.0}) {
            const double below = facility_power({1000, f, t - eps, -1}).facility_kw;
            const double above = facility_power({1000, f, t + eps, -1}).facility_kw;
            CHECK(std::abs(above - below) < 1e-4);
        }
    }
    CHECK_THROWS_AS(facility_power({0, 0, 20, -1}), std::invalid_argument);
    CHECK_THROWS_AS(facility_power({1000, -0.1, 20, -1}), std::invalid_argument);
}

TEST_CASE("hall metrics: ASHRAE classes, RCI and RTI by hand", "[datacenter][facility]") {
    CHECK(ashrae_class(18) == AshraeClass::Recommended);
    CHECK(ashrae_class(27) == AshraeClass::Recommended);
    CHECK(ashrae_class(27.5) == AshraeClass::A1);
    CHECK(ashrae_class(15) == AshraeClass::A1);
    CHECK(ashrae_class(34) == AshraeClass::A2);
    CHECK(ashrae_class(38) == AshraeClass::A3);
    CHECK(ashrae_class(44) == AshraeClass::A4);
    CHECK(ashrae_class(46) == AshraeClass::Outside);
    CHECK(ashrae_class(4) == AshraeClass::Outside);
    CHECK(std::string(ashrae_class_name(AshraeClass::A2)) == "A2");

    // Seven intakes. Over 27 C: 28, 30, 33 -> 1 + 3 + 6 = 10 K; RCI_HI = (1 - 10 / (5 * 7)) * 100 = 71.43 %.
    // Under 18 C: 17, 14 -> 1 + 4 = 5 K; RCI_LO = (1 - 5 / (3 * 7)) * 100 = 76.19 %.
    const std::vector<double> intakes = {20, 25, 28, 30, 33, 17, 14};
    CHECK(rci_hi_percent(intakes) == Approx((1 - 10.0 / 35) * 100).epsilon(1e-12));
    CHECK(rci_hi_percent(intakes) == Approx(71.4286).margin(1e-4));
    CHECK(rci_lo_percent(intakes) == Approx(76.1905).margin(1e-4));
    CHECK(rci_hi_percent({20, 22, 27}) == 100.0);
    CHECK(rci_lo_percent({20, 22, 27}) == 100.0);
    const HallMetrics m = hall_metrics(intakes);
    CHECK(m.max_intake_c == 33);
    CHECK(m.min_intake_c == 14);
    CHECK(m.recommended_fraction == Approx(2.0 / 7));   // 20, 25
    CHECK(m.allowable_a1_fraction == Approx(5.0 / 7));  // all but 33 and 14

    // RTI: supply 20 C, return 35 C, equipment rise 12 K -> 125 % (recirculation). Equipment rise from two
    // racks, 0.5 m^3/s at 15 K and 1.5 m^3/s at 11 K: (7.5 + 16.5) / 2 = 12 K.
    const double rise = airflow_weighted_rise_k({0.5, 1.5}, {15, 11});
    CHECK(rise == Approx(12));
    CHECK(rti_percent(35, 20, rise) == Approx(125));
    CHECK(rti_percent(29, 20, 12) == Approx(75));  // bypass
    CHECK_THROWS_AS(rci_hi_percent({}), std::invalid_argument);
    CHECK_THROWS_AS(rti_percent(30, 20, 0), std::invalid_argument);
}
