#version 450
// The copy roofline (copy.glsl): four 16-byte words per invocation, 256 to a workgroup.
#define COPY_LOCAL 256u
#define COPY_PER_INVOCATION 4u
#include "engine/copy.glsl"
