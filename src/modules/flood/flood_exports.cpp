// The flood module's exports: rasters in the DEM's georeference, gauges, mass balance, warnings.
#include "modules/flood/flood_module_impl.hpp"

namespace infrascape::flood {

// [SECTION] Exports
// Finishes the time earlier windows left over (with blocking submissions), so the exports are at T.
void FloodModule::catch_up() {
    for (int guard = 0; guard < 1000 && debt_s_ > 1e-9; ++guard) {
        const double dt_est = last_speed_ > 0 ? clock_.cfl * grid_.dx / last_speed_ : clock_.max_dt_s;
        const uint32_t steps = uint32_t(std::clamp(std::ceil(debt_s_ / dt_est * kMarginSteps) + 1.0, 1.0, 4000.0));
        uint32_t recorded = 0;
        const SweGpu::WindowForcing wf{session_time_s_, storm_.radius_m, storm_.peak_mm_per_h / 3.6e6};
        gpu_->submit_and_wait([&](VkCommandBuffer cmd) { recorded = solver_->record_window(cmd, 0.0, steps, {}, 0, wf); });
        windows_[0].push_back({session_time_s_, recorded, -1});
        frame_complete(0);
    }
}

Raster FloodModule::result_raster(const std::vector<float>& v) const {
    Raster r;
    r.nx = grid_.nx;
    r.ny = grid_.ny;
    r.geo = dem_.geo;
    r.v = v;
    for (size_t k = 0; k < r.v.size(); ++k)
        if (std::isnan(dem_.v[k])) r.v[k] = std::nanf("");
    return r;
}

void FloodModule::export_results(const fs::path& dir, double t_s, const ParamStore&) {
    catch_up();
    const size_t n = grid_.cells();
    std::vector<glm::vec4> state(n), stats(n);
    solver_->state_buffer().download(state.data(), n * 16);
    stats_.download(stats.data(), n * 16);
    auto channel = [&](const std::vector<glm::vec4>& src, int c) {
        std::vector<float> out(n);
        for (size_t k = 0; k < n; ++k) out[k] = src[k][c];
        return out;
    };
    for (Snapshot& s : snapshots_) {
        s.buffer.invalidate();
        std::vector<glm::vec4> snap(n);
        std::memcpy(snap.data(), s.buffer.mapped(), n * 16);
        if (std::lround(s.t_s) != std::lround(t_s)) write_raster(dir, depth_name(s.t_s), channel(snap, 0), 4);
    }
    write_raster(dir, depth_name(t_s), channel(state, 0), 4);
    write_raster(dir, "max_depth", channel(stats, 0), 4);
    write_raster(dir, "max_speed", channel(stats, 1), 4);
    std::vector<float> arrival = channel(stats, 2);
    for (float& a : arrival)
        if (a < 0) a = std::nanf("");
    write_raster(dir, "arrival_time", arrival, 1);
    write_raster(dir, "hazard", channel(stats, 3), 4);

    std::ofstream g(dir / "gauges.csv");
    g << "time_s";
    for (const Gauge& ga : gauges_) g << ',' << csv_name(ga.name);
    g << '\n' << std::setprecision(10);
    const size_t rows = gauges_.empty() ? 0 : gauges_[0].t_s.size();
    for (size_t r = 0; r < rows; ++r) {
        g << gauges_[0].t_s[r];
        for (const Gauge& ga : gauges_) g << ',' << ga.depth_m[r];
        g << '\n';
    }
    std::ofstream mb(dir / "mass_balance.csv");
    mb << "time_s,stored_m3,rain_m3,inflow_m3,outflow_m3,infiltrated_m3,expected_m3,error_m3,relative_error\n"
       << std::setprecision(12);
    for (size_t r = 0; r < balance_.size(); ++r) {
        const auto& b = balance_[r];
        const double total = std::max(ledger_.initial_m3 + b[1] + b[2], 1e-12);
        mb << balance_t_[r] << ',' << b[0] << ',' << b[1] << ',' << b[2] << ',' << b[3] << ',' << b[4] << ',' << b[5] << ','
           << b[0] - b[5] << ',' << (b[0] - b[5]) / total << '\n';
    }
    std::ofstream ws(dir / "warnings.csv");
    ws << "site,kind,warned_by,siren_s,arrival_s,lead_time_s,max_depth_m\n" << std::setprecision(10);
    for (const Site& s : sites_) {
        const double siren = siren_for(s);
        ws << csv_name(s.name) << ',' << s.kind << ',' << csv_name(s.gauge.empty() ? "first siren" : s.gauge) << ',';
        if (siren >= 0) ws << siren;
        ws << ',';
        if (s.arrival_s >= 0) ws << s.arrival_s;
        ws << ',';
        if (siren >= 0 && s.arrival_s >= 0) ws << s.arrival_s - siren;
        ws << ',' << s.max_depth_m << '\n';
    }
    export_warning_by_size(dir);
}

void FloodModule::export_warning_by_size(const fs::path& dir) const {
    if (populations_.empty() || gauges_.empty()) return;
    std::ofstream f(dir / "warning_by_city.csv");
    f << "place,population,gauges,alert_delay_s,detect_s,alert_s,sites_reached,sites_alerted_in_time,mean_lead_time_s,"
         "min_lead_time_s\n"
      << std::setprecision(10);
    for (const WarningNetwork& net : networks()) {
        const WarningOutcome o = outcome(net);
        f << csv_name(net.place) << ',' << net.population << ',' << net.gauges << ',' << net.alert_delay_s << ',';
        if (o.detect_s >= 0) f << o.detect_s;
        f << ',';
        if (o.alert_s >= 0) f << o.alert_s;
        f << ',' << o.reached << ',' << o.warned_in_time << ',';
        if (o.with_lead) f << o.mean_lead_s << ',' << o.min_lead_s;
        else f << ',';
        f << '\n';
    }
}

}  // namespace infrascape::flood
