// The flood module's drawing, legend, labels and panel.
#include "modules/flood/flood_module_impl.hpp"

namespace infrascape::flood {

// [SECTION] Legend, labels, panel
void FloodModule::overlay(OverlayContext& ctx) {
    sync_visual(ctx.params);
    if (sleeping_) return;  // a flood waiting for rain has nothing to show yet
    const engine::LegendSpec legend = legend_spec();
    engine::draw_legend(legend, ctx.colormaps);

    // The flood's state, top right (red once a siren sounded), and labels over the gauges and sites.
    char text[240];
    std::snprintf(text, sizeof text, "T+%s   rain %.0f mm/h   sirens %zu/%zu   sites reached %zu/%zu",
                  clock_text(flood_time_s_).c_str(), storm_rate_mm_h_ + rain_now_mm_h_, sirens_sounded(), gauges_.size(),
                  size_t(std::count_if(sites_.begin(), sites_.end(), [](const Site& s) { return s.arrival_s >= 0; })),
                  sites_.size());
    engine::StatusLine status{text};
    if (sirens_sounded()) status.background = IM_COL32(130, 20, 20, 215);
    engine::draw_status_lines({status});
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    // Gauge and site labels only once the valley is more than a speck on the screen.
    if (!frame_ready_ || camera_distance_m_ > 20.0 * grid_.dx * std::max(grid_.nx, grid_.ny)) return;
    auto label = [&](glm::dvec3 p, const std::string& s, ImU32 bg) {
        engine::draw_world_label(dl, view_proj_, glm::vec3(p), s.c_str(), bg);
    };
    for (const Gauge& g : gauges_) {
        const glm::dvec2 w = world_of_cell(g.cell);
        char b[96];
        std::snprintf(b, sizeof b, "%s %.1f m", g.name.c_str(), g.depth_m.empty() ? 0.0 : g.depth_m.back());
        label({w.x, w.y, grid_.z[g.cell] + z_shift_ + 10.5 * marker_scale_}, b,
              g.siren_s >= 0 ? IM_COL32(170, 20, 20, 220) : IM_COL32(30, 34, 44, 200));
    }
    for (const Site& s : sites_) {
        const glm::dvec2 w = world_of_cell(s.cell);
        label({w.x, w.y, grid_.z[s.cell] + z_shift_ + 4 * marker_scale_}, s.name,
              s.arrival_s >= 0 ? IM_COL32(170, 20, 20, 220) : warned(s) ? IM_COL32(160, 100, 10, 220) : IM_COL32(30, 34, 44, 180));
    }
}

engine::LegendSpec FloodModule::legend_spec() const {
    engine::LegendSpec legend;
    if (show_ == "water") {
        legend.quantity = "Water depth";
        legend.unit = "m";
        legend.max = depth_scale_m_;
        legend.colormap = engine::Colormap::Blues;
    } else if (show_ == "max_depth") {
        legend.quantity = "Largest depth so far";
        legend.unit = "m";
        legend.max = depth_scale_m_;
        legend.colormap = engine::Colormap::Viridis;
    } else if (show_ == "arrival_time") {
        legend.quantity = "Water arrived (> 0.1 m)";
        legend.unit = "min";
        legend.max = std::max(10.0, std::ceil(flood_time_s_ / 600.0) * 10.0);
        legend.colormap = engine::Colormap::Inferno;
    } else if (show_ == "probability") {
        legend.quantity = probability_label_;
        legend.unit = "probability";
        legend.min = 0;
        legend.max = 1;
        legend.colormap = engine::Colormap::Inferno;
    } else {
        legend.quantity = "Hazard: 1 low, 2 some, 3 most, 4 all";
        legend.unit = "danger class";
        legend.min = 0;
        legend.max = 4;
        legend.colormap = engine::Colormap::Turbo;
    }
    return legend;
}

void FloodModule::sync_visual(const ParamStore& p) {
    show_ = p.text("flood.show");
    depth_scale_m_ = p.number("flood.depth_scale_m");
    water_opacity_ = p.number("flood.water_opacity");
    tracer_speedup_ = p.number("flood.tracer_speedup");
    site_depth_m_ = p.number("flood.site_flood_depth_m");
}

void FloodModule::panel(PanelContext& ctx) {
    sync_visual(ctx.params);
    ImGui::Text("%u x %u cells of %.1f m%s, %s, %s", grid_.nx, grid_.ny, grid_.dx,
                valley_ ? " (procedural valley)" : "",
                grid_.inertial ? "local inertial" : grid_.second_order ? "second order" : "first order",
                nodata_cells_ ? (std::to_string(nodata_cells_) + " NODATA cells as walls").c_str() : "no NODATA");
    if (filled_cells_) ImGui::TextDisabled("%zu cells raised to drain (depression filling)", filled_cells_);
    ImGui::Text("Flood clock T+%s (%.0f s behind the session), dt %.2f s, %llu steps", clock_text(flood_time_s_).c_str(),
                debt_s_, last_dt_, static_cast<unsigned long long>(steps_taken_));
    const double err = volume_m3_ - ledger_.expected_m3();
    const double total = std::max({ledger_.expected_m3(), ledger_.initial_m3 + ledger_.rain_m3 + ledger_.inflow_m3, 1e-9});
    ImGui::Text("Water %.3g m3: rain %.3g, inflow %.3g, out %.3g, soil %.3g; balance error %.1e", volume_m3_,
                ledger_.rain_m3, ledger_.inflow_m3, ledger_.outflow_m3(), ledger_.infiltrated_m3, err / total);

    if (!gauges_.empty() && ImGui::CollapsingHeader("Gauges", ImGuiTreeNodeFlags_DefaultOpen)) {
        for (const Gauge& g : gauges_) {
            ImGui::PushID(g.name.c_str());
            const bool on = g.siren_s >= 0;
            ImGui::TextColored(on ? ImVec4(1, 0.3f, 0.25f, 1) : ImVec4(0.7f, 0.75f, 0.8f, 1), "%s  %s", on ? "SIREN" : "quiet",
                               g.name.c_str());
            ImGui::SameLine();
            ImGui::TextDisabled("warns at %.1f m%s", g.warn_m, on ? (", sounded T+" + clock_text(g.siren_s)).c_str() : "");
            engine::PlotSpec spec;
            spec.title = g.name + ": depth";
            spec.x_label = "time";
            spec.x_unit = "h";
            spec.y_label = "depth";
            spec.y_unit = "m";
            spec.y_from_zero = true;
            spec.size = ImVec2(ImGui::GetContentRegionAvail().x, 120);
            std::vector<double> hours(g.t_s.size());
            for (size_t i = 0; i < g.t_s.size(); ++i) hours[i] = g.t_s[i] / 3600.0;
            std::vector<double> warn_x, warn_y;
            if (!hours.empty()) {
                warn_x = {hours.front(), hours.back()};
                warn_y = {g.warn_m, g.warn_m};
            }
            engine::plot_series("gauge", spec,
                                {{"depth", IM_COL32(90, 170, 250, 255), hours, g.depth_m},
                                 {"warning", IM_COL32(250, 190, 60, 255), warn_x, warn_y}});
            ImGui::PopID();
        }
    }
    if (!sites_.empty() && ImGui::CollapsingHeader("Warning lead time", ImGuiTreeNodeFlags_DefaultOpen)) {
        if (ImGui::BeginTable("lead", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp)) {
            for (const char* h : {"site", "warned by", "siren", "water", "lead time"}) ImGui::TableSetupColumn(h);
            ImGui::TableHeadersRow();
            for (const Site& s : sites_) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(s.name.c_str());
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(s.gauge.empty() ? "first siren" : s.gauge.c_str());
                const double siren = siren_for(s);
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(siren >= 0 ? ("T+" + clock_text(siren)).c_str() : "-");
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(s.arrival_s >= 0 ? ("T+" + clock_text(s.arrival_s)).c_str() : "dry");
                ImGui::TableNextColumn();
                if (s.arrival_s >= 0 && siren >= 0) {
                    const double lead = (s.arrival_s - siren) / 60.0;
                    ImGui::TextColored(lead < 30 ? ImVec4(1, 0.35f, 0.3f, 1) : ImVec4(0.5f, 0.9f, 0.5f, 1), "%.0f min", lead);
                } else if (s.arrival_s >= 0) {
                    ImGui::TextColored(ImVec4(1, 0.3f, 0.25f, 1), "none");
                } else if (siren >= 0) {
                    ImGui::Text("> %.0f min", (flood_time_s_ - siren) / 60.0);
                } else {
                    ImGui::TextDisabled("-");
                }
            }
            ImGui::EndTable();
        }
    }
    warning_by_size_table();
}

// The same flood as each of the world's places would have been warned of it (warning_network.hpp).
void FloodModule::warning_by_size_table() {
    if (populations_.empty() || gauges_.empty()) return;
    if (!ImGui::CollapsingHeader("Warning by the size of the place", ImGuiTreeNodeFlags_DefaultOpen)) return;
    ImGui::TextWrapped("This flood, with the gauges and alerting each place's budget buys (investment per resident "
                       "~ N^%.2f; %.0f people: one gauge, alert %.0f min after it). Sites: this river's.",
                       scaling_.exponent, scaling_.ref_population, scaling_.ref_delay_s / 60);
    if (!ImGui::BeginTable("by_size", 6, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp))
        return;
    for (const char* h : {"place", "people", "gauges", "alert", "alerted", "lead time"}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (const WarningNetwork& net : networks()) {
        const WarningOutcome o = outcome(net);
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(net.place.c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%.3g", net.population);
        ImGui::TableNextColumn();
        ImGui::Text("%zu of %zu", net.gauges, gauges_.size());
        ImGui::TableNextColumn();
        ImGui::Text("+%.0f min", net.alert_delay_s / 60);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(o.alert_s >= 0 ? ("T+" + clock_text(o.alert_s)).c_str() : "-");
        ImGui::TableNextColumn();
        if (o.with_lead) {
            const double lead = o.mean_lead_s / 60;
            ImGui::TextColored(lead < 30 ? ImVec4(1, 0.35f, 0.3f, 1) : ImVec4(0.5f, 0.9f, 0.5f, 1), "%.0f min (%zu/%zu in time)",
                               lead, o.warned_in_time, o.reached);
        } else if (o.reached) {
            ImGui::TextColored(ImVec4(1, 0.3f, 0.25f, 1), "none (%zu sites wet)", o.reached);
        } else {
            ImGui::TextDisabled("-");
        }
    }
    ImGui::EndTable();
}

std::vector<Metric> FloodModule::metrics() const {
    std::vector<Metric> m = {{"flood time", "s", flood_time_s_},
                             {"stored water", "m3", volume_m3_},
                             {"mass balance error", "m3", volume_m3_ - ledger_.expected_m3()},
                             {"solver steps", "", double(steps_taken_)},
                             {"sirens sounded", "", double(sirens_sounded())}};
    for (const Site& s : sites_)
        if (s.arrival_s >= 0) m.push_back({s.name + " water arrival", "s", s.arrival_s});
    return m;
}

}  // namespace infrascape::flood
