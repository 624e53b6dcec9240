#version 450
// Colours each building by the temperature anomaly at its site: a compute pass writing the instance
// vertex buffer that the instanced draw reads in the same frame.
layout(local_size_x = 64) in;

struct Instance {
    vec4 position_yaw;
    vec4 scale;
    vec4 color;
};
layout(std430, binding = 0) readonly buffer Field { float t[]; };
layout(std430, binding = 1) buffer Instances { Instance inst[]; };
layout(push_constant) uniform Push {
    vec4 origin_spacing;  // x0, y0 of cell (0,0) centre, dx, dy
    uint nx, ny, count, pad;
    float max_k;
} pc;

float cell(int i, int j) {
    i = clamp(i, 0, int(pc.nx) - 1);
    j = clamp(j, 0, int(pc.ny) - 1);
    return t[j * int(pc.nx) + i];
}

void main() {
    uint id = gl_GlobalInvocationID.x;
    if (id >= pc.count) return;
    vec2 g = (inst[id].position_yaw.xy - pc.origin_spacing.xy) / pc.origin_spacing.zw;
    ivec2 c = ivec2(floor(g));
    vec2 f = g - vec2(c);
    float v = mix(mix(cell(c.x, c.y), cell(c.x + 1, c.y), f.x), mix(cell(c.x, c.y + 1), cell(c.x + 1, c.y + 1), f.x), f.y);
    float heat = clamp(v / pc.max_k, 0.0, 1.0);
    vec3 cool = vec3(0.42, 0.42, 0.44);
    vec3 hot = vec3(0.95, 0.35, 0.08);
    inst[id].color = vec4(mix(cool, hot, heat), heat * 0.6);
}
