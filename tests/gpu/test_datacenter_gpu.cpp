// The data hall's GPU LBM step against its C++ reference on the same run: a small closed room with a rack (fan
// faces as Inlet patches, heat sources), a cooling unit (Equilibrium supply, Outlet return), buoyancy,
// Smagorinsky and TRT; and a periodic channel driven by a body force with BGK.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>

#include "context.hpp"
#include "gpu_test_support.hpp"
#include "modules/datacenter/lbm_gpu.hpp"
#include "modules/datacenter/lbm_reference.hpp"

using namespace infrascape::datacenter;

namespace {

struct Diff {
    double du = 0, u_max = 0, dt = 0, t_span = 0, df = 0, f_max = 0;
};

Diff compare(const LbmReference& ref, const LbmGpu& dev) {
    Diff d;
    const std::vector<float> m = dev.moments();
    double t_lo = 1e30, t_hi = -1e30;
    for (uint32_t z = 0; z < ref.nz(); ++z)
        for (uint32_t y = 0; y < ref.ny(); ++y)
            for (uint32_t x = 0; x < ref.nx(); ++x) {
                const size_t c = ref.cell(x, y, z);
                const CellSample s = ref.sample(x, y, z);
                for (int a = 0; a < 3; ++a) {
                    d.u_max = std::max(d.u_max, double(std::abs(s.u[a])));
                    d.du = std::max(d.du, double(std::abs(m[4 * c + a] - s.u[a])));
                }
                t_lo = std::min(t_lo, double(s.temperature_c));
                t_hi = std::max(t_hi, double(s.temperature_c));
                d.dt = std::max(d.dt, double(std::abs(m[4 * c + 3] - s.temperature_c)));
            }
    d.t_span = t_hi - t_lo;
    const std::vector<float> f = dev.populations();
    for (size_t k = 0; k < f.size(); ++k) {
        d.f_max = std::max(d.f_max, double(std::abs(ref.populations()[k])));
        d.df = std::max(d.df, double(std::abs(f[k] - ref.populations()[k])));
    }
    return d;
}

// The room: a rack (wall) with fan faces (moving Inlet walls), a supply (Equilibrium) and a return (Outlet), heat
// sources behind the rack. `thermal` and `cs` pick the bulk step's variant (lbm_bulk.glsl); with `door`, a wall
// in the room opens halfway through (a patch changes its kind live, so the link words and the boundary list are
// made again).
// The rack room (see room_case) before its optional wall: parameters for heat and buoyancy with Smagorinsky `cs`.
LbmReference rack_room(bool thermal, float cs) {
    LbmParams p;
    p.tau = 0.53f;
    p.smagorinsky_cs = cs;
    p.thermal = thermal;
    p.beta_per_k = 3.4e-3f;
    p.gravity = {0, 0, -2e-4f};
    p.tau_thermal = 0.55f;
    p.reference_c = 22.0f;
    LbmReference ref(26, 18, 12, p);  // x not a multiple of the 64-wide workgroup
    const uint8_t rack = ref.add_patch({CellKind::Wall, {0, 0, 0}, 22.0f});
    const uint8_t fan_in = ref.add_patch({CellKind::Inlet, {-0.03f, 0, 0}, 22.0f});   // sucks room air at the front
    const uint8_t fan_out = ref.add_patch({CellKind::Inlet, {0.03f, 0, 0}, 32.0f});   // blows hot air at the back
    const uint8_t supply = ref.add_patch({CellKind::Equilibrium, {0, 0, 0.02f}, 18.0f});
    const uint8_t ret = ref.add_patch({CellKind::Outlet, {0, 0, 0}, 22.0f});
    ref.fill_box(10, 14, 6, 12, 0, 8, rack);
    ref.fill_box(9, 10, 7, 11, 1, 7, fan_in);
    ref.fill_box(14, 15, 7, 11, 1, 7, fan_out);
    ref.fill_box(2, 5, 2, 5, 0, 1, supply);
    ref.fill_box(21, 24, 13, 16, 11, 12, ret);
    for (uint32_t z = 1; z < 6; ++z)
        for (uint32_t y = 7; y < 11; ++y) ref.set_heat_source(16, y, z, 2e-3f);
    return ref;
}

void room_case(bool thermal, float cs, bool door) {
    auto gpu = test::validated_context();
    LbmReference ref = rack_room(thermal, cs);
    const uint8_t wall = ref.add_patch({CellKind::Wall, {0, 0, 0}, 22.0f});
    if (door) ref.fill_box(18, 19, 0, 18, 0, 12, wall);  // a wall across the room, hot side closed off
    ref.initialise(1.0f, {0, 0, 0}, 22.0f);
    LbmGpu dev(*gpu, ref);
    if (door) {
        ref.run(50);
        dev.run(50);
        ref.patch(wall).kind = CellKind::Fluid;  // the door opens
        dev.set_patches(ref.patches());
        ref.run(50);
        dev.run(50);
    } else {
        ref.run(100);
        dev.run(100);
    }
    const Diff d = compare(ref, dev);
    INFO("heat " << thermal << ", Smagorinsky " << cs << ", door " << door << ": max |du| " << d.du << " of "
                 << d.u_max << "; max |dT| " << d.dt << " K of a " << d.t_span << " K span; max |df| " << d.df
                 << " of " << d.f_max);
    REQUIRE(d.u_max > 0.01);
    if (thermal) {
        REQUIRE(d.t_span > 1.0);
        CHECK(d.dt < 1e-4 * d.t_span);
    }
    CHECK(d.du < 1e-4 * d.u_max);
    CHECK(d.df < 1e-4 * d.f_max);
    CHECK(gpu->validation_messages() == 0);
}

}  // namespace

TEST_CASE("GPU LBM step equals the C++ reference in a room with a rack and a cooling unit", "[gpu][datacenter]") {
    room_case(true, 0.16f, false);
}

TEST_CASE("GPU LBM step equals the C++ reference with each bulk variant (heat and Smagorinsky on and off)",
          "[gpu][datacenter]") {
    room_case(true, 0.0f, false);
    room_case(false, 0.16f, false);
    room_case(false, 0.0f, false);
}

TEST_CASE("GPU LBM step equals the C++ reference when a wall opens during the run", "[gpu][datacenter]") {
    room_case(true, 0.16f, true);
}

TEST_CASE("GPU LBM step equals the C++ reference in a periodic channel driven by a body force (BGK)",
          "[gpu][datacenter]") {
    auto gpu = test::validated_context();
    LbmParams p;
    p.tau = 0.8f;
    p.collision = Collision::Bgk;
    p.thermal = false;
    p.body_force = {1e-5f, 0, 0};
    p.periodic = {true, true, false};
    LbmReference ref(8, 4, 24, p);
    ref.initialise(1.0f, {0, 0, 0}, 20.0f);
    LbmGpu dev(*gpu, ref);
    ref.run(100);
    dev.run(100);
    const Diff d = compare(ref, dev);
    INFO("max |du| " << d.du << " of " << d.u_max << "; max |df| " << d.df << " of " << d.f_max);
    REQUIRE(d.u_max > 1e-4);
    CHECK(d.du < 1e-4 * d.u_max);
    CHECK(d.df < 1e-4 * d.f_max);
    CHECK(gpu->validation_messages() == 0);
}

TEST_CASE("a data hall too fine for the device's memory is refused with the limit it breaks", "[gpu][datacenter]") {
    auto gpu = test::validated_context();
    const LbmMemory small = lbm_memory(*gpu, 64, 64, 64);
    CHECK(small.fits);
    const LbmMemory huge = lbm_memory(*gpu, 4096, 4096, 512);
    CHECK_FALSE(huge.fits);
    CHECK(huge.why.find("MiB") != std::string::npos);
}

TEST_CASE("a click on a rack picks it for the cut-away; a click on the floor picks nothing", "[gpu][datacenter]") {
    infrascape::SessionOptions so;
    so.validation = true;
    so.render_targets = false;
    infrascape::Session session(test::source_dir() / "tests/datacenter/small_hall.toml", so);
    infrascape::Module* hall = nullptr;
    for (auto& m : session.modules())
        if (m->name() == "datacenter") hall = m.get();
    REQUIRE(hall != nullptr);
    // Rack A-2 spans hall x 3.0-3.6 m, y 1.4-2.6 m; the hall is centred on the world origin (9.6 x 6 m).
    CHECK(hall->pick({3.3 - 4.8, 2.0 - 3.0, 10.0}, {0.0, 0.0, -1.0}) == "rack A-2");
    CHECK(hall->pick({3.3 - 4.8, -10.0, 1.0}, {0.0, 1.0, 0.0}) == "rack A-2");  // from the south, at 1 m
    CHECK(hall->pick({0.0, 2.5, 10.0}, {0.0, 0.0, -1.0}).empty());                // the floor behind the row
    CHECK(session.gpu().validation_messages() == 0);
}

TEST_CASE("a Shift drag moves the vertical slice to where the ray meets the floor", "[gpu][datacenter]") {
    infrascape::SessionOptions so;
    so.validation = true;
    so.render_targets = false;
    infrascape::Session session(test::source_dir() / "tests/datacenter/small_hall.toml", so);
    infrascape::Module* hall = nullptr;
    for (auto& m : session.modules())
        if (m->name() == "datacenter") hall = m.get();
    REQUIRE(hall != nullptr);
    infrascape::ParamStore& p = session.params();
    p.set("datacenter.vertical_slice", true);
    // A ray from above, down at hall y = 4.5 m (world y = 1.5 m): the slice follows.
    CHECK(hall->drag({0.0, 1.5, 8.0}, {0.0, 0.0, -1.0}, p));
    CHECK(p.number("datacenter.vertical_slice_y_m") == Approx(4.5));
    // Without the vertical slice, the horizontal one's height follows the ray through the hall's middle.
    p.set("datacenter.vertical_slice", false);
    CHECK(hall->drag({0.0, -5.0, 2.2}, {0.0, 1.0, 0.0}, p));
    CHECK(p.number("datacenter.slice_height_m") == Approx(2.2));
}

TEST_CASE("GPU LBM step equals the C++ reference in a cavity whose lid starts moving during the run",
          "[gpu][datacenter]") {
    // The lid is a Wall patch: resting, the bulk step bounces off it; moving, its neighbours go to the boundary step
    // (Ladd's term), so the lists are made again when it starts.
    auto gpu = test::validated_context();
    LbmParams p;
    p.tau = 0.6f;
    p.collision = Collision::Bgk;
    p.thermal = false;
    LbmReference ref(20, 20, 12, p);
    const uint8_t lid = ref.add_patch({CellKind::Wall, {0, 0, 0}, 20.0f});
    ref.fill_box(0, 20, 0, 20, 11, 12, lid);
    ref.initialise(1.0f, {0, 0, 0}, 20.0f);
    LbmGpu dev(*gpu, ref);
    ref.run(30);
    dev.run(30);
    ref.patch(lid).u = {0.05f, 0, 0};
    dev.set_patches(ref.patches());
    ref.run(70);
    dev.run(70);
    const Diff d = compare(ref, dev);
    INFO("max |du| " << d.du << " of " << d.u_max << "; max |df| " << d.df << " of " << d.f_max);
    REQUIRE(d.u_max > 0.01);
    CHECK(d.du < 1e-4 * d.u_max);
    CHECK(d.df < 1e-4 * d.f_max);
    CHECK(gpu->validation_messages() == 0);
}

TEST_CASE("GPU LBM probes sum the temperature over their cells as the whole field read back does",
          "[gpu][datacenter]") {
    // Groups of every kind: empty, one cell, a z-layer (more than one chunk of 256), a scattered set, every cell.
    auto gpu = test::validated_context();
    LbmParams p;
    p.tau = 0.55f;
    p.beta_per_k = 3.4e-3f;
    p.gravity = {0, 0, -2e-4f};
    p.tau_thermal = 0.55f;
    p.reference_c = 22.0f;
    LbmReference ref(30, 20, 10, p);
    for (uint32_t z = 1; z < 5; ++z)
        for (uint32_t y = 5; y < 9; ++y) ref.set_heat_source(12, y, z, 5e-2f);
    ref.initialise(1.0f, {0, 0, 0}, 22.0f);
    LbmGpu dev(*gpu, ref);
    std::vector<std::vector<uint32_t>> groups(5);
    groups[1] = {uint32_t(ref.cell(12, 6, 2))};
    for (uint32_t y = 0; y < 20; ++y)
        for (uint32_t x = 0; x < 30; ++x) groups[2].push_back(uint32_t(ref.cell(x, y, 3)));
    for (uint32_t c = 7; c < ref.cells(); c += 37) groups[3].push_back(c);
    for (uint32_t c = 0; c < ref.cells(); ++c) groups[4].push_back(c);
    dev.set_probes(groups);
    dev.run(60);
    const std::vector<double> sums = dev.probes_now();
    const std::vector<float> m = dev.moments();
    REQUIRE(sums.size() == groups.size());
    double t_max = 0;
    for (size_t g = 0; g < groups.size(); ++g) {
        double want = 0;
        for (uint32_t c : groups[g]) want += m[4 * c + 3], t_max = std::max(t_max, double(m[4 * c + 3]));
        INFO("group " << g << " of " << groups[g].size() << " cells: " << sums[g] << " against " << want);
        CHECK(std::abs(sums[g] - want) <= 1e-5 * std::max<size_t>(groups[g].size(), 1));
    }
    CHECK(t_max > 22.5);  // the heat source warmed the air: the sums are not of a uniform field
    CHECK(gpu->validation_messages() == 0);
}

TEST_CASE("the temperature volume's empty-space skipping draws the image the full march draws", "[gpu][datacenter]") {
    // The small hall after a simulated minute, coloured from 20 to 40 C: the racks' exhaust glows and the cool
    // air by the unit leaves clear bricks to skip (seen on screen with the skipped rays marked). The volume with
    // clear bricks skipped, without, and not drawn at all.
    const std::string hall = [] {
        std::ifstream in(test::source_dir() / "tests/datacenter/small_hall.toml");
        return std::string(std::istreambuf_iterator<char>(in), {});
    }();
    auto frame = [&](const std::string& keys, const char* name) {
        std::string text = hall;
        const size_t at = text.find("[datacenter]\n");
        REQUIRE(at != std::string::npos);
        text.insert(at + 13, "temperature_min_c = 20.0\ntemperature_max_c = 40.0\n" + keys);
        const std::filesystem::path file = std::filesystem::temp_directory_path() / name;
        std::ofstream(file) << text;
        return test::render_scene(file, 60.0, 320, 180, false);
    };
    const test::Frame skipped = frame("volume_skipping = true\n", "infrascape_hall_skip.toml");
    const test::Frame marched = frame("volume_skipping = false\n", "infrascape_hall_march.toml");
    const test::Frame none = frame("volume = false\n", "infrascape_hall_novolume.toml");
    CHECK(skipped.rgba == marched.rgba);
    size_t glowing = 0;
    for (size_t i = 0; i < none.rgba.size(); i += 4)
        glowing += std::abs(int(marched.rgba[i]) - int(none.rgba[i])) > 8;
    INFO("pixels the volume changes: " << glowing);
    CHECK(glowing > 200);  // the volume is there to be skipped or marched
}

namespace {

// Largest differences between two GPU runs' moments: velocity (lattice units) and temperature (C).
struct MomentDiff {
    double du = 0, u_max = 0, dt = 0, t_lo = 1e30, t_hi = -1e30;
};
MomentDiff moment_diff(const LbmGpu& a, const LbmGpu& b) {
    const std::vector<float> ma = a.moments(), mb = b.moments();
    MomentDiff d;
    for (size_t c = 0; c < ma.size() / 4; ++c) {
        for (int k = 0; k < 3; ++k) {
            d.u_max = std::max(d.u_max, double(std::abs(ma[4 * c + k])));
            d.du = std::max(d.du, double(std::abs(ma[4 * c + k] - mb[4 * c + k])));
        }
        d.t_lo = std::min(d.t_lo, double(ma[4 * c + 3]));
        d.t_hi = std::max(d.t_hi, double(ma[4 * c + 3]));
        d.dt = std::max(d.dt, double(std::abs(ma[4 * c + 3] - mb[4 * c + 3])));
    }
    return d;
}

}  // namespace

TEST_CASE("FP16 populations against FP32: a lid-driven cavity and a hall with a rack", "[gpu][datacenter]") {
    auto gpu = test::validated_context();
    REQUIRE(gpu->storage_16bit());  // llvmpipe and every desktop GPU of Vulkan 1.1 have 16-bit storage buffers
    for (const float lid_u : {0.05f, 5e-4f}) {
        // A cubic cavity of 24 cells, its lid moving at 0.05 (Re = 24 * 0.05 / nu = 36 at tau 0.6), and a quiet one
        // a hundred times slower (its f - w mostly under 1e-5, the range the scale keeps out of the subnormals),
        // run 3000 steps towards the steady vortex in both storages.
        LbmParams p;
        p.tau = 0.6f;
        p.collision = Collision::Bgk;
        p.thermal = false;
        LbmReference ref(24, 24, 24, p);
        const uint8_t lid = ref.add_patch({CellKind::Wall, {lid_u, 0, 0}, 20.0f});
        ref.fill_box(0, 24, 0, 24, 23, 24, lid);
        ref.initialise(1.0f, {0, 0, 0}, 20.0f);
        LbmGpu f32(*gpu, ref), f16(*gpu, ref, LbmStorage::Fp16);
        f32.run(3000);
        f16.run(3000);
        const MomentDiff d = moment_diff(f32, f16);
        INFO("cavity: max |du| " << d.du << " with the lid at " << lid_u << " and the flow's largest speed " << d.u_max);
        REQUIRE(d.u_max > 0.4 * lid_u);
        CHECK(d.du < 2e-3 * lid_u);  // within 0.2% of the lid's speed everywhere
    }
    {
        // The rack room of the FP32 tests (fans, supply, return, heat, buoyancy, Smagorinsky), 600 steps.
        LbmReference ref = rack_room(true, 0.16f);
        ref.initialise(1.0f, {0, 0, 0}, 22.0f);
        LbmGpu f32(*gpu, ref), f16(*gpu, ref, LbmStorage::Fp16);
        f32.run(600);
        f16.run(600);
        const MomentDiff d = moment_diff(f32, f16);
        INFO("hall: max |du| " << d.du << " of " << d.u_max << "; max |dT| " << d.dt << " K over " << d.t_lo << " to "
                               << d.t_hi << " C");
        REQUIRE(d.u_max > 0.01);
        REQUIRE(d.t_hi - d.t_lo > 2.0);
        CHECK(d.du < 5e-3 * d.u_max);  // measured: 0.13%
        CHECK(d.dt < 0.02);  // kelvin; measured: 0.003
    }
    CHECK(gpu->validation_messages() == 0);
}
