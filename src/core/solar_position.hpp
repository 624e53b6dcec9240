// NOAA solar position: the sun's declination, equation of time, hour angle, zenith/elevation and
// azimuth for a UTC instant and a place, plus sunrise / solar noon / sunset, computed exactly as the
// NOAA Global Monitoring Laboratory spreadsheet NOAA_Solar_Calculations_day.xls (after Meeus).
#pragma once

namespace infrascape {

// Sun position as seen from (latitude, longitude) at one instant. Angles in degrees.
struct SolarPosition {
    double julian_day;                 // spreadsheet column F (UT based)
    double julian_century;             // column G, centuries since J2000.0
    double right_ascension_deg;        // column S (-180, 180]
    double declination_deg;            // column T
    double equation_of_time_min;       // column V, minutes (apparent minus mean solar time)
    double true_solar_time_min;        // column AB, minutes in [0, 1440)
    double hour_angle_deg;             // column AC, (-180, 180], negative before solar noon
    double zenith_deg;                 // column AD, geometric (no refraction)
    double elevation_uncorrected_deg;  // column AE = 90 - zenith
    double refraction_deg;             // column AF, NOAA's approximate atmospheric refraction
    double elevation_deg;              // column AG, refraction corrected
    double azimuth_deg;                // column AH, clockwise from north in [0, 360)
};

// unix_seconds_utc: seconds since 1970-01-01T00:00:00Z; longitude positive east.
SolarPosition noaa_solar_position(double unix_seconds_utc, double latitude_deg, double longitude_deg);

// Sunrise / solar noon / sunset in minutes after local midnight of the local time zone
// utc_offset_hours (e.g. -6 for US Central Standard Time), computed as the spreadsheet does with the
// declination and equation of time of the given instant. With no sunrise (polar night) or no sunset
// (midnight sun) has_sunrise_sunset is false and sunrise/sunset are NaN; solar noon is always set.
struct SolarDay {
    double solar_noon_min;
    double sunrise_min;
    double sunset_min;
    double sunrise_hour_angle_deg;     // column W; NaN when there is no sunrise/sunset
    double sunlight_duration_min;      // column AA (0 in polar night, 1440 in midnight sun)
    bool has_sunrise_sunset;
};

SolarDay noaa_solar_day(double unix_seconds_utc, double latitude_deg, double longitude_deg,
                        double utc_offset_hours);

}  // namespace infrascape

namespace infrascape::grid {  // where the grid module and its tests first used them
using infrascape::noaa_solar_day;
using infrascape::noaa_solar_position;
using infrascape::SolarDay;
using infrascape::SolarPosition;
}  // namespace infrascape::grid
