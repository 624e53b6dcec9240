// The campus's power and backup; see campus_model.hpp.
#include "modules/campus/campus_model.hpp"

#include <algorithm>

#include "modules/datacenter/facility.hpp"  // the facility model is the datacenter module's, used as a library

namespace infrascape::campus {

double it_mw(const CampusSpec& s, double utilization) { return s.gpus * s.gpu_kw * s.server_overhead * utilization / 1000; }

CampusPower campus_power(const CampusSpec& s, double utilization, double outdoor_c) {
    datacenter::FacilityConfig config;
    config.design_it_kw = std::max(1.0, it_mw(s, 1.0) * 1000);
    datacenter::FacilityLoad load;
    load.it_kw = std::max(1e-3, it_mw(s, utilization) * 1000);
    load.liquid_fraction = s.liquid_fraction;
    load.outdoor_c = outdoor_c;
    const datacenter::FacilityPower f = datacenter::facility_power(load, config);
    return {f.it_kw / 1000, f.facility_kw / 1000, f.pue};
}

Backup backup_start(const CampusSpec& s) {
    Backup b;
    b.fuel_left_h = s.fuel_hours;
    b.ups_left_s = s.ups_minutes * 60;
    return b;
}

double advance_backup(Backup& b, const CampusSpec& s, const CampusPower& p, double served, double dt_s) {
    using S = Backup::Source;
    if (served >= 0.99) {
        b.source = S::Grid;
        b.outage_s = 0;
        b.ups_left_s = s.ups_minutes * 60;  // recharged (its recharge time is not modelled)
        return p.facility_mw;
    }
    b.outage_s += dt_s;
    const double generator_mw = s.generator_fraction * campus_power(s, 1.0, 35).facility_mw;
    const bool generators_up = b.outage_s >= s.generator_start_s && b.fuel_left_h > 0 && generator_mw >= p.facility_mw;
    if (generators_up) {
        b.source = S::Generators;
        const double hours = dt_s / 3600;
        b.fuel_left_h = std::max(0.0, b.fuel_left_h - hours * p.facility_mw / std::max(generator_mw, 1e-9));
        b.generator_mwh += p.facility_mw * hours;
        b.co2_t += p.facility_mw * hours * s.diesel_t_co2_per_mwh;
    } else if (b.ups_left_s > 0) {
        b.source = S::Ups;
        b.ups_left_s = std::max(0.0, b.ups_left_s - dt_s * p.it_mw / std::max(it_mw(s, 1.0), 1e-9));
    } else {
        b.source = S::Dark;
        b.gpu_hours_lost += s.gpus * dt_s / 3600;
    }
    return 0.0;  // the transfer switch has left the grid until it is back
}

const char* source_name(Backup::Source s) {
    switch (s) {
        case Backup::Source::Grid: return "grid";
        case Backup::Source::Ups: return "UPS";
        case Backup::Source::Generators: return "generators";
        case Backup::Source::Dark: return "dark";
    }
    return "?";
}

}  // namespace infrascape::campus
