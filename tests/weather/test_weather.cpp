// The weather driver: every malformed weather CSV in tests/weather/corpus gets its exact "file:line:col:
// message" (corpus/expected.txt); valid files in any column order and with UTC offsets read as written;
// interpolation between samples; the Magnus humidity against hand-computed values; the built-in heat dome's
// shape (highs, lows, the storm's rain and its timing in local time, no sun at night).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "modules/weather/weather_series.hpp"
#include "scene/scene.hpp"

using namespace infrascape::weather;

namespace {

const std::string kCorpus = std::string(INFRASCAPE_SOURCE_DIR) + "/tests/weather/corpus/";

std::string error_of(const std::string& name) {
    try {
        load_weather_csv(kCorpus + name, "corpus/" + name);
    } catch (const infrascape::InputError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("weather CSV corpus: each malformed file has its exact message", "[weather]") {
    std::ifstream in(kCorpus + "expected.txt");
    REQUIRE(in);
    std::map<std::string, std::string> expected;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const size_t bar = line.find('|');
        expected[line.substr(0, bar)] = line.substr(bar + 1);
    }
    std::set<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(kCorpus)) {
        const std::string name = e.path().filename().string();
        if (e.path().extension() == ".csv" && name.rfind("valid_", 0) != 0) files.insert(name);
    }
    CHECK(files.size() == expected.size());
    for (const std::string& f : files) {
        INFO(f);
        REQUIRE(expected.count(f));
        CHECK(error_of(f) == expected[f]);
    }
}

TEST_CASE("weather CSV: values, column order, offsets and interpolation", "[weather]") {
    const WeatherSeries a = load_weather_csv(kCorpus + "valid_hourly.csv", "valid_hourly.csv");
    REQUIRE(a.samples().size() == 3);
    CHECK(a.samples()[0].epoch_s == 1752523200.0);  // 2025-07-14T20:00:00Z
    CHECK(a.samples()[2].rain_mm_h == 1.5);
    // Half way between 21:00 and 22:00: the mean of the two rows.
    const WeatherSample m = a.at(1752523200.0 + 5400);
    CHECK(m.air_temp_c == Approx((39.1 + 38.0) / 2));
    CHECK(m.ghi_w_m2 == Approx(610));
    CHECK(m.rain_mm_h == Approx(0.75));
    // Outside the series the end values hold.
    CHECK(a.at(0).air_temp_c == 38.5);
    CHECK(a.at(2e9).air_temp_c == 38.0);
    // The same hours written as local time (-05:00) with the columns in another order.
    const WeatherSeries b = load_weather_csv(kCorpus + "valid_reordered_offset.csv", "valid_reordered_offset.csv");
    REQUIRE(b.samples().size() == 2);
    CHECK(b.samples()[0].epoch_s == a.samples()[0].epoch_s);
    CHECK(b.samples()[1].air_temp_c == 39.1);
    CHECK(b.samples()[1].ghi_w_m2 == 700);
}

TEST_CASE("relative humidity from the dew point (Magnus)", "[weather]") {
    // e_s(19 C) = 6.1094 exp(17.625*19/262.04) = 21.93 hPa; e_s(40 C) = 6.1094 exp(17.625*40/283.04) = 73.75 hPa.
    CHECK(relative_humidity_pct(40, 19) == Approx(100 * 21.929 / 73.750).epsilon(1e-4));
    CHECK(relative_humidity_pct(19, 19) == Approx(100));
}

TEST_CASE("built-in heat dome: highs, lows, the storm in local time, dark nights", "[weather]") {
    HeatDome h;  // 3 days, 40/27 C rising 1 C a day, storm on day 3 at 18:00 local for 4 h, 100 mm/h peak
    const double start = 1752469200.0;  // 2025-07-14T05:00:00Z = local midnight at UTC-5
    const WeatherSeries s = heat_dome(h, start, 30.27, -97.74, -5);
    REQUIRE(s.samples().size() == 3 * 24 + 1);
    CHECK(s.samples().front().epoch_s == start);
    for (int day = 0; day < 3; ++day) {
        CHECK(s.at(start + (day * 24 + 16) * 3600.0).air_temp_c == Approx(40 + day));  // 16:00 local
        CHECK(s.at(start + (day * 24 + 6) * 3600.0).air_temp_c == Approx(27 + day));   // 06:00 local
        CHECK(s.at(start + (day * 24 + 1) * 3600.0).ghi_w_m2 == 0);                    // 01:00: night
        CHECK(s.at(start + (day * 24 + 13) * 3600.0).ghi_w_m2 > 800);                  // 13:00: high sun
    }
    // Rain only on the third evening: rising for an hour to 100 mm/h at 19:00, gone by 22:00.
    double total_mm = 0;
    for (const WeatherSample& w : s.samples()) total_mm += w.rain_mm_h;  // hourly samples: mm
    CHECK(s.at(start + (2 * 24 + 19) * 3600.0).rain_mm_h == Approx(100));
    CHECK(s.at(start + (2 * 24 + 17) * 3600.0).rain_mm_h == 0);
    CHECK(s.at(start + (1 * 24 + 19) * 3600.0).rain_mm_h == 0);
    CHECK(total_mm == Approx(100 * (0 + 1 + 2.0 / 3 + 1.0 / 3 + 0)).epsilon(1e-9));
}
