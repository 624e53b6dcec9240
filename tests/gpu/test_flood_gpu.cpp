// The flood solver's first-order GPU pass against its C++ reference on the same run: a bumpy valley with a
// lake, an island, a dam-break mound, wet/dry fronts, an open edge, rain (uniform and per cell), a point
// inflow, Green-Ampt infiltration and Manning friction; and a lake at rest staying at rest in float.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>

#include <ogr_spatialref.h>

#include "gpu_test_support.hpp"
#include "context.hpp"
#include "app/session.hpp"
#include "core/projection.hpp"
#include "modules/flood/hydrograph.hpp"
#include "core/raster.hpp"
#include "modules/flood/swe_gpu.hpp"
#include "modules/flood/swe_reference.hpp"

using namespace infrascape;
using namespace infrascape::flood;

namespace {

SweGrid valley(uint32_t nx, uint32_t ny) {
    SweGrid g;
    g.nx = nx;
    g.ny = ny;
    g.dx = 5.0;
    g.z.resize(g.cells());
    for (uint32_t j = 0; j < ny; ++j)
        for (uint32_t i = 0; i < nx; ++i) {
            const double x = i * g.dx, y = j * g.dx;
            // A bed falling gently to the East, a channel along the middle, bumps, and a knoll (an island).
            double z = 300.0 - 0.01 * x + 0.002 * std::pow(y - ny * g.dx / 2, 2) / g.dx + 0.3 * std::sin(x / 17) * std::cos(y / 13);
            z += 2.5 * std::exp(-(std::pow(x - 60, 2) + std::pow(y - 70, 2)) / 200);
            g.z[g.index(i, j)] = z;
        }
    g.boundary = {Boundary::Closed, Boundary::Open, Boundary::Closed, Boundary::Closed};
    g.manning_n = 0.035;
    g.infiltration = GreenAmpt{2e-6, 0.11, 0.3};
    return g;
}

SweState initial(const SweGrid& g) {
    SweState s = SweState::dry(g);
    for (uint32_t j = 0; j < g.ny; ++j)
        for (uint32_t i = 0; i < g.nx; ++i) {
            const size_t k = g.index(i, j);
            const double lake = 300.6 - g.z[k];  // a lake at 300.6 m where the bed is low enough
            if (lake > 0) s.h[k] = lake;
            if (i < 8 && j > 10 && j < 26) s.h[k] += 1.5;  // a mound that breaks like a dam
        }
    return s;
}

}  // namespace

TEST_CASE("GPU flood step equals the C++ reference on the same run", "[gpu][flood]") {
    auto gpu = test::validated_context();
    SweGrid g = valley(44, 36);  // not a multiple of the 16 x 16 workgroup
    // 1, 2: finite volumes of that order; 3, 4: the inertial scheme with theta 1 and 0.9.
    const int order = GENERATE(1, 2, 3, 4);
    g.second_order = order == 2;
    g.inertial = order >= 3;
    g.inertial_theta = order == 4 ? 0.9 : 1.0;
    // The inertial scheme with theta 0.9 with every edge open: rain on the edge cells and the mound by the west
    // edge leave through all four (each edge's face is the open edge's ghost, mirrored on the West and South).
    if (order == 4) g.boundary = {Boundary::Open, Boundary::Open, Boundary::Open, Boundary::Open};
    g.limiter = Limiter::VanLeer;
    INFO("scheme " << order);
    SweState ref = initial(g);
    // (The initial state is still: zero momenta and zero face discharges alike.)
    SweGpu dev(*gpu, g, ref);
    StepSources src;
    src.rain_m_per_s = 50.0 / 3.6e6;  // 50 mm/h
    src.rain_m_per_s_cells.assign(g.cells(), 0.0);
    for (uint32_t i = 0; i < 10; ++i) src.rain_m_per_s_cells[g.index(20 + i, 5)] = 200.0 / 3.6e6;  // a squall line
    src.inflows = {{3, 30, 4.0}};  // 4 m3/s
    const double dt = 0.8 * cfl_time_step(g, ref);
    const uint32_t steps = 100;
    for (uint32_t s = 0; s < steps; ++s) swe_step(g, ref, dt, src);
    dev.run(dt, steps, src);
    const SweState got = dev.state();
    const double speed_ref = max_wave_speed(g, ref), speed_gpu = dev.max_wave_speed();
    INFO("largest wave speed: reference " << speed_ref << " m/s, GPU reduction " << speed_gpu << " m/s");
    CHECK(speed_gpu == Approx(speed_ref).epsilon(1e-4));

    double h_max = 0, q_max = 0, dh = 0, dq = 0, df = 0, f_max = 0;
    size_t wet = 0;
    for (size_t k = 0; k < g.cells(); ++k) {
        h_max = std::max(h_max, ref.h[k]);
        q_max = std::max({q_max, std::abs(ref.hu[k]), std::abs(ref.hv[k])});
        f_max = std::max(f_max, ref.infiltrated_m[k]);
        dh = std::max(dh, std::abs(got.h[k] - ref.h[k]));
        dq = std::max({dq, std::abs(got.hu[k] - ref.hu[k]), std::abs(got.hv[k] - ref.hv[k])});
        df = std::max(df, std::abs(got.infiltrated_m[k] - ref.infiltrated_m[k]));
        wet += ref.h[k] > 1e-3;
    }
    INFO("after " << steps << " steps of " << dt << " s: max |dh| " << dh << " of " << h_max << " m, max |dq| " << dq
                  << " of " << q_max << " m2/s, max |dF| " << df << " of " << f_max << " m; " << wet << " wet cells");
    REQUIRE(q_max > 0.1);  // the run moves water
    REQUIRE(wet > 100);
    CHECK(dh < 1e-4 * h_max);
    CHECK(dq < 1e-4 * q_max);
    // Infiltration is limited by the water there: on a thin film the depth's float rounding shows in F too.
    CHECK(df < 1e-4 * f_max + dh);
    CHECK(gpu->validation_messages() == 0);
}

TEST_CASE("GPU flood step keeps a lake at rest over a bumpy bed 300 m up", "[gpu][flood]") {
    auto gpu = test::validated_context();
    SweGrid g = valley(40, 40);
    g.infiltration = {};
    g.boundary = {Boundary::Open, Boundary::Open, Boundary::Open, Boundary::Open};
    SweState s = SweState::dry(g);
    for (size_t k = 0; k < g.cells(); ++k) s.h[k] = std::max(0.0, 300.6 - g.z[k]);
    SweGpu dev(*gpu, g, s);
    dev.run(0.5, 2000, {});
    const SweState got = dev.state();
    double speed = 0, eta_dev = 0;
    for (size_t k = 0; k < g.cells(); ++k) {
        if (got.h[k] > 1e-3) {
            // Speeds where the water is at least 1 cm deep: in float, the rounding of eta = h + z (about 3e-5 m
            // at 300 m, less here as the bed is stored above its minimum) divided by a millimetre of shore
            // water reads as centimetres per second of "velocity" that moves no water.
            if (got.h[k] > 1e-2) speed = std::max(speed, std::hypot(got.hu[k], got.hv[k]) / got.h[k]);
            eta_dev = std::max(eta_dev, std::abs(got.h[k] + g.z[k] - 300.6));
        } else {
            CHECK(got.h[k] == s.h[k]);  // dry stays dry
        }
    }
    INFO("largest speed " << speed << " m/s, largest surface deviation " << eta_dev << " m");
    // The reference (double) holds a lake at rest below 1e-5 m/s over 10,000 steps (tests/flood); in float the
    // rounding of h + z leaves about 1.6e-5 m/s after 2000 steps here, moving no measurable water.
    CHECK(speed < 5e-5);
    CHECK(eta_dev < 1e-5);
    CHECK(gpu->validation_messages() == 0);
}

TEST_CASE("GPU flood steps under a moving storm cell and a hydrograph equal the C++ reference", "[gpu][flood]") {
    auto gpu = test::validated_context();
    SweGrid g = valley(48, 40);
    const int order = GENERATE(1, 2);
    g.second_order = order == 2;
    INFO("order " << order);
    // A dry valley: every drop on it comes from the storm or the inflow, so the comparison sees them.
    SweState ref = SweState::dry(g);
    ref.h[g.index(20, 20)] = 0.5;  // some water for the first CFL step
    SweGpu dev(*gpu, g, ref);
    dev.set_sources({});
    StormCell storm;
    storm.path = {{20.0, 20.0}, {220.0, 170.0}};
    storm.radius_m = 60;
    storm.peak_mm_per_h = 3000;  // a cloudburst, so a few minutes of it leave centimetres of water
    const double dt = 0.5;
    const uint32_t steps = 300;
    storm.start_s = 0;
    storm.end_s = steps * dt;
    Hydrograph inflow;
    inflow.t_s = {0.0, 10.0, 30.0};
    inflow.q_m3_per_s = {0.0, 6.0, 2.0};
    std::vector<SweGpu::Forcing> forcing(steps);
    for (uint32_t s = 0; s < steps; ++s) {
        const double t = s * dt;
        StepSources src;
        src.rain_m_per_s_cells.resize(g.cells());
        for (uint32_t j = 0; j < g.ny; ++j)
            for (uint32_t i = 0; i < g.nx; ++i)
                src.rain_m_per_s_cells[g.index(i, j)] = storm.rain_mm_per_h(i * g.dx, j * g.dx, t) / 3.6e6;
        src.inflows = {{3, 30, inflow.at(t)}};
        swe_step(g, ref, dt, src);
        const auto c = storm.centre_at(t);
        forcing[s] = {c[0], c[1], storm.radius_m, storm.peak_mm_per_h / 3.6e6, {{3, 30, inflow.at(t)}}};
    }
    gpu->submit_and_wait([&](VkCommandBuffer cmd) {
        for (const auto& f : forcing) dev.record_step(cmd, dt, f);
    });
    const SweState got = dev.state();
    double h_max = 0, dh = 0, v_ref = 0, v_gpu = 0;
    size_t wet = 0;
    for (size_t k = 0; k < g.cells(); ++k) {
        h_max = std::max(h_max, ref.h[k]);
        dh = std::max(dh, std::abs(got.h[k] - ref.h[k]));
        v_ref += ref.h[k];
        v_gpu += got.h[k];
        wet += ref.h[k] > 1e-3;
    }
    INFO("max |dh| " << dh << " of " << h_max << " m; stored " << v_gpu << " against " << v_ref << " m (cell sums); "
                     << wet << " wet cells");
    REQUIRE(wet > 50);  // the storm's track is wet
    REQUIRE(h_max > 0.01);
    CHECK(dh < 1e-4 * h_max);
    CHECK(v_gpu == Approx(v_ref).epsilon(1e-4));
    CHECK(gpu->validation_messages() == 0);
}

TEST_CASE("GPU clock: the steps the GPU chooses equal the reference's CFL steps and its log balances the water",
          "[gpu][flood]") {
    auto gpu = test::validated_context();
    SweGrid g = valley(44, 36);
    const int order = GENERATE(1, 2, 3);  // 3: the inertial scheme (its time step goes by sqrt(g h) alone)
    g.second_order = order == 2;
    g.inertial = order == 3;
    INFO("scheme " << order);
    SweState ref = initial(g);
    SweGpu dev(*gpu, g, ref);
    StepSources src;
    src.rain_m_per_s = 80.0 / 3.6e6;
    src.inflows = {{3, 30, 6.0}};
    dev.set_sources(src);
    SweGpu::ClockConfig config;
    config.max_dt_s = 2.0;
    dev.enable_clock(config);

    // Windows of 3 s; the reference takes dt = min(CFL step, max dt, time left) exactly as the clock does.
    const double window = 3.0;
    const int windows = 20;
    MassLedger ledger;
    ledger.initial_m3 = stored_volume(g, ref);
    size_t ref_steps = 0;
    for (int w = 0; w < windows; ++w) {
        double left = window;
        while (left > 0) {
            const double dt = std::min(cfl_time_step(g, ref, 0.0, config.max_dt_s), left);
            ledger.add(swe_step(g, ref, dt, src));
            left = dt >= left ? 0.0 : left - dt;
            ++ref_steps;
        }
    }
    std::vector<SweGpu::LogEntry> log;
    double gpu_time = 0, rain = 0, inflow = 0, outflow = 0, infiltrated = 0;
    size_t gpu_steps = 0;
    for (int w = 0; w < windows; w += 2) {  // two windows per submission, more steps than needed (dt = 0 extras)
        gpu->submit_and_wait([&](VkCommandBuffer cmd) {
            dev.record_window(cmd, window, 40, {}, 0);
            dev.record_window(cmd, window, 40, {}, 0);
        });
        for (const auto& e : dev.take_log(0)) {
            gpu_time += e.dt_s;
            gpu_steps += e.dt_s > 0;
            rain += e.rain_m3;
            inflow += e.inflow_m3;
            outflow += e.outflow_m3;
            infiltrated += e.infiltrated_m3;
            log.push_back(e);
        }
    }
    INFO("reference: " << ref_steps << " steps; GPU: " << gpu_steps << " steps over " << gpu_time << " s");
    CHECK(gpu_time == Approx(window * windows).epsilon(1e-5));
    CHECK(std::abs(double(gpu_steps) - double(ref_steps)) <= 1);
    CHECK(log.back().left_s == 0.0);

    const SweState got = dev.state();
    double h_max = 0, dh = 0;
    size_t at = 0, off = 0;
    for (size_t k = 0; k < g.cells(); ++k) {
        h_max = std::max(h_max, ref.h[k]);
        if (std::abs(got.h[k] - ref.h[k]) > dh) dh = std::abs(got.h[k] - ref.h[k]), at = k;
        off += std::abs(got.h[k] - ref.h[k]) > 2e-4 * h_max;
    }
    INFO("max |dh| " << dh << " of " << h_max << " m at cell " << at % g.nx << ", " << at / g.nx << " (h " << ref.h[at]
                     << " m, " << off << " cells off)");
    CHECK(dh < 2e-4 * h_max);
    // The ledger the GPU logged: the same terms as the reference's, and a closed balance.
    CHECK(rain == Approx(ledger.rain_m3).epsilon(1e-4));
    CHECK(inflow == Approx(ledger.inflow_m3).epsilon(1e-4));
    CHECK(outflow == Approx(ledger.outflow_m3()).epsilon(2e-3));
    CHECK(infiltrated == Approx(ledger.infiltrated_m3).epsilon(1e-3));
    const double expected = ledger.initial_m3 + rain + inflow - outflow - infiltrated;
    INFO("stored " << log.back().volume_m3 << " m3, expected " << expected << " m3");
    CHECK(std::abs(log.back().volume_m3 - expected) < 1e-5 * expected);
    CHECK(gpu->validation_messages() == 0);
}

TEST_CASE("GPU clock: a window with too few steps leaves its time for the next window", "[gpu][flood]") {
    auto gpu = test::validated_context();
    SweGrid g = valley(40, 40);
    SweState s = initial(g);
    SweGpu dev(*gpu, g, s);
    dev.set_sources({});
    SweGpu::ClockConfig config;
    config.max_dt_s = 0.5;
    dev.enable_clock(config);
    gpu->submit_and_wait([&](VkCommandBuffer cmd) { dev.record_window(cmd, 4.0, 3, {}, 1); });
    std::vector<SweGpu::LogEntry> log = dev.take_log(1);
    REQUIRE(log.size() == 3);
    CHECK(log[2].left_s == Approx(4.0 - log[0].dt_s - log[1].dt_s - log[2].dt_s).margin(1e-5));
    CHECK(log[2].left_s > 2.4);
    gpu->submit_and_wait([&](VkCommandBuffer cmd) { dev.record_window(cmd, 1.0, 40, {}, 1); });
    double total = log[0].dt_s + log[1].dt_s + log[2].dt_s;
    for (const auto& e : dev.take_log(1)) total += e.dt_s;
    CHECK(total == Approx(5.0).epsilon(1e-6));
    CHECK(gpu->validation_messages() == 0);
}

TEST_CASE("GPU flood step with Manning n per cell and NODATA walls equals the C++ reference", "[gpu][flood]") {
    auto gpu = test::validated_context();
    SweGrid g = valley(44, 36);
    g.inertial = GENERATE(false, true);  // finite volumes, and the inertial scheme's build for a Manning raster
    INFO("inertial " << g.inertial);
    g.manning_per_cell.assign(g.cells(), 0.0);
    g.walls.assign(g.cells(), 0);
    for (uint32_t j = 0; j < g.ny; ++j)
        for (uint32_t i = 0; i < g.nx; ++i) {
            g.manning_per_cell[g.index(i, j)] = (j > 12 && j < 24) ? 0.03 : 0.09;  // a smooth channel, rough banks
            if (i > 36 && j > 30) {  // a NODATA corner: a wall far above every surface, no rain
                g.walls[g.index(i, j)] = 1;
                g.z[g.index(i, j)] = 1400.0;
            }
        }
    SweState ref = initial(g);
    SweGpu dev(*gpu, g, ref);
    StepSources src;
    src.rain_m_per_s = 80.0 / 3.6e6;
    src.inflows = {{3, 18, 5.0}};
    const double dt = 0.8 * cfl_time_step(g, ref);
    MassLedger ledger;
    for (int s = 0; s < 100; ++s) ledger.add(swe_step(g, ref, dt, src));
    dev.run(dt, 100, src);
    const SweState got = dev.state();
    double h_max = 0, dh = 0, wall_water = 0;
    for (size_t k = 0; k < g.cells(); ++k) {
        h_max = std::max(h_max, ref.h[k]);
        dh = std::max(dh, std::abs(got.h[k] - ref.h[k]));
        if (g.walls[k]) wall_water += got.h[k] + ref.h[k];
    }
    INFO("max |dh| " << dh << " of " << h_max << " m");
    CHECK(dh < 1e-4 * h_max);
    CHECK(wall_water == 0.0);
    CHECK(gpu->validation_messages() == 0);
}

TEST_CASE("GPU clock with a forcing table: the storm and the hydrograph at each step's middle equal the reference's",
          "[gpu][flood]") {
    // The clock evaluates the storm's position and the inflow's discharge at the middle of each step it times;
    // the reference takes the same steps (the dts the GPU logged) with the same forcing from StormCell and
    // Hydrograph in double. The logged inflow volume equals the hydrograph's integral.
    auto gpu = test::validated_context();
    SweGrid g = valley(48, 40);
    SweState ref = SweState::dry(g);
    ref.h[g.index(20, 20)] = 0.5;
    SweGpu dev(*gpu, g, ref);
    dev.set_sources({});
    SweGpu::ClockConfig config;
    config.max_dt_s = 1.0;
    dev.enable_clock(config);
    StormCell storm;
    storm.path = {{20.0, 20.0}, {120.0, 60.0}, {220.0, 170.0}};
    storm.radius_m = 60;
    storm.peak_mm_per_h = 3000;
    storm.start_s = 5;
    storm.end_s = 100;
    Hydrograph inflow;
    inflow.t_s = {0.0, 10.0, 30.0, 60.0};
    inflow.q_m3_per_s = {0.0, 6.0, 2.0, 0.0};
    SweGpu::ForcingTable table;
    table.storm_path = storm.path;  // the storm path is already in metres from cell (0, 0)'s centre
    table.storm_start_s = storm.start_s;
    table.storm_end_s = storm.end_s;
    table.inflows = {{3, 30, inflow.t_s, inflow.q_m3_per_s}};
    dev.set_forcing_table(table);
    const double window = 5.0;
    std::vector<SweGpu::LogEntry> log;
    for (int w = 0; w < 24; ++w) {
        const SweGpu::WindowForcing wf{(w + 1) * window, storm.radius_m, storm.peak_mm_per_h / 3.6e6};
        gpu->submit_and_wait([&](VkCommandBuffer cmd) { dev.record_window(cmd, window, 40, {}, 0, wf); });
        for (const auto& e : dev.take_log(0))
            if (e.dt_s > 0) log.push_back(e);
    }
    double t = 0, inflow_gpu = 0;
    for (const auto& e : log) {
        const double mid = t + 0.5 * e.dt_s;
        StepSources src;
        src.rain_m_per_s_cells.resize(g.cells());
        for (uint32_t j = 0; j < g.ny; ++j)
            for (uint32_t i = 0; i < g.nx; ++i)
                src.rain_m_per_s_cells[g.index(i, j)] = storm.rain_mm_per_h(i * g.dx, j * g.dx, mid) / 3.6e6;
        src.inflows = {{3, 30, inflow.at(mid)}};
        swe_step(g, ref, e.dt_s, src);
        t += e.dt_s;
        inflow_gpu += e.inflow_m3;
    }
    CHECK(t == Approx(24 * window).epsilon(1e-5));
    const SweState got = dev.state();
    double h_max = 0, dh = 0;
    for (size_t k = 0; k < g.cells(); ++k) {
        h_max = std::max(h_max, ref.h[k]);
        dh = std::max(dh, std::abs(got.h[k] - ref.h[k]));
    }
    INFO(log.size() << " steps; max |dh| " << dh << " of " << h_max << " m; inflow " << inflow_gpu << " m3 against "
                    << inflow.volume_m3(0, 120) << " m3");
    REQUIRE(h_max > 0.01);
    CHECK(dh < 2e-4 * h_max);
    CHECK(inflow_gpu == Approx(inflow.volume_m3(0, 120)).epsilon(1e-3));
    CHECK(gpu->validation_messages() == 0);
}

TEST_CASE("a DEM placed by its georeference lands at its longitude and latitude in the world's projection",
          "[gpu][flood]") {
    // A 40 x 30 DEM of 30 m cells in UTM zone 14N (EPSG:32614) centred on 30.10 N, 99.10 W, laid into a world in
    // Texas Centric Albers (EPSG:3083) about 31 N, 99.3 W. Its centre goes UTM -> longitude/latitude -> Albers in
    // the module; the test takes longitude/latitude -> UTM (for the DEM) and longitude/latitude -> Albers (where
    // it must land), so a wrong axis order, centre or shift moves the water off the expected footprint.
    const double lat = 30.10, lon = -99.10;
    OGRSpatialReference utm, geographic;
    utm.importFromEPSG(32614);
    utm.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    geographic.importFromEPSG(4326);
    geographic.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> to_utm(OGRCreateCoordinateTransformation(&geographic, &utm));
    double e = lon, n = lat;
    REQUIRE(to_utm->Transform(1, &e, &n));
    char* wkt = nullptr;
    utm.exportToWkt(&wkt);
    infrascape::Raster dem;
    dem.nx = 40;
    dem.ny = 30;
    dem.geo.cell = 30.0;
    dem.geo.x0 = e - 0.5 * (dem.nx - 1) * dem.geo.cell;
    dem.geo.y0 = n - 0.5 * (dem.ny - 1) * dem.geo.cell;
    dem.geo.wkt = wkt;
    CPLFree(wkt);
    dem.v.assign(size_t(dem.nx) * dem.ny, 0.0f);
    for (uint32_t j = 0; j < dem.ny; ++j)
        for (uint32_t i = 0; i < dem.nx; ++i) dem.v[size_t(j) * dem.nx + i] = float(500.0 + 0.01 * i);
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / "infrascape_georef";
    std::filesystem::create_directories(dir);
    infrascape::write_geotiff(dir / "utm_dem.tif", dem);
    std::ofstream(dir / "scene.toml") << "[world]\ntitle = \"georeference\"\nextent_m = 400000.0\ndt_s = 10.0\n"
                                         "latitude_deg = 31.0\nlongitude_deg = -99.3\ncrs = \"EPSG:3083\"\n"
                                         "[terrain]\nkind = \"flat\"\nrelief_m = 0.0\n"
                                         "[flood]\ndem = \"utm_dem.tif\"\nground = \"inset\"\nplace_by = \"georeference\"\n"
                                         "particles = 0\n";
    infrascape::SessionOptions so;
    so.validation = true;
    so.render_targets = false;
    infrascape::Session s(dir / "scene.toml", so);
    const infrascape::Projection albers("EPSG:3083", 31.0, -99.3);
    const std::array<double, 2> c = albers.to_world(lat, lon);
    const double half_w = 0.5 * (dem.nx - 1) * dem.geo.cell, half_h = 0.5 * (dem.ny - 1) * dem.geo.cell;
    auto wet = [&](double dx, double dy) {
        const std::optional<double> d = s.outputs().sample("flood.depth_m", c[0] + dx, c[1] + dy);
        return d && std::isfinite(*d);
    };
    CHECK(wet(0, 0));
    // Two cells inside each edge the grid holds water; three cells beyond, nothing (UTM and Albers grids turn
    // by well under a degree here, a few metres over the DEM's half width).
    for (const auto& [dx, dy] : {std::pair{half_w - 60, 0.0}, {-(half_w - 60), 0.0}, {0.0, half_h - 60}, {0.0, -(half_h - 60)}})
        CHECK(wet(dx, dy));
    for (const auto& [dx, dy] : {std::pair{half_w + 90, 0.0}, {-(half_w + 90), 0.0}, {0.0, half_h + 90}, {0.0, -(half_h + 90)}})
        CHECK_FALSE(wet(dx, dy));
}
