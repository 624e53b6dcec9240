// The campus module: an AI datacenter campus as the grid and the weather see it, at the state's scale. Its IT
// load (GPUs x GPU power x server overhead x utilization) and the outdoor air give the cooling plant's power
// and PUE through the datacenter module's facility model (the same model the data hall uses, reused as a
// library), which is the campus's draw at its grid bus. When the grid stops serving that bus it rides its UPS,
// starts its backup generators (fuel, CO2) and, if they cannot carry it, stops its GPUs: the lost GPU-hours
// are an output. Several campuses are [[campus]] entries with an id; the detailed air of one hall is the
// datacenter module's.
#pragma once

#include <memory>

#include "core/module.hpp"

namespace infrascape::campus {

std::unique_ptr<Module> create();

}  // namespace infrascape::campus
