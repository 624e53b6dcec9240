#version 450
// The local-inertial step (swe_inertial.glsl): Manning n per cell, any theta.
#define SWE_MANNING_PER_CELL
#include "flood/swe_inertial.glsl"
