// Hosting capacity on the live grid (hosting.hpp): computed in the background on the operator's problem at the
// first finished operating point (Recompute: the current one), drawn as one column per substation site (height: the best bus's hosting MW,
// colour: its marginal cost), listed as a table of the best sites, written to hosting.csv by `run`.
#include "modules/grid/grid_module_impl.hpp"

namespace infrascape::grid {

// The operator's problem at the last finished point (sced_point's rules): tripped lines out, islands isolated,
// renewables and batteries at their scheduled output, dispatchable units free down to 0, costs padded.
Case GridModule::live_point(double& rating_scale) const {
    Case op = prepared_;
    apply(op, has_finished_ ? finished_inj_ : inj_);
    const std::vector<char>& out = cascade_->out();
    for (size_t l = 0; l < out.size() && l < op.branches.size(); ++l)
        if (out[l]) op.branches[l].status = 0;
    pad_costs(op);
    isolate_islands(op);
    units_for_operator(op);
    rating_scale = (has_finished_ ? finished_cond_ : cond_).rating_factor;
    return op;
}

void GridModule::start_hosting(const ParamStore& p) {
    if (hosting_.job.valid()) {
        hosting_.cancel = true;
        hosting_.job.wait();
        hosting_.job = {};
    }
    HostingOptions o;
    double rating = 1;
    Case point = live_point(rating);
    o.rating_scale = rating;
    o.n_minus_1 = p.flag("grid.hosting_n_1");
    o.threads = 1;  // the other core draws the frames
    hosting_.cancel = false;
    hosting_.done = 0;
    hosting_.total = int(point.buses.size());
    hosting_.error.clear();
    hosting_.n_minus_1 = o.n_minus_1;
    hosting_.at_t_s = last_t_s_;
    hosting_.shed_mw = (has_finished_ ? finished_inj_ : inj_).shed_mw;
    Hosting* h = &hosting_;
    o.cancel = &hosting_.cancel;
    o.progress = [h](int done, int total) { h->done = done, h->total = total; };
    hosting_.point = point;
    hosting_.options = o;
    hosting_.options.progress = nullptr;
    hosting_.options.cancel = nullptr;
    hosting_.job = std::async(std::launch::async, [point = std::move(point), o] {
        lower_thread_priority();
        return hosting_capacity(point, o);
    });
}

void GridModule::poll_hosting() {
    if (!hosting_.job.valid() || hosting_.job.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
    try {
        hosting_.result = hosting_.job.get();
    } catch (const std::exception& e) {
        hosting_.error = e.what();
        hosting_.result.reset();
        return;
    }
    // The best bus of each site, best sites first.
    const HostingResult& r = *hosting_.result;
    std::vector<int> best(site_count_, -1);
    for (size_t b = 0; b < r.buses.size() && b < site_of_.size(); ++b) {
        if (!std::isfinite(r.buses[b].hosting_mw)) continue;
        int& k = best[size_t(site_of_[b])];
        if (k < 0 || r.buses[b].hosting_mw > r.buses[size_t(k)].hosting_mw) k = int(b);
    }
    hosting_.top.clear();
    hosting_.upgrades.clear();
    for (int b : best)
        if (b >= 0) hosting_.top.push_back(b);
    std::sort(hosting_.top.begin(), hosting_.top.end(),
              [&](int a, int b) { return r.buses[size_t(a)].hosting_mw > r.buses[size_t(b)].hosting_mw; });
    if (hosting_.selected < 0 && !hosting_.top.empty()) hosting_.selected = hosting_.top[0];
    hosting_.dirty = true;
}

void GridModule::upload_hosting_columns(const ParamStore& p) {
    hosting_.dirty = false;
    std::vector<engine::Instance> inst;
    if (hosting_.result && p.flag("grid.hosting")) {
        const HostingResult& r = *hosting_.result;
        const float w = float(p.number("grid.hosting_column_m")), per_mw = float(p.number("grid.hosting_m_per_mw"));
        for (int b : hosting_.top) {
            const BusHosting& h = r.buses[size_t(b)];
            const double cost = std::isfinite(h.marginal_cost) ? h.marginal_cost : 0.0;
            glm::vec3 c = engine::srgb_to_linear(colormaps_->sample(engine::Colormap::Turbo, std::clamp(cost / price_max_, 0.0, 1.0)));
            const bool chosen = b == hosting_.selected;
            inst.push_back({glm::vec4(float(bus_xy_[size_t(b)][0]), float(bus_xy_[size_t(b)][1]), float(bus_z_[size_t(b)]), 0),
                            glm::vec4(w * (chosen ? 1.6f : 1.0f), w * (chosen ? 1.6f : 1.0f), std::max(1.0f, float(h.hosting_mw) * per_mw), 0),
                            glm::vec4(chosen ? glm::vec3(1.0f, 0.95f, 0.6f) : c, chosen ? 3.0f : 0.35f)});
        }
        // Each campus on the grid as a glowing magenta block at the bus it draws from, as tall as its MW.
        for (const ExternalLoad& e : ports_.loads) {
            if (e.source.rfind("campus:", 0) != 0 || e.buses.empty()) continue;
            const size_t b = size_t(e.buses[0]);
            inst.push_back({glm::vec4(float(bus_xy_[b][0]) + w, float(bus_xy_[b][1]), float(bus_z_[b]), 0),
                            glm::vec4(1.4f * w, 1.4f * w, std::max(1.0f, float(e.mw) * per_mw), 0),
                            glm::vec4(1.0f, 0.25f, 0.85f, 3.0f)});
        }
        // The chosen bus's binding line (and the line whose outage makes it bind) as glowing bars along them.
        if (hosting_.selected >= 0) {
            const BusHosting& h = r.buses[size_t(hosting_.selected)];
            auto bar = [&](int l, glm::vec3 colour) {
                if (l < 0 || l >= int(base_.branches.size())) return;
                const int f = base_.bus_index(base_.branches[size_t(l)].from), t = base_.bus_index(base_.branches[size_t(l)].to);
                if (f < 0 || t < 0) return;
                const double dx = bus_xy_[size_t(t)][0] - bus_xy_[size_t(f)][0], dy = bus_xy_[size_t(t)][1] - bus_xy_[size_t(f)][1];
                const float len = float(std::max(std::hypot(dx, dy), double(w)));
                inst.push_back({glm::vec4(float(bus_xy_[size_t(f)][0] + dx / 2), float(bus_xy_[size_t(f)][1] + dy / 2),
                                          float(0.5 * (bus_z_[size_t(f)] + bus_z_[size_t(t)])), float(std::atan2(dy, dx))),
                                glm::vec4(len, 0.4f * w, 0.4f * w, 0), glm::vec4(colour, 4.0f)});
            };
            bar(h.binding_branch, glm::vec3(1.0f, 0.1f, 0.05f));
            bar(h.binding_contingency, glm::vec3(0.2f, 0.2f, 0.2f));
        }
    }
    if (inst.empty()) inst.push_back({glm::vec4(0), glm::vec4(0), glm::vec4(0)});
    hosting_columns_.upload(*gpu_, inst, "grid hosting columns");
}

void GridModule::hosting_overlay(OverlayContext& ctx) {
    if (!ctx.params.flag("grid.hosting")) return;
    if (hosting_.result) {
        engine::LegendSpec legend;
        legend.quantity = "Hosting: marginal cost (height: MW)";
        legend.unit = "$/MWh";
        legend.min = 0;
        legend.max = price_max_;
        legend.colormap = engine::Colormap::Turbo;
        engine::draw_legend(legend, ctx.colormaps);
    }
    if (!hosting_.result) return;
    // Each campus at its bus: its draw and the room left there (the capacities were computed with it connected).
    const double per_mw = ctx.params.number("grid.hosting_m_per_mw");
    for (const ExternalLoad& e : ports_.loads) {
        if (e.source.rfind("campus:", 0) != 0 || e.buses.empty()) continue;
        const size_t cb = size_t(e.buses[0]);
        char label[200];
        std::snprintf(label, sizeof label, "%s: %s at %s; room for %s more at %s", e.source.c_str(), format_mw(e.mw).c_str(),
                      bus_label(base_.buses[cb].id).c_str(), format_mw(hosting_.result->buses[cb].hosting_mw).c_str(),
                      local_clock(hosting_.at_t_s).c_str());
        engine::draw_world_label(ImGui::GetBackgroundDrawList(), view_proj_,
                                 glm::vec3(float(bus_xy_[cb][0] + ctx.params.number("grid.hosting_column_m")), float(bus_xy_[cb][1]),
                                           float(bus_z_[cb] + e.mw * per_mw)),
                                 label, IM_COL32(110, 20, 95, 220));
    }
    if (hosting_.selected < 0) return;
    // The chosen bus: its capacity and what binds it, at the top of its column and on the binding branch.
    const HostingResult& r = *hosting_.result;
    const int b = hosting_.selected;
    const BusHosting& h = r.buses[size_t(b)];
    const double top = bus_z_[size_t(b)] + std::max(0.0, h.hosting_mw) * ctx.params.number("grid.hosting_m_per_mw");
    char text[240];
    std::snprintf(text, sizeof text, "%s: %s more, %.0f $/MWh", bus_label(base_.buses[size_t(b)].id).c_str(),
                  format_mw(h.hosting_mw).c_str(), h.marginal_cost);
    ImDrawList* dl = ImGui::GetBackgroundDrawList();
    engine::draw_world_label(dl, view_proj_, glm::vec3(float(bus_xy_[size_t(b)][0]), float(bus_xy_[size_t(b)][1]), float(top)), text,
                             IM_COL32(20, 40, 90, 220));
    if (h.binding_branch < 0 || h.binding_branch >= int(base_.branches.size())) return;
    const Branch& br = base_.branches[size_t(h.binding_branch)];
    const int f = base_.bus_index(br.from), t = base_.bus_index(br.to);
    if (f < 0 || t < 0) return;
    std::string what = "binds: " + bus_label(br.from) + " - " + bus_label(br.to);
    if (h.binding_contingency >= 0 && h.binding_contingency < int(base_.branches.size())) {
        const Branch& k = base_.branches[size_t(h.binding_contingency)];
        what += "  after losing " + bus_label(k.from) + " - " + bus_label(k.to);
    }
    const glm::vec3 mid(float(0.5 * (bus_xy_[size_t(f)][0] + bus_xy_[size_t(t)][0])), float(0.5 * (bus_xy_[size_t(f)][1] + bus_xy_[size_t(t)][1])),
                        float(0.5 * (bus_z_[size_t(f)] + bus_z_[size_t(t)])));
    engine::draw_world_label(dl, view_proj_, mid, what.c_str(), IM_COL32(140, 30, 20, 225));
}

void GridModule::hosting_panel(PanelContext& ctx) {
    ImGui::Separator();
    ImGui::TextUnformatted("Hosting capacity: the load each bus can add, secure");
    bool on = ctx.params.flag("grid.hosting");
    if (ImGui::Checkbox("compute and show", &on)) ctx.params.set("grid.hosting", on), hosting_.dirty = true;
    ImGui::SameLine();
    if (ImGui::Button(hosting_.job.valid() ? "Restart" : "Recompute now")) start_hosting(ctx.params);
    if (hosting_.job.valid()) {
        const int total = std::max(1, hosting_.total.load());
        char label[64];
        std::snprintf(label, sizeof label, "%d of %d buses", hosting_.done.load(), total);
        ImGui::ProgressBar(float(hosting_.done.load()) / float(total), ImVec2(-1, 0), label);
        if (ImGui::Button("Cancel")) hosting_.cancel = true;
    }
    if (!hosting_.error.empty()) ImGui::TextColored(ImVec4(1, 0.5f, 0.4f, 1), "%s", hosting_.error.c_str());
    if (!hosting_.result) return;
    const HostingResult& r = *hosting_.result;
    ImGui::Text("At %s local%s: %d buses in %.1f s (bound %.1f s, %ld LPs)", local_clock(hosting_.at_t_s).c_str(),
                hosting_.n_minus_1 ? ", N-1 secure" : "", r.exact_buses, r.setup_s + r.bound_s + r.exact_s, r.bound_s,
                r.lp_solves);
    if (hosting_.shed_mw > 0.5)
        ImGui::TextColored(ImVec4(1, 0.7f, 0.4f, 1), "The operator sheds %s at this point: these capacities are for load beyond "
                           "what it serves now.", format_mw(hosting_.shed_mw).c_str());
    ImGui::TextDisabled("Click a row to fly there and show what binds it.");
    if (!ImGui::BeginTable("grid_hosting", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit,
                           ImVec2(0, 260)))
        return;
    ImGui::TableSetupColumn("bus");
    ImGui::TableSetupColumn("MW");
    ImGui::TableSetupColumn("binding");
    ImGui::TableSetupColumn("after losing");
    ImGui::TableSetupColumn("$/MWh");
    ImGui::TableHeadersRow();
    auto branch_text = [&](int l) {
        if (l < 0 || l >= int(base_.branches.size())) return std::string();
        return bus_label(base_.branches[size_t(l)].from) + " - " + bus_label(base_.branches[size_t(l)].to);
    };
    for (size_t i = 0; i < hosting_.top.size() && i < 20; ++i) {
        const int b = hosting_.top[i];
        const BusHosting& h = r.buses[size_t(b)];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        const std::string name = bus_label(base_.buses[size_t(b)].id);
        if (ImGui::Selectable(name.c_str(), b == hosting_.selected, ImGuiSelectableFlags_SpanAllColumns)) {
            hosting_.selected = b;
            hosting_.dirty = true;
            hosting_.upgrades.clear();
            if (ctx.focus)
                ctx.focus(glm::dvec3(bus_xy_[size_t(b)][0], bus_xy_[size_t(b)][1], bus_z_[size_t(b)]),
                          std::max(20000.0, 4 * h.hosting_mw * ctx.params.number("grid.hosting_m_per_mw")));
        }
        ImGui::TableNextColumn();
        ImGui::Text("%.0f", h.hosting_mw);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(h.limit == HostingLimit::Branch || h.limit == HostingLimit::Angle ? branch_text(h.binding_branch).c_str()
                                                                                                  : hosting_limit_name(h.limit));
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(branch_text(h.binding_contingency).c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%.1f", h.marginal_cost);
    }
    ImGui::EndTable();
    // What upgrading the chosen bus's binding line would add (re-solved at that bus, in the background).
    if (hosting_.upgrade_job.valid() && hosting_.upgrade_job.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
        try {
            hosting_.upgrades = hosting_.upgrade_job.get();
            hosting_.upgrade_note.clear();
        } catch (const std::exception& e) {
            hosting_.upgrade_note = e.what();
        }
    }
    const int b = hosting_.selected;
    if (b < 0 || r.buses[size_t(b)].limit != HostingLimit::Branch) return;
    const std::string name = bus_label(base_.buses[size_t(b)].id);
    if (hosting_.upgrade_job.valid()) {
        ImGui::Text("Upgrades at %s: solving...", name.c_str());
    } else if (ImGui::Button(("Upgrade options at " + name).c_str())) {
        hosting_.upgrades_bus = b;
        hosting_.upgrades.clear();
        hosting_.upgrade_job = std::async(std::launch::async, [point = hosting_.point, o = hosting_.options, b, h = r.buses[size_t(b)]] {
            lower_thread_priority();
            return hosting_upgrades(point, b, o, 1.5, &h);
        });
    }
    if (!hosting_.upgrade_note.empty()) ImGui::TextColored(ImVec4(1, 0.5f, 0.4f, 1), "%s", hosting_.upgrade_note.c_str());
    if (hosting_.upgrades_bus == b)
        for (const HostingUpgrade& u : hosting_.upgrades)
            ImGui::BulletText("%s %s: %s (%+.0f MW)", u.kind == "parallel" ? "a parallel circuit on" : "reconductor (x1.5 rating)",
                              branch_text(u.branch).c_str(), format_mw(u.hosting_mw).c_str(), u.gain_mw);
}

void GridModule::write_hosting_csv(const std::filesystem::path& file) const {
    if (!hosting_.result) return;
    std::ofstream out(file);
    write_hosting_table(out, base_, *hosting_.result);
}

}  // namespace infrascape::grid
