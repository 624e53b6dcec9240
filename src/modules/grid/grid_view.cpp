// The grid module's legend, labels, panel and metrics.
#include "modules/grid/grid_module_impl.hpp"

namespace infrascape::grid {

// [SECTION] Legend, panel, metrics, exports
void GridModule::overlay(OverlayContext& ctx) {
    sync_visual_params(ctx.params);
    engine::LegendSpec legend;
    legend.quantity = "Line loading";
    legend.unit = "% of rating";
    legend.min = 0;
    legend.max = 120;
    engine::colormap_from_name(ctx.params.text("grid.colormap"), legend.colormap);
    engine::draw_legend(legend, ctx.colormaps);
    if (sced_ok_) {
        engine::LegendSpec prices;
        prices.quantity = "Substation price";
        prices.unit = "$/MWh";
        prices.min = 0;
        prices.max = price_max_;
        prices.colormap = engine::Colormap::Turbo;
        engine::draw_legend(prices, ctx.colormaps);
    }

    // The system's state, top right.
    char text[200];
    const double hour = cond_.local_hour;
    std::snprintf(text, sizeof text, "%02d:%02d local   %.0f C   demand %s   PV %s   net load %s", int(hour),
                  int(std::fmod(hour, 1.0) * 60), cond_.ambient_c, format_mw(cond_.demand_mw).c_str(),
                  format_mw(cond_.utility_pv_mw + cond_.rooftop_pv_mw).c_str(), format_mw(cond_.net_load_mw).c_str());
    std::vector<engine::StatusLine> lines{{text}};
    if (ctx.params.text("grid.dispatch") == "sced") {
        if (sced_ok_)
            std::snprintf(text, sizeof text, "operator: security-constrained dispatch   mean price %.0f $/MWh   cost %.2f M$/h",
                          mean_price_, sced_cost_ / 1e6);
        else
            std::snprintf(text, sizeof text, "operator: pro-rata (%s)", sced_note_.c_str());
        lines.push_back({text});
    }
    const size_t tripped = std::count(cascade_->out().begin(), cascade_->out().end(), char(1));
    const size_t overloaded =
        std::count_if(flows_.loading_pct.begin(), flows_.loading_pct.end(), [](double v) { return v > kOverloadPct; });
    if (tripped > 0 || overloaded > 0 || shed_mw() > 0.5) {
        std::snprintf(text, sizeof text, "%zu lines overloaded   %zu tripped   %s not served", overloaded, tripped,
                      format_mw(shed_mw()).c_str());
        lines.push_back({text, IM_COL32(120, 20, 20, 210), IM_COL32(255, 235, 220, 255)});
    }
    engine::draw_status_lines(lines);
    hosting_overlay(ctx);
}

std::string GridModule::format_mw(double mw) {
    char b[32];
    if (std::abs(mw) >= 10000)
        std::snprintf(b, sizeof b, "%.1f GW", mw / 1000);
    else
        std::snprintf(b, sizeof b, "%.0f MW", mw);
    return b;
}

void GridModule::panel(PanelContext& ctx) {
    sync_visual_params(ctx.params);
    ImGui::TextWrapped("%s: %zu buses, %zu branches, %zu generators", source_.c_str(), base_.buses.size(),
                base_.branches.size(), base_.gens.size());
    if (anchored_count_ < base_.buses.size())
        ImGui::TextDisabled("%zu of %zu buses placed by the gazetteer; the rest by the layout", anchored_count_,
                            base_.buses.size());
    ImGui::Text("%s local   %.1f C   ratings x%.3f   reserve %.0f%%", local_clock(last_t_s_).c_str(), cond_.ambient_c,
                cond_.rating_factor, 100 * inj_.reserve_margin);
    ImGui::Text("Battery %+.0f MW, %.0f of %.0f MWh stored", inj_.battery_mw, battery_.soc_mwh, scenario_.battery_mwh);
    double ramp_at = 0;
    const double ramp = record_.max_ramp_3h_mw(&ramp_at);
    ImGui::Text("Peak demand %s   peak net load %s", format_mw(record_.peak_demand_mw()).c_str(),
                format_mw(record_.peak_net_load_mw()).c_str());
    ImGui::Text("Largest 3-hour ramp %s, ending %s local   not served %.0f MWh", format_mw(ramp).c_str(),
                local_clock(ramp_at).c_str(), record_.energy_not_served_mwh());

    // The day: demand, PV, net load (the duck curve) and its 3-hour ramp, reserve margin.
    std::vector<double> hours;
    for (double t : record_.t_s) hours.push_back(t / 3600.0);
    engine::PlotSpec spec;
    spec.title = "Demand, PV and net load (the duck curve)";
    spec.x_label = "hours since start";
    spec.y_label = "power";
    spec.y_unit = "GW";
    spec.size = ImVec2(ImGui::GetContentRegionAvail().x, 190);
    auto gw = [](const std::vector<double>& v) {
        std::vector<double> o(v.size());
        for (size_t i = 0; i < v.size(); ++i) o[i] = v[i] / 1000;
        return o;
    };
    engine::plot_series("grid_duck", spec,
                        {{"demand", IM_COL32(240, 240, 240, 255), hours, gw(record_.demand_mw)},
                         {"PV", IM_COL32(250, 200, 60, 255), hours, gw(record_.pv_mw)},
                         {"net load", IM_COL32(90, 170, 250, 255), hours, gw(record_.net_load_mw)},
                         {"cooling", IM_COL32(240, 110, 90, 255), hours, gw(record_.cooling_mw)}});
    std::vector<double> ramp3, ramp_hours;
    const size_t lag = size_t(std::lround(3 * 3600.0 / step_s_));
    for (size_t i = lag; i < record_.net_load_mw.size(); ++i) {
        ramp3.push_back((record_.net_load_mw[i] - record_.net_load_mw[i - lag]) / 1000);
        ramp_hours.push_back(hours[i]);
    }
    engine::PlotSpec rs = spec;
    rs.title = "Net-load change over the last 3 hours (the solar cliff)";
    rs.size.y = 130;
    engine::plot_series("grid_ramp", rs, {{"3-h ramp", IM_COL32(90, 170, 250, 255), ramp_hours, ramp3}});
    engine::PlotSpec ms = spec;
    ms.title = "Reserve margin";
    ms.y_label = "margin";
    ms.y_unit = "%";
    ms.size.y = 110;
    std::vector<double> margin;
    for (double m : record_.reserve_margin) margin.push_back(100 * m);
    engine::plot_series("grid_reserve", ms, {{"reserve", IM_COL32(120, 220, 120, 255), hours, margin}});

    // Trip a line and watch the cascade.
    ImGui::Separator();
    ImGui::TextUnformatted("Trip a line");
    std::vector<size_t> order(base_.branches.size());
    std::iota(order.begin(), order.end(), 0);
    const auto& lp = flows_.loading_pct;
    std::partial_sort(order.begin(), order.begin() + std::min<size_t>(order.size(), 15), order.end(),
                      [&](size_t a, size_t b) { return (a < lp.size() ? lp[a] : 0) > (b < lp.size() ? lp[b] : 0); });
    order.resize(std::min<size_t>(order.size(), 15));
    if (selected_ < 0 && !order.empty()) selected_ = int(order[0]);
    auto label = [&](size_t l) {
        const Branch& br = base_.branches[l];
        char b[200];
        std::snprintf(b, sizeof b, "#%zu  %s - %s  %.0f%%", l + 1, bus_label(br.from).c_str(), bus_label(br.to).c_str(),
                      l < lp.size() ? lp[l] : 0.0);
        return std::string(b);
    };
    if (ImGui::BeginCombo("branch", selected_ >= 0 ? label(size_t(selected_)).c_str() : "")) {
        for (size_t l : order)
            if (ImGui::Selectable(label(l).c_str(), int(l) == selected_)) selected_ = int(l);
        ImGui::EndCombo();
    }
    if (ImGui::Button("Trip it") && selected_ >= 0) cascade_->trip(selected_, last_t_s_);
    ImGui::SameLine();
    if (ImGui::Button("Restore all")) {
        cascade_->restore();
        replay_stage_ = -1;
        std::fill(trip_playback_s_.begin(), trip_playback_s_.end(), -1.0f);
        update_states();
    }
    const auto& stages = cascade_->stages();
    if (stages.size() > 1) {
        int stage = replay_stage_ < 0 ? int(stages.size()) - 1 : replay_stage_;
        if (ImGui::SliderInt("replay stage", &stage, 0, int(stages.size()) - 1)) {
            replay_stage_ = stage == int(stages.size()) - 1 ? -1 : stage;
            update_states();
        }
    }
    if (!cascade_->events().empty() && ImGui::BeginTable("grid_events", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY,
                                                         ImVec2(0, 150))) {
        ImGui::TableSetupColumn("time");
        ImGui::TableSetupColumn("branch");
        ImGui::TableSetupColumn("loading");
        ImGui::TableSetupColumn("cause");
        ImGui::TableHeadersRow();
        for (const TripEvent& e : cascade_->events()) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(local_clock(e.t_s).c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(label(size_t(e.branch)).c_str());
            ImGui::TableNextColumn();
            ImGui::Text("%.0f%%", e.loading_pct);
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(e.cause.c_str());
        }
        ImGui::EndTable();
    }
    hosting_panel(ctx);
}

std::vector<Metric> GridModule::metrics() const {
    double ramp_at = 0;
    const double ramp = record_.max_ramp_3h_mw(&ramp_at);
    size_t overloaded = 0;
    for (double m : max_loading_pct_) overloaded += m > kOverloadPct;
    return {{"peak demand", "MW", record_.peak_demand_mw()},
            {"peak net load", "MW", record_.peak_net_load_mw()},
            {"largest 3-hour net-load ramp", "MW", ramp},
            {"overloaded branches", "", double(overloaded)},
            {"tripped branches", "", double(std::count(cascade_->out().begin(), cascade_->out().end(), char(1)))},
            {"energy not served", "MWh", record_.energy_not_served_mwh()},
            {"dispatch steps solved by the operator", "", double(sced_steps_)},
            {"flooded substations", "", double(std::count(ports_.site_flooded.begin(), ports_.site_flooded.end(), char(1)))}};
}

}  // namespace infrascape::grid
