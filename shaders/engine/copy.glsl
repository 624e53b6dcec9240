// The bench's roofline: a plain copy of 16-byte words, dst[i] = src[i], each invocation copying COPY_PER_INVOCATION
// words COPY_LOCAL apart (a workgroup copies one contiguous run). Its bandwidth (bytes read plus bytes written per
// second) is what every module kernel is compared against; the bench runs each variant and keeps the fastest, as
// devices differ: on llvmpipe, an invocation's memory access costs a loop over its SIMD lanes, so more words per
// invocation (fewer invocations) copies almost twice as fast, while a GPU wants one word per invocation.
layout(local_size_x = COPY_LOCAL) in;
layout(std430, binding = 0) readonly buffer Src { uvec4 src[]; };
layout(std430, binding = 1) writeonly buffer Dst { uvec4 dst[]; };
layout(push_constant) uniform Push { uint count; uint row_stride; } pc;

void main() {
    const uint i = gl_GlobalInvocationID.y * pc.row_stride + gl_GlobalInvocationID.x;
    const uint base = (i / COPY_LOCAL) * (COPY_LOCAL * COPY_PER_INVOCATION) + i % COPY_LOCAL;
    for (uint k = 0u; k < COPY_PER_INVOCATION; ++k) {
        const uint e = base + k * COPY_LOCAL;
        if (e < pc.count) dst[e] = src[e];
    }
}
