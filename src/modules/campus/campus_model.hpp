// The campus's power and its backup, as plain functions of its inputs (tested without a GPU): the IT load
// from the GPU count, the facility power and PUE from the datacenter facility model at the outdoor
// temperature, and the ride-through when the grid fails (UPS, then generators, then the GPUs stop).
#pragma once

namespace infrascape::campus {

struct CampusSpec {
    double gpus = 250000;
    double gpu_kw = 1.0;            // board power of one GPU at full load
    double server_overhead = 1.5;   // server (CPUs, memory, NICs), network and storage per GPU watt
    double liquid_fraction = 0.7;   // share of the IT heat taken by the cold plates
    double ups_minutes = 5;         // battery ride-through at full load
    double generator_start_s = 60;  // backup generators carry the load this long after a failure
    double generator_fraction = 1;  // generator capacity, as a share of the facility's design load
    double fuel_hours = 24;         // fuel on site at full generator load
    double diesel_t_co2_per_mwh = 0.7;
};

// IT power (MW) at a utilization: GPUs x GPU kW x overhead x utilization.
double it_mw(const CampusSpec& s, double utilization);

struct CampusPower {
    double it_mw = 0, facility_mw = 0, pue = 0;
};
// Facility power at the outdoor temperature (the datacenter module's facility model, sized for full load).
CampusPower campus_power(const CampusSpec& s, double utilization, double outdoor_c);

// The backup's state machine, advanced between coupling steps.
struct Backup {
    enum class Source { Grid, Ups, Generators, Dark } source = Source::Grid;
    double outage_s = 0;        // how long the grid has been out
    double fuel_left_h = 0;     // at full generator load
    double ups_left_s = 0;
    double generator_mwh = 0, co2_t = 0, gpu_hours_lost = 0;
};
Backup backup_start(const CampusSpec& s);
// Advances by dt_s with the grid serving `served` (0..1) of the campus: below 0.99 the grid counts as out.
// Returns the MW the campus draws from the grid: all of it while served, none during an outage (its
// transfer switch moves it to the UPS and generators until the grid is back).
double advance_backup(Backup& b, const CampusSpec& s, const CampusPower& p, double served, double dt_s);
const char* source_name(Backup::Source s);

}  // namespace infrascape::campus
