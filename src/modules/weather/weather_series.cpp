// Weather series: interpolation, the CSV reader and the built-in heat dome; see weather_series.hpp.
#include "modules/weather/weather_series.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <fstream>
#include <map>
#include <numbers>

#include "core/solar_position.hpp"
#include "scene/csv.hpp"
#include "scene/scene.hpp"

namespace infrascape::weather {

WeatherSample WeatherSeries::at(double epoch_s) const {
    if (samples_.empty()) return {};
    if (epoch_s <= samples_.front().epoch_s) return samples_.front();
    if (epoch_s >= samples_.back().epoch_s) return samples_.back();
    auto hi = std::upper_bound(samples_.begin(), samples_.end(), epoch_s,
                               [](double t, const WeatherSample& s) { return t < s.epoch_s; });
    const WeatherSample& b = *hi;
    const WeatherSample& a = *(hi - 1);
    const double w = (epoch_s - a.epoch_s) / (b.epoch_s - a.epoch_s);
    auto mix = [w](double x, double y) { return x + (y - x) * w; };
    WeatherSample s;
    s.epoch_s = epoch_s;
    s.air_temp_c = mix(a.air_temp_c, b.air_temp_c);
    s.rel_humidity_pct = mix(a.rel_humidity_pct, b.rel_humidity_pct);
    s.ghi_w_m2 = mix(a.ghi_w_m2, b.ghi_w_m2);
    s.wind_m_s = mix(a.wind_m_s, b.wind_m_s);
    s.rain_mm_h = mix(a.rain_mm_h, b.rain_mm_h);
    return s;
}

double relative_humidity_pct(double t_c, double td_c) {
    auto es = [](double t) { return 6.1094 * std::exp(17.625 * t / (t + 243.04)); };
    return std::clamp(100.0 * es(td_c) / es(t_c), 0.0, 100.0);
}

// [SECTION] CSV reader
namespace {

// "YYYY-MM-DD[T| ]HH:MM[:SS][Z|+HH:MM|-HH:MM]" -> UTC epoch seconds; false when malformed. A time without an
// offset is UTC.
bool parse_iso(const std::string& s, double& epoch, std::string& why) {
    int y, mo, d, h, mi, n = 0;
    double sec = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2d%*1[T ]%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 || n != 16) {
        why = "is not an ISO 8601 date-time (e.g. 2025-07-14T05:00:00Z)";
        return false;
    }
    size_t i = 16;
    if (i < s.size() && s[i] == ':') {
        int m = 0;
        if (std::sscanf(s.c_str() + i, ":%lf%n", &sec, &m) != 1 || sec < 0 || sec >= 61) {
            why = "has malformed seconds";
            return false;
        }
        i += size_t(m);
    }
    double offset_s = 0;
    if (i < s.size()) {
        if (s[i] == 'Z' && i + 1 == s.size()) {
            ++i;
        } else if ((s[i] == '+' || s[i] == '-') && s.size() - i == 6 && s[i + 3] == ':') {
            int oh = 0, om = 0;
            if (std::sscanf(s.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2 || oh > 14 || om > 59) {
                why = "has a malformed UTC offset";
                return false;
            }
            offset_s = (s[i] == '-' ? -1 : 1) * (oh * 3600.0 + om * 60.0);
            i = s.size();
        } else {
            why = "has text after the time (expected Z or an offset like -05:00)";
            return false;
        }
    }
    static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > kDays[size_t(mo - 1)] || h > 23 || mi > 59) {
        why = "is not a valid date and time";
        return false;
    }
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    epoch = double(timegm(&tm)) + sec - offset_s;
    return true;
}

struct Column {
    const char* name;
    const char* unit;
    double lo, hi;
    double WeatherSample::*field;
};
const std::array<Column, 5> kColumns = {{
    {"air_temp_c", "C", -60, 60, &WeatherSample::air_temp_c},
    {"rel_humidity_pct", "%", 0, 100, &WeatherSample::rel_humidity_pct},
    {"ghi_w_m2", "W/m2", 0, 1500, &WeatherSample::ghi_w_m2},
    {"wind_m_s", "m/s", 0, 100, &WeatherSample::wind_m_s},
    {"rain_mm_h", "mm/h", 0, 500, &WeatherSample::rain_mm_h},
}};

std::string fmt(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", v);
    return b;
}

}  // namespace

WeatherSeries load_weather_csv(const std::filesystem::path& file, const std::string& shown) {
    auto fail = [&](int line, int col, const std::string& message) {
        throw InputError(SourcePos{shown, line, col}, message);
    };
    std::error_code ec;
    std::ifstream in(file);
    if (!in || std::filesystem::is_directory(file, ec)) fail(1, 1, "cannot open weather file");
    std::string line;
    int number = 0;
    std::vector<int> slot;  // column index -> which kColumns entry, -1 for time
    int time_col = -1;
    std::vector<WeatherSample> samples;
    std::vector<int> sample_line;
    std::vector<csv::Field> fields;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const size_t first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#') continue;
        int bad_col = 0;
        std::string why;
        if (!csv::split(line, fields, bad_col, why)) fail(number, bad_col, why);
        if (slot.empty()) {  // the header
            std::map<std::string, int> seen;
            for (size_t k = 0; k < fields.size(); ++k) {
                const std::string& name = fields[k].text;
                int which = -2;
                if (name == "time") which = -1;
                for (size_t c = 0; c < kColumns.size(); ++c)
                    if (name == kColumns[c].name) which = int(c);
                if (which == -2)
                    fail(number, fields[k].col,
                         "unknown column '" + name +
                             "'; a weather file has time, air_temp_c, rel_humidity_pct, ghi_w_m2, wind_m_s, rain_mm_h");
                if (!seen.emplace(name, fields[k].col).second) fail(number, fields[k].col, "column '" + name + "' appears twice");
                slot.push_back(which);
                if (which == -1) time_col = int(k);
            }
            if (time_col < 0) fail(number, 1, "missing column 'time'");
            for (const Column& c : kColumns)
                if (!seen.count(c.name)) fail(number, 1, std::string("missing column '") + c.name + "' (" + c.unit + ")");
            continue;
        }
        if (fields.size() != slot.size())
            fail(number, fields.size() < slot.size() ? int(line.size()) + 1 : fields[slot.size()].col,
                 "expected " + std::to_string(slot.size()) + " fields, found " + std::to_string(fields.size()));
        WeatherSample s;
        for (size_t k = 0; k < fields.size(); ++k) {
            const csv::Field& f = fields[k];
            if (slot[k] == -1) {
                if (!parse_iso(f.text, s.epoch_s, why)) fail(number, f.col, "time '" + f.text + "' " + why);
                continue;
            }
            const Column& c = kColumns[size_t(slot[k])];
            double v = 0;
            if (!csv::parse_number(f.text, v)) fail(number, f.col, std::string(c.name) + " '" + f.text + "' is not a number");
            if (v < c.lo || v > c.hi)
                fail(number, f.col, std::string(c.name) + " " + fmt(v) + " is out of range [" + fmt(c.lo) + ", " + fmt(c.hi) +
                                        "] " + c.unit);
            s.*(c.field) = v;
        }
        if (!samples.empty()) {
            const double step = samples.size() >= 2 ? samples[1].epoch_s - samples[0].epoch_s : 0;
            const double dt = s.epoch_s - samples.back().epoch_s;
            const int col = fields[size_t(time_col)].col;
            if (dt <= 0) fail(number, col, "time goes backwards or repeats (rows must be in time order)");
            if (samples.size() == 1 && (dt < 60 || dt > 86400))
                fail(number, col, "the time step is " + fmt(dt) + " s; it must be between 60 s and one day");
            if (samples.size() >= 2 && std::abs(dt - step) > 1e-6)
                fail(number, col, "a gap in time: " + fmt(dt) + " s after the previous row, but the file's step is " +
                                      fmt(step) + " s");
        }
        samples.push_back(s);
        sample_line.push_back(number);
    }
    if (in.bad()) fail(number, 1, "cannot read weather file");
    if (slot.empty()) fail(1, 1, "empty weather file: expected a header and at least two rows");
    if (samples.size() < 2) fail(number + 1, 1, "at least two rows of weather are needed");
    return WeatherSeries(std::move(samples));
}

// [SECTION] The built-in heat dome
WeatherSeries heat_dome(const HeatDome& h, double start_epoch_s, double latitude_deg, double longitude_deg,
                        double utc_offset_h) {
    // From local midnight of the start's date, for `days` days plus one hour to close the last.
    const double offset_s = utc_offset_h * 3600;
    const double midnight = std::floor((start_epoch_s + offset_s) / 86400) * 86400 - offset_s;
    std::vector<WeatherSample> out;
    const double storm_start = (h.storm_day - 1) * 24.0 + h.storm_start_h;
    for (int hour = 0; hour <= h.days * 24; ++hour) {
        WeatherSample s;
        s.epoch_s = midnight + hour * 3600.0;
        const int day = std::min(hour / 24, h.days - 1);
        const double local_h = std::fmod(double(hour), 24.0);
        const double tmax = h.peak_c + day * h.warming_c_per_day, tmin = h.night_c + day * h.warming_c_per_day;
        // Rising from the 06:00 minimum to the 16:00 maximum, falling over the 14 hours to the next minimum.
        double f;
        if (local_h >= 6 && local_h <= 16) f = 0.5 - 0.5 * std::cos(std::numbers::pi * (local_h - 6) / 10);
        else f = 0.5 + 0.5 * std::cos(std::numbers::pi * std::fmod(local_h - 16 + 24, 24.0) / 14);
        s.air_temp_c = tmin + (tmax - tmin) * f;
        // The storm: a quarter of its time rising to the peak, then easing off; outflow cools the air.
        double storm = 0;
        const double into = hour - storm_start;
        if (into >= 0 && into <= h.storm_hours && h.storm_hours > 0) {
            const double rise = 0.25 * h.storm_hours;
            storm = into < rise ? into / rise : 1.0 - (into - rise) / (h.storm_hours - rise);
        }
        s.rain_mm_h = h.storm_peak_mm_h * std::max(storm, 0.0);
        s.air_temp_c -= 8 * std::min(1.0, storm * 2);
        s.rel_humidity_pct = storm > 0 ? std::max(relative_humidity_pct(s.air_temp_c, h.dew_point_c), 90.0)
                                       : relative_humidity_pct(s.air_temp_c, h.dew_point_c);
        const SolarPosition sun = noaa_solar_position(s.epoch_s, latitude_deg, longitude_deg);
        const double cz = std::cos(sun.zenith_deg * std::numbers::pi / 180);
        const double clear = cz > 0.01 ? 1098 * cz * std::exp(-0.059 / cz) : 0.0;  // Haurwitz (1945)
        const double cloud = storm > 0 || (into > -2 && into < 0) ? 0.8 : 0.0;      // clouds build before it
        s.ghi_w_m2 = clear * (1 - cloud);
        s.wind_m_s = h.wind_m_s * (0.6 + 0.4 * f) + 10 * storm;
        out.push_back(s);
    }
    return WeatherSeries(std::move(out));
}

}  // namespace infrascape::weather
