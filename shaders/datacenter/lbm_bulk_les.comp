#version 450
// The LBM bulk step (lbm_bulk.glsl), variant les.
#define LBM_BULK_LES
#include "datacenter/lbm_bulk.glsl"
