// Models through Assimp: every shipped asset loads; missing, corrupt, truncated and empty files are clear
// errors naming the file.
#include <catch2/catch.hpp>

#include "gpu_test_support.hpp"
#include "mesh.hpp"

namespace {
std::string error_of(const std::filesystem::path& p) {
    try {
        engine::load_model(p);
    } catch (const engine::ModelError& e) {
        return e.what();
    }
    return "(no error)";
}
}  // namespace

TEST_CASE("shipped models load with sensible bounds", "[models]") {
    const auto dir = test::source_dir() / "assets/models";
    for (const char* name : {"building.obj", "tower.gltf", "rack.gltf", "cooling_unit.obj", "marker.obj"}) {
        INFO(name);
        engine::MeshData m = engine::load_model(dir / name);
        CHECK(m.indices.size() % 3 == 0);
        CHECK(m.indices.size() >= 36);
        CHECK(m.bounds_min.z >= -0.01f);  // all stand on the ground (glTF converted from Y-up)
        CHECK(m.bounds_max.z > 0.5f);
    }
    engine::MeshData tower = engine::load_model(dir / "tower.gltf");
    CHECK(tower.bounds_max.z == Approx(30.0).margin(0.5));  // 30 m tall once Y-up becomes Z-up
    engine::MeshData rack = engine::load_model(dir / "rack.gltf");
    CHECK(rack.bounds_max.z - rack.bounds_min.z == Approx(2.0).margin(0.01));
}

TEST_CASE("bad model files give one clear line naming the file", "[models]") {
    const std::filesystem::path dir = test::source_dir() / "tests/models";
    CHECK(error_of(dir / "missing.obj") == (dir / "missing.obj").string() + ": model file not found");
    std::string corrupt = error_of(dir / "corrupt.gltf");
    CHECK(corrupt.rfind((dir / "corrupt.gltf").string() + ": cannot read model: ", 0) == 0);
    std::string truncated = error_of(dir / "truncated.obj");
    CHECK(truncated.rfind((dir / "truncated.obj").string() + ": cannot read model: ", 0) == 0);
    std::string empty = error_of(dir / "empty.obj");
    CHECK(empty.rfind((dir / "empty.obj").string() + ": ", 0) == 0);
}

TEST_CASE("a model uploads to the GPU and draws in the validated context", "[gpu][models]") {
    auto gpu = test::validated_context();
    {
        engine::GpuMesh mesh(*gpu, engine::load_model(test::source_dir() / "assets/models/building.obj"), "building");
        CHECK(mesh.index_count() > 0);
    }
    gpu->release_all();
    CHECK(gpu->validation_messages() == 0);
}
