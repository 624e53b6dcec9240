// The City module: a city that grows under scaling laws. Population follows West's growth equation with
// innovation cycles (growth.hpp); land use grows by a SLEUTH-style cellular automaton on the GPU
// (sleuth.hpp, shaders/city/); socio-economic, infrastructure and individual quantities follow
// Y = Y0 N^beta and are compared with what the automaton's geometry yields (scaling.hpp).
#pragma once

#include <memory>

#include "core/module.hpp"

namespace infrascape::city {

std::unique_ptr<Module> create();

}  // namespace infrascape::city
