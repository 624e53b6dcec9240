// The city module's overlay, labels, panel and metrics.
#include "modules/city/city_module_impl.hpp"

#include <set>

namespace infrascape::city {

void CityModule::overlay(OverlayContext& ctx) {
    if (instance() != name()) {
        // One of several cities in a world: a label over its centre (population, demand, or dark) instead of
        // the year banner and the density legend, which belong to a city's own scene.
        if (!view_ready_) return;
        const double z = terrain_ ? terrain_->sample(centre_[0], centre_[1]) : 0;
        char text[128];
        const bool dark = ports_.served_fraction() < 0.99;
        std::snprintf(text, sizeof text, "%s  %s  %.1f GW%s", instance().substr(name().size() + 1).c_str(),
                      format_people(growth_->population()).c_str(), ports_.demand_mw() / 1000,
                      dark ? "  lights out" : "");
        engine::draw_world_label(ImGui::GetBackgroundDrawList(), view_proj_,
                                 glm::vec3(float(centre_[0]), float(centre_[1]), float(z + 300)), text,
                                 dark ? IM_COL32(140, 30, 20, 220) : IM_COL32(70, 60, 20, 210));
        return;
    }
    engine::LegendSpec legend;
    legend.quantity = "Residents";
    legend.unit = "people/ha";
    legend.max = ctx.params.number("city.max_density_per_ha");
    engine::colormap_from_name(ctx.params.text("city.colormap"), legend.colormap);
    engine::draw_legend(legend, ctx.colormaps);
    // The year counter and the population, large, top centre.
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    char text[96];
    std::snprintf(text, sizeof text, "%d   %s people", int(std::floor(start_year_ + growth_->t_years())),
                  format_people(growth_->population()).c_str());
    const ImVec2 size = ImGui::CalcTextSize(text);
    const float scale = 1.6f;
    const ImVec2 pos((display.x - size.x * scale) * 0.5f, 12);
    dl->AddRectFilled(ImVec2(pos.x - 12, pos.y - 4), ImVec2(pos.x + size.x * scale + 12, pos.y + size.y * scale + 6),
                      IM_COL32(20, 22, 28, 200), 5.0f);
    dl->AddText(ImGui::GetFont(), ImGui::GetFontSize() * scale, pos, IM_COL32(255, 255, 255, 255), text);
}

void CityModule::panel(PanelContext& ctx) {
    const double n = growth_->population();
    ImGui::Text("Year %.1f   N = %s   growth %.2f%%/y", start_year_ + growth_->t_years(), format_people(n).c_str(),
                100 * growth_->growth_rate() / std::max(n, 1.0));
    const double ts = growth_->next_singularity_years();
    if (std::isfinite(ts))
        ImGui::Text("Singularity of this cycle: year %.1f (innovation %.0f years before)", start_year_ + ts,
                    ctx.params.number("city.innovation_margin_y"));
    else
        ImGui::TextUnformatted("No finite-time singularity in this cycle");
    ImGui::Text("Built %.1f km2, roads %.0f km, heat island %.1f K", built_km2(), road_km(), heat_island_k_);
    ImGui::Text("Demand %.0f MW (air conditioning %.0f MW) at %.1f C%s; grid serves %.0f%%", ports_.demand_mw(),
                ports_.cooling_mw(), ports_.air_temp_c(), ports_.weather_coupled() ? " (weather)" : " (city.air_temp_c)",
                100 * ports_.served_fraction());
    {
        // The service areas: the grid's buses nearest the city's blocks, and how many blocks are dark.
        std::set<int32_t> buses;
        size_t dark = 0;
        for (size_t k = 0; k < ports_.block_bus().size(); ++k) {
            if (ports_.block_bus()[k] >= 0) buses.insert(ports_.block_bus()[k]);
            dark += ports_.block_served()[k] < 0.99f;
        }
        if (!buses.empty())
            ImGui::Text("Served by %zu substation buses (service_areas colours each block by its bus); %zu of %zu blocks "
                        "short of power", buses.size(), dark, ports_.block_bus().size());
    }
    if (ports_.flood_seen()) {
        const FloodImpact& f = ports_.flood_impact();
        const bool wet = f.flooded_cells > 0;
        ImGui::TextColored(wet ? ImVec4(1, 0.4f, 0.3f, 1) : ImVec4(0.7f, 0.8f, 0.9f, 1),
                           "Flood: %zu of %zu built cells in its reach under water, %s people in the hazard zone "
                           "(worst so far: %zu cells, %s)",
                           f.flooded_cells, f.exposed_cells, format_people(f.people_in_hazard).c_str(), f.worst_flooded,
                           format_people(f.worst_people).c_str());
    }
    if (ImGui::Button("Innovate now")) growth_->innovate();

    // N(t) with the innovations marked.
    std::vector<double> years, pops;
    for (const Row& r : rows_) {
        years.push_back(r.year);
        pops.push_back(r.n / 1e6);
    }
    engine::PlotSpec spec;
    spec.title = "Population";
    spec.x_label = "year";
    spec.y_label = "N";
    spec.y_unit = "millions";
    spec.y_from_zero = true;
    spec.size = ImVec2(ImGui::GetContentRegionAvail().x, 160);
    std::vector<engine::Series> series = {{"N(t)", IM_COL32(120, 200, 250, 255), years, pops}};
    const double top = pops.empty() ? 1.0 : *std::max_element(pops.begin(), pops.end());
    for (const Innovation& inv : growth_->innovations()) {
        series.push_back({"", IM_COL32(250, 180, 60, 220), {start_year_ + inv.t_years, start_year_ + inv.t_years},
                          {0.0, top}});
        // The singularity it averted, where it falls inside the plotted years.
        const double ts = start_year_ + inv.singularity_t_years;
        if (!years.empty() && ts <= years.back())
            series.push_back({"", IM_COL32(230, 70, 70, 220), {ts, ts}, {0.0, top}});
    }
    engine::plot_series("city_population", spec, series);
    if (!growth_->innovations().empty())
        ImGui::TextDisabled("orange: innovations; red: the singularities they averted (when in range)");

    // Log-log: every quantity relative to its value at the start, against N / N0.
    engine::PlotSpec ll;
    ll.title = "Scaling: log10(Y / Y(N0)) against log10(N / N0)";
    ll.x_label = "log10 N/N0";
    ll.y_label = "log10 Y/Y0";
    ll.size = ImVec2(ImGui::GetContentRegionAvail().x, 230);
    std::vector<engine::Series> ls;
    const double n0 = rows_.empty() ? 1 : rows_.front().n;
    const ImU32 colors[] = {IM_COL32(250, 120, 90, 255), IM_COL32(120, 220, 120, 255), IM_COL32(120, 170, 250, 255),
                            IM_COL32(230, 230, 120, 255)};
    // Every imposed quantity (coloured by kind; its name and beta in the table below), and the emergent
    // measures with their fitted lines (dashed look: drawn thinner and lighter).
    const std::map<std::string, ImU32> by_kind = {{"socio-economic", colors[0]}, {"individual", colors[1]},
                                                  {"infrastructure", colors[2]}, {"metabolic", colors[3]}};
    std::map<std::string, bool> labelled;
    for (const ScalingLaw& law : laws_) {
        const double beta = beta_of(law, ctx.params);
        auto it = by_kind.find(law.kind);
        const bool first = !labelled[law.kind];
        labelled[law.kind] = true;
        engine::Series s{first ? law.kind : "", it == by_kind.end() ? colors[0] : it->second, {}, {}};
        for (const Row& r : rows_) {
            s.x.push_back(std::log10(r.n / n0));
            s.y.push_back(beta * std::log10(r.n / n0));
        }
        ls.push_back(s);
    }
    const double a0 = rows_.empty() ? 1 : std::max<double>(rows_.front().built, 1);
    engine::Series area{"built area (imposed, N^(1-d))", IM_COL32(255, 255, 255, 255), {}, {}};
    for (const Row& r : rows_) {
        area.x.push_back(std::log10(r.n / n0));
        area.y.push_back(std::log10(std::max<double>(r.built, 1) / a0));
    }
    const std::vector<FitRow> fitted = fits(ctx.params);
    for (const FitRow& f : fitted)
        if (f.name == "built area *" && std::isfinite(f.fit.beta) && !area.x.empty()) {
            // The fit passes through the data's centroid: y = beta x + c, drawn over the data's range.
            double mx = 0, my = 0;
            for (size_t i = 0; i < area.x.size(); ++i) mx += area.x[i], my += area.y[i];
            mx /= area.x.size();
            my /= area.y.size();
            ls.push_back(area);
            ls.push_back({"fit: area ~ N^" + format_beta(f.fit.beta), IM_COL32(200, 200, 200, 140),
                          {area.x.front(), area.x.back()},
                          {my + f.fit.beta * (area.x.front() - mx), my + f.fit.beta * (area.x.back() - mx)}});
        }
    engine::plot_series("city_loglog", ll, ls);

    // Fits and per-doubling changes.
    if (ImGui::BeginTable("fits", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
        ImGui::TableSetupColumn("quantity");
        ImGui::TableSetupColumn("imposed");
        ImGui::TableSetupColumn("fitted");
        ImGui::TableSetupColumn("r2");
        ImGui::TableSetupColumn("per cap./doubling");
        ImGui::TableHeadersRow();
        for (const FitRow& f : fits(ctx.params)) {
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            ImGui::TextUnformatted(f.name.c_str());
            ImGui::TableSetColumnIndex(1);
            if (std::isfinite(f.imposed)) ImGui::Text("%.3f", f.imposed); else ImGui::TextUnformatted("-");
            ImGui::TableSetColumnIndex(2);
            if (std::isfinite(f.fit.beta)) ImGui::Text("%.3f", f.fit.beta); else ImGui::TextUnformatted("-");
            ImGui::TableSetColumnIndex(3);
            if (std::isfinite(f.fit.r2)) ImGui::Text("%.4f", f.fit.r2); else ImGui::TextUnformatted("-");
            ImGui::TableSetColumnIndex(4);
            const double beta = std::isfinite(f.imposed) ? f.imposed : f.fit.beta;
            if (std::isfinite(beta)) ImGui::Text("%+.1f%%", 100 * per_capita_change_per_doubling(beta));
        }
        ImGui::EndTable();
    }
    ImGui::TextWrapped("* emergent from the automaton's geometry, fitted over the run; theory (Bettencourt 2013): "
                       "networks ~ N^(5/6). The built area is imposed: the automaton grows to the land the "
                       "population demands, N^(1 - densification) (2/3 by default), so its fit only checks that. "
                       "Imposed laws are refitted as a check.");
}

std::vector<Metric> CityModule::metrics() const {
    return {{"population", "people", growth_->population()},
            {"built area", "km2", built_km2()},
            {"road length", "km", road_km()},
            {"heat island", "K", heat_island_k_},
            {"innovations", "", double(growth_->innovations().size())},
            {"demand", "MW", ports_.demand_mw()},
            {"served", "%", 100 * ports_.served_fraction()}};
}

std::string CityModule::format_people(double n) {
    char buf[32];
    if (n >= 1e6) std::snprintf(buf, sizeof buf, "%.2f million", n / 1e6);
    else if (n >= 1e4) std::snprintf(buf, sizeof buf, "%.0f thousand", n / 1e3);
    else std::snprintf(buf, sizeof buf, "%.0f", n);
    return buf;
}

}  // namespace infrascape::city
