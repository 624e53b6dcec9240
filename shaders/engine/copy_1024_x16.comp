#version 450
// The copy roofline (copy.glsl): sixteen 16-byte words per invocation, 1024 to a workgroup.
#define COPY_LOCAL 1024u
#define COPY_PER_INVOCATION 16u
#include "engine/copy.glsl"
