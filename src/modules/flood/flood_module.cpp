// The Flood module; see flood_module.hpp and src/modules/README.md.
//
// Time: the session steps in fixed windows of world.dt_s; each window records as many GPU solver steps as the
// last known wave speed suggests (with a margin), and the GPU itself picks each step's dt from the CFL condition
// (swe_gpu.hpp record_window). A window whose steps run out before its time is covered leaves the rest to the
// next window, so no simulated time is ever lost; the flood's own clock (window end minus what is left) is what
// gauges, arrival times and the exports are stamped with. Once per window a statistics pass updates the maxima
// and arrival times, and the gauge and site cells are copied to a per-frame readback log.
#include "modules/flood/flood_module_impl.hpp"

namespace infrascape::flood {

std::unique_ptr<Module> create() { return std::make_unique<FloodModule>(); }

}  // namespace infrascape::flood
