// Colormap lookup: one row per map in a 256 x 5 sRGB texture (viridis, inferno, turbo, cividis,
// blues; engine/colormap.hpp kColormapCount), so the
// sampler returns linear colour.
#ifndef COMMON_COLORMAP_GLSL
#define COMMON_COLORMAP_GLSL

vec3 colormap(sampler2D lut, float t, float row) {
    return texture(lut, vec2(clamp(t, 0.0, 1.0) * (255.0 / 256.0) + 0.5 / 256.0, (row + 0.5) / 5.0)).rgb;
}

#endif
