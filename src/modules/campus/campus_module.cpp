// The campus module; see campus_module.hpp. The power and backup model is in campus_model.cpp.
#include "modules/campus/campus_module.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "context.hpp"
#include "core/world.hpp"
#include "mesh.hpp"
#include "modules/campus/campus_model.hpp"
#include "shader_types.hpp"
#include "ui_widgets.hpp"
#include "world_renderer.hpp"

namespace infrascape::campus {

namespace {

BlockSpec campus_block() {
    BlockSpec b{"campus", "An AI datacenter campus on the grid: GPUs, cooling plant and PUE in the weather, backup power", {}};
    auto& p = b.params;
    p.push_back(choice_param("position", {"xy", "lonlat"}, "xy", "place the campus by x_m/y_m or by lat_deg/lon_deg", false));
    p.push_back(number_param("x_m", "m", -1e7, 1e7, 0, "site, world x", false));
    p.push_back(number_param("y_m", "m", -1e7, 1e7, 0, "site, world y", false));
    p.push_back(number_param("lat_deg", "deg", -90, 90, 30.27, "site latitude (position = \"lonlat\")", false));
    p.push_back(number_param("lon_deg", "deg", -180, 180, -97.74, "site longitude (position = \"lonlat\")", false));
    p.push_back(integer_param("bus", 0, 1e9, 0, "grid bus it connects to (the case's bus number); 0: the nearest bus"));
    p.push_back(number_param("gpus", "", 1, 1e8, 250000, "GPUs on the campus", false));
    p.push_back(number_param("gpu_kw", "kW", 0.05, 10, 1.0, "board power of one GPU at full load", false));
    p.push_back(number_param("server_overhead", "", 1, 5, 1.5, "server, network and storage power per GPU watt", false));
    p.push_back(number_param("utilization", "", 0, 1, 0.85, "share of the GPUs' full power in use"));
    p.push_back(number_param("liquid_fraction", "", 0, 1, 0.7, "share of the IT heat taken by cold plates (the rest by air)", false));
    p.push_back(number_param("outdoor_c", "C", -30, 55, 35, "outdoor air temperature when the scene has no weather module"));
    p.push_back(number_param("ups_minutes", "min", 0, 120, 5, "UPS ride-through at full load", false));
    p.push_back(number_param("generator_start_s", "s", 0, 3600, 60, "backup generators carry the load this long after an outage", false));
    p.push_back(number_param("fuel_hours", "h", 0, 1000, 24, "diesel on site, hours at full generator load", false));
    b.instances = true;  // [[campus]] entries with an id
    return b;
}

class CampusModule final : public Module {
public:
    std::string name() const override { return "campus"; }
    std::string title() const override { return "AI campus"; }
    BlockSpec block() const override { return campus_block(); }

    void attach(AttachContext& ctx) override {
        const ParamStore& p = ctx.params;
        spec_.gpus = p.number("campus.gpus");
        spec_.gpu_kw = p.number("campus.gpu_kw");
        spec_.server_overhead = p.number("campus.server_overhead");
        spec_.liquid_fraction = p.number("campus.liquid_fraction");
        spec_.ups_minutes = p.number("campus.ups_minutes");
        spec_.generator_start_s = p.number("campus.generator_start_s");
        spec_.fuel_hours = p.number("campus.fuel_hours");
        if (p.text("campus.position") == "lonlat") {
            const auto xy = ctx.info.lonlat(p.number("campus.lat_deg"), p.number("campus.lon_deg"));
            x_ = xy[0], y_ = xy[1];
            if (std::abs(x_) > ctx.info.extent_m / 2 || std::abs(y_) > ctx.info.extent_m / 2)
                throw ParamError("campus.lat_deg", "the site is outside the world (" + std::to_string(int(ctx.info.extent_m / 1000)) +
                                                       " km square around world.latitude_deg/longitude_deg)");
        } else {
            x_ = p.number("campus.x_m"), y_ = p.number("campus.y_m");
            if (std::abs(x_) > ctx.info.extent_m / 2 || std::abs(y_) > ctx.info.extent_m / 2)
                throw ParamError("campus.x_m", "the site is outside the world (world.extent_m square around the origin)");
        }
        z_ = ctx.info.terrain ? ctx.info.terrain->sample(x_, y_) : 0;
        bus_ = p.number("campus.bus");
        outdoor_c_ = p.number("campus.outdoor_c");
        utilization_ = p.number("campus.utilization");
        backup_ = backup_start(spec_);
        power_ = campus_power(spec_, utilization_, outdoor_c_);
        draw_mw_ = power_.facility_mw;
        if (ctx.draws) {
            gpu_ = &ctx.gpu;
            mesh_ = std::make_unique<engine::GpuMesh>(ctx.gpu, engine::load_model(ctx.info.asset_dir / "models/building.obj"),
                                                      "campus");
            batch_.mesh = mesh_.get();
            upload();
        }
    }

    // [SECTION] Ports
    std::vector<InputPort> inputs() const override {
        return {{"weather.air_temp_c", "C", "outdoor air at the site: the cooling plant's efficiency and the PUE", "weather"},
                {"grid.served_fraction", "", "the grid's service at the campus's bus: below 0.99 it goes to UPS and generators", "outages"}};
    }
    void couple(CouplingContext& ctx) override {
        const double dt = last_couple_s_ < 0 ? 0 : ctx.t_s() - last_couple_s_;
        last_couple_s_ = ctx.t_s();
        outdoor_c_ = ctx.sample("weather", "weather.air_temp_c", x_, y_, instance()).value_or(own_outdoor_c_);
        served_ = ctx.sample("outages", "grid.served_fraction", x_, y_, instance()).value_or(1.0);
        power_ = campus_power(spec_, utilization_, outdoor_c_);
        draw_mw_ = advance_backup(backup_, spec_, power_, served_, dt);
    }

    void publish(OutputBus& bus) override {
        bus.publish_scalar("campus.facility_mw", "MW", "what the campus draws from the grid (0 on backup)", [this] { return draw_mw_; });
        bus.publish_scalar("campus.it_mw", "MW", "IT power: GPUs x GPU kW x overhead x utilization", [this] { return power_.it_mw; });
        bus.publish_scalar("campus.pue", "", "power usage effectiveness at the outdoor temperature", [this] { return power_.pue; });
        bus.publish_scalar("campus.bus", "", "grid bus number (0: nearest)", [this] { return bus_; });
        bus.publish_scalar("campus.x_m", "m", "site x", [this] { return x_; });
        bus.publish_scalar("campus.y_m", "m", "site y", [this] { return y_; });
        bus.publish_scalar("campus.on_backup", "", "1 while on UPS or generators or dark", [this] {
            return backup_.source == Backup::Source::Grid ? 0.0 : 1.0;
        });
        bus.publish_scalar("campus.gpu_hours_lost", "GPU h", "compute lost while dark", [this] { return backup_.gpu_hours_lost; });
        bus.publish_scalar("campus.generator_co2_t", "t", "CO2 from the backup generators", [this] { return backup_.co2_t; });
    }

    void step(StepContext& ctx) override {
        utilization_ = ctx.params.number("campus.utilization");
        own_outdoor_c_ = ctx.params.number("campus.outdoor_c");
    }

    std::vector<Metric> metrics() const override {
        return {{"IT", "MW", power_.it_mw},
                {"facility", "MW", power_.facility_mw},
                {"PUE", "", power_.pue},
                {"GPU-hours lost", "GPU h", backup_.gpu_hours_lost},
                {"generator CO2", "t", backup_.co2_t}};
    }

    void before_draw(FrameInfo& frame) override {
        if (!frame.push) return;
        view_proj_ = frame.push->view_proj;
        frame_ready_ = true;
        if (gpu_) upload();
    }
    void draw(DrawContext& ctx) override {
        if (batch_.count) ctx.world.draw_instances(ctx.cmd, ctx.push, batch_);
    }

    void overlay(OverlayContext&) override {
        if (!frame_ready_) return;
        // The campus's label over its block: name, MW and PUE, or its backup state.
        char text[160];
        const std::string id = instance().size() > 7 ? instance().substr(7) : instance();
        if (backup_.source == Backup::Source::Grid)
            std::snprintf(text, sizeof text, "%s  %.0f MW  PUE %.2f", id.c_str(), power_.facility_mw, power_.pue);
        else
            std::snprintf(text, sizeof text, "%s  on %s", id.c_str(), source_name(backup_.source));
        const ImU32 bg = backup_.source == Backup::Source::Grid ? IM_COL32(20, 40, 90, 210) : IM_COL32(140, 30, 20, 220);
        engine::draw_world_label(ImGui::GetBackgroundDrawList(), view_proj_,
                                 glm::vec3(float(x_), float(y_), float(z_ + height_m())), text, bg);
    }

    void panel(PanelContext&) override {
        ImGui::Text("IT %.0f MW   facility %.0f MW   PUE %.3f at %.1f C", power_.it_mw, power_.facility_mw, power_.pue, outdoor_c_);
        ImGui::Text("Draw from the grid %.0f MW   source: %s   grid serves %.0f%%", draw_mw_, source_name(backup_.source),
                    100 * served_);
        ImGui::Text("Generators %.0f MWh, %.0f t CO2, fuel left %.1f h   GPU-hours lost %.0f", backup_.generator_mwh,
                    backup_.co2_t, backup_.fuel_left_h, backup_.gpu_hours_lost);
    }

    void export_results(const std::filesystem::path& dir, double t_s, const ParamStore&) override {
        std::ofstream out(dir / "campus.csv");
        out << "time_s,it_mw,facility_mw,pue,grid_draw_mw,source,generator_mwh,co2_t,gpu_hours_lost\n"
            << t_s << ',' << power_.it_mw << ',' << power_.facility_mw << ',' << power_.pue << ',' << draw_mw_ << ','
            << source_name(backup_.source) << ',' << backup_.generator_mwh << ',' << backup_.co2_t << ','
            << backup_.gpu_hours_lost << '\n';
    }

private:
    // A block whose footprint grows with the campus's MW (about 1 ha per 4 MW), glowing blue on the grid and red on
    // backup, exaggerated so that it reads from the state's scale.
    double height_m() const { return 400; }
    void upload() {
        const double side = std::max(1500.0, std::sqrt(power_.facility_mw / 4.0 * 1e4) * 8);
        const bool ok = backup_.source == Backup::Source::Grid;
        const glm::vec4 colour = ok ? glm::vec4(0.25f, 0.55f, 1.0f, 2.0f) : glm::vec4(1.0f, 0.2f, 0.1f, 3.0f);
        const std::vector<engine::Instance> inst = {{glm::vec4(float(x_), float(y_), float(z_), 0),
                                                     glm::vec4(float(side), float(side), float(height_m()), 0), colour}};
        if (ok == uploaded_ok_ && batch_.count) return;
        batch_.upload(*gpu_, inst, "campus");
        uploaded_ok_ = ok;
    }

    CampusSpec spec_;
    CampusPower power_;
    Backup backup_;
    double x_ = 0, y_ = 0, z_ = 0, bus_ = 0, outdoor_c_ = 35, own_outdoor_c_ = 35, utilization_ = 0.85, served_ = 1, draw_mw_ = 0;
    double last_couple_s_ = -1;
    engine::Context* gpu_ = nullptr;
    std::unique_ptr<engine::GpuMesh> mesh_;
    engine::InstanceBatch batch_;
    bool uploaded_ok_ = true, frame_ready_ = false;
    glm::mat4 view_proj_{1.0f};
};

}  // namespace

std::unique_ptr<Module> create() { return std::make_unique<CampusModule>(); }

}  // namespace infrascape::campus
