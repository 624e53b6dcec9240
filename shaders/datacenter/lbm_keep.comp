#version 450
// The solid cells' restore (lbm_keep.glsl), FP32 populations.
#include "datacenter/lbm_keep.glsl"
