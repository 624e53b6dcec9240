// The D3Q19 populations' buffers (bindings 0-5, the same in the bulk, boundary and restore passes) and how they
// are stored: FP32, or with LBM_FP16 in 16-bit floats (GL_EXT_shader_16bit_storage), widened to FP32 on load and
// narrowed on store, so the arithmetic stays FP32. The populations are kept shifted by their weights (f_q - w_q, as
// LbmReference does), small numbers around 0, and stored times 256 (LBM_FP16_SCALE, a power of two: exact), as
// FluidX3D's FP16S scales them, so that values down to 2.4e-7 stay normal halves (unscaled, values under 6.1e-5
// would be subnormals, which a device may flush) while the largest, about 0.1, are far from the half's 65504. The
// 11-bit mantissa keeps about 5e-4 of each value. The narrowing's rounding is the device's (Vulkan leaves it to
// the implementation without the float-controls modes; llvmpipe rounds to nearest). The accuracy against FP32 is
// measured in test_datacenter_gpu.cpp, a quiet flow included.
#ifdef LBM_FP16
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#define POP float16_t
#define LBM_FP16_SCALE 256.0  // lbm_gpu.cpp kFp16Scale
#define POP_LOAD(x) (float(x) * (1.0 / LBM_FP16_SCALE))
#define POP_STORE(v) float16_t((v) * LBM_FP16_SCALE)
#else
#define POP float
#define POP_LOAD(x) (x)
#define POP_STORE(v) (v)
#endif

layout(std430, binding = 0) readonly buffer FA { POP fa[]; };   // q 0..6, source
layout(std430, binding = 1) readonly buffer FB { POP fb[]; };   // q 7..12
layout(std430, binding = 2) readonly buffer FC { POP fc[]; };   // q 13..18
layout(std430, binding = 3) writeonly buffer OA { POP oa[]; };  // destination
layout(std430, binding = 4) writeonly buffer OB { POP ob[]; };
layout(std430, binding = 5) writeonly buffer OC { POP oc[]; };
