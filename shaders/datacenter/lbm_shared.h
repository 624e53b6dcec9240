// Structs shared by the data hall's lattice Boltzmann shaders and src/modules/datacenter/lbm_gpu.cpp (size
// asserts there). std430: vec4/uvec4 members only.
#ifndef DATACENTER_LBM_SHARED_H
#define DATACENTER_LBM_SHARED_H

#ifdef __cplusplus
#include <glm/glm.hpp>
namespace infrascape::datacenter::gpu {
using vec4 = glm::vec4;
using uvec4 = glm::uvec4;
#endif

#define LBM_LOCAL_X 64
#define LBM_LOCAL_Y 4
#define LBM_LIST_LOCAL 256  // the boundary step's workgroup (one cell of the list per invocation)

// LbmPush.dims.w bits.
#define LBM_PERIODIC_X 1u
#define LBM_PERIODIC_Y 2u
#define LBM_PERIODIC_Z 4u
#define LBM_THERMAL 8u
#define LBM_TRT 16u
#define LBM_WRITE_MOMENTS 32u  // this step writes the moments and density buffers (the last step of a batch)

// Cell kinds (lbm_reference.hpp CellKind).
#define LBM_FLUID 0u
#define LBM_WALL 1u
#define LBM_INLET 2u
#define LBM_EQUILIBRIUM 3u
#define LBM_OUTLET 4u

struct LbmPush {
    uvec4 dims;   // x, y, z: cells, w: LBM_* flags
    vec4 relax;   // x: tau, y: TRT magic Lambda, z: Smagorinsky Cs, w: tau_thermal
    vec4 force;   // xyz: uniform body force density, w: turbulent Prandtl number
    vec4 buoy;    // xyz: lattice gravity, w: thermal expansion beta (1/K)
    vec4 temps;   // x: reference temperature T0 (C), y: stored-population offset T_offset (C), z, w: 0
};

// The boundary cells' list (lbm_links.comp): the indirect dispatch of the boundary step and the list's length.
struct LbmListHeader {
    uvec4 dispatch;  // x, y, z: workgroups of LBM_LIST_LOCAL, w: cells in the list
};

struct LbmPatch {
    vec4 u_t;    // xyz: lattice velocity, w: temperature (C)
    uvec4 kind;  // x: LBM_FLUID ... LBM_OUTLET
};

#ifdef __cplusplus
}  // namespace infrascape::datacenter::gpu
#endif
#endif
