#version 450
// The local-inertial step (swe_inertial.glsl): one Manning n, any theta.
#include "flood/swe_inertial.glsl"
