// The city module's side of the world's couplings: what it publishes and reads (city_ports.hpp does the work).
#include "modules/city/city_module_impl.hpp"

namespace infrascape::city {

void CityModule::couple(CouplingContext& ctx) {
    ports_.couple(ctx, instance(), centre_[0], centre_[1], growth_->population(), local_hour(ctx.t_s()), demand_);
    ports_.service(ctx, instance(), x0_, y0_, cell_m_, n_);
    if (ctx.bus().unit("flood.depth_m").empty()) return;
    std::vector<std::array<double, 2>> built;
    std::vector<size_t> ids;
    for (uint32_t j = 0; j < n_; ++j)
        for (uint32_t i = 0; i < n_; ++i)
            if (host_state_[size_t(j) * n_ + i] & CA_URBAN) {
                built.push_back({x0_ + i * cell_m_, y0_ + j * cell_m_});
                ids.push_back(size_t(j) * n_ + i);
            }
    ports_.flood(ctx, instance(), built, ids, growth_->population());
}

void CityModule::publish(OutputBus& bus) {
    bus.publish_scalar("city.demand_mw", "MW", "electric demand of the residents (base load shape plus air conditioning)",
                       [this] { return ports_.demand_mw(); });
    bus.publish_scalar("city.demand_factor", "",
                       "demand over the base demand of the starting population (n0 x base_kw_per_capita): what the "
                       "grid scales its case's load at the city's buses by",
                       [this] { return ports_.demand_mw() / std::max(1e-9, n0_ * demand_.base_kw_per_capita / 1000); });
    bus.publish_scalar("city.cooling_mw", "MW", "the air-conditioning part of the demand", [this] { return ports_.cooling_mw(); });
    bus.publish_scalar("city.centre_x_m", "m", "x of the city's centre", [this] { return centre_[0]; });
    bus.publish_scalar("city.centre_y_m", "m", "y of the city's centre", [this] { return centre_[1]; });
    bus.publish_scalar("city.radius_m", "m", "radius of a disc of the city's built area (its service area for the grid)",
                       [this] { return std::sqrt(std::max(built_km2(), 0.01) * 1e6 / 3.14159265358979); });
    bus.publish_scalar("city.population", "people", "population N(t)", [this] { return growth_->population(); });
    bus.publish_scalar("city.heat_island_k", "K", "urban heat island: city minus countryside, Oke (1973)",
                       [this] { return heat_island_k_; });
    bus.publish_scalar("city.built_km2", "km2", "built-up area", [this] { return built_km2(); });
    bus.publish_field("city.built", "", "1 where the city has built a cell, 0 elsewhere, NaN outside the grid",
                      [this](double x, double y) {
                          const int i = int(std::lround((x - x0_) / cell_m_)), j = int(std::lround((y - y0_) / cell_m_));
                          if (i < 0 || j < 0 || i >= int(n_) || j >= int(n_)) return std::nan("");
                          return (host_state_[size_t(j) * n_ + i] & CA_URBAN) ? 1.0 : 0.0;
                      });
}

}  // namespace infrascape::city
