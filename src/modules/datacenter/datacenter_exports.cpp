// The datacenter module's outputs and exports.
#include "modules/datacenter/datacenter_module_impl.hpp"

namespace infrascape::datacenter {

// [SECTION] Exports
void DatacenterModule::export_results(const fs::path& dir, double t_s, const ParamStore&) {
    // The latest state, synchronously.
    probe_ = solver_->probes_now();
    solve_racks_from_air();
    std::ofstream racks(dir / "racks.csv");
    racks << "rack,row,position,x_m,y_m,it_kw,inlet_c_mean,inlet_c_max,outlet_c,hottest_gpu_c,throttled_gpus\n" << std::setprecision(6);
    for (const Rack& r : racks_)
        racks << r.id << ',' << r.row + 1 << ',' << r.index + 1 << ',' << r.x0_m + kRackW / 2 << ',' << r.y0_m + kRackD / 2 << ','
              << r.result.it_power_w / 1000 << ',' << r.inlet_mean_c << ',' << r.inlet_max_c << ',' << r.result.outlet_c << ','
              << r.result.hottest_gpu_c << ',' << r.result.throttled_gpus << '\n';
    std::ofstream cool(dir / "cooling.csv");
    cool << "time_s,it_kw,cooling_kw,pue";
    for (const Unit& u : units_list_) cool << ',' << u.name << "_removed_kw";
    cool << ",hottest_inlet_c,throttled_gpus\n" << std::setprecision(8);
    for (size_t i = 0; i < series_t_.size(); ++i) {
        cool << series_t_[i] << ',' << series_[i][0] << ',' << series_[i][1] << ',' << series_[i][2];
        for (double q : unit_series_[i]) cool << ',' << q;
        cool << ',' << series_[i][4] << ',' << series_[i][5] << '\n';
    }
    // The whole field, read back for the files only.
    const std::vector<float> m = solver_->moments();
    const size_t n = size_t(nx_) * ny_ * nz_;
    std::vector<float> temp(n), vel(3 * n);
    const double to_m_s = units_.velocity_to_m_s(1.0);
    for (size_t c = 0; c < n; ++c) {
        temp[c] = m[4 * c + 3];
        for (int a = 0; a < 3; ++a) vel[3 * c + a] = float(m[4 * c + a] * to_m_s);
    }
    const std::array<double, 3> origin{cell_ / 2, cell_ / 2, cell_ / 2}, spacing{cell_, cell_, cell_};
    write_vti(dir / "temperature.vti", int(nx_), int(ny_), int(nz_), origin, spacing, "temperature_c", temp);
    write_vti_vectors(dir / "velocity.vti", int(nx_), int(ny_), int(nz_), origin, spacing, "velocity_m_per_s", vel);
    (void)t_s;
}

}  // namespace infrascape::datacenter
