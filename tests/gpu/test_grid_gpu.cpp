// The grid module's GPU kernels against their C++ references: the force-directed layout iteration
// (shaders/grid/layout.comp against layout_iteration), with pinned, tethered and free buses and a bus count that
// is not a multiple of the workgroup size.
#include <catch2/catch.hpp>

#include <cmath>

#include "gpu_test_support.hpp"
#include "modules/grid/layout.hpp"
#include "modules/grid/layout_gpu.hpp"

using namespace infrascape::grid;

namespace {

// A 13 x 11 lattice with a few long links: 143 buses.
Case lattice() {
    Case c;
    const int nx = 13, ny = 11;
    for (int k = 0; k < nx * ny; ++k) {
        Bus b;
        b.id = k + 1;
        c.buses.push_back(b);
    }
    auto link = [&](int a, int b) {
        Branch br;
        br.from = a + 1;
        br.to = b + 1;
        br.x_pu = 0.1;
        c.branches.push_back(br);
    };
    for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i) {
            if (i + 1 < nx) link(j * nx + i, j * nx + i + 1);
            if (j + 1 < ny) link(j * nx + i, (j + 1) * nx + i);
        }
    link(0, nx * ny - 1);
    link(5, 100);
    return c;
}

}  // namespace

TEST_CASE("GPU force-directed layout equals the C++ reference", "[gpu][grid]") {
    auto gpu = test::validated_context();
    const Case c = lattice();
    const Adjacency adj = bus_adjacency(c);
    const double half = 50000;
    std::vector<Tether> tethers(c.buses.size());
    tethers[0] = {-40000, -30000, 0};  // pinned
    tethers[142] = {40000, 30000, 0};
    for (int b = 60; b < 66; ++b) tethers[b] = {0, 5000, 6000};  // one place's buses on a disc
    std::vector<std::array<float, 4>> anchors;
    const std::vector<std::array<float, 4>> start = initial_layout(adj, tethers, half, 3, anchors);
    const LayoutSchedule s = layout_schedule(c.buses.size(), half, 40);
    const uint32_t iterations = 25;

    std::vector<std::array<float, 4>> ref = start, next;
    for (uint32_t it = 0; it < iterations; ++it) {
        layout_iteration(adj, ref, anchors, next, s.k_m, s.temperature(it), s.half_extent_m, s.gravity);
        ref.swap(next);
    }
    const std::vector<std::array<float, 4>> got = run_layout_gpu(*gpu, adj, start, anchors, s, iterations);
    REQUIRE(got.size() == ref.size());
    double worst = 0, moved = 0;
    for (size_t b = 0; b < ref.size(); ++b) {
        worst = std::max({worst, double(std::abs(got[b][0] - ref[b][0])), double(std::abs(got[b][1] - ref[b][1]))});
        moved = std::max(moved, double(std::hypot(ref[b][0] - start[b][0], ref[b][1] - start[b][1])));
        CHECK(got[b][3] == ref[b][3]);
    }
    INFO("largest difference " << worst << " m; largest move " << moved << " m");
    CHECK(moved > 1000);              // the layout did something
    CHECK(worst < 1e-4 * 2 * half);   // float sums in a different order: agree to 1e-4 of the map
    CHECK(got[0][0] == -40000.0f);    // anchors stay
    CHECK(got[142][1] == 30000.0f);
    for (int b = 60; b < 66; ++b) CHECK(std::hypot(got[b][0] - 0.0, got[b][1] - 5000.0) <= 6000.0 * (1 + 1e-6));
    CHECK(gpu->validation_messages() == 0);
}
