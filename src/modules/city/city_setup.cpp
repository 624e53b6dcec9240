// The city module's set-up: the grid of cells over the terrain, roads, the seed town, GPU resources.
#include "modules/city/city_module_impl.hpp"

namespace infrascape::city {

void CityModule::attach(AttachContext& ctx) {
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
    centre_ = {p.number("city.centre_x_m"), p.number("city.centre_y_m")};
    if (p.text("city.position") == "lonlat") {
        const auto xy = ctx.info.lonlat(p.number("city.lat_deg"), p.number("city.lon_deg"));
        if (std::abs(xy[0]) > ctx.info.extent_m / 2 || std::abs(xy[1]) > ctx.info.extent_m / 2)
            throw ParamError("city.lat_deg", "'city.lat_deg', 'city.lon_deg': the centre is outside the world (" +
                                                 std::to_string(int(ctx.info.extent_m / 1000)) +
                                                 " km square around world.latitude_deg/longitude_deg)");
        centre_ = {xy[0], xy[1]};
    }
    x0_ = centre_[0] - (n_ - 1) * cell_m_ / 2;
    y0_ = centre_[1] - (n_ - 1) * cell_m_ / 2;

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
    constexpr size_t blocks = CityPorts::kServiceBlocks * CityPorts::kServiceBlocks;
    service_ = engine::Buffer(*gpu_, blocks * 8, storage | VK_BUFFER_USAGE_TRANSFER_DST_BIT, engine::MemoryKind::Device,
                              "city service blocks");
    std::vector<uint32_t> lit(blocks * 2, 0);
    std::fill(lit.begin(), lit.begin() + blocks, 0x3f800000u);  // every block served (1.0f), no bus (-1)
    std::fill(lit.begin() + blocks, lit.end(), 0xffffffffu);
    service_.upload(lit.data(), lit.size() * 4);
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
    for (uint32_t b = 0; b < 10; ++b) inst_bindings.push_back({b, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT});
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
            .buffer(9, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, service_)
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
    // Road and river slabs stand 0.3 m on the ground: the renderer keeps the terrain under the city within 0.25 m
    // of the true ground wherever the city spans more pixels than it has cells a side.
    const glm::dvec2 city_lo(x0_ - cell_m_, y0_ - cell_m_), city_hi(x0_ + n_ * cell_m_, y0_ + n_ * cell_m_);
    ctx.world.add_ground_detail({city_lo, city_hi, 0.25, double(n_)});
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

}  // namespace infrascape::city
