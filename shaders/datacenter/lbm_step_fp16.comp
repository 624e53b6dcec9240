#version 450
// The data hall's LBM step with every feature (lbm_step.glsl), FP16 populations.
#define LBM_FP16
#include "datacenter/lbm_step.glsl"
