#version 450
// The local-inertial step (swe_inertial.glsl): one Manning n, theta 1.
#define SWE_THETA_ONE
#include "flood/swe_inertial.glsl"
