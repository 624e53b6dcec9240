// NOAA solar position algorithm, a line-by-line port of the NOAA Global Monitoring Laboratory
// spreadsheet "NOAA_Solar_Calculations_day.xls" (https://gml.noaa.gov/grad/solcalc/calcdetails.html),
// which implements Jean Meeus, "Astronomical Algorithms" (2nd ed., Willmann-Bell, 1998).
// Comments name the spreadsheet column (row 2) and the Meeus chapter/equation each step follows.
#include "core/solar_position.hpp"

#include <cmath>
#include <limits>
#include <numbers>

namespace infrascape {
namespace {

constexpr double kDegToRad = std::numbers::pi / 180.0;
constexpr double kRadToDeg = 180.0 / std::numbers::pi;

double sind(double deg) { return std::sin(deg * kDegToRad); }
double cosd(double deg) { return std::cos(deg * kDegToRad); }
double tand(double deg) { return std::tan(deg * kDegToRad); }
double acosd_clamped(double x) { return std::acos(std::fmax(-1.0, std::fmin(1.0, x))) * kRadToDeg; }

// Excel MOD(): result has the sign of the divisor.
double excel_mod(double x, double m) {
    double r = std::fmod(x, m);
    if (r < 0.0) r += m;
    return r;
}

// Quantities of the spreadsheet that depend on the instant only (columns F..V).
struct SunEphemeris {
    double jd, jc, right_ascension_deg, declination_deg, equation_of_time_min;
};

SunEphemeris sun_ephemeris(double unix_seconds_utc) {
    SunEphemeris s{};
    // F: Julian day. The Unix epoch 1970-01-01T00:00Z is JD 2440587.5 (Meeus ch. 7).
    s.jd = unix_seconds_utc / 86400.0 + 2440587.5;
    // G: Julian centuries since J2000.0 (Meeus eq. 25.1).
    const double T = (s.jd - 2451545.0) / 36525.0;
    s.jc = T;
    // I: geometric mean longitude of the sun, deg (Meeus eq. 25.2).
    const double L0 = excel_mod(280.46646 + T * (36000.76983 + T * 0.0003032), 360.0);
    // J: geometric mean anomaly of the sun, deg (Meeus eq. 25.3).
    const double M = 357.52911 + T * (35999.05029 - 0.0001537 * T);
    // K: eccentricity of Earth's orbit (Meeus eq. 25.4).
    const double e = 0.016708634 - T * (0.000042037 + 0.0000001267 * T);
    // L: sun's equation of centre, deg (Meeus ch. 25, "C").
    const double C = sind(M) * (1.914602 - T * (0.004817 + 0.000014 * T)) +
                     sind(2.0 * M) * (0.019993 - 0.000101 * T) + sind(3.0 * M) * 0.000289;
    // M: sun's true longitude, deg (Meeus ch. 25, theta = L0 + C).
    const double true_long = L0 + C;
    // P: apparent longitude, corrected for nutation and aberration (Meeus ch. 25, lambda).
    const double omega = 125.04 - 1934.136 * T;
    const double app_long = true_long - 0.00569 - 0.00478 * sind(omega);
    // Q: mean obliquity of the ecliptic, deg (Meeus eq. 22.2).
    const double eps0 = 23.0 + (26.0 + (21.448 - T * (46.815 + T * (0.00059 - T * 0.001813))) / 60.0) / 60.0;
    // R: obliquity corrected for the apparent position (Meeus eq. 25.8).
    const double eps = eps0 + 0.00256 * cosd(omega);
    // S: right ascension (Meeus eq. 25.6): Excel ATAN2(cos(P), cos(R)*sin(P)).
    s.right_ascension_deg = std::atan2(cosd(eps) * sind(app_long), cosd(app_long)) * kRadToDeg;
    // T: declination (Meeus eq. 25.7).
    s.declination_deg = std::asin(sind(eps) * sind(app_long)) * kRadToDeg;
    // U: y = tan^2(eps/2); V: equation of time in minutes (Meeus eq. 28.3, Smart's formula).
    const double y = tand(eps / 2.0) * tand(eps / 2.0);
    const double eot_rad = y * sind(2.0 * L0) - 2.0 * e * sind(M) + 4.0 * e * y * sind(M) * cosd(2.0 * L0) -
                           0.5 * y * y * sind(4.0 * L0) - 1.25 * e * e * sind(2.0 * M);
    s.equation_of_time_min = 4.0 * eot_rad * kRadToDeg;
    return s;
}

// AF: NOAA's approximate atmospheric refraction in degrees for a geometric elevation in degrees
// (spreadsheet column AF: NOAA's own piecewise fit, not Meeus's ch. 16 formula).
double noaa_refraction_deg(double elev) {
    double arcsec;
    if (elev > 85.0) {
        arcsec = 0.0;
    } else if (elev > 5.0) {
        const double t = tand(elev);
        arcsec = 58.1 / t - 0.07 / (t * t * t) + 0.000086 / (t * t * t * t * t);
    } else if (elev > -0.575) {
        arcsec = 1735.0 + elev * (-518.2 + elev * (103.4 + elev * (-12.79 + elev * 0.711)));
    } else {
        arcsec = -20.772 / tand(elev);
    }
    return arcsec / 3600.0;
}

}  // namespace

SolarPosition noaa_solar_position(double unix_seconds_utc, double latitude_deg, double longitude_deg) {
    const SunEphemeris s = sun_ephemeris(unix_seconds_utc);
    SolarPosition p{};
    p.julian_day = s.jd;
    p.julian_century = s.jc;
    p.right_ascension_deg = s.right_ascension_deg;
    p.declination_deg = s.declination_deg;
    p.equation_of_time_min = s.equation_of_time_min;

    // AB: true solar time, minutes. The spreadsheet uses local clock minutes - 60*zone, i.e. UTC
    // minutes of the day: MOD(E*1440 + V + 4*lon - 60*zone, 1440).
    const double utc_min_of_day = excel_mod(unix_seconds_utc, 86400.0) / 60.0;
    p.true_solar_time_min = excel_mod(utc_min_of_day + s.equation_of_time_min + 4.0 * longitude_deg, 1440.0);
    // AC: hour angle, deg: IF(AB/4 < 0, AB/4 + 180, AB/4 - 180).
    const double q = p.true_solar_time_min / 4.0;
    p.hour_angle_deg = q < 0.0 ? q + 180.0 : q - 180.0;

    // AD: solar zenith angle (Meeus eq. 13.6, altitude from hour angle, latitude, declination).
    const double lat = latitude_deg, dec = s.declination_deg, ha = p.hour_angle_deg;
    p.zenith_deg = acosd_clamped(sind(lat) * sind(dec) + cosd(lat) * cosd(dec) * cosd(ha));
    // AE: geometric elevation; AF: refraction; AG: refraction-corrected elevation.
    p.elevation_uncorrected_deg = 90.0 - p.zenith_deg;
    p.refraction_deg = noaa_refraction_deg(p.elevation_uncorrected_deg);
    p.elevation_deg = p.elevation_uncorrected_deg + p.refraction_deg;

    // AH: azimuth clockwise from north (spherical triangle pole-zenith-sun, as in column AH):
    //   a = acos((sin(lat) cos(zen) - sin(dec)) / (cos(lat) sin(zen)))
    //   AH = IF(AC > 0, MOD(a + 180, 360), MOD(540 - a, 360)).
    const double den = cosd(lat) * sind(p.zenith_deg);
    if (std::fabs(den) < 1e-12) {
        // Sun at the zenith or observer at a pole: the azimuth is undefined; report due south
        // (north in the southern hemisphere) as the limiting meridian value.
        p.azimuth_deg = lat >= dec ? 180.0 : 0.0;
    } else {
        const double a = acosd_clamped((sind(lat) * cosd(p.zenith_deg) - sind(dec)) / den);
        p.azimuth_deg = ha > 0.0 ? excel_mod(a + 180.0, 360.0) : excel_mod(540.0 - a, 360.0);
    }
    return p;
}

SolarDay noaa_solar_day(double unix_seconds_utc, double latitude_deg, double longitude_deg,
                        double utc_offset_hours) {
    const SunEphemeris s = sun_ephemeris(unix_seconds_utc);
    SolarDay d{};
    // X: solar noon in local time, (720 - 4*lon - eot + 60*zone) minutes (Meeus ch. 15, transit).
    d.solar_noon_min = 720.0 - 4.0 * longitude_deg - s.equation_of_time_min + 60.0 * utc_offset_hours;
    // W: hour angle of sunrise for a geometric altitude h0 = -0.833 deg (refraction + solar semi
    // diameter; Meeus eq. 15.1): acos(cos(90.833)/(cos(lat)cos(dec)) - tan(lat)tan(dec)).
    const double lat = latitude_deg, dec = s.declination_deg;
    const double arg = cosd(90.833) / (cosd(lat) * cosd(dec)) - tand(lat) * tand(dec);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (!(arg >= -1.0 && arg <= 1.0)) {  // also catches NaN at the poles
        d.has_sunrise_sunset = false;
        d.sunrise_hour_angle_deg = nan;
        d.sunrise_min = nan;
        d.sunset_min = nan;
        d.sunlight_duration_min = arg < -1.0 ? 1440.0 : 0.0;  // midnight sun : polar night
        return d;
    }
    d.has_sunrise_sunset = true;
    d.sunrise_hour_angle_deg = std::acos(arg) * kRadToDeg;
    // Y, Z: sunrise / sunset = noon -/+ 4 min per degree of hour angle; AA: 8 * W minutes.
    d.sunrise_min = d.solar_noon_min - 4.0 * d.sunrise_hour_angle_deg;
    d.sunset_min = d.solar_noon_min + 4.0 * d.sunrise_hour_angle_deg;
    d.sunlight_duration_min = 8.0 * d.sunrise_hour_angle_deg;
    return d;
}

}  // namespace infrascape
