#version 450
// The solid cells' restore (lbm_keep.glsl), FP16 populations (datacenter.populations = "fp16").
#define LBM_FP16
#include "datacenter/lbm_keep.glsl"
