#version 450
// The LBM bulk step (lbm_bulk.glsl), variant flow, FP16 populations.

#define LBM_FP16
#include "datacenter/lbm_bulk.glsl"
