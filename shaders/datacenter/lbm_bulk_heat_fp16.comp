#version 450
// The LBM bulk step (lbm_bulk.glsl), variant heat, FP16 populations.
#define LBM_BULK_HEAT
#define LBM_FP16
#include "datacenter/lbm_bulk.glsl"
