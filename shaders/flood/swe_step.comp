#version 450
// The flood step, first and second order (swe_step.glsl).
#include "flood/swe_step.glsl"
