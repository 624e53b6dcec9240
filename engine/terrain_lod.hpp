// Terrain by level of detail: a heightfield cut into square chunks, each triangulated at every power-of-two
// stride from 1 (every vertex) to the chunk's width (two triangles), with the largest vertical error each
// coarser surface makes against the full grid. Each frame the chunks outside the view are skipped and every
// other chunk is drawn at the coarsest level whose error covers at most `tolerance_px` pixels at its distance
// (the screen-space error metric of chunked LOD; Ulrich, "Rendering massive terrains using chunked level of
// detail control", SIGGRAPH 2002). Cracks between neighbours at different levels are hidden by skirts: a strip
// hanging down from every inner chunk edge, as deep as the largest error of any level.
// Plain C++ (no Vulkan): the world renderer uploads the arrays and draws the ranges select() returns.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <glm/glm.hpp>

#include "mesh.hpp"

namespace engine {

struct TerrainLod {
    static constexpr uint32_t kMaxLevels = 8;
    struct Chunk {
        glm::dvec3 lo{0}, hi{0};                  // bounds of the chunk's surface
        std::array<float, kMaxLevels> error_m{};  // level l: largest |z| between its surface and the full grid
        std::array<uint32_t, kMaxLevels> first{}, count{};  // its indices (surface and skirts) in `indices`
    };
    std::vector<Vertex> vertices;  // nx * ny surface vertices, then the same lowered by skirt_m
    std::vector<uint32_t> indices; // level-major: every chunk's level 0, then every chunk's level 1, ...
    std::vector<Chunk> chunks;
    uint32_t levels = 1;
    float skirt_m = 0;

    // chunk_cells: cells along a chunk's side, a power of two.
    static TerrainLod build(const Heightfield& h, uint32_t chunk_cells = 32);

    // Where modules lay flat things on the true ground (road slabs 0.3 m up, shallow water), a coarser level could
    // rise above them and hide them: inside such a region the error is kept to `max_error_m` while the region spans
    // at least `min_px` pixels (smaller, what lies on it is below a pixel too).
    struct Detail {
        glm::dvec2 lo{0.0}, hi{0.0};
        double max_error_m = 0.1;
        double min_px = 16;
    };
    struct View {
        glm::dmat4 view_proj{1.0};
        glm::dvec3 camera{0.0};
        double px_per_m_at_1m = 1000;  // viewport height / 2 / tan(fov / 2)
        double tolerance_px = 1.0;
        std::vector<Detail> details;
    };
    struct Range {
        uint32_t first, count;
    };
    // The index ranges to draw for this view (adjacent ranges merged), and the level each chunk got (-1: culled).
    std::vector<Range> select(const View& v, std::vector<int>* chosen = nullptr) const;
};

}  // namespace engine
