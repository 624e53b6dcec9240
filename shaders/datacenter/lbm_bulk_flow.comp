#version 450
// The LBM bulk step (lbm_bulk.glsl), variant flow.

#include "datacenter/lbm_bulk.glsl"
