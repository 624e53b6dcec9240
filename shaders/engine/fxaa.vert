#version 450
// Full-screen triangle for the post-process anti-aliasing pass (fxaa.frag reads by gl_FragCoord).
void main() {
    vec2 p = vec2((gl_VertexIndex << 1) & 2, gl_VertexIndex & 2) * 2.0 - 1.0;
    gl_Position = vec4(p, 0.0, 1.0);
}
