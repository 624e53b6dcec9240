// Meshes, Assimp model loading and heightfields; see mesh.hpp.
#include "mesh.hpp"

#include <algorithm>
#include <cmath>

#include <assimp/Importer.hpp>
#include <assimp/postprocess.h>
#include <assimp/scene.h>

namespace engine {

void MeshData::compute_bounds() {
    if (vertices.empty()) return;
    bounds_min = bounds_max = glm::vec3(vertices[0].position[0], vertices[0].position[1], vertices[0].position[2]);
    for (const Vertex& v : vertices) {
        glm::vec3 p(v.position[0], v.position[1], v.position[2]);
        bounds_min = glm::min(bounds_min, p);
        bounds_max = glm::max(bounds_max, p);
    }
}

namespace {

void append_node(const aiScene* scene, const aiNode* node, const aiMatrix4x4& parent, bool y_up, MeshData& out) {
    aiMatrix4x4 transform = parent * node->mTransformation;
    aiMatrix3x3 normal_matrix(transform);
    normal_matrix.Inverse().Transpose();
    for (unsigned m = 0; m < node->mNumMeshes; ++m) {
        const aiMesh* mesh = scene->mMeshes[node->mMeshes[m]];
        if (!(mesh->mPrimitiveTypes & aiPrimitiveType_TRIANGLE)) continue;
        const uint32_t base = static_cast<uint32_t>(out.vertices.size());
        for (unsigned v = 0; v < mesh->mNumVertices; ++v) {
            aiVector3D p = transform * mesh->mVertices[v];
            aiVector3D n = mesh->mNormals ? normal_matrix * mesh->mNormals[v] : aiVector3D(0, 0, 1);
            n.Normalize();
            Vertex vert;
            if (y_up) {  // glTF: +Y up, +Z forward -> world +Z up, +Y north: (x, y, z) -> (x, -z, y)
                vert = {{p.x, -p.z, p.y}, {n.x, -n.z, n.y}};
            } else {
                vert = {{p.x, p.y, p.z}, {n.x, n.y, n.z}};
            }
            out.vertices.push_back(vert);
        }
        for (unsigned f = 0; f < mesh->mNumFaces; ++f) {
            const aiFace& face = mesh->mFaces[f];
            if (face.mNumIndices != 3) continue;
            for (unsigned k = 0; k < 3; ++k) out.indices.push_back(base + face.mIndices[k]);
        }
    }
    for (unsigned c = 0; c < node->mNumChildren; ++c) append_node(scene, node->mChildren[c], transform, y_up, out);
}

}  // namespace

MeshData load_model(const std::filesystem::path& path) {
    const std::string name = path.string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw ModelError(name + ": model file not found");
    Assimp::Importer importer;
    const aiScene* scene = importer.ReadFile(
        name, aiProcess_Triangulate | aiProcess_GenSmoothNormals | aiProcess_JoinIdenticalVertices |
                  aiProcess_SortByPType | aiProcess_ValidateDataStructure | aiProcess_FindInvalidData);
    if (!scene || (scene->mFlags & AI_SCENE_FLAGS_INCOMPLETE) || !scene->mRootNode) {
        std::string why = importer.GetErrorString();
        throw ModelError(name + ": cannot read model: " + (why.empty() ? "unknown format or corrupt file" : why));
    }
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    const bool y_up = ext == ".gltf" || ext == ".glb";
    MeshData out;
    append_node(scene, scene->mRootNode, aiMatrix4x4(), y_up, out);
    if (out.indices.empty()) throw ModelError(name + ": model has no triangles");
    out.compute_bounds();
    return out;
}

MeshData make_box(glm::vec3 h) {
    MeshData m;
    const glm::vec3 normals[6] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
    for (const glm::vec3& n : normals) {
        glm::vec3 a = std::abs(n.z) > 0.5f ? glm::vec3(1, 0, 0) : glm::vec3(0, 0, 1);
        glm::vec3 b = glm::cross(n, a);
        uint32_t base = static_cast<uint32_t>(m.vertices.size());
        const float s[4][2] = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
        for (auto& c : s) {
            glm::vec3 p = (n + a * c[0] + b * c[1]) * h;
            m.vertices.push_back({{p.x, p.y, p.z}, {n.x, n.y, n.z}});
        }
        // Counter-clockwise seen from outside.
        glm::vec3 e1 = a, e2 = b;
        bool ccw = glm::dot(glm::cross(e1, e2), n) > 0;
        uint32_t tri[6] = {0, 1, 2, 0, 2, 3};
        if (!ccw) std::swap(tri[1], tri[2]), std::swap(tri[4], tri[5]);
        for (uint32_t t : tri) m.indices.push_back(base + t);
    }
    m.compute_bounds();
    return m;
}

GpuMesh::GpuMesh(Context& ctx, const MeshData& data, const char* name)
    : vertices_(ctx, data.vertices.size() * sizeof(Vertex), VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, MemoryKind::Device,
                name),
      indices_(ctx, data.indices.size() * sizeof(uint32_t), VK_BUFFER_USAGE_INDEX_BUFFER_BIT, MemoryKind::Device,
               name),
      index_count_(static_cast<uint32_t>(data.indices.size())),
      min_(data.bounds_min),
      max_(data.bounds_max) {
    vertices_.upload(data.vertices.data(), data.vertices.size() * sizeof(Vertex));
    indices_.upload(data.indices.data(), data.indices.size() * sizeof(uint32_t));
}

// [SECTION] Heightfield

double Heightfield::sample(double x, double y) const {
    for (const Heightfield& inset : insets)
        if (inset.covers(x, y)) return inset.sample(x, y);
    double fx = std::clamp((x - x0) / dx, 0.0, double(nx - 1));
    double fy = std::clamp((y - y0) / dx, 0.0, double(ny - 1));
    uint32_t i = std::min(uint32_t(fx), nx - 2), j = std::min(uint32_t(fy), ny - 2);
    double u = fx - i, v = fy - j;
    return (1 - u) * (1 - v) * at(i, j) + u * (1 - v) * at(i + 1, j) + (1 - u) * v * at(i, j + 1) +
           u * v * at(i + 1, j + 1);
}

glm::dvec3 Heightfield::normal(double x, double y) const {
    double hx = sample(x + dx, y) - sample(x - dx, y);
    double hy = sample(x, y + dx) - sample(x, y - dx);
    return glm::normalize(glm::dvec3(-hx, -hy, 2 * dx));
}

float Heightfield::min_z() const { return z.empty() ? 0.f : *std::min_element(z.begin(), z.end()); }
float Heightfield::max_z() const { return z.empty() ? 0.f : *std::max_element(z.begin(), z.end()); }

bool Heightfield::raycast(const Ray& ray, double& t_hit) const {
    if (nx < 2 || ny < 2) return false;
    const double step = dx * 0.5;
    const double max_t = (width_m() + height_m()) * 4 + (max_z() - min_z()) * 4;
    auto above = [&](double t) {
        glm::dvec3 p = ray.origin + ray.dir * t;
        return p.z - sample(p.x, p.y);
    };
    auto inside = [&](double t) {
        glm::dvec3 p = ray.origin + ray.dir * t;
        return p.x >= x0 && p.x <= x0 + width_m() && p.y >= y0 && p.y <= y0 + height_m();
    };
    double prev_t = 0, prev_h = above(0);
    for (double t = step; t < max_t; t += step) {
        double h = above(t);
        if (h <= 0 && prev_h > 0 && inside(t)) {
            double a = prev_t, b = t;  // bisect the crossing
            for (int k = 0; k < 30; ++k) {
                double m = 0.5 * (a + b);
                (above(m) > 0 ? a : b) = m;
            }
            t_hit = 0.5 * (a + b);
            return true;
        }
        prev_t = t;
        prev_h = h;
    }
    return false;
}

}  // namespace engine
