#version 450
// The local-inertial step (swe_inertial.glsl) for a grid of one Manning n.
#include "flood/swe_inertial.glsl"
