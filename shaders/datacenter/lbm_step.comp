#version 450
// The data hall's LBM step with every feature (heat, Smagorinsky, fans, supplies and returns): lbm_step.glsl.
#include "datacenter/lbm_step.glsl"
