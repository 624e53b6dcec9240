// The grid module's exports: time series, branches, events, buses and the summary.
#include "modules/grid/grid_module_impl.hpp"

namespace infrascape::grid {

void GridModule::export_results(const std::filesystem::path& dir, double t_s, const ParamStore& p) {
    record_.write_csv(dir / "timeseries.csv");
    // Hosting capacity (started on the first operating point; computed here if it never was).
    if (p.flag("grid.hosting")) {
        if (hosting_.job.valid()) hosting_.job.wait();
        poll_hosting();
        if (!hosting_.result && hosting_.error.empty()) {
            start_hosting(p);
            hosting_.job.wait();
            poll_hosting();
        }
        if (hosting_.result) write_hosting_csv(dir / "hosting.csv");
        else throw std::runtime_error("grid hosting capacity: " + hosting_.error);
    }
    std::ofstream br(dir / "branches.csv");
    br << std::setprecision(10)
       << "branch,from_bus,to_bus,rate_a_mva,in_service,pf_mw,loading_pct,max_loading_pct,overload_minutes\n";
    for (size_t l = 0; l < base_.branches.size(); ++l) {
        const Branch& b = base_.branches[l];
        const bool in = b.status > 0 && !cascade_->out()[l];
        br << l + 1 << ',' << b.from << ',' << b.to << ',' << b.rate_a_mva << ',' << (in ? 1 : 0) << ','
           << (l < flows_.pf_mw.size() ? flows_.pf_mw[l] : 0.0) << ','
           << (l < flows_.loading_pct.size() ? flows_.loading_pct[l] : 0.0) << ',' << max_loading_pct_[l] << ','
           << overload_s_[l] / 60 << '\n';
    }
    std::ofstream ev(dir / "events.csv");
    ev << std::setprecision(10) << "t_s,utc,branch,from_bus,to_bus,loading_pct,stage,cause\n";
    for (const TripEvent& e : cascade_->events())
        ev << e.t_s << ',' << format_utc(info_.start_epoch_s + e.t_s) << ',' << e.branch + 1 << ','
           << base_.branches[e.branch].from << ',' << base_.branches[e.branch].to << ',' << e.loading_pct << ','
           << e.stage << ',' << e.cause << '\n';
    std::ofstream bu(dir / "buses.csv");
    bu << std::setprecision(10) << "bus,name,x_m,y_m,base_kv,demand_mw,served_fraction\n";
    for (size_t b = 0; b < base_.buses.size(); ++b) {
        std::string name = base_.buses[b].name;
        if (name.find(',') != std::string::npos || name.find('"') != std::string::npos) {
            std::string q = "\"";
            for (char c : name) q += c == '"' ? std::string("\"\"") : std::string(1, c);
            name = q + "\"";
        }
        bu << base_.buses[b].id << ',' << name << ',' << bus_xy_[b][0] << ',' << bus_xy_[b][1] << ','
           << base_.buses[b].base_kv << ',' << (b < inj_.bus_pd_mw.size() ? inj_.bus_pd_mw[b] : 0.0) << ','
           << bus_served_fraction(b) << '\n';
    }
    std::ofstream su(dir / "summary.csv");
    su << std::setprecision(10) << "metric,unit,value\n";
    for (const Metric& m : metrics()) su << m.name << ',' << m.unit << ',' << m.value << '\n';
    (void)t_s;
}

}  // namespace infrascape::grid
