// The example module; see example_module.hpp and src/modules/README.md.
#include "modules/example/example_module.hpp"

#include <imgui.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <random>

#include "context.hpp"
#include "gpu_timer.hpp"
#include "mesh.hpp"
#include "modules/example/diffusion_reference.hpp"
#include "pipeline.hpp"
#include "resources.hpp"
#include "shader_types.hpp"
#include "ui_widgets.hpp"
#include "world_renderer.hpp"

namespace infrascape::example {

namespace {

struct DiffusePush {
    uint32_t nx, ny;
    float dt_s, r, cooling;
};
struct ColorPush {
    glm::vec4 origin_spacing;
    uint32_t nx, ny, count, pad;
    float max_k;
};

BlockSpec example_block() {
    BlockSpec b{"example", "Heat diffusion over the terrain: the example module of the module interface", {}};
    auto num = [&](std::string key, std::string unit, double lo, double hi, double def, std::string help) {
        b.params.push_back(number_param(std::move(key), std::move(unit), lo, hi, def, std::move(help)));
    };
    auto integer = [&](std::string key, double lo, double hi, double def, std::string help) {
        b.params.push_back(integer_param(std::move(key), lo, hi, def, std::move(help)));
    };
    integer("cells", 16, 1024, 128, "grid cells per side of the heat field");
    integer("sources", 0, 256, 8, "number of heat-releasing sites");
    integer("buildings", 0, 100000, 1500, "buildings placed around the sites");
    num("diffusivity_m2_per_s", "m2/s", 0, 1e5, 800, "effective horizontal diffusivity of the heat anomaly");
    num("heating_k_per_h", "K/h", 0, 1e4, 30, "heating rate at the centre of each site");
    num("cooling_per_h", "1/h", 0, 100, 0.6, "Newtonian cooling rate toward the ambient");
    num("site_radius_m", "m", 1, 1e5, 150, "radius (1 sigma) of each site's heating");
    b.params.push_back(choice_param("colormap", {"viridis", "inferno", "turbo", "cividis"}, "inferno",
                                    "colormap of the heat overlay"));
    num("max_k", "K", 0.01, 1e4, 8, "top of the colour scale");
    num("opacity", "", 0, 1, 0.8, "opacity of the heat overlay");
    return b;
}

class ExampleModule final : public Module {
public:
    std::string name() const override { return "example"; }
    std::string title() const override { return "Heat diffusion (example)"; }
    BlockSpec block() const override { return example_block(); }

    void attach(AttachContext& ctx) override {
        gpu_ = &ctx.gpu;
        world_ = &ctx.world;
        const ParamStore& p = ctx.params;
        n_ = uint32_t(p.number("example.cells"));
        const double extent = ctx.info.extent_m;
        dx_ = extent / n_;
        x0_ = -extent / 2 + dx_ / 2;
        y0_ = x0_;
        const size_t cells = size_t(n_) * n_;

        // Sites and buildings, deterministic for the scene's seed.
        std::mt19937_64 rng(ctx.info.seed * 7919 + 17);
        std::uniform_real_distribution<double> uni(-0.35 * extent, 0.35 * extent);
        std::normal_distribution<double> spread(0, 1);
        sites_.clear();
        for (int s = 0; s < int(p.number("example.sources")); ++s) sites_.push_back({uni(rng), uni(rng)});
        const double radius = p.number("example.site_radius_m");

        unit_source_.assign(cells, 0.0f);
        for (uint32_t j = 0; j < n_; ++j)
            for (uint32_t i = 0; i < n_; ++i) {
                double x = x0_ + i * dx_, y = y0_ + j * dx_, sum = 0;
                for (auto& s : sites_) {
                    double r2 = (x - s[0]) * (x - s[0]) + (y - s[1]) * (y - s[1]);
                    sum += std::exp(-r2 / (2 * radius * radius));
                }
                unit_source_[size_t(j) * n_ + i] = float(sum);
            }

        const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
        for (int k = 0; k < 2; ++k) {
            field_[k] = engine::Buffer(*gpu_, cells * 4, storage, engine::MemoryKind::Device, "example field");
            std::vector<float> zeros(cells, 0.0f);
            field_[k].upload(zeros.data(), cells * 4);
        }
        source_ = engine::Buffer(*gpu_, cells * 4, storage, engine::MemoryKind::Device, "example source");
        for (auto& rb : readback_)
            rb = engine::Buffer(*gpu_, cells * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT, engine::MemoryKind::Readback,
                                "example readback");
        host_field_.assign(cells, 0.0f);
        upload_source(p);

        diffuse_ = engine::Pipeline::compute(*gpu_, "example/diffuse.comp",
                                             {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                              {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                              {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT}},
                                             sizeof(DiffusePush), "example diffuse");
        descriptors_ = std::make_unique<engine::DescriptorAllocator>(*gpu_);
        for (int k = 0; k < 2; ++k) {
            sets_[k] = descriptors_->allocate(diffuse_.set_layout());
            engine::DescriptorWriter()
                .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, field_[k])
                .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, field_[1 - k])
                .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, source_)
                .write(gpu_->device(), sets_[k]);
        }

        // Buildings: clustered around the sites, standing on the terrain.
        const uint32_t buildings = uint32_t(p.number("example.buildings"));
        std::vector<engine::Instance> instances;
        instances.reserve(buildings);
        for (uint32_t b = 0; b < buildings && !sites_.empty(); ++b) {
            const auto& s = sites_[b % sites_.size()];
            double x = s[0] + spread(rng) * radius * 1.6, y = s[1] + spread(rng) * radius * 1.6;
            double ground = ctx.info.terrain ? ctx.info.terrain->sample(x, y) : 0.0;
            double d = std::hypot(x - s[0], y - s[1]) / radius;
            double height = 6 + 40 * std::exp(-d * d) * (0.5 + std::abs(spread(rng)) * 0.5);
            double w = 10 + 8 * std::abs(spread(rng));
            engine::Instance inst;
            inst.position_yaw = glm::vec4(x, y, ground - 1.0, std::fmod(std::abs(spread(rng)), 1.0) * 0.6);
            inst.scale = glm::vec4(w, w * (0.8 + 0.4 * std::abs(spread(rng))), height, 0);
            inst.color = glm::vec4(0.42f, 0.42f, 0.44f, 0.0f);
            instances.push_back(inst);
        }
        if (!instances.empty()) {
            building_mesh_ = std::make_unique<engine::GpuMesh>(
                *gpu_, engine::load_model(ctx.info.asset_dir / "models/building.obj"), "building mesh");
            buildings_.mesh = building_mesh_.get();
            buildings_.upload(*gpu_, instances, "example buildings");
            color_ = engine::Pipeline::compute(*gpu_, "example/color_instances.comp",
                                               {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
                                                {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT}},
                                               sizeof(ColorPush), "example colour buildings");
        }
        bind_overlay();
    }

    void publish(OutputBus& bus) override {
        bus.publish_field("example.temperature_anomaly_k", "K", "heat anomaly over the ambient at a map point",
                          [this](double x, double y) { return sample_host(x, y); });
        bus.publish_scalar("example.max_anomaly_k", "K", "largest heat anomaly on the grid",
                           [this] { return stats_max_; });
    }

    void step(StepContext& ctx) override {
        const ParamStore& p = ctx.params;
        if (p.number("example.heating_k_per_h") != uploaded_heating_) upload_source(p, ctx.cmd);
        const double d = p.number("example.diffusivity_m2_per_s");
        // An even number of substeps leaves the result in field_[0], the buffer the overlay and the
        // building colours are bound to, so no descriptor changes per frame.
        uint32_t sub = stable_substeps(ctx.dt_s, dx_, d);
        sub += sub % 2;
        DiffusePush push{n_, n_, float(ctx.dt_s / sub), float(d / (dx_ * dx_)),
                         float(p.number("example.cooling_per_h") / 3600.0)};
        if (ctx.timer) ctx.timer->begin(ctx.cmd, "example.diffuse");
        source_.use(ctx.cmd, engine::Access::ComputeRead);
        for (uint32_t s = 0; s < sub; ++s) {
            field_[current_].use(ctx.cmd, engine::Access::ComputeRead);
            field_[1 - current_].use(ctx.cmd, engine::Access::ComputeWrite);
            diffuse_.bind(ctx.cmd, sets_[current_]);
            diffuse_.push(ctx.cmd, push);
            engine::dispatch_2d(ctx.cmd, n_, n_, 16, 16);
            current_ = 1 - current_;
        }
        if (ctx.timer) ctx.timer->end(ctx.cmd);
        dirty_ = true;
        slot_ = ctx.slot;
        t_s_ = ctx.t_s + ctx.dt_s;
        max_k_ = float(p.number("example.max_k"));
        world_->overlay_style.max = max_k_;
        world_->overlay_style.min = 0;
        world_->overlay_style.opacity = float(p.number("example.opacity"));
        engine::colormap_from_name(p.text("example.colormap"), world_->overlay_style.colormap);
    }

    void before_draw(FrameInfo& frame) override {
        VkCommandBuffer cmd = frame.cmd;
        if (dirty_) {
            // Copy the latest field for CPU readers (outputs, metrics, exports); read after the frame's fence.
            engine::Buffer& rb = readback_[slot_ % readback_.size()];
            field_[current_].use(cmd, engine::Access::TransferSrc);
            rb.use(cmd, engine::Access::TransferDst);
            VkBufferCopy region{0, 0, field_[current_].size()};
            vkCmdCopyBuffer(cmd, field_[current_].handle(), rb.handle(), 1, &region);
            rb.use(cmd, engine::Access::HostRead);
            pending_[slot_ % readback_.size()] = t_s_;
            dirty_ = false;
        }
        if (buildings_.count) {
            ColorPush cp{glm::vec4(x0_, y0_, dx_, dx_), n_, n_, buildings_.count, 0, max_k_};
            field_[current_].use(cmd, engine::Access::ComputeRead);
            buildings_.instances.use(cmd, engine::Access::ComputeWrite);
            color_.bind(cmd, color_set_for(current_));
            color_.push(cmd, cp);
            vkCmdDispatch(cmd, (buildings_.count + 63) / 64, 1, 1);
            engine::WorldRenderer::prepare_instances(cmd, buildings_);
        }
        world_->prepare_overlay(cmd);
    }

    void frame_complete(uint32_t slot) override {
        const size_t k = slot % readback_.size();
        if (pending_[k] < 0) return;
        readback_[k].invalidate();
        std::memcpy(host_field_.data(), readback_[k].mapped(), host_field_.size() * 4);
        host_time_s_ = pending_[k];
        pending_[k] = -1;
        double sum = 0, mx = 0;
        for (float v : host_field_) {
            sum += v;
            mx = std::max(mx, double(v));
        }
        stats_mean_ = sum / host_field_.size();
        stats_max_ = mx;
        if (series_t_.empty() || host_time_s_ >= series_t_.back() + sample_interval()) {
            series_t_.push_back(host_time_s_);
            series_mean_.push_back(stats_mean_);
            series_max_.push_back(stats_max_);
        }
    }

    void draw(DrawContext& ctx) override { ctx.world.draw_instances(ctx.cmd, ctx.push, buildings_); }

    void overlay(OverlayContext& ctx) override {
        engine::LegendSpec legend;
        legend.quantity = "Heat anomaly";
        legend.unit = "K";
        legend.min = 0;
        legend.max = ctx.params.number("example.max_k");
        engine::colormap_from_name(ctx.params.text("example.colormap"), legend.colormap);
        engine::draw_legend(legend, ctx.colormaps);
    }

    void panel(PanelContext& ctx) override {
        ImGui::Text("Grid %u x %u, %.1f m cells, %zu sites", n_, n_, dx_, sites_.size());
        ImGui::Text("Mean anomaly %.3f K, max %.3f K", stats_mean_, stats_max_);
        engine::PlotSpec spec;
        spec.title = "Heat anomaly over time";
        spec.x_label = "time";
        spec.x_unit = "min";
        spec.y_label = "anomaly";
        spec.y_unit = "K";
        spec.y_from_zero = true;
        spec.size = ImVec2(ImGui::GetContentRegionAvail().x, 170);
        std::vector<double> minutes(series_t_.size());
        for (size_t i = 0; i < series_t_.size(); ++i) minutes[i] = series_t_[i] / 60.0;
        plot_series("example_plot", spec,
                    {{"max", IM_COL32(250, 140, 60, 255), minutes, series_max_},
                     {"mean", IM_COL32(120, 190, 250, 255), minutes, series_mean_}});
    }

    std::vector<Metric> metrics() const override {
        return {{"mean anomaly", "K", stats_mean_}, {"max anomaly", "K", stats_max_}};
    }

    void export_results(const std::filesystem::path& dir, double t_s, const ParamStore&) override {
        write_asc(dir / "temperature.asc");
        std::ofstream csv(dir / "series.csv");
        csv << "time_s,mean_k,max_k\n" << std::setprecision(9);
        for (size_t i = 0; i < series_t_.size(); ++i)
            csv << series_t_[i] << ',' << series_mean_[i] << ',' << series_max_[i] << '\n';
    }

    std::vector<BenchKernel> bench_kernels(engine::Context& gpu) override {
        // A 1024 x 1024 field, independent of the scene, so figures compare across runs and devices.
        const uint32_t n = 1024;
        const size_t bytes = size_t(n) * n * 4;
        auto state = std::make_shared<BenchState>();
        state->pipeline = engine::Pipeline::compute(
            gpu, "example/diffuse.comp",
            {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
             {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
             {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT}},
            sizeof(DiffusePush), "bench diffuse");
        state->descriptors = std::make_unique<engine::DescriptorAllocator>(gpu);
        for (auto& b : state->buffers) {
            b = engine::Buffer(gpu, bytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, engine::MemoryKind::Device, "bench");
            std::vector<float> ones(size_t(n) * n, 1.0f);
            b.upload(ones.data(), bytes);
        }
        state->set = state->descriptors->allocate(state->pipeline.set_layout());
        engine::DescriptorWriter()
            .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, state->buffers[0])
            .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, state->buffers[1])
            .buffer(2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, state->buffers[2])
            .write(gpu.device(), state->set);
        BenchKernel k;
        k.name = "example.diffuse (1024^2)";
        k.item_unit = "cell updates";
        k.items = double(n) * n;
        k.bytes = 3.0 * bytes;  // read T and S, write T'
        k.record = [state, n](VkCommandBuffer cmd) {
            state->buffers[0].use(cmd, engine::Access::ComputeRead);
            state->buffers[2].use(cmd, engine::Access::ComputeRead);
            state->buffers[1].use(cmd, engine::Access::ComputeWrite);
            state->pipeline.bind(cmd, state->set);
            DiffusePush push{n, n, 0.1f, 1.0f, 0.0f};
            state->pipeline.push(cmd, push);
            engine::dispatch_2d(cmd, n, n, 16, 16);
        };
        return {k};
    }

private:
    struct BenchState {
        engine::Pipeline pipeline;
        std::unique_ptr<engine::DescriptorAllocator> descriptors;
        std::array<engine::Buffer, 3> buffers;
        VkDescriptorSet set = VK_NULL_HANDLE;
    };

    double sample_interval() const { return 10.0; }

    VkDescriptorSet color_set_for(int k) {
        if (!color_sets_[k]) {
            color_sets_[k] = descriptors_->allocate(color_.set_layout());
            engine::DescriptorWriter()
                .buffer(0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, field_[k])
                .buffer(1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, buildings_.instances)
                .write(gpu_->device(), color_sets_[k]);
        }
        return color_sets_[k];
    }

    void bind_overlay() {
        engine::OverlayDesc o;
        o.values = &field_[current_];
        o.nx = o.ny = n_;
        o.x0 = x0_;
        o.y0 = y0_;
        o.dx = o.dy = dx_;
        o.fade_in = 0.15f;  // an anomaly: transparent where there is none
        world_->set_overlay(o);
    }

    void upload_source(const ParamStore& p, VkCommandBuffer cmd = VK_NULL_HANDLE) {
        uploaded_heating_ = p.number("example.heating_k_per_h");
        std::vector<float> s(unit_source_.size());
        for (size_t k = 0; k < s.size(); ++k) s[k] = float(unit_source_[k] * uploaded_heating_ / 3600.0);
        if (cmd) {
            // Mid-frame change (panel or timeline): update through the command buffer, ordered with the kernels.
            source_.use(cmd, engine::Access::TransferDst);
            for (size_t off = 0; off < s.size(); off += 16384) {
                size_t count = std::min<size_t>(16384, s.size() - off);
                vkCmdUpdateBuffer(cmd, source_.handle(), off * 4, count * 4, s.data() + off);
            }
        } else {
            source_.upload(s.data(), s.size() * 4);
        }
    }

    double sample_host(double x, double y) const {
        double fx = (x - x0_) / dx_, fy = (y - y0_) / dx_;
        if (fx < -0.5 || fy < -0.5 || fx > n_ - 0.5 || fy > n_ - 0.5) return std::nan("");
        int i = std::clamp(int(std::lround(fx)), 0, int(n_) - 1), j = std::clamp(int(std::lround(fy)), 0, int(n_) - 1);
        return host_field_[size_t(j) * n_ + i];
    }

    void write_asc(const std::filesystem::path& path) const {
        // ESRI ASCII grid: rows from north to south; corners are cell edges.
        std::ofstream out(path);
        out << "ncols " << n_ << "\nnrows " << n_ << "\nxllcorner " << std::setprecision(10) << (x0_ - dx_ / 2)
            << "\nyllcorner " << (y0_ - dx_ / 2) << "\ncellsize " << dx_ << "\nNODATA_value -9999\n";
        out << std::setprecision(6);
        for (int j = int(n_) - 1; j >= 0; --j) {
            for (uint32_t i = 0; i < n_; ++i) out << (i ? " " : "") << host_field_[size_t(j) * n_ + i];
            out << '\n';
        }
    }

    engine::Context* gpu_ = nullptr;
    engine::WorldRenderer* world_ = nullptr;
    uint32_t n_ = 0;
    double dx_ = 1, x0_ = 0, y0_ = 0;
    std::vector<std::array<double, 2>> sites_;
    std::vector<float> unit_source_;
    double uploaded_heating_ = -1;
    std::array<engine::Buffer, 2> field_;
    engine::Buffer source_;
    std::array<engine::Buffer, engine::kFramesInFlight> readback_;
    std::array<double, engine::kFramesInFlight> pending_{-1, -1};
    std::vector<float> host_field_;
    double host_time_s_ = 0;
    int current_ = 0;
    bool dirty_ = false;
    uint32_t slot_ = 0;
    double t_s_ = 0;
    float max_k_ = 1;
    engine::Pipeline diffuse_, color_;
    std::unique_ptr<engine::DescriptorAllocator> descriptors_;
    std::array<VkDescriptorSet, 2> sets_{}, color_sets_{};
    std::unique_ptr<engine::GpuMesh> building_mesh_;
    engine::InstanceBatch buildings_;
    double stats_mean_ = 0, stats_max_ = 0;
    std::vector<double> series_t_, series_mean_, series_max_;
};

}  // namespace

std::unique_ptr<Module> create() { return std::make_unique<ExampleModule>(); }

}  // namespace infrascape::example
