// Point inflows for the flood module: a hydrograph (discharge against time) read from a CSV file, and a
// moving storm cell (a rain field that travels along a path). Both are plain C++ so the GPU passes and the
// reference solver take the same source terms.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <vector>

namespace infrascape::flood {

// A hydrograph: discharge (m^3/s) at times (s), linear between rows. Before the first row the first value
// holds, after the last row the last one (a hydrograph that should stop ends with a row of 0).
struct Hydrograph {
    std::vector<double> t_s, q_m3_per_s;
    double at(double t_s) const;
    double volume_m3(double t0_s, double t1_s) const;  // exact integral of the piecewise-linear curve
};

// Reads a CSV with the header `time_s,discharge_m3_per_s` and one row per time, times strictly increasing
// and >= 0, discharges >= 0. Throws infrascape::InputError "file:line:col: ..." for anything malformed;
// see tests/flood/hydrograph_corpus/.
Hydrograph load_hydrograph(const std::filesystem::path& file, const std::string& shown);

// A convective storm cell: rain falls inside a radius around a centre that moves along a polyline of
// (x_m, y_m) points at constant speed between start_s and end_s. The intensity falls off from the centre as
// exp(-(r / radius)^2) (a Gaussian cell, as in the rain-cell models used for flash-flood scenarios; peak
// intensity at the centre), and is zero outside 3 radii.
struct StormCell {
    std::vector<std::array<double, 2>> path;  // at least one point
    double radius_m = 5000;
    double peak_mm_per_h = 60;
    double start_s = 0, end_s = 4 * 3600.0;
    std::array<double, 2> centre_at(double t_s) const;
    double rain_mm_per_h(double x_m, double y_m, double t_s) const;  // 0 before start_s and after end_s
};

}  // namespace infrascape::flood
