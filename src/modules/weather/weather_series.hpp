// The world's weather as a time series of surface observations (hourly, or any fixed step): air temperature,
// relative humidity, global horizontal irradiance, wind speed and rain rate. It comes from a CSV file (see
// load_weather_csv for the columns and units) or from a built-in typical Texas heat-dome week with a storm
// (heat_dome). Values between samples are interpolated linearly in time; before the first sample and after
// the last, the end values hold.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace infrascape::weather {

struct WeatherSample {
    double epoch_s = 0;          // UTC seconds since 1970
    double air_temp_c = 25;      // dry-bulb air temperature at 2 m
    double rel_humidity_pct = 50;
    double ghi_w_m2 = 0;         // global horizontal irradiance
    double wind_m_s = 3;         // wind speed at 10 m
    double rain_mm_h = 0;        // rain rate (for a moving storm: at its core)
};

class WeatherSeries {
public:
    WeatherSeries() = default;
    explicit WeatherSeries(std::vector<WeatherSample> samples) : samples_(std::move(samples)) {}
    WeatherSample at(double epoch_s) const;  // linear in time between samples
    const std::vector<WeatherSample>& samples() const { return samples_; }
    bool empty() const { return samples_.empty(); }

private:
    std::vector<WeatherSample> samples_;
};

// Reads a weather CSV. The header names the columns, in any order:
//   time              ISO 8601 date-time, UTC unless it carries an offset ("2025-07-14T05:00:00Z",
//                     "2025-07-14T00:00:00-05:00")
//   air_temp_c        C, -60 to 60
//   rel_humidity_pct  %, 0 to 100
//   ghi_w_m2          W/m2, 0 to 1500
//   wind_m_s          m/s, 0 to 100
//   rain_mm_h         mm/h, 0 to 500
// Rows must be evenly spaced in time (a fixed step between 1 minute and 1 day, typically an hour) and
// at least two. Blank lines and lines starting with '#' are skipped. Throws InputError "file:line:col: ..."
// (with `shown` as the file name) for anything else.
WeatherSeries load_weather_csv(const std::filesystem::path& file, const std::string& shown);

// The built-in heat dome: `days` days from local midnight of the start's date, hourly. Daily highs rise from
// peak_c by warming_c_per_day (lows from night_c likewise), with the minimum at 06:00 and the maximum at
// 16:00 local (a two-piece cosine, after the WAVE model's shape, de Wit 1978); humidity falls as the air warms
// (constant dew point of dew_point_c, Magnus formula); irradiance is Haurwitz's clear sky (1945) from the NOAA
// sun position, dimmed under the storm; a stalled storm on day storm_day (1-based) from storm_start_h local
// for storm_hours, its rain rate at the core rising to storm_peak_mm_h in the first quarter and easing off
// after, cooling the air by up to 8 C (outflow).
struct HeatDome {
    int days = 3;
    double peak_c = 40, night_c = 27, warming_c_per_day = 1;
    double dew_point_c = 19;
    double wind_m_s = 4;
    int storm_day = 3;
    double storm_start_h = 18, storm_hours = 4, storm_peak_mm_h = 100;
};
WeatherSeries heat_dome(const HeatDome& h, double start_epoch_s, double latitude_deg, double longitude_deg,
                        double utc_offset_h);

// Relative humidity (%) of air at temperature t_c with dew point td_c (Magnus formula, Alduchov & Eskridge
// 1996: e_s = 6.1094 exp(17.625 T / (T + 243.04)) hPa).
double relative_humidity_pct(double t_c, double td_c);

}  // namespace infrascape::weather
