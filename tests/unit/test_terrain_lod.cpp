// Chunked terrain level of detail (engine/terrain_lod.hpp): errors on hand-solved heightfields, the triangle
// count at full detail, culling against the view, and the detail regions modules ask for.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "camera.hpp"
#include "terrain_lod.hpp"

using engine::Heightfield;
using engine::TerrainLod;

namespace {
Heightfield flat(uint32_t nx, uint32_t ny, double dx = 10) {
    Heightfield h;
    h.nx = nx, h.ny = ny, h.dx = dx;
    h.z.assign(size_t(nx) * ny, 0.0f);
    return h;
}

uint32_t drawn_indices(const std::vector<TerrainLod::Range>& ranges) {
    uint32_t n = 0;
    for (const auto& r : ranges) n += r.count;
    return n;
}

// A camera `height` above the terrain's centre looking straight down (a little tilt keeps the up vector valid).
TerrainLod::View view_from_above(const Heightfield& h, double height, double tolerance_px) {
    engine::CameraState cam;
    const glm::dvec2 c(h.x0 + h.width_m() / 2, h.y0 + h.height_m() / 2);
    cam.position = {c.x, c.y - 1e-3 * height, height};
    cam.target = {c.x, c.y, 0};
    cam.fov_deg = 60;
    TerrainLod::View v;
    v.view_proj = glm::dmat4(engine::projection_matrix(cam.fov_deg, 1.0, 1.0, 1e7) * engine::view_matrix(cam));
    v.camera = cam.position;
    v.px_per_m_at_1m = 0.5 * 720 / std::tan(glm::radians(cam.fov_deg) * 0.5);
    v.tolerance_px = tolerance_px;
    return v;
}
}  // namespace

TEST_CASE("terrain LOD: a plane is exact at every level, so every chunk is drawn at the coarsest", "[world]") {
    Heightfield h = flat(65, 65);
    for (uint32_t j = 0; j < h.ny; ++j)
        for (uint32_t i = 0; i < h.nx; ++i) h.z[size_t(j) * h.nx + i] = float(0.5 * i - 0.25 * j + 3);
    const TerrainLod t = TerrainLod::build(h, 32);
    REQUIRE(t.levels == 6);  // strides 1, 2, 4, 8, 16, 32
    REQUIRE(t.chunks.size() == 4);
    for (const auto& c : t.chunks)
        for (uint32_t l = 0; l < t.levels; ++l) CHECK(c.error_m[l] == Approx(0).margin(1e-5));
    std::vector<int> chosen;
    const auto ranges = t.select(view_from_above(h, 200, 0.5), &chosen);
    for (int l : chosen) CHECK(l == 5);
    // Four chunks of two triangles each, and their skirts: each chunk has two inner edges of one segment (12 indices).
    CHECK(drawn_indices(ranges) == 4 * 6 + 4 * 2 * 12);
}

TEST_CASE("terrain LOD: one raised vertex gives the errors worked by hand", "[world]") {
    // A 10 m spike at vertex (4, 4) of a flat 65 x 65 grid: it is a sample of every level up to stride 4.
    // Stride 2: at (5, 5), in the coarse cell (4..6, 4..6) split a-b-d / a-d-c with u = v = 1/2, the surface is
    // z_a + u (z_b - z_a) + v (z_d - z_b) = 10 - 5 + 0 = 5 m against 0: error 5. Stride 4: (5, 5) has u = v = 1/4:
    // 10 - 2.5 = 7.5 m. Stride 8 and up: (4, 4) is no sample; the coarse surface is flat there: error 10.
    Heightfield h = flat(65, 65);
    h.z[4 * 65 + 4] = 10;
    const TerrainLod t = TerrainLod::build(h, 32);
    const auto& c = t.chunks[0];
    CHECK(c.error_m[0] == Approx(0));
    CHECK(c.error_m[1] == Approx(5));
    CHECK(c.error_m[2] == Approx(7.5));
    for (uint32_t l = 3; l < t.levels; ++l) CHECK(c.error_m[l] == Approx(10));
    for (size_t k = 1; k < t.chunks.size(); ++k) CHECK(t.chunks[k].error_m[t.levels - 1] == Approx(0));
    CHECK(t.skirt_m >= 10.0f);  // deep enough to hide the widest crack any pair of levels leaves
    CHECK(c.hi.z == Approx(10));
}

TEST_CASE("terrain LOD: at full detail every cell is drawn once, on grids of any size", "[world]") {
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(0, 50);
    for (auto [nx, ny] : {std::pair<uint32_t, uint32_t>{65, 65}, {50, 37}, {2, 2}, {33, 97}}) {
        Heightfield h = flat(nx, ny);
        for (float& z : h.z) z = u(rng);
        const TerrainLod t = TerrainLod::build(h, 32);
        std::vector<int> chosen;
        const auto ranges = t.select(view_from_above(h, 1e5, 0.0), &chosen);  // no error allowed
        for (size_t k = 0; k < chosen.size(); ++k)  // (a chunk of one cell is the same at every level)
            CHECK((chosen[k] == 0 || t.chunks[k].error_m[t.levels - 1] == 0.0f));
        // Surface: 6 indices a cell. Skirts: 12 indices for each cell edge on a line between two chunks.
        const uint32_t cx = (nx - 2) / 32 + 1, cy = (ny - 2) / 32 + 1;
        const uint32_t skirt_edges = 2 * ((cx - 1) * (ny - 1) + (cy - 1) * (nx - 1));
        CHECK(drawn_indices(ranges) == 6 * (nx - 1) * (ny - 1) + 12 * skirt_edges);
        CHECK(*std::max_element(t.indices.begin(), t.indices.end()) < t.vertices.size());
        // Every level's triangles lie on vertices of the grid: no index past the surface and its skirt copy.
        CHECK(t.vertices.size() == 2 * size_t(nx) * ny);
    }
}

TEST_CASE("terrain LOD: chunks outside the view are culled, and every chunk on screen is drawn", "[world]") {
    Heightfield h = flat(257, 257, 100);  // 25.6 km square
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> u(0, 300);
    for (float& z : h.z) z = u(rng);
    const TerrainLod t = TerrainLod::build(h, 32);
    // Looking up at the sky from above the terrain: nothing to draw.
    TerrainLod::View up = view_from_above(h, 1000, 1.0);
    engine::CameraState sky;
    sky.position = up.camera;
    sky.target = up.camera + glm::dvec3(0, 1, 1000);
    up.view_proj = glm::dmat4(engine::projection_matrix(60, 1.0, 1.0, 1e7) * engine::view_matrix(sky));
    CHECK(t.select(up).empty());
    // A low camera in one corner looking along the diagonal: some chunks culled, yet every grid vertex that
    // projects inside the viewport lies in a drawn chunk.
    engine::CameraState cam;
    cam.position = {h.x0 + 200, h.y0 + 200, 800};
    cam.target = {h.x0 + 8000, h.y0 + 3000, 0};
    cam.fov_deg = 40;
    TerrainLod::View v;
    v.view_proj = glm::dmat4(engine::projection_matrix(cam.fov_deg, 16.0 / 9, 1.0, 1e7) * engine::view_matrix(cam));
    v.camera = cam.position;
    std::vector<int> chosen;
    t.select(v, &chosen);
    const size_t culled = size_t(std::count(chosen.begin(), chosen.end(), -1));
    CHECK(culled > 0);
    CHECK(culled < chosen.size());
    for (uint32_t j = 0; j < h.ny; ++j)
        for (uint32_t i = 0; i < h.nx; ++i) {
            const glm::dvec4 c = v.view_proj * glm::dvec4(h.x0 + i * h.dx, h.y0 + j * h.dx, h.at(i, j), 1.0);
            if (c.w <= 0 || std::abs(c.x) > c.w || std::abs(c.y) > c.w) continue;
            const uint32_t bx = std::min(i / 32, 7u), by = std::min(j / 32, 7u);
            CHECK(chosen[by * 8 + bx] >= 0);
        }
}

TEST_CASE("terrain LOD: coarser with distance, and a detail region keeps the true ground under it", "[world]") {
    Heightfield h = flat(129, 129, 50);
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(0, 20);
    for (float& z : h.z) z = u(rng);
    const TerrainLod t = TerrainLod::build(h, 32);
    std::vector<int> near_levels, far_levels;
    t.select(view_from_above(h, 500, 1.0), &near_levels);
    t.select(view_from_above(h, 50000, 1.0), &far_levels);
    for (size_t k = 0; k < t.chunks.size(); ++k) {
        CHECK(far_levels[k] >= near_levels[k]);
        // The chosen level's error covers at most the tolerance at the chunk's distance.
        const auto& c = t.chunks[k];
        const glm::dvec3 cam = view_from_above(h, 50000, 1.0).camera;
        const double d = glm::length(cam - glm::clamp(cam, glm::dvec3(c.lo.x, c.lo.y, c.lo.z - t.skirt_m), c.hi));
        CHECK(c.error_m[size_t(far_levels[k])] * (0.5 * 720 / std::tan(glm::radians(30.0))) / d <= 1.0);
    }
    CHECK(far_levels[0] > 0);
    // A road network on the first chunk: its ground stays within 0.5 m, so at 20 m of noise, full detail.
    TerrainLod::View v = view_from_above(h, 50000, 1.0);
    v.details.push_back({glm::dvec2(100, 100), glm::dvec2(400, 400), 0.5, 1.0});
    std::vector<int> with_roads;
    t.select(v, &with_roads);
    CHECK(with_roads[0] == 0);
    for (size_t k = 1; k < t.chunks.size(); ++k) CHECK(with_roads[k] == far_levels[k]);
    // The same region seen too small to matter (it must span 10,000 pixels) leaves the chunk coarse.
    v.details.back().min_px = 1e4;
    t.select(v, &with_roads);
    CHECK(with_roads[0] == far_levels[0]);
}
