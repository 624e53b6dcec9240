#version 450
// The LBM bulk step (lbm_bulk.glsl), variant les_heat.
#define LBM_BULK_LES
#define LBM_BULK_HEAT
#include "datacenter/lbm_bulk.glsl"
