#version 450
// Upscales a world drawn below the output's resolution, bilinearly: after FXAA at the world's resolution
// (fxaa.frag), or alone (quality low, or multisampling resolved below the output's size). The world fills the
// source image's corner [0, drawn); the output pixel at gl_FragCoord reads it at gl_FragCoord * scale.xy, never
// outside the drawn corner.
layout(binding = 0) uniform sampler2D source;  // through a UNORM view: the encoded values go through unchanged
layout(push_constant) uniform Push {
    vec4 texel;  // xy: one source texel in uv (1 / the source image's size)
    vec4 scale;  // xy: output pixel -> source uv; zw: the largest uv inside the drawn corner (half a texel in)
} p;
layout(location = 0) out vec4 out_color;

void main() { out_color = texture(source, clamp(gl_FragCoord.xy * p.scale.xy, 0.5 * p.texel.xy, p.scale.zw)); }
