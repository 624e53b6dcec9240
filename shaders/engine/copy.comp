#version 450
// The bench's roofline: a plain copy of 16-byte words, dst[i] = src[i]. Its bandwidth (bytes read plus
// bytes written per second) is what every module kernel is compared against.
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Src { uvec4 src[]; };
layout(std430, binding = 1) writeonly buffer Dst { uvec4 dst[]; };
layout(push_constant) uniform Push { uint count; uint row_stride; } pc;

void main() {
    uint i = gl_GlobalInvocationID.y * pc.row_stride + gl_GlobalInvocationID.x;
    if (i < pc.count) dst[i] = src[i];
}
