// Triangle meshes on the CPU and GPU, models loaded through Assimp (glTF 2.0, OBJ and the other formats
// Assimp reads), and heightfields. glTF is Y-up by its specification: loading converts it to the world's
// Z-up axes; OBJ files in assets/ are authored Z-up (see assets/README.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <glm/glm.hpp>

#include "camera.hpp"
#include "resources.hpp"

namespace engine {

struct Vertex {
    float position[3];
    float normal[3];
};
static_assert(sizeof(Vertex) == 24, "Vertex is read by vertex input binding 0 with stride 24");

struct MeshData {
    std::vector<Vertex> vertices;
    std::vector<uint32_t> indices;
    glm::vec3 bounds_min{0}, bounds_max{0};
    void compute_bounds();
};

// A bad model file: "path: message" (Assimp reports no line numbers for most formats).
class ModelError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Loads every mesh of a model into one MeshData (node transforms applied, triangulated, normals generated
// when absent). Throws ModelError naming the file when it is missing, unreadable or has no triangles.
MeshData load_model(const std::filesystem::path& path);

MeshData make_box(glm::vec3 half_extent);  // centred box, for tests and fallbacks

class GpuMesh {
public:
    GpuMesh() = default;
    GpuMesh(Context& ctx, const MeshData& data, const char* name);
    const Buffer& vertices() const { return vertices_; }
    const Buffer& indices() const { return indices_; }
    uint32_t index_count() const { return index_count_; }
    glm::vec3 bounds_min() const { return min_; }
    glm::vec3 bounds_max() const { return max_; }

private:
    Buffer vertices_, indices_;
    uint32_t index_count_ = 0;
    glm::vec3 min_{0}, max_{0};
};

// A regular grid of heights (metres), vertex (i, j) at (x0 + i*dx, y0 + j*dx), row-major in j. Finer grids may
// be laid over parts of it (insets: a flood DEM of 25 m cells inside a state of 3 km cells): sample() answers from
// the inset whose footprint holds the point, and the renderer draws each inset in place of the ground under it.
struct Heightfield {
    uint32_t nx = 0, ny = 0;
    double x0 = 0, y0 = 0, dx = 1;
    std::vector<float> z;
    std::vector<Heightfield> insets;

    float at(uint32_t i, uint32_t j) const { return z[size_t(j) * nx + i]; }
    double sample(double x, double y) const;  // bilinear, clamped at the edges; an inset's where one covers (x, y)
    bool covers(double x, double y) const { return x >= x0 && y >= y0 && x <= x0 + width_m() && y <= y0 + height_m(); }
    glm::dvec3 normal(double x, double y) const;
    double width_m() const { return (nx - 1) * dx; }
    double height_m() const { return (ny - 1) * dx; }
    float min_z() const;
    float max_z() const;
    // First intersection of a ray with the surface (ray-marched, then refined). False when it misses.
    bool raycast(const Ray& ray, double& t_hit) const;
};

}  // namespace engine
