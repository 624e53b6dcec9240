// The Datacenter module: the air and heat of an AI data hall on the GPU (lbm_gpu.hpp: D3Q19 TRT + Smagorinsky
// with Boussinesq buoyancy, D3Q7 heat), racks whose fans move air front to back and whose servers are solved by
// the compact thermal model (rack_model.hpp) from the inlet air the hall gives them, cooling units supplying cold
// air through perforated floor tiles and taking warm air back, optional hot-aisle containment, and the facility's
// cooling plant (facility.hpp) giving total power and PUE as the outdoor temperature changes.
#pragma once

#include <memory>

#include "core/module.hpp"

namespace infrascape::datacenter {

std::unique_ptr<Module> create();

}  // namespace infrascape::datacenter
