#version 450
// The copy roofline (copy.glsl): one 16-byte word per invocation, 256 to a workgroup.
#define COPY_LOCAL 256u
#define COPY_PER_INVOCATION 1u
#include "engine/copy.glsl"
