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

TEST_CASE("the viewer's operator on a worker thread gives run's dispatch when it keeps up", "[gpu][grid]") {
    // The same scene stepped one operating point at a time: once without a window (every SCED solved in order on
    // the calling thread), once as the viewer (solved on the worker; settle() waits for it after each step).
    // Nothing is dropped, so every recorded figure must be bit-identical.
    const auto scene = test::source_dir() / "tests/world/grid_sced.toml";
    std::vector<std::vector<double>> series[2];
    for (int interactive = 0; interactive < 2; ++interactive) {
        infrascape::SessionOptions so;
        so.validation = true;
        so.render_targets = false;
        so.interactive = interactive == 1;
        infrascape::Session s(scene, so);
        infrascape::FrameSubmitter submitter(s.gpu());
        for (int k = 1; k <= 24; ++k) {
            VkCommandBuffer cmd = submitter.begin();
            s.timer().begin_frame(cmd, 0);
            s.advance_to(300.0 * k, cmd, 0);
            submitter.submit_and_wait();
            s.frame_complete(0);
            s.settle();
            std::vector<double> row;
            for (const char* name : {"grid.demand_mw", "grid.net_load_mw", "grid.shed_mw", "grid.price_mwh"})
                row.push_back(s.outputs().scalar(name).value_or(-1));
            series[interactive].push_back(row);
        }
        CHECK(s.gpu().validation_messages() == 0);
    }
    REQUIRE(series[0].size() == 24);
    CHECK(series[0].back()[3] > 0);  // the operator priced the last point
    for (size_t k = 0; k < series[0].size(); ++k) CHECK(series[0][k] == series[1][k]);
}
