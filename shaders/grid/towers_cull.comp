#version 450
// GPU-driven tower drawing: of every tower along every line, only those in the view and near enough to cover a
// few pixels are appended to the drawn list (a state-wide grid has tens of thousands of towers; at a distance
// the wires alone carry the picture). Writes instanceCount of the indirect draw, which the CPU zeroed.
layout(local_size_x = 64) in;

struct Instance {  // engine::Instance
    vec4 position_yaw;
    vec4 scale;
    vec4 color;
};
layout(std430, binding = 0) readonly buffer All { Instance towers[]; };
layout(std430, binding = 1) writeonly buffer Visible { Instance visible[]; };
layout(std430, binding = 2) buffer Indirect { uint index_count, instance_count, first_index; int vertex_offset; uint first_instance; };
layout(push_constant) uniform Push {
    mat4 view_proj;
    vec4 camera;   // xyz, w: farthest distance at which a tower is drawn (m)
    uvec4 counts;  // x: towers; y: tower height (m, as float bits)
} p;

void main() {
    const uint i = gl_GlobalInvocationID.x + gl_NumWorkGroups.x * gl_WorkGroupSize.x * gl_GlobalInvocationID.y;
    if (i >= p.counts.x) return;
    const Instance t = towers[i];
    const float height = uintBitsToFloat(p.counts.y) * t.scale.z;
    const vec3 centre = t.position_yaw.xyz + vec3(0.0, 0.0, 0.5 * height);
    if (distance(centre, p.camera.xyz) > p.camera.w) return;
    // Bounding sphere against the clip volume (with the sphere's radius as margin).
    const vec4 c = p.view_proj * vec4(centre, 1.0);
    const float margin = 0.6 * height * 2.0;  // generous: the matrix scales radius by about 1/tan(fov/2)
    if (c.w < -margin || c.x < -c.w - margin || c.x > c.w + margin || c.y < -c.w - margin || c.y > c.w + margin) return;
    const uint slot = atomicAdd(instance_count, 1u);
    visible[slot] = t;
}
