// The grid module's side of the world's couplings: what it publishes and reads (grid_ports.hpp does the work).
#include "modules/grid/grid_module_impl.hpp"

namespace infrascape::grid {

void GridModule::couple(CouplingContext& ctx) {
    ports_.couple(ctx, base_, bus_xy_, site_of_, site_count_, flood_wall_m_);
    if (hosting_.result) hosting_.dirty = true;  // the campuses' blocks follow their MW
    if (ports_.air_temp_c) {
        temp_history_.emplace_back(ctx.t_s(), *ports_.air_temp_c);
        while (temp_history_.size() > 2 && temp_history_[1].first <= ctx.t_s() - scenario_.cooling_lag_h * 3600)
            temp_history_.pop_front();
    }
    // Substations the water reached trip now (every branch with an end there), once.
    for (size_t l = 0; l < base_.branches.size(); ++l) {
        const int a = base_.bus_index(base_.branches[l].from), c = base_.bus_index(base_.branches[l].to);
        if (a < 0 || c < 0 || flood_tripped_.count(l)) continue;
        if (ports_.site_flooded[size_t(site_of_[size_t(a)])] || ports_.site_flooded[size_t(site_of_[size_t(c)])]) {
            cascade_->trip(int(l), ctx.t_s());
            flood_tripped_.insert(l);
        }
    }
}

// The bus nearest a map point, within a tenth of the world's width; -1 beyond the grid.
int GridModule::nearest_bus(double x, double y) const {
    int best = -1;
    double best_d2 = std::pow(info_.extent_m * 0.1, 2);
    for (size_t b = 0; b < bus_xy_.size(); ++b) {
        const double dx = bus_xy_[b][0] - x, dy = bus_xy_[b][1] - y, d2 = dx * dx + dy * dy;
        if (d2 < best_d2) best_d2 = d2, best = int(b);
    }
    return best;
}

}  // namespace infrascape::grid
