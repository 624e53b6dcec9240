// The City module; see city_module.hpp and src/modules/README.md.
#include "modules/city/city_module.hpp"

#include <imgui.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>

#include "city/ca_shared.h"
#include "context.hpp"
#include "core/world.hpp"
#include "gpu_timer.hpp"
#include "mesh.hpp"
#include "modules/city/city_ports.hpp"
#include "modules/city/growth.hpp"
#include "modules/city/quantities_csv.hpp"
#include "modules/city/scaling.hpp"
#include "modules/city/sleuth.hpp"
#include "pipeline.hpp"
#include "resources.hpp"
#include "scene/scene.hpp"
#include "shader_types.hpp"
#include "ui_widgets.hpp"
#include "world_renderer.hpp"

namespace infrascape::city {

namespace {

constexpr double kSecondsPerYear = 365.25 * 86400.0;

struct StatsPush {
    glm::vec4 origin_cell, centre;
    uint32_t nx, ny, pad0, pad1;
};
struct InstancePush {
    glm::vec4 origin_cell, centre, look;
    uint32_t nx, ny, pad0, pad1;
};
struct GpuStats {
    uint32_t built, roads, weight_sum, pad;
};

std::string slug(const std::string& name) {
    std::string s;
    for (char c : name) s += std::isalnum(static_cast<unsigned char>(c)) ? char(std::tolower(c)) : '_';
    return s;
}


BlockSpec city_block() {
    BlockSpec b{"city", "A city that grows under scaling laws (West's growth equation, a SLEUTH-style automaton)", {}};
    auto& p = b.params;
    p.push_back(integer_param("seed", 0, 4294967295.0, 1, "seed of the automaton's random numbers"));
    p.push_back(integer_param("cells", 16, 4096, 256, "automaton grid cells per side"));
    p.push_back(number_param("cell_m", "m", 10, 5000, 120, "automaton cell size", false));
    p.push_back(number_param("centre_x_m", "m", -1e7, 1e7, 0, "x of the founding village", false));
    p.push_back(number_param("centre_y_m", "m", -1e7, 1e7, 0, "y of the founding village", false));
    p.push_back(number_param("n0", "people", 1, 1e9, 500, "population at the start", false));
    p.push_back(number_param("a", "1/y", 0, 100, 0.03, "growth equation dN/dt = a N^beta - b N: the resource term a"));
    p.push_back(number_param("b", "1/y", 0, 100, 0.05, "growth equation: the maintenance term b"));
    p.push_back(number_param("beta", "", 0.5, 1.5, 1.15, "growth equation exponent: above 1, growth runs to a finite-time singularity"));
    p.push_back(number_param("innovation_margin_y", "y", 0.01, 1000, 50,
                       "an innovation resets growth this many years before the singularity"));
    p.push_back(number_param("innovation_a_gain", "", 1e-6, 1, 0.5,
                       "each innovation multiplies a by this (below 1 postpones the next singularity)"));
    p.push_back(number_param("diffusion", "", 0, 100, 20, "SLEUTH diffusion: spontaneous growth anywhere"));
    p.push_back(number_param("breed", "", 0, 100, 45, "SLEUTH breed: spontaneous cells becoming new spreading centres"));
    p.push_back(number_param("spread", "", 0, 100, 70, "SLEUTH spread: growth at the edge of built areas"));
    p.push_back(number_param("slope_resistance", "", 0, 100, 30, "SLEUTH slope resistance: how strongly slopes repel growth"));
    p.push_back(number_param("road_gravity", "", 0, 100, 50, "SLEUTH road gravity: how far roads attract growth"));
    p.push_back(number_param("critical_slope_pct", "%", 0.1, 1000, 21, "no growth on slopes this steep (SLEUTH's default 21%)", false));
    p.push_back(integer_param("road_spacing", 2, 64, 6, "arterial roads every this many cells"));
    p.push_back(integer_param("generations_per_year", 1, 20, 2, "automaton generations per simulated year"));
    p.push_back(number_param("initial_density_per_ha", "people/ha", 0.1, 1e5, 10,
                       "density of the founding village, which sets its size", false));
    p.push_back(number_param("densification", "", 0, 1, 1.0 / 3.0,
                       "land demand: residents per hectare grow as N^densification, so the built area the population "
                       "needs grows as N^(1 - densification) (1/3: Bettencourt 2013's area ~ N^(2/3))"));
    p.push_back(number_param("density_decay_m", "m", 10, 1e6, 2500, "decay length of residential density away from the centre"));
    p.push_back(number_param("years_per_second", "y/s", 0.01, 1000, 5, "playback speed of a city scene (sets the world's speed)", false));
    p.push_back(number_param("export_every_y", "y", 0.1, 1e4, 25, "land-use rasters are exported at this interval", false));
    p.push_back(choice_param("heat_island_region", {"north_america", "europe"}, "north_america",
                             "Oke's (1973) urban heat island relation to use"));
    p.push_back(choice_param("colormap", {"viridis", "inferno", "turbo", "cividis"}, "viridis",
                             "colormap of residential density"));
    p.push_back(number_param("max_density_per_ha", "people/ha", 1, 1e5, 250, "top of the density colour scale"));
    ParamSpec extra;
    extra.key = "quantities";
    extra.type = ParamType::Path;
    extra.default_value = std::string("");
    extra.help = "CSV of more quantities Y = Y0 N^beta (header name,unit,kind,y0,beta), added to the built-in list";
    extra.live = false;
    p.push_back(extra);
    add_demand_params(p);
    for (const ScalingLaw& law : default_scaling_laws())
        p.push_back(number_param("beta_" + slug(law.name), "", 0, 2, law.beta,
                           "exponent of " + law.name + " (" + law.kind + ") in Y = Y0 N^beta"));
    b.instances = true;  // several cities in one world: [[city]] entries with an id
    return b;
}

// A built-in quantity's exponent is a live parameter; a user-defined one (city.quantities) keeps its file's.
double beta_of(const ScalingLaw& law, const ParamStore& p) {
    const std::string key = "city.beta_" + slug(law.name);
    return p.has(key) ? p.number(key) : law.beta;
}

struct Row {
    double year, n;
    uint32_t built, roads;
};

class CityModule final : public Module {
public:
    std::string name() const override { return "city"; }
    std::string title() const override { return "City growth"; }
    BlockSpec block() const override { return city_block(); }
    std::optional<double> natural_step_s(const ParamStore&) const override { return 365.25 * 86400 / 4; }  // a quarter-year
    std::optional<double> preferred_speed(const ParamStore& p) const override {  // years per second
        return p.number("city.years_per_second") * kSecondsPerYear;
    }

    void attach(AttachContext& ctx) override {
        gpu_ = &ctx.gpu;
        const ParamStore& p = ctx.params;
        n_ = uint32_t(p.number("city.cells"));
        cell_m_ = p.number("city.cell_m");
        seed_ = uint32_t(p.number("city.seed")) ^ uint32_t(ctx.info.seed * 2654435761u);
        const size_t cells = size_t(n_) * n_;
        // Memory: two state grids, slope weights, ground heights, two instance buffers, readbacks.
        const double bytes = double(cells) * (4 * 4 + 4 + 4 + 2 * sizeof(engine::Instance));
        const double limit = double(ctx.gpu.properties().limits.maxStorageBufferRange);
        if (double(cells) * sizeof(engine::Instance) > limit || bytes > 3e9)
            throw ParamError("city.cells", "'city.cells' = " + std::to_string(n_) + " needs " +
                                        std::to_string(int(bytes / 1048576)) + " MiB and buffers of " +
                                        std::to_string(int(double(cells) * sizeof(engine::Instance) / 1048576)) +
                                        " MiB; this device allows " + std::to_string(int(limit / 1048576)) +
                                        " MiB per buffer: use fewer cells");
        start_year_ = 1970.0 + ctx.info.start_epoch_s / kSecondsPerYear;
        x0_ = p.number("city.centre_x_m") - (n_ - 1) * cell_m_ / 2;
        y0_ = p.number("city.centre_y_m") - (n_ - 1) * cell_m_ / 2;
        centre_ = {p.number("city.centre_x_m"), p.number("city.centre_y_m")};

        applied_ = params_of(p);
        growth_ = std::make_unique<GrowthModel>(params_of(p), p.number("city.n0"), p.number("city.innovation_margin_y"),
                                                p.number("city.innovation_a_gain"));
        laws_ = default_scaling_laws();
        if (const std::string& extra = p.text("city.quantities"); !extra.empty()) {
            std::vector<ScalingLaw> more =
                load_quantities_csv(extra, std::filesystem::proximate(extra).string(), laws_);
            laws_.insert(laws_.end(), more.begin(), more.end());
        }

        // Initial grid: water from the river, slopes from the terrain, a founding village and two roads.
        CaGrid g;
        g.nx = g.ny = n_;
        g.state.assign(cells, 0);
        g.slope_weight.assign(cells, 0.0f);
        ground_.assign(cells, 0.0f);
        const std::string kind = ctx.params.has("terrain.kind") ? ctx.params.text("terrain.kind") : "flat";
        const double resistance = p.number("city.slope_resistance"), critical = p.number("city.critical_slope_pct");
        const double river_half_width = std::max(cell_m_ * 0.7, ctx.info.extent_m * 0.004);
        for (uint32_t j = 0; j < n_; ++j)
            for (uint32_t i = 0; i < n_; ++i) {
                const double x = x0_ + i * cell_m_, y = y0_ + j * cell_m_;
                const size_t k = size_t(j) * n_ + i;
                const double half = ctx.info.extent_m / 2;
                if (std::abs(x) > half || std::abs(y) > half) {
                    g.state[k] = CA_EXCLUDED;  // beyond the terrain
                    continue;
                }
                ground_[k] = ctx.info.terrain ? float(ctx.info.terrain->sample(x, y)) : 0.0f;
                if (river_distance_m(kind, ctx.info.extent_m, x, y) < river_half_width) g.state[k] = CA_WATER;
                double slope = 0;
                if (ctx.info.terrain) {
                    glm::dvec3 nrm = ctx.info.terrain->normal(x, y);
                    slope = 100.0 * std::sqrt(std::max(0.0, 1 - nrm.z * nrm.z)) / std::max(nrm.z, 1e-6);
                }
                g.slope_weight[k] = slope_weight(slope, resistance, critical);
            }
        const int ci = int(n_ / 2), cj = int(n_ / 2);
        const int spacing = int(p.number("city.road_spacing"));
        for (int k = 0; k < int(n_); ++k) {  // a highway east-west and a road north-south through the village
            const int jj = cj - cj % spacing, ii = ci - ci % spacing;
            uint32_t& a = g.state[size_t(jj) * n_ + k];
            uint32_t& b = g.state[size_t(k) * n_ + ii];
            if (!(a & (CA_EXCLUDED))) a = (a & ~CA_WATER) | CA_ROAD;  // bridges cross the river
            if (!(b & (CA_EXCLUDED))) b = (b & ~CA_WATER) | CA_ROAD;
        }
        // The founding village: enough cells for n0 people at the initial density, in a square around the centre.
        const double village_cells = p.number("city.n0") / (p.number("city.initial_density_per_ha") * cell_m_ * cell_m_ / 1e4);
        const int half = std::clamp(int(std::ceil((std::sqrt(std::max(village_cells, 1.0)) - 1) / 2)), 0, int(n_ / 4));
        for (int dj = -half; dj <= half; ++dj)
            for (int di = -half; di <= half; ++di) {
                uint32_t& s = g.state[size_t(cj + dj) * n_ + (ci + di)];
                if (!(s & (CA_WATER | CA_EXCLUDED))) s |= CA_URBAN;
            }
        initial_built_ = std::max<uint32_t>(1, uint32_t(ca_counts(g).built));

        const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
        for (auto& b : state_) b = engine::Buffer(*gpu_, cells * 4, storage, engine::MemoryKind::Device, "city state");
        state_[0].upload(g.state.data(), cells * 4);
        slope_ = engine::Buffer(*gpu_, cells * 4, storage, engine::MemoryKind::Device, "city slope weight");
        slope_.upload(g.slope_weight.data(), cells * 4);
        ground_buffer_ = engine::Buffer(*gpu_, cells * 4, storage, engine::MemoryKind::Device, "city ground");
        ground_buffer_.upload(ground_.data(), cells * 4);
        stats_ = engine::Buffer(*gpu_, sizeof(GpuStats), storage, engine::MemoryKind::Device, "city stats");
        stats_log_ = engine::Buffer(*gpu_, kLogSlots * sizeof(GpuStats), VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                    engine::MemoryKind::Readback, "city stats log");
        lut_ = engine::Buffer(*gpu_, 256 * 16, storage, engine::MemoryKind::Upload, "city colormap");
        for (auto& rb : state_readback_)
            rb = engine::Buffer(*gpu_, cells * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT, engine::MemoryKind::Readback,
                                "city state readback");
        host_state_ = g.state;

        const std::vector<engine::Binding> ca_bindings = {
            {0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
            {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
            {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
            {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
            {4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT}};
        near_new_ = engine::Buffer(*gpu_, cells * 4, storage, engine::MemoryKind::Device, "city near new");
        descriptors_ = std::make_unique<engine::DescriptorAllocator>(*gpu_);
        const char* shaders[3] = {"city/ca_spontaneous.comp", "city/ca_spread.comp", "city/ca_roads.comp"};
        for (int pass = 0; pass < 3; ++pass) {
            ca_[pass] = engine::Pipeline::compute(*gpu_, shaders[pass], ca_bindings, sizeof(CaPush), shaders[pass]);
            for (int from = 0; from < 2; ++from) {
                ca_sets_[pass][from] = descriptors_->allocate(ca_[pass].set_layout());
                engine::DescriptorWriter()
                    .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, state_[from])
                    .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, state_[1 - from])
                    .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, slope_)
                    .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, stats_)
                    .buffer(4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, near_new_)
                    .write(gpu_->device(), ca_sets_[pass][from]);
            }
        }
        stats_pipe_ = engine::Pipeline::compute(*gpu_, "city/stats.comp",
                                                {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                 {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT}},
                                                sizeof(StatsPush), "city stats");
        std::vector<engine::Binding> inst_bindings;
        for (uint32_t b = 0; b < 9; ++b) inst_bindings.push_back({b, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT});
        inst_pipe_ = engine::Pipeline::compute(*gpu_, "city/instances.comp", inst_bindings, sizeof(InstancePush),
                                               "city instances");

        const char* models[3] = {"models/house.obj", "models/building.obj", "models/highrise.obj"};
        std::vector<engine::Instance> hidden(cells, engine::Instance{glm::vec4(0), glm::vec4(0), glm::vec4(0)});
        for (int m = 0; m < 3; ++m) {
            meshes_[m] = std::make_unique<engine::GpuMesh>(*gpu_, engine::load_model(ctx.info.asset_dir / models[m]), models[m]);
            buildings_[m].mesh = meshes_[m].get();
            buildings_[m].upload(*gpu_, hidden, models[m]);
        }
        surface_.mesh = meshes_[1].get();
        surface_.upload(*gpu_, hidden, "city roads and water");
        indirect_ = engine::Buffer(*gpu_, sizeof(draw_template_), VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT | VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                                   engine::MemoryKind::Device, "city indirect draws");
        for (int m = 0; m < 4; ++m) {
            const engine::GpuMesh& mesh = *(m < 3 ? meshes_[m] : meshes_[1]);
            draw_template_[m] = {mesh.index_count(), 0, 0, 0, 0};
        }
        indirect_.upload(draw_template_.data(), sizeof(draw_template_));
        for (int from = 0; from < 2; ++from) {
            stats_sets_[from] = descriptors_->allocate(stats_pipe_.set_layout());
            engine::DescriptorWriter()
                .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, state_[from])
                .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, stats_)
                .write(gpu_->device(), stats_sets_[from]);
            inst_sets_[from] = descriptors_->allocate(inst_pipe_.set_layout());
            engine::DescriptorWriter()
                .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, state_[from])
                .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, stats_)
                .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, ground_buffer_)
                .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, lut_)
                .buffer(4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, buildings_[0].instances)
                .buffer(5, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, surface_.instances)
                .buffer(6, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, buildings_[1].instances)
                .buffer(7, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, buildings_[2].instances)
                .buffer(8, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, indirect_)
                .write(gpu_->device(), inst_sets_[from]);
        }
        colormaps_ = &ctx.colormaps;
        draws_ = ctx.draws;
        density_decay_m_ = float(p.number("city.density_decay_m"));
        latitude_ = ctx.info.latitude_deg;
        longitude_ = ctx.info.longitude_deg;
        start_epoch_ = ctx.info.start_epoch_s;
        utc_offset_h_ = ctx.info.utc_offset_h;
        terrain_ = ctx.info.terrain;
        n0_ = p.number("city.n0");
        demand_ = demand_params(p);
        ports_.start(p.number("city.n0"), local_hour(0), demand_);
        export_every_y_ = p.number("city.export_every_y");
        speed_ = *preferred_speed(p);
        const CaCounts start = ca_counts(g);
        rows_.push_back({start_year_, growth_->population(), uint32_t(start.built), uint32_t(start.roads)});
        snapshots_.push_back({start_year_, g.state});
        next_export_y_ = export_every_y_;
        stats_dirty_ = true;
    }

    // [SECTION] Ports (the model is in city_ports.cpp)
    std::vector<InputPort> inputs() const override { return CityPorts::inputs(); }
    void couple(CouplingContext& ctx) override {
        ports_.couple(ctx, instance(), centre_[0], centre_[1], growth_->population(), local_hour(ctx.t_s()), demand_);
        if (ctx.bus().unit("flood.depth_m").empty()) return;
        std::vector<std::array<double, 2>> built;
        std::vector<size_t> ids;
        for (uint32_t j = 0; j < n_; ++j)
            for (uint32_t i = 0; i < n_; ++i)
                if (host_state_[size_t(j) * n_ + i] & CA_URBAN) {
                    built.push_back({x0_ + i * cell_m_, y0_ + j * cell_m_});
                    ids.push_back(size_t(j) * n_ + i);
                }
        ports_.flood(ctx, instance(), built, ids, growth_->population());
    }
    double local_hour(double t_s) const { return std::fmod((start_epoch_ + t_s) / 3600.0 + utc_offset_h_ + 48.0, 24.0); }

    void publish(OutputBus& bus) override {
        bus.publish_scalar("city.demand_mw", "MW", "electric demand of the residents (base load shape plus air conditioning)",
                           [this] { return ports_.demand_mw(); });
        bus.publish_scalar("city.demand_factor", "",
                           "demand over the base demand of the starting population (n0 x base_kw_per_capita): what the "
                           "grid scales its case's load at the city's buses by",
                           [this] { return ports_.demand_mw() / std::max(1e-9, n0_ * demand_.base_kw_per_capita / 1000); });
        bus.publish_scalar("city.cooling_mw", "MW", "the air-conditioning part of the demand", [this] { return ports_.cooling_mw(); });
        bus.publish_scalar("city.centre_x_m", "m", "x of the city's centre", [this] { return centre_[0]; });
        bus.publish_scalar("city.centre_y_m", "m", "y of the city's centre", [this] { return centre_[1]; });
        bus.publish_scalar("city.radius_m", "m", "radius of a disc of the city's built area (its service area for the grid)",
                           [this] { return std::sqrt(std::max(built_km2(), 0.01) * 1e6 / 3.14159265358979); });
        bus.publish_scalar("city.population", "people", "population N(t)", [this] { return growth_->population(); });
        bus.publish_scalar("city.heat_island_k", "K", "urban heat island: city minus countryside, Oke (1973)",
                           [this] { return heat_island_k_; });
        bus.publish_scalar("city.built_km2", "km2", "built-up area", [this] { return built_km2(); });
        bus.publish_field("city.built", "", "1 where the city has built a cell, 0 elsewhere, NaN outside the grid",
                          [this](double x, double y) {
                              const int i = int(std::lround((x - x0_) / cell_m_)), j = int(std::lround((y - y0_) / cell_m_));
                              if (i < 0 || j < 0 || i >= int(n_) || j >= int(n_)) return std::nan("");
                              return (host_state_[size_t(j) * n_ + i] & CA_URBAN) ? 1.0 : 0.0;
                          });
    }

    void step(StepContext& ctx) override {
        const ParamStore& p = ctx.params;
        // Live edits (panel, timeline) replace the growth parameters; otherwise the model keeps its own, which
        // innovations have changed since.
        const GrowthParams requested = params_of(p);
        if (requested.a != applied_.a || requested.b != applied_.b || requested.beta != applied_.beta) {
            growth_->set_params(requested);
            applied_ = requested;
        }
        growth_->set_margin(p.number("city.innovation_margin_y"), p.number("city.innovation_a_gain"));
        const double dt_y = ctx.dt_s / kSecondsPerYear;
        growth_->advance(dt_y);
        const double t_y = growth_->t_years();
        const double n = growth_->population();
        heat_island_k_ = heat_island_max_k(n, p.text("city.heat_island_region") == "europe" ? HeatIslandRegion::Europe
                                                                                             : HeatIslandRegion::NorthAmerica);

        // Automaton generations due by now. The land the population needs drives them: the GPU compares its
        // own count of built cells with this target, so no CPU readback decides how the city grows.
        const uint64_t due = uint64_t(std::floor(t_y * p.number("city.generations_per_year") + 1e-9));
        const double demand = initial_built_ * std::pow(std::max(n, 1.0) / p.number("city.n0"), 1.0 - p.number("city.densification"));
        const uint32_t target = uint32_t(std::min(demand, double(n_) * n_));
        SleuthCoefficients c{p.number("city.diffusion"), p.number("city.breed"), p.number("city.spread"),
                             p.number("city.slope_resistance"), p.number("city.road_gravity")};
        const CaRates rates = ca_rates(c, n_, n_, int(p.number("city.road_spacing")), target, std::max(16u, target / 8));
        const bool any = due > generations_;
        if (ctx.timer && any) ctx.timer->begin(ctx.cmd, "city.automaton");
        while (generations_ < due) {
            record_generation(ctx.cmd, rates, uint32_t(generations_));
            ++generations_;
        }
        if (ctx.timer && any) ctx.timer->end(ctx.cmd);
        density_decay_m_ = float(p.number("city.density_decay_m"));

        // Statistics of this step's grid, logged for the population table (counted once per change of grid).
        if (stats_dirty_) record_stats(ctx.cmd);
        const uint32_t slot = uint32_t(log_next_ % kLogSlots);
        stats_.use(ctx.cmd, engine::Access::TransferSrc);
        stats_log_.use(ctx.cmd, engine::Access::TransferDst);
        VkBufferCopy region{0, slot * sizeof(GpuStats), sizeof(GpuStats)};
        vkCmdCopyBuffer(ctx.cmd, stats_.handle(), stats_log_.handle(), 1, &region);
        stats_log_.use(ctx.cmd, engine::Access::HostRead);
        pending_rows_.push_back({slot, start_year_ + t_y, n});
        ++log_next_;

        if (t_y + 1e-9 >= next_export_y_) {  // land-use snapshot for the exports, exactly at this step
            snapshot_copies_.push_back(
                {start_year_ + next_export_y_,
                 engine::Buffer(*gpu_, size_t(n_) * n_ * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                engine::MemoryKind::Readback, "city snapshot")});
            engine::Buffer& dst = snapshot_copies_.back().buffer;
            state_[current_].use(ctx.cmd, engine::Access::TransferSrc);
            dst.use(ctx.cmd, engine::Access::TransferDst);
            VkBufferCopy all{0, 0, size_t(n_) * n_ * 4};
            vkCmdCopyBuffer(ctx.cmd, state_[current_].handle(), dst.handle(), 1, &all);
            dst.use(ctx.cmd, engine::Access::HostRead);
            while (next_export_y_ <= t_y + 1e-9) next_export_y_ += export_every_y_;
        }
        night_ = night_factor(ctx.t_s + ctx.dt_s);  // same lighting clock as the session's sun
        demand_ = demand_params(p);
        density_max_ = float(p.number("city.max_density_per_ha"));
        colormap_name_ = p.text("city.colormap");
    }

    void before_draw(FrameInfo& frame) override {
        VkCommandBuffer cmd = frame.cmd;
        if (frame.push) view_proj_ = frame.push->view_proj, view_ready_ = true;
        if (stats_dirty_) record_stats(cmd);
        // The colormap table for building colours.
        if (colormaps_ && colormap_name_ != uploaded_colormap_) {
            engine::Colormap cm = engine::Colormap::Viridis;
            engine::colormap_from_name(colormap_name_, cm);
            const std::array<glm::vec4, 256> lut = engine::linear_table(*colormaps_, cm);
            std::memcpy(lut_.mapped(), lut.data(), sizeof(lut));
            uploaded_colormap_ = colormap_name_;
        }
        if (draws_) record_instances(cmd);
        // The latest grid for CPU readers (published outputs).
        engine::Buffer& rb = state_readback_[frame.slot % state_readback_.size()];
        state_[current_].use(cmd, engine::Access::TransferSrc);
        rb.use(cmd, engine::Access::TransferDst);
        VkBufferCopy all{0, 0, size_t(n_) * n_ * 4};
        vkCmdCopyBuffer(cmd, state_[current_].handle(), rb.handle(), 1, &all);
        rb.use(cmd, engine::Access::HostRead);
        readback_pending_[frame.slot % state_readback_.size()] = true;
    }

    // Buildings and ground slabs from the grid, for drawing this frame.
    void record_instances(VkCommandBuffer cmd) {
        InstancePush ip{glm::vec4(x0_, y0_, cell_m_, growth_->population()),
                        glm::vec4(centre_[0], centre_[1], density_decay_m_, density_max_),
                        // Lights at night only as far as the grid serves the city (dark in a blackout).
                        glm::vec4(night_ * float(ports_.served_fraction()), 3.2f, residents_per_storey_ha_, 0), n_, n_, 0, 0};
        state_[current_].use(cmd, engine::Access::ComputeRead);
        stats_.use(cmd, engine::Access::ComputeRead);
        for (auto& b : buildings_) b.instances.use(cmd, engine::Access::ComputeWrite);
        surface_.instances.use(cmd, engine::Access::ComputeWrite);
        indirect_.use(cmd, engine::Access::TransferDst);  // reset the counts: the pass appends
        vkCmdUpdateBuffer(cmd, indirect_.handle(), 0, sizeof(draw_template_), draw_template_.data());
        indirect_.use(cmd, engine::Access::ComputeWrite);
        inst_pipe_.bind(cmd, inst_sets_[current_]);
        inst_pipe_.push(cmd, ip);
        engine::dispatch_2d(cmd, n_, n_, 16, 16);
        for (auto& b : buildings_) engine::WorldRenderer::prepare_instances(cmd, b);
        engine::WorldRenderer::prepare_instances(cmd, surface_);
        indirect_.use(cmd, engine::Access::IndirectBuffer);
        instances_ready_ = true;
    }

    void frame_complete(uint32_t slot) override {
        const size_t k = slot % state_readback_.size();
        if (readback_pending_[k]) {
            state_readback_[k].invalidate();
            std::memcpy(host_state_.data(), state_readback_[k].mapped(), host_state_.size() * 4);
            readback_pending_[k] = false;
        }
        if (!pending_rows_.empty()) {
            stats_log_.invalidate();
            const auto* log = static_cast<const GpuStats*>(stats_log_.mapped());
            for (const PendingRow& r : pending_rows_)
                rows_.push_back({r.year, r.n, log[r.slot].built, log[r.slot].roads});
            pending_rows_.clear();
        }
        for (SnapshotCopy& s : snapshot_copies_) {
            s.buffer.invalidate();
            std::vector<uint32_t> grid(size_t(n_) * n_);
            std::memcpy(grid.data(), s.buffer.mapped(), grid.size() * 4);
            snapshots_.push_back({s.year, std::move(grid)});
        }
        snapshot_copies_.clear();
    }

    void draw(DrawContext& ctx) override {
        if (!instances_ready_) return;
        const VkDeviceSize stride = sizeof(VkDrawIndexedIndirectCommand);
        ctx.world.draw_instances_indirect(ctx.cmd, ctx.push, *meshes_[1], surface_.instances, indirect_, 3 * stride);
        for (int m = 0; m < 3; ++m)
            ctx.world.draw_instances_indirect(ctx.cmd, ctx.push, *meshes_[m], buildings_[m].instances, indirect_, m * stride);
    }

    void overlay(OverlayContext& ctx) override {
        if (instance() != name()) {
            // One of several cities in a world: a label over its centre (population, demand, or dark) instead of
            // the year banner and the density legend, which belong to a city's own scene.
            if (!view_ready_) return;
            const double z = terrain_ ? terrain_->sample(centre_[0], centre_[1]) : 0;
            const glm::vec4 c = view_proj_ * glm::vec4(float(centre_[0]), float(centre_[1]), float(z + 300), 1.0f);
            if (c.w <= 0) return;
            const ImVec2 display = ImGui::GetIO().DisplaySize;
            const float sx = (c.x / c.w * 0.5f + 0.5f) * display.x, sy = (0.5f - c.y / c.w * 0.5f) * display.y;
            if (sx < 0 || sy < 0 || sx > display.x || sy > display.y) return;
            char text[128];
            const bool dark = ports_.served_fraction() < 0.99;
            std::snprintf(text, sizeof text, "%s  %s  %.1f GW%s", instance().substr(name().size() + 1).c_str(),
                          format_people(growth_->population()).c_str(), ports_.demand_mw() / 1000,
                          dark ? "  lights out" : "");
            ImDrawList* dl = ImGui::GetBackgroundDrawList();
            const ImVec2 ts = ImGui::CalcTextSize(text);
            dl->AddRectFilled(ImVec2(sx - ts.x / 2 - 4, sy - ts.y - 6), ImVec2(sx + ts.x / 2 + 4, sy - 2),
                              dark ? IM_COL32(140, 30, 20, 220) : IM_COL32(70, 60, 20, 210), 3.0f);
            dl->AddText(ImVec2(sx - ts.x / 2, sy - ts.y - 4), IM_COL32(255, 255, 255, 255), text);
            return;
        }
        engine::LegendSpec legend;
        legend.quantity = "Residents";
        legend.unit = "people/ha";
        legend.max = ctx.params.number("city.max_density_per_ha");
        engine::colormap_from_name(ctx.params.text("city.colormap"), legend.colormap);
        engine::draw_legend(legend, ctx.colormaps);
        // The year counter and the population, large, top centre.
        ImDrawList* dl = ImGui::GetForegroundDrawList();
        const ImVec2 display = ImGui::GetIO().DisplaySize;
        char text[96];
        std::snprintf(text, sizeof text, "%d   %s people", int(std::floor(start_year_ + growth_->t_years())),
                      format_people(growth_->population()).c_str());
        const ImVec2 size = ImGui::CalcTextSize(text);
        const float scale = 1.6f;
        const ImVec2 pos((display.x - size.x * scale) * 0.5f, 12);
        dl->AddRectFilled(ImVec2(pos.x - 12, pos.y - 4), ImVec2(pos.x + size.x * scale + 12, pos.y + size.y * scale + 6),
                          IM_COL32(20, 22, 28, 200), 5.0f);
        dl->AddText(ImGui::GetFont(), ImGui::GetFontSize() * scale, pos, IM_COL32(255, 255, 255, 255), text);
    }

    void panel(PanelContext& ctx) override {
        const double n = growth_->population();
        ImGui::Text("Year %.1f   N = %s   growth %.2f%%/y", start_year_ + growth_->t_years(), format_people(n).c_str(),
                    100 * growth_->growth_rate() / std::max(n, 1.0));
        const double ts = growth_->next_singularity_years();
        if (std::isfinite(ts))
            ImGui::Text("Singularity of this cycle: year %.1f (innovation %.0f years before)", start_year_ + ts,
                        ctx.params.number("city.innovation_margin_y"));
        else
            ImGui::TextUnformatted("No finite-time singularity in this cycle");
        ImGui::Text("Built %.1f km2, roads %.0f km, heat island %.1f K", built_km2(), road_km(), heat_island_k_);
        ImGui::Text("Demand %.0f MW (air conditioning %.0f MW) at %.1f C%s; grid serves %.0f%%", ports_.demand_mw(),
                    ports_.cooling_mw(), ports_.air_temp_c(), ports_.weather_coupled() ? " (weather)" : " (city.air_temp_c)",
                    100 * ports_.served_fraction());
        if (ports_.flood_seen()) {
            const FloodImpact& f = ports_.flood_impact();
            const bool wet = f.flooded_cells > 0;
            ImGui::TextColored(wet ? ImVec4(1, 0.4f, 0.3f, 1) : ImVec4(0.7f, 0.8f, 0.9f, 1),
                               "Flood: %zu of %zu built cells in its reach under water, %s people in the hazard zone "
                               "(worst so far: %zu cells, %s)",
                               f.flooded_cells, f.exposed_cells, format_people(f.people_in_hazard).c_str(), f.worst_flooded,
                               format_people(f.worst_people).c_str());
        }
        if (ImGui::Button("Innovate now")) growth_->innovate();

        // N(t) with the innovations marked.
        std::vector<double> years, pops;
        for (const Row& r : rows_) {
            years.push_back(r.year);
            pops.push_back(r.n / 1e6);
        }
        engine::PlotSpec spec;
        spec.title = "Population";
        spec.x_label = "year";
        spec.y_label = "N";
        spec.y_unit = "millions";
        spec.y_from_zero = true;
        spec.size = ImVec2(ImGui::GetContentRegionAvail().x, 160);
        std::vector<engine::Series> series = {{"N(t)", IM_COL32(120, 200, 250, 255), years, pops}};
        const double top = pops.empty() ? 1.0 : *std::max_element(pops.begin(), pops.end());
        for (const Innovation& inv : growth_->innovations()) {
            series.push_back({"", IM_COL32(250, 180, 60, 220), {start_year_ + inv.t_years, start_year_ + inv.t_years},
                              {0.0, top}});
            // The singularity it averted, where it falls inside the plotted years.
            const double ts = start_year_ + inv.singularity_t_years;
            if (!years.empty() && ts <= years.back())
                series.push_back({"", IM_COL32(230, 70, 70, 220), {ts, ts}, {0.0, top}});
        }
        engine::plot_series("city_population", spec, series);
        if (!growth_->innovations().empty())
            ImGui::TextDisabled("orange: innovations; red: the singularities they averted (when in range)");

        // Log-log: every quantity relative to its value at the start, against N / N0.
        engine::PlotSpec ll;
        ll.title = "Scaling: log10(Y / Y(N0)) against log10(N / N0)";
        ll.x_label = "log10 N/N0";
        ll.y_label = "log10 Y/Y0";
        ll.size = ImVec2(ImGui::GetContentRegionAvail().x, 230);
        std::vector<engine::Series> ls;
        const double n0 = rows_.empty() ? 1 : rows_.front().n;
        const ImU32 colors[] = {IM_COL32(250, 120, 90, 255), IM_COL32(120, 220, 120, 255), IM_COL32(120, 170, 250, 255),
                                IM_COL32(230, 230, 120, 255)};
        // Every imposed quantity (coloured by kind; its name and beta in the table below), and the emergent
        // measures with their fitted lines (dashed look: drawn thinner and lighter).
        const std::map<std::string, ImU32> by_kind = {{"socio-economic", colors[0]}, {"individual", colors[1]},
                                                      {"infrastructure", colors[2]}, {"metabolic", colors[3]}};
        std::map<std::string, bool> labelled;
        for (const ScalingLaw& law : laws_) {
            const double beta = beta_of(law, ctx.params);
            auto it = by_kind.find(law.kind);
            const bool first = !labelled[law.kind];
            labelled[law.kind] = true;
            engine::Series s{first ? law.kind : "", it == by_kind.end() ? colors[0] : it->second, {}, {}};
            for (const Row& r : rows_) {
                s.x.push_back(std::log10(r.n / n0));
                s.y.push_back(beta * std::log10(r.n / n0));
            }
            ls.push_back(s);
        }
        const double a0 = rows_.empty() ? 1 : std::max<double>(rows_.front().built, 1);
        engine::Series area{"built area (imposed, N^(1-d))", IM_COL32(255, 255, 255, 255), {}, {}};
        for (const Row& r : rows_) {
            area.x.push_back(std::log10(r.n / n0));
            area.y.push_back(std::log10(std::max<double>(r.built, 1) / a0));
        }
        const std::vector<FitRow> fitted = fits(ctx.params);
        for (const FitRow& f : fitted)
            if (f.name == "built area *" && std::isfinite(f.fit.beta) && !area.x.empty()) {
                // The fit passes through the data's centroid: y = beta x + c, drawn over the data's range.
                double mx = 0, my = 0;
                for (size_t i = 0; i < area.x.size(); ++i) mx += area.x[i], my += area.y[i];
                mx /= area.x.size();
                my /= area.y.size();
                ls.push_back(area);
                ls.push_back({"fit: area ~ N^" + format_beta(f.fit.beta), IM_COL32(200, 200, 200, 140),
                              {area.x.front(), area.x.back()},
                              {my + f.fit.beta * (area.x.front() - mx), my + f.fit.beta * (area.x.back() - mx)}});
            }
        engine::plot_series("city_loglog", ll, ls);

        // Fits and per-doubling changes.
        if (ImGui::BeginTable("fits", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
            ImGui::TableSetupColumn("quantity");
            ImGui::TableSetupColumn("imposed");
            ImGui::TableSetupColumn("fitted");
            ImGui::TableSetupColumn("r2");
            ImGui::TableSetupColumn("per cap./doubling");
            ImGui::TableHeadersRow();
            for (const FitRow& f : fits(ctx.params)) {
                ImGui::TableNextRow();
                ImGui::TableSetColumnIndex(0);
                ImGui::TextUnformatted(f.name.c_str());
                ImGui::TableSetColumnIndex(1);
                if (std::isfinite(f.imposed)) ImGui::Text("%.3f", f.imposed); else ImGui::TextUnformatted("-");
                ImGui::TableSetColumnIndex(2);
                if (std::isfinite(f.fit.beta)) ImGui::Text("%.3f", f.fit.beta); else ImGui::TextUnformatted("-");
                ImGui::TableSetColumnIndex(3);
                if (std::isfinite(f.fit.r2)) ImGui::Text("%.4f", f.fit.r2); else ImGui::TextUnformatted("-");
                ImGui::TableSetColumnIndex(4);
                const double beta = std::isfinite(f.imposed) ? f.imposed : f.fit.beta;
                if (std::isfinite(beta)) ImGui::Text("%+.1f%%", 100 * per_capita_change_per_doubling(beta));
            }
            ImGui::EndTable();
        }
        ImGui::TextWrapped("* emergent from the automaton's geometry, fitted over the run; theory (Bettencourt 2013): "
                           "networks ~ N^(5/6). The built area is imposed: the automaton grows to the land the "
                           "population demands, N^(1 - densification) (2/3 by default), so its fit only checks that. "
                           "Imposed laws are refitted as a check.");
    }

    std::vector<Metric> metrics() const override {
        return {{"population", "people", growth_->population()},
                {"built area", "km2", built_km2()},
                {"road length", "km", road_km()},
                {"heat island", "K", heat_island_k_},
                {"innovations", "", double(growth_->innovations().size())},
                {"demand", "MW", ports_.demand_mw()},
                {"served", "%", 100 * ports_.served_fraction()}};
    }

    void export_results(const std::filesystem::path& dir, double t_s, const ParamStore& params) override {
        const ParamStore* p = &params;
        const HeatIslandRegion region = params.text("city.heat_island_region") == "europe" ? HeatIslandRegion::Europe
                                                                                           : HeatIslandRegion::NorthAmerica;
        std::ofstream pop(dir / "population.csv");
        pop << std::setprecision(10) << "year,N,built_cells,street_km,cable_km,heat_island_k";
        for (const ScalingLaw& law : laws_) pop << ',' << slug(law.name) << (law.unit.empty() ? "" : "_" + slug(law.unit));
        pop << '\n';
        for (const Row& r : rows_) {
            pop << r.year << ',' << r.n << ',' << r.built << ',' << r.roads * cell_m_ / 1000 << ','
                << cable_km(r.built, r.roads) << ',' << heat_island_max_k(r.n, region);
            for (const ScalingLaw& law : laws_) {
                ScalingLaw l = law;
                if (p) l.beta = beta_of(law, *p);
                pop << ',' << evaluate(l, r.n);
            }
            pop << '\n';
        }
        for (const Snapshot& s : snapshots_) {
            char name[48];
            std::snprintf(name, sizeof name, "landuse_%04d.asc", int(std::lround(s.year)));
            write_landuse(dir / name, s.grid);
        }
        std::ofstream fit(dir / "scaling_fit.csv");
        fit << std::setprecision(10) << "quantity,imposed_beta,fitted_beta,r2\n";
        if (p)
            for (const FitRow& f : fits(*p))
                fit << f.name << ',' << (std::isfinite(f.imposed) ? std::to_string(f.imposed) : std::string("")) << ','
                    << f.fit.beta << ',' << f.fit.r2 << '\n';
    }

    std::vector<BenchKernel> bench_kernels(engine::Context& gpu) override;

private:
    static constexpr uint32_t kLogSlots = 8192;
    struct PendingRow {
        uint32_t slot;
        double year, n;
    };
    struct Snapshot {
        double year;
        std::vector<uint32_t> grid;
    };
    struct SnapshotCopy {
        double year;
        engine::Buffer buffer;
    };
    struct FitRow {
        std::string name;
        double imposed;
        Fit fit;
    };

    static GrowthParams params_of(const ParamStore& p) {
        return {p.number("city.a"), p.number("city.b"), p.number("city.beta")};
    }
    static std::string format_people(double n) {
        char buf[32];
        if (n >= 1e6) std::snprintf(buf, sizeof buf, "%.2f million", n / 1e6);
        else if (n >= 1e4) std::snprintf(buf, sizeof buf, "%.0f thousand", n / 1e3);
        else std::snprintf(buf, sizeof buf, "%.0f", n);
        return buf;
    }
    static std::string format_beta(double b) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%.2f", b);
        return buf;
    }
    double night_factor(double t_s) const {
        double elevation = 0;
        sun_direction(lighting_epoch(start_epoch_, t_s, speed_), latitude_, longitude_, &elevation);
        return std::clamp((2.0 - elevation) / 8.0, 0.0, 1.0);
    }
    double built_km2() const {
        return rows_.empty() ? 0.0 : rows_.back().built * cell_m_ * cell_m_ / 1e6;
    }
    double road_km() const { return rows_.empty() ? 0.0 : rows_.back().roads * cell_m_ / 1000; }
    // Cable: medium-voltage feeders along every road cell, plus a low-voltage run through half of each built cell.
    double cable_km(uint32_t built, uint32_t roads) const { return (roads + 0.5 * built) * cell_m_ / 1000; }

    std::vector<FitRow> fits(const ParamStore& p) const {
        std::vector<FitRow> out;
        std::vector<double> n, built, road, cable;
        for (const Row& r : rows_) {
            n.push_back(r.n);
            built.push_back(r.built * cell_m_ * cell_m_ / 1e6);
            road.push_back(r.roads * cell_m_ / 1000);
            cable.push_back(cable_km(r.built, r.roads));
        }
        auto safe_fit = [](const std::vector<double>& x, const std::vector<double>& y) {
            try {
                return fit_power_law(x, y);
            } catch (const std::exception&) {
                return Fit{std::nan(""), std::nan(""), std::nan(""), 0};
            }
        };
        for (const ScalingLaw& law : laws_) {
            ScalingLaw l = law;
            l.beta = beta_of(law, p);
            std::vector<double> y;
            for (double v : n) y.push_back(evaluate(l, v));
            out.push_back({law.name, l.beta, safe_fit(n, y)});
        }
        // Built area is imposed: the automaton grows until it matches the land the population demands,
        // N^(1 - densification), so its fitted exponent restates that input. Streets and cables emerge.
        out.push_back({"built area (imposed)", 1.0 - p.number("city.densification"), safe_fit(n, built)});
        out.push_back({"street length *", std::nan(""), safe_fit(n, road)});
        out.push_back({"cable length *", std::nan(""), safe_fit(n, cable)});
        return out;
    }

    void write_landuse(const std::filesystem::path& path, const std::vector<uint32_t>& grid) const {
        // ESRI ASCII grid, rows north to south. 0 open land, 1 built, 2 road, 3 water, NODATA outside the world.
        std::ofstream out(path);
        out << std::setprecision(10) << "ncols " << n_ << "\nnrows " << n_ << "\nxllcorner " << x0_ - cell_m_ / 2
            << "\nyllcorner " << y0_ - cell_m_ / 2 << "\ncellsize " << cell_m_ << "\nNODATA_value -9999\n";
        for (int j = int(n_) - 1; j >= 0; --j) {
            for (uint32_t i = 0; i < n_; ++i) {
                uint32_t s = grid[size_t(j) * n_ + i];
                int code = (s & CA_EXCLUDED) ? -9999 : (s & CA_ROAD) ? 2 : (s & CA_URBAN) ? 1 : (s & CA_WATER) ? 3 : 0;
                out << (i ? " " : "") << code;
            }
            out << '\n';
        }
    }

    void record_generation(VkCommandBuffer cmd, const CaRates& r, uint32_t generation) {
        const CaPush push = make_ca_push(n_, n_, generation, seed_, r);
        if (stats_dirty_) record_stats(cmd);  // the built count this generation's demand is measured against
        stats_.use(cmd, engine::Access::ComputeRead);
        slope_.use(cmd, engine::Access::ComputeRead);
        near_new_.use(cmd, engine::Access::TransferDst);
        vkCmdFillBuffer(cmd, near_new_.handle(), 0, VK_WHOLE_SIZE, 0);
        for (int pass = 0; pass < 3; ++pass) {
            near_new_.use(cmd, pass == 0 ? engine::Access::ComputeWrite : engine::Access::ComputeRead);
            state_[current_].use(cmd, engine::Access::ComputeRead);
            state_[1 - current_].use(cmd, engine::Access::ComputeWrite);
            ca_[pass].bind(cmd, ca_sets_[pass][current_]);
            ca_[pass].push(cmd, push);
            engine::dispatch_2d(cmd, n_, n_, CA_LOCAL_X, CA_LOCAL_Y);
            current_ = 1 - current_;
        }
        stats_dirty_ = true;
    }

    void record_stats(VkCommandBuffer cmd) {
        stats_.use(cmd, engine::Access::TransferDst);
        vkCmdFillBuffer(cmd, stats_.handle(), 0, sizeof(GpuStats), 0);
        stats_.use(cmd, engine::Access::ComputeWrite);
        state_[current_].use(cmd, engine::Access::ComputeRead);
        StatsPush sp{glm::vec4(x0_, y0_, cell_m_, 0), glm::vec4(centre_[0], centre_[1], density_decay_m_, 0), n_, n_, 0, 0};
        stats_pipe_.bind(cmd, stats_sets_[current_]);
        stats_pipe_.push(cmd, sp);
        engine::dispatch_2d(cmd, n_, n_, 16, 16);
        stats_dirty_ = false;
    }


    engine::Context* gpu_ = nullptr;
    const engine::ColormapTables* colormaps_ = nullptr;
    uint32_t n_ = 0, seed_ = 0, initial_built_ = 1;
    double cell_m_ = 1, x0_ = 0, y0_ = 0, start_year_ = 0, start_epoch_ = 0, latitude_ = 0, longitude_ = 0;
    std::array<double, 2> centre_{0, 0};
    float residents_per_storey_ha_ = 30;  // residents per storey on a hectare of footprint
    float density_decay_m_ = 2500, density_max_ = 250, night_ = 0;
    CityPorts ports_;
    DemandParams demand_;
    double utc_offset_h_ = 0, n0_ = 1;
    glm::mat4 view_proj_{1.0f};
    bool view_ready_ = false;
    const engine::Heightfield* terrain_ = nullptr;
    std::unique_ptr<GrowthModel> growth_;
    GrowthParams applied_;  // the scene/panel values last given to the model
    std::vector<ScalingLaw> laws_;
    std::vector<float> ground_;
    std::array<engine::Buffer, 2> state_;
    engine::Buffer slope_, ground_buffer_, stats_, stats_log_, lut_, near_new_;
    std::array<engine::Buffer, engine::kFramesInFlight> state_readback_;
    std::array<bool, engine::kFramesInFlight> readback_pending_{};
    std::vector<uint32_t> host_state_;
    int current_ = 0;
    uint64_t generations_ = 0, log_next_ = 0;
    bool stats_dirty_ = false, draws_ = true;
    std::unique_ptr<engine::DescriptorAllocator> descriptors_;
    std::array<engine::Pipeline, 3> ca_;
    std::array<std::array<VkDescriptorSet, 2>, 3> ca_sets_{};
    engine::Pipeline stats_pipe_, inst_pipe_;
    std::array<VkDescriptorSet, 2> stats_sets_{}, inst_sets_{};
    std::array<std::unique_ptr<engine::GpuMesh>, 3> meshes_;  // house, block, high-rise
    std::array<engine::InstanceBatch, 3> buildings_;
    engine::InstanceBatch surface_;
    engine::Buffer indirect_;  // four VkDrawIndexedIndirectCommands: houses, blocks, high-rises, surface
    std::array<VkDrawIndexedIndirectCommand, 4> draw_template_{};
    bool instances_ready_ = false;
    std::vector<PendingRow> pending_rows_;
    std::vector<Row> rows_;
    std::vector<Snapshot> snapshots_;
    std::vector<SnapshotCopy> snapshot_copies_;
    double speed_ = 1;
    double next_export_y_ = 0, export_every_y_ = 25, heat_island_k_ = 0;
    std::string colormap_name_ = "viridis", uploaded_colormap_;
};

std::vector<BenchKernel> CityModule::bench_kernels(engine::Context& gpu) {
    // One automaton generation (three passes) on square grids with 10% built land and a road grid, independent
    // of any scene. Bytes: each pass reads and writes the state once and reads the slope weights.
    struct State {
        engine::Pipeline passes[3];
        std::unique_ptr<engine::DescriptorAllocator> descriptors;
        engine::Buffer a, b, slope, stats, near_new;
        VkDescriptorSet sets[3][2]{};
        uint32_t n = 0, generation = 0;
        int current = 0;
    };
    std::vector<BenchKernel> out;
    const std::vector<engine::Binding> bindings = {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                   {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                   {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                   {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                   {4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT}};
    const char* shaders[3] = {"city/ca_spontaneous.comp", "city/ca_spread.comp", "city/ca_roads.comp"};
    for (uint32_t n : {512u, 1024u, 2048u}) {
        auto st = std::make_shared<State>();
        st->n = n;
        const size_t cells = size_t(n) * n;
        std::vector<uint32_t> grid(cells, 0);
        for (size_t k = 0; k < cells; ++k) {
            const uint32_t i = uint32_t(k % n), j = uint32_t(k / n);
            if (i % 8 == 0 || j % 8 == 0) grid[k] = CA_ROAD;
            else if (ca_random(1, 0, uint32_t(k), 0) < 0.1f) grid[k] = CA_URBAN;
        }
        std::vector<float> slope(cells, 0.9f);
        st->a = engine::Buffer(gpu, cells * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "bench city a");
        st->b = engine::Buffer(gpu, cells * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "bench city b");
        st->slope = engine::Buffer(gpu, cells * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "bench slope");
        st->a.upload(grid.data(), cells * 4);
        st->slope.upload(slope.data(), cells * 4);
        st->stats = engine::Buffer(gpu, sizeof(GpuStats), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "bench stats");
        st->near_new = engine::Buffer(gpu, cells * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "bench near new");
        GpuStats none{0, 0, 0, 0};  // nothing built: the rules run at full rate
        st->stats.upload(&none, sizeof(none));
        st->descriptors = std::make_unique<engine::DescriptorAllocator>(gpu);
        for (int p = 0; p < 3; ++p) {
            st->passes[p] = engine::Pipeline::compute(gpu, shaders[p], bindings, sizeof(CaPush), shaders[p]);
            for (int from = 0; from < 2; ++from) {
                st->sets[p][from] = st->descriptors->allocate(st->passes[p].set_layout());
                engine::DescriptorWriter()
                    .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, from ? st->b : st->a)
                    .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, from ? st->a : st->b)
                    .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->slope)
                    .buffer(3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->stats)
                    .buffer(4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, st->near_new)
                    .write(gpu.device(), st->sets[p][from]);
            }
        }
        BenchKernel k;
        k.name = "city.automaton (" + std::to_string(n) + "^2)";
        k.item_unit = "generations";
        k.items = 1;
        k.bytes = 3.0 * cells * 12 + cells * 4.0;  // three passes of state in/out and slope, plus the near-new mask
        k.record = [st](VkCommandBuffer cmd) {
            const CaRates r = ca_rates(SleuthCoefficients{}, st->n, st->n, 8);
            const CaPush push = make_ca_push(st->n, st->n, st->generation++, 7u, r);
            st->slope.use(cmd, engine::Access::ComputeRead);
            st->stats.use(cmd, engine::Access::ComputeRead);
            st->near_new.use(cmd, engine::Access::TransferDst);
            vkCmdFillBuffer(cmd, st->near_new.handle(), 0, VK_WHOLE_SIZE, 0);
            for (int p = 0; p < 3; ++p) {
                st->near_new.use(cmd, p == 0 ? engine::Access::ComputeWrite : engine::Access::ComputeRead);
                engine::Buffer& in = st->current ? st->b : st->a;
                engine::Buffer& out = st->current ? st->a : st->b;
                in.use(cmd, engine::Access::ComputeRead);
                out.use(cmd, engine::Access::ComputeWrite);
                st->passes[p].bind(cmd, st->sets[p][st->current]);
                st->passes[p].push(cmd, push);
                engine::dispatch_2d(cmd, st->n, st->n, CA_LOCAL_X, CA_LOCAL_Y);
                st->current = 1 - st->current;
            }
        };
        out.push_back(k);
    }
    return out;
}

}  // namespace

std::unique_ptr<Module> create() { return std::make_unique<CityModule>(); }

}  // namespace infrascape::city
