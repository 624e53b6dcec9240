// The same copy as `infrascape bench`'s roofline (16-byte words, dst[i] = src[i], 64 MiB) through OpenCL, for
// comparing llvmpipe's compute copy with what the same CPU reaches through another runtime (PoCL on Debian:
// apt-get install pocl-opencl-icd ocl-icd-opencl-dev opencl-headers). Not part of the build:
//   cc -O2 scripts/peers/opencl_copy.c -lOpenCL -o /tmp/opencl_copy && /tmp/opencl_copy
// Prints the best of 5 runs of each work-group size, in GB/s (bytes read plus bytes written).
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const char* kSource =
    "__kernel void copy(__global const uint4* src, __global uint4* dst) {\n"
    "    size_t i = get_global_id(0);\n"
    "    dst[i] = src[i];\n"
    "}\n";

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
    cl_platform_id platform;
    cl_device_id device;
    cl_int err = clGetPlatformIDs(1, &platform, NULL);
    if (err == CL_SUCCESS) err = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, NULL);
    if (err != CL_SUCCESS) {
        fprintf(stderr, "no OpenCL device (%d)\n", err);
        return 1;
    }
    char name[256];
    clGetDeviceInfo(device, CL_DEVICE_NAME, sizeof name, name, NULL);
    cl_context ctx = clCreateContext(NULL, 1, &device, NULL, NULL, &err);
    cl_command_queue queue = clCreateCommandQueue(ctx, device, 0, &err);
    cl_program program = clCreateProgramWithSource(ctx, 1, &kSource, NULL, &err);
    if (clBuildProgram(program, 1, &device, "", NULL, NULL) != CL_SUCCESS) {
        fprintf(stderr, "build failed\n");
        return 1;
    }
    cl_kernel kernel = clCreateKernel(program, "copy", &err);
    const size_t bytes = 64u << 20, words = bytes / 16;
    cl_mem src = clCreateBuffer(ctx, CL_MEM_READ_WRITE, bytes, NULL, &err);
    cl_mem dst = clCreateBuffer(ctx, CL_MEM_READ_WRITE, bytes, NULL, &err);
    const float one = 1.0f;
    clEnqueueFillBuffer(queue, src, &one, sizeof one, 0, bytes, 0, NULL, NULL);
    clFinish(queue);
    clSetKernelArg(kernel, 0, sizeof src, &src);
    clSetKernelArg(kernel, 1, sizeof dst, &dst);
    printf("device: %s\n", name);
    const size_t locals[] = {64, 256, 1024};
    for (int l = 0; l < 3; ++l) {
        double best = 1e30;
        for (int run = 0; run < 6; ++run) {
            const double t0 = now();
            for (int r = 0; r < 3; ++r) clEnqueueNDRangeKernel(queue, kernel, 1, NULL, &words, &locals[l], 0, NULL, NULL);
            clFinish(queue);
            const double t = (now() - t0) / 3;
            if (run > 0 && t < best) best = t;  // the first run warms up
        }
        printf("copy, 1 x 16 B per work-item, %zu per group: %.2f GB/s\n", locals[l], 2.0 * bytes / best / 1e9);
    }
    return 0;
}
