#version 450
// The LBM bulk step (lbm_bulk.glsl), variant les, FP16 populations.
#define LBM_BULK_LES
#define LBM_FP16
#include "datacenter/lbm_bulk.glsl"
