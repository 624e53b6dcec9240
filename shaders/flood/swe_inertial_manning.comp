#version 450
// The local-inertial step (swe_inertial.glsl) with Manning n per cell (a roughness raster).
#define SWE_MANNING_PER_CELL
#include "flood/swe_inertial.glsl"
