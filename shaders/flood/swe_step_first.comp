#version 450
// The flood step, first order only (swe_step.glsl without the slopes' code): what the first-order scheme
// dispatches, since llvmpipe would run the second-order branches for every cell even when they are not taken.
#define SWE_FIRST_ORDER_ONLY
#include "flood/swe_step.glsl"
