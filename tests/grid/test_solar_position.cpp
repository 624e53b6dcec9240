// Tests of the NOAA solar position port (core/solar_position) against values computed by
// NOAA's own spreadsheet NOAA_Solar_Calculations_day.xls, as saved in the test-suite of the
// pysunNOAA project: https://github.com/pyenergyplus/pysunNOAA, file tests/test_noaa.py.
#include "core/solar_position.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>

using infrascape::grid::noaa_solar_day;
using infrascape::grid::noaa_solar_position;
using infrascape::grid::SolarPosition;

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// Unix seconds of a local wall-clock time in a zone utc_offset_hours east of UTC.
double unix_local(int y, unsigned mo, unsigned d, int h, int mi, double utc_offset_hours) {
    return static_cast<double>(days_from_civil(y, mo, d)) * 86400.0 + h * 3600.0 + mi * 60.0 -
           utc_offset_hours * 3600.0;
}

// Smallest absolute difference of two azimuths (handles the 0/360 wrap).
double azimuth_diff(double a, double b) {
    const double d = std::fmod(std::fabs(a - b), 360.0);
    return d > 180.0 ? 360.0 - d : d;
}

constexpr double kAcceptDeg = 0.05;  // acceptance: within 0.05 deg of NOAA's published values

struct Row {
    int hour, minute;       // local clock time
    double elevation_deg;   // spreadsheet column AG (refraction corrected)
    double azimuth_deg;     // spreadsheet column AH
};

}  // namespace

// Spreadsheet's example inputs: 2010-06-21, lat 40 N, lon 105 W, time zone -6, first row 0:06 local.
// Every intermediate column below is the spreadsheet's value, from pysunNOAA tests/test_noaa.py
// (test_julianday ... test_solar_azimuth_angle_deg_cw_from_n, first parameter set).
TEST_CASE("NOAA solar position reproduces the spreadsheet's example row (2010-06-21 00:06, 40N 105W)",
          "[grid]") {
    const SolarPosition p = noaa_solar_position(unix_local(2010, 6, 21, 0, 6, -6.0), 40.0, -105.0);
    CHECK(p.julian_day == Approx(2455368.75416667).margin(1e-6));        // F2
    CHECK(p.julian_century == Approx(0.104688683550086).margin(1e-9));   // G2
    CHECK(p.right_ascension_deg == Approx(89.7661433042803).margin(1e-5));  // S2
    CHECK(p.declination_deg == Approx(23.4383121595139).margin(1e-6));   // T2
    CHECK(p.equation_of_time_min == Approx(-1.70630784072322).margin(1e-5));  // V2
    CHECK(p.true_solar_time_min == Approx(1384.29369215928).margin(1e-4));    // AB2
    CHECK(p.hour_angle_deg == Approx(166.073423039819).margin(1e-5));    // AC2
    CHECK(p.zenith_deg == Approx(115.245718494866).margin(1e-5));        // AD2
    CHECK(p.elevation_uncorrected_deg == Approx(-25.245718494866).margin(1e-5));  // AE2
    CHECK(p.refraction_deg == Approx(0.0122365205193627).margin(1e-8));  // AF2
    CHECK(p.elevation_deg == Approx(-25.2334819743467).margin(1e-5));    // AG2
    CHECK(p.azimuth_deg == Approx(345.86910228316).margin(1e-5));        // AH2

    // Sunrise / solar noon / sunset columns W..AA for the same row (fractions of a day there).
    const auto d = noaa_solar_day(unix_local(2010, 6, 21, 0, 6, -6.0), 40.0, -105.0, -6.0);
    REQUIRE(d.has_sunrise_sunset);
    CHECK(d.sunrise_hour_angle_deg == Approx(112.610346376993).margin(1e-5));     // W2
    CHECK(d.solar_noon_min == Approx(0.542851602667169 * 1440.0).margin(1e-3));   // X2
    CHECK(d.sunrise_min == Approx(0.230045084953299 * 1440.0).margin(1e-3));      // Y2
    CHECK(d.sunset_min == Approx(0.855658120381039 * 1440.0).margin(1e-3));       // Z2
    CHECK(d.sunlight_duration_min == Approx(900.882771015944).margin(1e-3));      // AA2
}

// Second published example: 2023-09-21 05:33 local, lat 37.4219444444444, lon -122.079583333333,
// zone -8 (pysunNOAA tests/test_noaa.py, second parameter sets; values saved from the spreadsheet).
TEST_CASE("NOAA solar position reproduces the spreadsheet at 2023-09-21 05:33 PST (37.42N 122.08W)",
          "[grid]") {
    const double lat = 37.4219444444444, lon = -122.079583333333;
    const SolarPosition p = noaa_solar_position(unix_local(2023, 9, 21, 5, 33, -8.0), lat, lon);
    CHECK(p.julian_day == Approx(2460209.06458333).margin(1e-6));
    CHECK(p.julian_century == Approx(0.237209160392435).margin(1e-9));
    CHECK(p.right_ascension_deg == Approx(178.455780149553).margin(1e-5));
    CHECK(p.declination_deg == Approx(0.66936449061751).margin(1e-6));
    CHECK(p.equation_of_time_min == Approx(6.83497572573191).margin(1e-5));
    CHECK(p.true_solar_time_min == Approx(331.516642392399).margin(1e-4));
    CHECK(p.hour_angle_deg == Approx(-97.1208394019004).margin(1e-5));
    CHECK(p.zenith_deg == Approx(95.2408647936783).margin(1e-5));
    CHECK(p.refraction_deg == Approx(0.0629045265211758).margin(1e-8));
    CHECK(p.elevation_deg == Approx(-5.17796026715717).margin(1e-5));
    CHECK(p.azimuth_deg == Approx(85.1264242410581).margin(1e-5));

    const auto d = noaa_solar_day(unix_local(2023, 9, 21, 5, 33, -8.0), lat, lon, -8.0);
    REQUIRE(d.has_sunrise_sunset);
    CHECK(d.sunrise_hour_angle_deg == Approx(91.5613033434302).margin(1e-5));
    CHECK(d.solar_noon_min == Approx(0.501030109449723 * 1440.0).margin(1e-3));
    CHECK(d.sunrise_min == Approx(0.246693155717973 * 1440.0).margin(1e-3));
    CHECK(d.sunset_min == Approx(0.755367063181474 * 1440.0).margin(1e-3));

    // Around sunrise: exercises the -0.575..5 deg branch of NOAA's refraction fit (test_sunposition_range,
    // 1-minute rows from 05:33).
    const Row rows[] = {
        {5, 54, -0.775410451209581, 88.3365784907289}, {5, 55, -0.508344752527223, 88.4888447049431},
        {5, 56, -0.201433596691516, 88.6410846576603}, {5, 57, 0.073060867791875, 88.7933020046859},
        {5, 58, 0.238153224779796, 88.9455004007024},
    };
    for (const Row& r : rows) {
        const SolarPosition q = noaa_solar_position(unix_local(2023, 9, 21, r.hour, r.minute, -8.0), lat, lon);
        INFO("local " << r.hour << ":" << r.minute);
        CHECK(std::fabs(q.elevation_deg - r.elevation_deg) < kAcceptDeg);
        CHECK(azimuth_diff(q.azimuth_deg, r.azimuth_deg) < kAcceptDeg);
    }
}

// The spreadsheet's whole example day (6-minute rows from 0:06 local): hourly rows plus the rows
// around sunrise and sunset, elevation (AG) and azimuth (AH) as saved in pysunNOAA tests/test_noaa.py
// (test_sunposition_range, "expected is saved from spreadsheet").
TEST_CASE("NOAA solar position follows the spreadsheet through 2010-06-21 at 40N 105W", "[grid]") {
    const Row rows[] = {
        {0, 6, -25.2334819743467, 345.86910228316},   {1, 6, -26.5422164325894, 1.09867118388445},
        {2, 6, -24.8031273285503, 16.2476190058521},  {3, 6, -20.2485688523667, 30.3109837424229},
        {4, 6, -13.3897770384191, 42.7835691399645},  {5, 6, -4.77325201262117, 53.6884971456187},
        {5, 30, -0.729664707308368, 57.6799724300869}, {5, 36, 0.422420619818739, 58.6499400462365},
        {5, 42, 1.28798788313787, 59.6096523684939},  {6, 6, 5.11490902618878, 63.3553254958562},
        {7, 6, 15.6409382680225, 72.2398180034306},   {8, 6, 26.7792521785162, 80.8762656381351},
        {9, 6, 38.2069212080115, 89.9640973549392},   {10, 6, 49.6269333557466, 100.662982363516},
        {11, 6, 60.5468352878091, 115.44832444001},   {12, 6, 69.6867920345177, 140.422111632585},
        {13, 6, 73.4195101233167, 183.3574244066},    {14, 6, 68.6201674803997, 224.049971675359},
        {15, 6, 59.0883201322793, 247.020936780467},  {16, 6, 48.0514463168195, 260.990968065823},
        {17, 6, 36.6083928008061, 271.362446643728},  {18, 6, 25.20455410755, 280.333534797028},
        {19, 6, 14.1284716989189, 288.968133574496},  {20, 6, 3.73786333149665, 297.931550378917},
        {20, 24, 0.94104893148275, 300.764614058952}, {20, 30, 0.0989819972925181, 301.72829080667},
        {20, 36, -1.19505705429213, 302.70240363522}, {21, 6, -6.06559172435652, 307.74518202626},
        {22, 6, -14.4625734153801, 318.853153845854}, {23, 6, -21.0355570258597, 331.555982884498},
    };
    double max_elev = 0.0, max_az = 0.0;
    for (const Row& r : rows) {
        const SolarPosition p = noaa_solar_position(unix_local(2010, 6, 21, r.hour, r.minute, -6.0), 40.0, -105.0);
        INFO("local " << r.hour << ":" << r.minute << " elevation " << p.elevation_deg << " azimuth "
                      << p.azimuth_deg);
        const double de = std::fabs(p.elevation_deg - r.elevation_deg);
        const double da = azimuth_diff(p.azimuth_deg, r.azimuth_deg);
        CHECK(de < kAcceptDeg);
        CHECK(da < kAcceptDeg);
        CHECK(std::fabs((90.0 - p.zenith_deg + p.refraction_deg) - p.elevation_deg) < 1e-12);
        max_elev = std::fmax(max_elev, de);
        max_az = std::fmax(max_az, da);
    }
    // The port is exact up to floating point, far inside the 0.05 deg acceptance.
    CHECK(max_elev < 1e-8);
    CHECK(max_az < 1e-8);
}

// Checks that do not depend on the published rows: geometry at local solar noon and the seasons.
TEST_CASE("NOAA solar position: solar-noon geometry and solstice/equinox declinations", "[grid]") {
    const double lat = 40.0, lon = -105.0;
    // At solar noon the hour angle is 0 and the geometric elevation is 90 - |lat - decl|.
    const auto day = noaa_solar_day(unix_local(2010, 6, 21, 12, 0, -6.0), lat, lon, -6.0);
    const double noon_unix = unix_local(2010, 6, 21, 0, 0, -6.0) + day.solar_noon_min * 60.0;
    const SolarPosition p = noaa_solar_position(noon_unix, lat, lon);
    CHECK(std::fabs(p.hour_angle_deg) < 0.01);
    CHECK(p.elevation_uncorrected_deg == Approx(90.0 - std::fabs(lat - p.declination_deg)).margin(0.01));
    CHECK(azimuth_diff(p.azimuth_deg, 180.0) < 0.05);

    // Declination near +23.44 at the June solstice (2010-06-21 11:28 UTC), near -23.44 at the December
    // solstice (2010-12-21 23:38 UTC) and near 0 at the March equinox (2010-03-20 17:32 UTC).
    CHECK(noaa_solar_position(unix_local(2010, 6, 21, 11, 28, 0.0), 0.0, 0.0).declination_deg ==
          Approx(23.438).margin(0.01));
    CHECK(noaa_solar_position(unix_local(2010, 12, 21, 23, 38, 0.0), 0.0, 0.0).declination_deg ==
          Approx(-23.438).margin(0.01));
    CHECK(std::fabs(noaa_solar_position(unix_local(2010, 3, 20, 17, 32, 0.0), 0.0, 0.0).declination_deg) < 0.01);

    // Southern hemisphere noon: sun due north. Polar night and midnight sun have no sunrise.
    const auto south = noaa_solar_day(unix_local(2010, 6, 21, 12, 0, 10.0), -33.9, 151.2, 10.0);
    const double south_noon = unix_local(2010, 6, 21, 0, 0, 10.0) + south.solar_noon_min * 60.0;
    CHECK(azimuth_diff(noaa_solar_position(south_noon, -33.9, 151.2).azimuth_deg, 0.0) < 0.05);
    const auto polar_night = noaa_solar_day(unix_local(2010, 12, 21, 12, 0, 1.0), 78.2, 15.6, 1.0);
    CHECK_FALSE(polar_night.has_sunrise_sunset);
    CHECK(polar_night.sunlight_duration_min == 0.0);
    const auto midnight_sun = noaa_solar_day(unix_local(2010, 6, 21, 12, 0, 1.0), 78.2, 15.6, 1.0);
    CHECK_FALSE(midnight_sun.has_sunrise_sunset);
    CHECK(midnight_sun.sunlight_duration_min == 1440.0);
}
