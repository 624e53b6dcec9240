// The explicit list of simulation modules: one line per module. No self-registering statics.
#include "core/module.hpp"
#include "modules/campus/campus_module.hpp"
#include "modules/city/city_module.hpp"
#include "modules/datacenter/datacenter_module.hpp"
#include "modules/example/example_module.hpp"
#include "modules/flood/flood_module.hpp"
#include "modules/grid/grid_cli.hpp"
#include "modules/grid/grid_module.hpp"
#include "modules/weather/weather_module.hpp"

namespace infrascape {

const std::vector<ModuleEntry>& module_registry() {
    // The order is the world's coupling step order (see core/coupling.hpp): the weather first, then the
    // flood (water at substations), the cities and campuses (their demand) and the data hall, and the grid
    // last, which serves that demand; the grid's outages reach the cities and campuses at the next coupling
    // step.
    static const std::vector<ModuleEntry> modules = {
        {"weather", &weather::create},
        {"flood", &flood::create},
        {"city", &city::create},
        {"campus", &campus::create},
        {"datacenter", &datacenter::create},
        {"grid", &grid::create},
        {"example", &example::create},
    };
    return modules;
}

const std::vector<CommandEntry>& command_registry() {
    static const std::vector<CommandEntry> commands = {
        {"grid", &grid::grid_cli},
    };
    return commands;
}

std::unique_ptr<Module> create_module(const std::string& name) {
    for (const ModuleEntry& e : module_registry())
        if (name == e.name) return e.create();
    return nullptr;
}

}  // namespace infrascape
