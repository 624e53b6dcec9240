// The city module's exports: population and quantities by year, land use, the scaling fits.
#include "modules/city/city_module_impl.hpp"

namespace infrascape::city {

void CityModule::export_results(const std::filesystem::path& dir, double t_s, const ParamStore& params) {
    const ParamStore* p = &params;
    const HeatIslandRegion region = params.text("city.heat_island_region") == "europe" ? HeatIslandRegion::Europe
                                                                                       : HeatIslandRegion::NorthAmerica;
    std::ofstream pop(dir / "population.csv");
    pop << std::setprecision(10) << "year,N,built_cells,street_km,cable_km,heat_island_k";
    for (const ScalingLaw& law : laws_) pop << ',' << slug(law.name) << (law.unit.empty() ? "" : "_" + slug(law.unit));
    pop << '\n';
    for (const Row& r : rows_) {
        pop << r.year << ',' << r.n << ',' << r.built << ',' << r.roads * cell_m_ / 1000 << ','
            << cable_km(r.built, r.roads) << ',' << heat_island_max_k(r.n, region);
        for (const ScalingLaw& law : laws_) {
            ScalingLaw l = law;
            if (p) l.beta = beta_of(law, *p);
            pop << ',' << evaluate(l, r.n);
        }
        pop << '\n';
    }
    for (const Snapshot& s : snapshots_) {
        char name[48];
        std::snprintf(name, sizeof name, "landuse_%04d.asc", int(std::lround(s.year)));
        write_landuse(dir / name, s.grid);
    }
    std::ofstream fit(dir / "scaling_fit.csv");
    fit << std::setprecision(10) << "quantity,imposed_beta,fitted_beta,r2\n";
    if (p)
        for (const FitRow& f : fits(*p))
            fit << f.name << ',' << (std::isfinite(f.imposed) ? std::to_string(f.imposed) : std::string("")) << ','
                << f.fit.beta << ',' << f.fit.r2 << '\n';
}

std::vector<CityModule::FitRow> CityModule::fits(const ParamStore& p) const {
    std::vector<FitRow> out;
    std::vector<double> n, built, road, cable;
    for (const Row& r : rows_) {
        n.push_back(r.n);
        built.push_back(r.built * cell_m_ * cell_m_ / 1e6);
        road.push_back(r.roads * cell_m_ / 1000);
        cable.push_back(cable_km(r.built, r.roads));
    }
    auto safe_fit = [](const std::vector<double>& x, const std::vector<double>& y) {
        try {
            return fit_power_law(x, y);
        } catch (const std::exception&) {
            return Fit{std::nan(""), std::nan(""), std::nan(""), 0};
        }
    };
    for (const ScalingLaw& law : laws_) {
        ScalingLaw l = law;
        l.beta = beta_of(law, p);
        std::vector<double> y;
        for (double v : n) y.push_back(evaluate(l, v));
        out.push_back({law.name, l.beta, safe_fit(n, y)});
    }
    // Built area is imposed: the automaton grows until it matches the land the population demands,
    // N^(1 - densification), so its fitted exponent restates that input. Streets and cables emerge.
    out.push_back({"built area (imposed)", 1.0 - p.number("city.densification"), safe_fit(n, built)});
    out.push_back({"street length *", std::nan(""), safe_fit(n, road)});
    out.push_back({"cable length *", std::nan(""), safe_fit(n, cable)});
    return out;
}

void CityModule::write_landuse(const std::filesystem::path& path, const std::vector<uint32_t>& grid) const {
    // ESRI ASCII grid, rows north to south. 0 open land, 1 built, 2 road, 3 water, NODATA outside the world.
    std::ofstream out(path);
    out << std::setprecision(10) << "ncols " << n_ << "\nnrows " << n_ << "\nxllcorner " << x0_ - cell_m_ / 2
        << "\nyllcorner " << y0_ - cell_m_ / 2 << "\ncellsize " << cell_m_ << "\nNODATA_value -9999\n";
    for (int j = int(n_) - 1; j >= 0; --j) {
        for (uint32_t i = 0; i < n_; ++i) {
            uint32_t s = grid[size_t(j) * n_ + i];
            int code = (s & CA_EXCLUDED) ? -9999 : (s & CA_ROAD) ? 2 : (s & CA_URBAN) ? 1 : (s & CA_WATER) ? 3 : 0;
            out << (i ? " " : "") << code;
        }
        out << '\n';
    }
}

}  // namespace infrascape::city
