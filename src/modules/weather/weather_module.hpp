// The weather module: the one weather driver of a scene. It reads a weather CSV or builds the built-in Texas
// heat dome, adds a spatial pattern (a temperature gradient from the coast inland, a storm cell that moves),
// and publishes air temperature, humidity, irradiance, wind and rain on the output bus, where every other
// module reads them at the coupling step instead of a private temperature of its own.
#pragma once

#include <memory>

#include "core/module.hpp"

namespace infrascape::weather {

std::unique_ptr<Module> create();

}  // namespace infrascape::weather
