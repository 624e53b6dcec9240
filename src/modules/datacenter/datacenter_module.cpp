// The Datacenter module; see datacenter_module.hpp and src/modules/README.md.
//
// Geometry on the lattice (hall coordinates: metres from the hall's south-west floor corner; x along the rows, y
// across them, z up; cell (i, j, k) spans [i c, (i + 1) c) and so on):
//  - a rack is a solid box 0.6 m wide (x), 1.2 m deep (y) and 2.1 m tall; its front layer of cells is an Inlet
//    patch sucking air in and its back layer an Inlet patch blowing it out, both with the lattice velocity of the
//    rack's fan airflow through its face, the exhaust at the temperature the rack model gives (so the rack's heat
//    enters the air exactly as the enthalpy of its exhaust, flux by flux);
//  - a cooling unit (CRAH) is a solid box 2.0 x 0.9 x 1.9 m; it supplies air at its supply temperature through
//    the perforated floor tiles in front of the racks nearest to it (Equilibrium patches at floor level blowing
//    up) and takes warm air back through its top (an Outlet patch, fixed pressure), or, with hot-aisle
//    containment, through the roof of the contained hot aisles (ducted to the units);
//  - hot-aisle containment closes the ends of each aisle between two rows' backs and roofs it at rack height.
// Each frame the hall's temperatures are read back; each rack's servers take the mean air temperature in front
// of them at their height, the rack model gives outlet and GPU temperatures, and the exhaust patches follow.
#include "modules/datacenter/datacenter_module_impl.hpp"

namespace infrascape::datacenter {

std::unique_ptr<Module> create() { return std::make_unique<DatacenterModule>(); }

}  // namespace infrascape::datacenter
