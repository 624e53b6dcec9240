// The weather module; see weather_module.hpp. Its series and the CSV reader are in weather_series.cpp.
#include "modules/weather/weather_module.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "core/solar_position.hpp"
#include "modules/weather/weather_series.hpp"
#include "ui_widgets.hpp"

namespace infrascape::weather {

namespace {

BlockSpec weather_block() {
    BlockSpec b{"weather", "The world's weather: a CSV of hourly observations or the built-in heat dome with a storm", {}};
    auto& p = b.params;
    p.push_back(path_param("file", "weather CSV (time, air_temp_c, rel_humidity_pct, ghi_w_m2, wind_m_s, rain_mm_h); "
                                   "empty: the built-in heat dome"));
    p.push_back(integer_param("days", 1, 60, 3, "heat dome: days from local midnight of world.start"));
    p.push_back(number_param("peak_c", "C", -20, 55, 40, "heat dome: the first afternoon's high", false));
    p.push_back(number_param("night_c", "C", -30, 45, 27, "heat dome: the first morning's low", false));
    p.push_back(number_param("warming_c_per_day", "C", -5, 5, 1, "heat dome: how much each day is hotter than the last", false));
    p.push_back(number_param("dew_point_c", "C", -30, 35, 19, "heat dome: dew point (sets the humidity)", false));
    p.push_back(number_param("wind_m_s", "m/s", 0, 40, 4, "heat dome: afternoon wind speed", false));
    p.push_back(integer_param("storm_day", 0, 60, 3, "heat dome: the day (1-based) a storm stalls; 0: none"));
    p.push_back(number_param("storm_start_h", "h", 0, 24, 18, "heat dome: local hour the storm starts", false));
    p.push_back(number_param("storm_hours", "h", 0.5, 48, 4, "heat dome: how long it rains", false));
    p.push_back(number_param("storm_peak_mm_h", "mm/h", 0, 300, 100, "heat dome: rain rate at the storm's core at its peak", false));
    p.push_back(number_param("storm_x_m", "m", -1e7, 1e7, 0, "storm cell centre when it starts (world x)", false));
    p.push_back(number_param("storm_y_m", "m", -1e7, 1e7, 0, "storm cell centre when it starts (world y)", false));
    p.push_back(number_param("storm_heading_deg", "deg", 0, 360, 90, "direction the cell drifts, clockwise from north", false));
    p.push_back(number_param("storm_speed_m_s", "m/s", 0, 40, 0.5, "how fast the cell drifts (0: stalled)", false));
    p.push_back(number_param("storm_radius_m", "m", 100, 500000, 15000, "radius of the cell's core (Gaussian sigma)", false));
    p.push_back(number_param("gradient_c_per_100km", "C", -10, 10, 1.5,
                             "air temperature change per 100 km toward gradient_bearing_deg (coast to hill country)"));
    p.push_back(number_param("gradient_bearing_deg", "deg", 0, 360, 315, "direction in which it gets warmer, clockwise from north"));
    p.push_back(number_param("temp_offset_c", "C", -20, 20, 0, "added to every air temperature (a hotter or cooler what-if)"));
    return b;
}

class WeatherModule final : public Module {
public:
    std::string name() const override { return "weather"; }
    std::string title() const override { return "Weather"; }
    BlockSpec block() const override { return weather_block(); }

    void attach(AttachContext& ctx) override {
        const ParamStore& p = ctx.params;
        info_ = ctx.info;
        const std::string& file = p.text("weather.file");
        if (!file.empty()) {
            series_ = load_weather_csv(file, std::filesystem::proximate(file).string());
            source_ = std::filesystem::path(file).filename().string();
        } else {
            HeatDome h;
            h.days = int(p.number("weather.days"));
            h.peak_c = p.number("weather.peak_c");
            h.night_c = p.number("weather.night_c");
            h.warming_c_per_day = p.number("weather.warming_c_per_day");
            h.dew_point_c = p.number("weather.dew_point_c");
            h.wind_m_s = p.number("weather.wind_m_s");
            h.storm_day = int(p.number("weather.storm_day"));
            h.storm_start_h = p.number("weather.storm_start_h");
            h.storm_hours = p.number("weather.storm_hours");
            h.storm_peak_mm_h = p.number("weather.storm_peak_mm_h");
            if (h.storm_day > h.days) throw ParamError("weather.storm_day", "the storm's day is after the heat dome's last day");
            series_ = heat_dome(h, info_.start_epoch_s, info_.latitude_deg, info_.longitude_deg, info_.utc_offset_h);
            source_ = "built-in heat dome";
        }
        // The storm moves from its start at a fixed velocity from the first hour with rain.
        storm_start_epoch_ = series_.samples().back().epoch_s;
        for (const WeatherSample& s : series_.samples())
            if (s.rain_mm_h > 0) {
                storm_start_epoch_ = s.epoch_s;
                break;
            }
        read_params(p);
        now_ = series_.at(info_.start_epoch_s);
    }

    void publish(OutputBus& bus) override {
        bus.publish_scalar("weather.rel_humidity_pct", "%", "relative humidity", [this] { return now_.rel_humidity_pct; });
        bus.publish_scalar("weather.ghi_w_m2", "W/m2", "global horizontal irradiance", [this] { return now_.ghi_w_m2; });
        bus.publish_scalar("weather.wind_m_s", "m/s", "wind speed at 10 m", [this] { return now_.wind_m_s; });
        bus.publish_scalar("weather.storm_core_rain_mm_h", "mm/h", "rain rate at the storm's core", [this] { return now_.rain_mm_h; });
        bus.publish_scalar("weather.sun_elevation_deg", "deg", "the sun's elevation at the site (NOAA)", [this] { return sun_elevation_deg_; });
        bus.publish_field("weather.air_temp_c", "C", "air temperature at a world point (site value plus the inland gradient)",
                          [this](double x, double y) { return air_temp_at(x, y); });
        bus.publish_field("weather.rain_mm_h", "mm/h", "rain rate at a world point (the storm cell)",
                          [this](double x, double y) { return rain_at(x, y); });
    }

    void couple(CouplingContext& ctx) override { set_time(ctx.t_s()); }
    void step(StepContext& ctx) override {
        read_params(ctx.params);
        set_time(ctx.t_s + ctx.dt_s);
    }

    std::vector<Metric> metrics() const override {
        return {{"air temperature", "C", now_.air_temp_c + offset_c_}, {"rain at the core", "mm/h", now_.rain_mm_h},
                {"irradiance", "W/m2", now_.ghi_w_m2}};
    }

    void overlay(OverlayContext& ctx) override {
        char text[160];
        std::snprintf(text, sizeof text, "%.1f C   %.0f%% RH   %.0f W/m2   wind %.0f m/s%s", now_.air_temp_c + offset_c_,
                      now_.rel_humidity_pct, now_.ghi_w_m2, now_.wind_m_s,
                      now_.rain_mm_h > 0.05 ? ("   storm " + std::to_string(int(now_.rain_mm_h + 0.5)) + " mm/h").c_str() : "");
        engine::draw_status_lines({{text}});
    }

    void panel(PanelContext& ctx) override {
        const double local_h = std::fmod((epoch_ + info_.utc_offset_h * 3600) / 3600.0, 24.0);
        const SolarDay day = noaa_solar_day(epoch_, info_.latitude_deg, info_.longitude_deg, info_.utc_offset_h);
        ImGui::Text("Source: %s", source_.c_str());
        ImGui::Text("Local %02d:%02d   sunrise %02d:%02d   sunset %02d:%02d   sun %.1f deg", int(local_h),
                    int(std::fmod(local_h, 1.0) * 60), int(day.sunrise_min / 60), int(std::fmod(day.sunrise_min, 60)),
                    int(day.sunset_min / 60), int(std::fmod(day.sunset_min, 60)), sun_elevation_deg_);
        ImGui::Text("Air %.1f C   RH %.0f%%   GHI %.0f W/m2   wind %.1f m/s   rain %.1f mm/h (core)", now_.air_temp_c + offset_c_,
                    now_.rel_humidity_pct, now_.ghi_w_m2, now_.wind_m_s, now_.rain_mm_h);
        engine::Series temp{"air C", IM_COL32(240, 120, 60, 255), {}, {}}, rain{"rain mm/h / 4", IM_COL32(90, 150, 240, 255), {}, {}},
            sun{"GHI W/m2 / 25", IM_COL32(240, 210, 60, 255), {}, {}};
        for (const WeatherSample& s : series_.samples()) {
            const double h = (s.epoch_s - info_.start_epoch_s) / 3600;
            temp.x.push_back(h), temp.y.push_back(s.air_temp_c + offset_c_);
            rain.x.push_back(h), rain.y.push_back(s.rain_mm_h / 4);
            sun.x.push_back(h), sun.y.push_back(s.ghi_w_m2 / 25);
        }
        engine::Series now{"now", IM_COL32(255, 255, 255, 200), {(epoch_ - info_.start_epoch_s) / 3600, (epoch_ - info_.start_epoch_s) / 3600}, {0, 50}};
        engine::PlotSpec spec{"Weather", "time", "h", "", "", {460, 170}, true};
        engine::plot_series("weather", spec, {temp, sun, rain, now});
    }

    void export_results(const std::filesystem::path& dir, double, const ParamStore&) override {
        std::ofstream out(dir / "weather.csv");
        out << "time_s,air_temp_c,rel_humidity_pct,ghi_w_m2,wind_m_s,rain_mm_h\n";
        for (const WeatherSample& s : series_.samples())
            out << s.epoch_s - info_.start_epoch_s << ',' << s.air_temp_c + offset_c_ << ',' << s.rel_humidity_pct << ','
                << s.ghi_w_m2 << ',' << s.wind_m_s << ',' << s.rain_mm_h << '\n';
    }

private:
    void read_params(const ParamStore& p) {
        offset_c_ = p.number("weather.temp_offset_c");
        gradient_ = p.number("weather.gradient_c_per_100km") / 100000;
        bearing_ = p.number("weather.gradient_bearing_deg") * std::numbers::pi / 180;
        storm_x_ = p.number("weather.storm_x_m");
        storm_y_ = p.number("weather.storm_y_m");
        storm_heading_ = p.number("weather.storm_heading_deg") * std::numbers::pi / 180;
        storm_speed_ = p.number("weather.storm_speed_m_s");
        storm_sigma_ = p.number("weather.storm_radius_m");
    }
    void set_time(double t_s) {
        epoch_ = info_.start_epoch_s + t_s;
        now_ = series_.at(epoch_);
        sun_elevation_deg_ = noaa_solar_position(epoch_, info_.latitude_deg, info_.longitude_deg).elevation_deg;
    }
    double air_temp_at(double x, double y) const {
        // Distance along the bearing (x east, y north; bearings clockwise from north).
        const double along = x * std::sin(bearing_) + y * std::cos(bearing_);
        return now_.air_temp_c + offset_c_ + gradient_ * along;
    }
    double rain_at(double x, double y) const {
        const double moved = std::max(0.0, epoch_ - storm_start_epoch_) * storm_speed_;
        const double cx = storm_x_ + moved * std::sin(storm_heading_), cy = storm_y_ + moved * std::cos(storm_heading_);
        const double r2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
        return now_.rain_mm_h * std::exp(-r2 / (2 * storm_sigma_ * storm_sigma_));
    }

    WorldInfo info_;
    WeatherSeries series_;
    std::string source_;
    WeatherSample now_;
    double epoch_ = 0, sun_elevation_deg_ = 0, storm_start_epoch_ = 0;
    double offset_c_ = 0, gradient_ = 0, bearing_ = 0;
    double storm_x_ = 0, storm_y_ = 0, storm_heading_ = 0, storm_speed_ = 0, storm_sigma_ = 15000;
};

}  // namespace

std::unique_ptr<Module> create() { return std::make_unique<WeatherModule>(); }

}  // namespace infrascape::weather
