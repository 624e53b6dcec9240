#version 450
// The local-inertial step (swe_inertial.glsl): Manning n per cell, theta 1.
#define SWE_MANNING_PER_CELL
#define SWE_THETA_ONE
#include "flood/swe_inertial.glsl"
