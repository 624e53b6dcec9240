// The datacenter module's overlay, panel, picking and metrics.
#include "modules/datacenter/datacenter_module_impl.hpp"

namespace infrascape::datacenter {

void DatacenterModule::overlay(OverlayContext& ctx) {
    engine::LegendSpec legend;
    legend.quantity = "Air temperature at " + format(std::round(ctx.params.number("datacenter.slice_height_m") * 10) / 10) + " m";
    legend.unit = "C";
    legend.min = ctx.params.number("datacenter.temperature_min_c");
    legend.max = ctx.params.number("datacenter.temperature_max_c");
    legend.colormap = engine::Colormap::Inferno;
    engine::draw_legend(legend, ctx.colormaps);
    t_min_c_ = legend.min;  // the style is set before the next world pass (before_draw)
    t_max_c_ = legend.max;
    char text[240];
    std::snprintf(text, sizeof text, "IT %.2f MW   PUE %.2f   outdoor %.0f C   hottest inlet %.1f C   GPUs throttled %d/%d",
                  it_kw_ / 1000, facility_.pue, outdoor_c_, metrics_.max_intake_c, throttled_, gpus_);
    engine::StatusLine status{text};
    if (throttled_) status.background = IM_COL32(130, 20, 20, 215);
    engine::draw_status_lines({status});
}

void DatacenterModule::panel(PanelContext& ctx) {
    ImGui::Text("Grid %u x %u x %u cells of %.2f m; step %.1f ms of air time; %llu steps%s", nx_, ny_, nz_, cell_,
                units_.dt_s * 1000, static_cast<unsigned long long>(lattice_steps_), behind_steps_ ? " (behind)" : "");
    ImGui::Text("Mach %.2f, tau %.4f, tau_T %.4f", stability_.mach, stability_.tau, stability_.tau_thermal);
    if (!stability_.ok()) ImGui::TextColored(ImVec4(1, 0.5f, 0.3f, 1), "%s", stability_.warning.c_str());
    ImGui::Separator();
    ImGui::Text("IT %.0f kW, heat to air %.0f kW, removed by the units %.0f kW", it_kw_, air_heat_kw_, heat_removed_kw_);
    ImGui::Text("Cooling %.0f kW + fans %.0f kW, facility %.0f kW, PUE %.3f", facility_.cooling_kw, facility_.fans_kw,
                facility_.facility_kw, facility_.pue);
    ImGui::Text("RCI-HI %.0f%%  RCI-LO %.0f%%  RTI %.0f%%", metrics_.rci_hi_percent, metrics_.rci_lo_percent, rti_);
    ImGui::Text("GPUs throttled %d of %d, compute lost %.1f%%", throttled_, gpus_, lost_compute_ * 100);
    // Inlet histogram, 1 K bins from 15 to 45 C.
    std::array<float, 30> bins{};
    for (const Rack& r : racks_)
        for (double t : r.server_inlet_c) bins[size_t(std::clamp(int(std::floor(t - 15)), 0, 29))] += 1;
    ImGui::PlotHistogram("server inlets, 15-45 C", bins.data(), int(bins.size()), 0, nullptr, 0, FLT_MAX,
                         ImVec2(ImGui::GetContentRegionAvail().x, 80));
    // PUE over time.
    if (!series_t_.empty()) {
        engine::PlotSpec spec;
        spec.title = "Facility";
        spec.x_label = "time";
        spec.x_unit = "s";
        spec.y_label = "PUE";
        spec.size = ImVec2(ImGui::GetContentRegionAvail().x, 110);
        std::vector<double> pue(series_.size());
        for (size_t i = 0; i < series_.size(); ++i) pue[i] = series_[i][2];
        engine::plot_series("pue", spec, {{"PUE", IM_COL32(250, 160, 60, 255), series_t_, pue}});
    }
    // Rack cut-away: servers bottom to top, each GPU coloured by temperature, throttled ones crossed.
    if (open_cutaway_) ImGui::SetNextItemOpen(true);
    open_cutaway_ = false;
    if (!racks_.empty() && ImGui::CollapsingHeader("Rack cut-away (click a rack)", ImGuiTreeNodeFlags_DefaultOpen)) {
        selected_ = std::clamp(selected_, 0, int(racks_.size()) - 1);
        if (ImGui::BeginCombo("rack", racks_[size_t(selected_)].id.c_str())) {
            for (size_t r = 0; r < racks_.size(); ++r)
                if (ImGui::Selectable(racks_[r].id.c_str(), int(r) == selected_)) selected_ = int(r);
            ImGui::EndCombo();
        }
        const Rack& r = racks_[size_t(selected_)];
        const float t_lo = float(ctx.params.number("datacenter.temperature_min_c")), t_hi = 95.0f;
        ImDrawList* dl = ImGui::GetWindowDrawList();
        const ImVec2 o = ImGui::GetCursorScreenPos();
        const float w = std::min(ImGui::GetContentRegionAvail().x, 320.0f), row_h = 18;
        const int ns = int(r.result.servers.size());
        for (int s = 0; s < ns; ++s) {
            const ServerResult& sr = r.result.servers[size_t(s)];
            const float y = o.y + (ns - 1 - s) * (row_h + 3);
            dl->AddRectFilled(ImVec2(o.x, y), ImVec2(o.x + w, y + row_h), IM_COL32(40, 42, 48, 255), 2);
            int g = 0;
            for (size_t c = 0; c < sr.components.size(); ++c) {
                if (r.config.server.components[c].kind != ComponentKind::Gpu) continue;
                const ComponentResult& cr = sr.components[c];
                const float x = o.x + 70 + g * 24;
                const glm::vec3 col = colormaps_->sample(engine::Colormap::Inferno, (cr.temperature_c - t_lo) / (t_hi - t_lo));
                dl->AddRectFilled(ImVec2(x, y + 2), ImVec2(x + 20, y + row_h - 2), ImGui::ColorConvertFloat4ToU32(ImVec4(col.r, col.g, col.b, 1)), 2);
                if (cr.throttled) {
                    dl->AddLine(ImVec2(x, y + 2), ImVec2(x + 20, y + row_h - 2), IM_COL32(80, 200, 255, 255), 2);
                    dl->AddLine(ImVec2(x + 20, y + 2), ImVec2(x, y + row_h - 2), IM_COL32(80, 200, 255, 255), 2);
                }
                ++g;
            }
            char label[32];
            std::snprintf(label, sizeof label, "%.1f C", sr.inlet_c);
            dl->AddText(ImVec2(o.x + 4, y + 2), IM_COL32(220, 220, 220, 255), label);
        }
        ImGui::Dummy(ImVec2(w, ns * (row_h + 3)));
        ImGui::Text("inlet %.1f C mean, %.1f C max; outlet %.1f C; hottest GPU %.1f C; %d of %d GPUs throttled", r.inlet_mean_c,
                    r.inlet_max_c, r.result.outlet_c, r.result.hottest_gpu_c, r.result.throttled_gpus, r.result.gpus);
        ImGui::Text("IT %.1f kW, to air %.1f kW, to liquid %.1f kW, airflow %.2f m3/s", r.result.it_power_w / 1000,
                    r.result.heat_to_air_w / 1000, r.result.heat_to_liquid_w / 1000, r.result.airflow_m3_per_s);
    }
}

// A click on a rack opens its cut-away in the panel (slab test against each rack's box, nearest hit).
std::string DatacenterModule::pick(const glm::dvec3& origin, const glm::dvec3& dir) {
    double best = 1e300;
    int hit = -1;
    for (size_t r = 0; r < racks_.size(); ++r) {
        const Rack& rack = racks_[r];
        const glm::dvec2 lo = world_xy(rack.x0_m, rack.y0_m), hi = world_xy(rack.x0_m + kRackW, rack.y0_m + kRackD);
        const glm::dvec3 b0(lo.x, lo.y, 0.0), b1(hi.x, hi.y, kRackH);
        double t0 = 0, t1 = 1e300;
        bool miss = false;
        for (int a = 0; a < 3 && !miss; ++a) {
            if (std::abs(dir[a]) < 1e-12) {
                miss = origin[a] < b0[a] || origin[a] > b1[a];
                continue;
            }
            double ta = (b0[a] - origin[a]) / dir[a], tb = (b1[a] - origin[a]) / dir[a];
            if (ta > tb) std::swap(ta, tb);
            t0 = std::max(t0, ta);
            t1 = std::min(t1, tb);
            miss = t0 > t1;
        }
        if (!miss && t0 < best) best = t0, hit = int(r);
    }
    if (hit < 0) return {};
    selected_ = hit;
    open_cutaway_ = true;
    return "rack " + racks_[size_t(hit)].id;
}

// Shift + drag moves the vertical slice across the rows to where the cursor's ray meets the floor (or, looking
// along the floor, the slice's own height); with the vertical slice off it moves the horizontal slice's height
// to where the ray crosses the hall's middle (y = centre).
bool DatacenterModule::drag(const glm::dvec3& origin, const glm::dvec3& dir, ParamStore& params) {
    if (params.flag("datacenter.vertical_slice")) {
        if (std::abs(dir.z) < 1e-9) return false;
        const double t = (0.0 - origin.z) / dir.z;
        if (t <= 0) return false;
        const double y = origin.y + t * dir.y + hall_[1] / 2;
        params.set("datacenter.vertical_slice_y_m", std::clamp(y, 0.0, hall_[1]));
        return true;
    }
    if (std::abs(dir.y) < 1e-9) return false;
    const double t = (0.0 - origin.y) / dir.y;
    if (t <= 0) return false;
    params.set("datacenter.slice_height_m", std::clamp(origin.z + t * dir.z, 0.0, hall_[2]));
    return true;
}

std::vector<Metric> DatacenterModule::metrics() const {
    return {{"IT power", "kW", it_kw_},
            {"facility power", "kW", facility_.facility_kw},
            {"PUE", "", facility_.pue},
            {"heat removed by the units", "kW", heat_removed_kw_},
            {"hottest rack inlet", "C", metrics_.max_intake_c},
            {"GPUs throttled", "", double(throttled_)},
            {"RCI-HI", "%", metrics_.rci_hi_percent}};
}

}  // namespace infrascape::datacenter
