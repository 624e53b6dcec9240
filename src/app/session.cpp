// The running scene: simulation clock, frame recording and the overlay/panels; see session.hpp.
#include "app/session.hpp"

#include <imgui.h>

#include <algorithm>
#include <array>
#include <map>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "ui_widgets.hpp"
#include "window.hpp"

#ifndef INFRASCAPE_SOURCE_DIR
#define INFRASCAPE_SOURCE_DIR "."
#endif

namespace infrascape {

float render_scale_for(Quality q) { return q == Quality::Low ? 0.5f : q == Quality::Medium ? 0.75f : 1.0f; }

float parse_render_scale(const std::string& text) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(v >= engine::kMinRenderScale && v <= 1.0))
        throw std::invalid_argument("--render-scale must be a number from 0.25 to 1, not '" + text + "'");
    return float(v);
}

Quality parse_quality(const std::string& name) {
    if (name == "low") return Quality::Low;
    if (name == "medium") return Quality::Medium;
    if (name == "high") return Quality::High;
    throw std::invalid_argument("--quality must be low, medium or high, not '" + name + "'");
}

std::filesystem::path asset_dir() {
    if (const char* env = std::getenv("INFRASCAPE_ASSET_DIR")) return env;
    return std::filesystem::path(INFRASCAPE_SOURCE_DIR) / "assets";
}

std::filesystem::path default_scene_path() { return std::filesystem::path(INFRASCAPE_SOURCE_DIR) / "scenes/default.toml"; }

std::vector<BlockSpec> all_block_specs() {
    std::vector<BlockSpec> blocks = {world_block(), terrain_block()};
    for (const ModuleEntry& e : module_registry()) blocks.push_back(e.create()->block());
    return blocks;
}

Session::Session(const std::filesystem::path& scene_file, const SessionOptions& o)
    : scene_(load_scene(scene_file, all_block_specs())) {
    params_ = scene_.params;
    // The terrain block is always active, like the world block.
    if (!params_.has("terrain.kind")) params_.declare(terrain_block());
    world_ = world_settings(params_);
    // Without world.dt_s the clock steps at the smallest natural step of the scene's modules (a city alone:
    // a quarter of a year; a grid: its 5-minute operating points), not at the 1 s default.
    if (!scene_.positions.count("world.dt_s")) {
        double natural = std::numeric_limits<double>::infinity();
        for (const ModuleEntry& e : module_registry())
            for (const std::string& block : scene_.blocks) {
                if (block != e.name && block.rfind(std::string(e.name) + ":", 0) != 0) continue;
                auto m = e.create();
                ParamStore view;
                view.declare(m->block());
                view.copy_block(params_, block, e.name);
                if (auto s = m->natural_step_s(view)) natural = std::min(natural, *s);
            }
        if (std::isfinite(natural)) {
            params_.set("world.dt_s", natural);
            scene_.params.set("world.dt_s", natural);  // kept on restart
            world_.dt_s = natural;
        }
    }
    timeline_ = std::make_unique<Timeline>(scene_.timeline);

    engine::ContextOptions co;
    co.validation = o.validation;
    co.device_index = o.device;
    if (o.window) {
        co.instance_extensions = engine::Window::required_instance_extensions();
        co.swapchain = true;
    }
    gpu_ = std::make_unique<engine::Context>(co);
    colormaps_ = engine::load_colormaps(asset_dir() / "colormaps");

    terrain_ = generate_terrain(params_.text("terrain.kind"), world_.extent_m,
                                uint32_t(params_.number("terrain.vertices")), params_.number("terrain.relief_m"),
                                world_.seed);
    const bool software = gpu_->properties().deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
    const Quality quality = o.quality != Quality::Auto ? o.quality : software ? Quality::Medium : Quality::High;
    quality_ = quality;
    render_scale_ = o.render_scale > 0 ? o.render_scale : render_scale_for(quality);
    samples_ = engine::supported_samples(*gpu_, o.msaa ? o.msaa : (quality == Quality::High ? 4u : 1u));
    post_aa_ = quality == Quality::Medium && samples_ == 1;
    world_renderer_ = std::make_unique<engine::WorldRenderer>(*gpu_, VkSampleCountFlagBits(samples_), colormaps_);
    world_renderer_->terrain_tolerance_px = quality == Quality::Low ? 2.0 : quality == Quality::Medium ? 1.0 : 0.5;
    timer_ = std::make_unique<engine::GpuTimer>(*gpu_);
    if (o.render_targets) {
        target_ = std::make_unique<engine::RenderTarget>(*gpu_, o.width, o.height, VkSampleCountFlagBits(samples_), post_aa_);
        target_->set_render_scale(render_scale_);
        ui_ = std::make_unique<engine::UiLayer>(*gpu_, *target_, o.window, asset_dir() / "fonts/DejaVuSans.ttf");
    }

    info_.scene_dir = scene_.file.parent_path();
    info_.asset_dir = asset_dir();
    info_.terrain = &terrain_;
    info_.extent_m = world_.extent_m;
    info_.start_epoch_s = world_.start_epoch_s;
    info_.latitude_deg = world_.latitude_deg;
    info_.longitude_deg = world_.longitude_deg;
    info_.utc_offset_h = world_.utc_offset_h;
    info_.seed = world_.seed;
    try {
        projection_ = std::make_unique<Projection>(params_.text("world.crs"), world_.latitude_deg, world_.longitude_deg);
    } catch (const std::invalid_argument& e) {
        throw scene_.error_at("world.crs", std::string("'world.crs': ") + e.what());
    }
    info_.projection = projection_.get();
    draws_ = o.render_targets;
    interactive_ = o.interactive || o.window != nullptr;
    attach_modules();

    std::vector<engine::CameraKey> keys;
    for (const CameraKeyframe& k : scene_.camera) {
        engine::CameraKey key;
        key.t_s = k.t_s;
        key.state.position = {k.position[0], k.position[1], k.position[2]};
        key.state.target = {k.look_at[0], k.look_at[1], k.look_at[2]};
        key.state.fov_deg = k.fov_deg;
        key.ease = k.ease == Ease::Linear ? engine::EaseKind::Linear : engine::EaseKind::InOut;
        keys.push_back(key);
    }
    path_ = engine::CameraPath(keys);
    if (!path_.empty()) {
        camera_.set(path_.at(0));
    } else {
        engine::CameraState s;
        double e = world_.extent_m;
        s.target = {0, 0, terrain_.sample(0, 0)};
        s.position = s.target + glm::dvec3(0.45 * e, -0.55 * e, 0.38 * e);
        camera_.set(s);
    }
    for (size_t i = 0; i < keys.size() && i < camera_.bookmarks.size(); ++i) camera_.bookmarks[i] = keys[i].state;
    timeline_->advance(0.0, params_);
    update_lighting();
}

Session::~Session() {
    if (gpu_) vkDeviceWaitIdle(gpu_->device());
    modules_.clear();
    ui_.reset();
    target_.reset();
    timer_.reset();
    world_renderer_.reset();
}

uint32_t Session::advance_to(double target_s, VkCommandBuffer cmd, uint32_t slot, uint32_t max_steps) {
    // Whole steps only: the step count is a pure function of the requested time, so renders are exact.
    const uint64_t wanted = uint64_t(std::floor(target_s / world_.dt_s + 1e-9));
    uint32_t taken = 0;
    while (steps_ < wanted && taken < max_steps) {
        const double t = time_s();
        timeline_->advance(t, params_);
        if (t >= next_coupling_s_ - 1e-9 * std::max(1.0, t)) couple(t);
        // Multi-rate: a module whose natural step spans k world steps steps once every k, over those k
        // (at the end of them, so that it never runs ahead of the clock).
        for (size_t i = 0; i < modules_.size(); ++i) {
            const uint64_t k = strides_[i];
            if ((steps_ + 1) % k != 0) continue;
            StepContext sc{cmd, t - double(k - 1) * world_.dt_s, double(k) * world_.dt_s, slot, module_params(i), timer_.get()};
            engine::MemoryOwner owner(gpu_->memory(), modules_[i]->instance());
            modules_[i]->step(sc);
        }
        ++steps_;
        ++taken;
    }
    timeline_->advance(time_s(), params_);
    return taken;
}

ParamStore& Session::module_params(size_t i) {
    if (!views_[i]) return params_;
    views_[i]->copy_block(params_, modules_[i]->instance(), modules_[i]->name());
    return *views_[i];
}

void Session::module_params_changed(size_t i) {
    if (views_[i]) params_.copy_block(*views_[i], modules_[i]->name(), modules_[i]->instance());
}

bool Session::drag(const glm::dvec3& origin, const glm::dvec3& dir) {
    for (size_t i = 0; i < modules_.size(); ++i)
        if (modules_[i]->drag(origin, dir, module_params(i))) {
            module_params_changed(i);
            return true;
        }
    return false;
}

void Session::couple(double t_s) {
    couplings_.begin_step(t_s);
    // The world panel's story: the grid's system figures at each coupling step (a ring of the last 2000).
    if (draws_) {
        std::map<std::string, double> values;
        for (const char* name : {"grid.demand_mw", "grid.net_load_mw", "grid.pv_mw", "grid.shed_mw", "grid.price_mwh"})
            if (auto v = bus_.scalar(name)) values[name] = *v;
        if (!values.empty()) world_history_.emplace_back(t_s, std::move(values));
        if (world_history_.size() > 2000) world_history_.pop_front();
    }
    for (size_t i = 0; i < modules_.size(); ++i) {
        CouplingContext cc(bus_, params_, couplings_, t_s);
        modules_[i]->couple(cc);
    }
    // Headless runs keep every published scalar at each coupling step, for exports and sweeps' outputs.
    if (!draws_) {
        outputs_.begin_step(t_s);
        for (const OutputBus::Entry& e : bus_.list())
            if (!e.is_field)
                if (auto v = bus_.scalar(e.name)) outputs_.record(e.name, e.unit, *v);
    }
    // The next coupling time as a whole multiple of coupling_s (no drift over long runs).
    const double every = std::max(params_.number("world.coupling_s"), 1e-9);
    next_coupling_s_ = (std::floor(t_s / every + 1e-9) + 1) * every;
}

void Session::settle() {
    for (auto& m : modules_) m->settle();
}

void Session::export_all(const std::filesystem::path& dir) {
    settle();
    if (couplings_.rows() > 0) couplings_.write_csv(dir / "world" / "couplings.csv");
    if (outputs_.rows() > 0) outputs_.write_csv(dir / "world" / "outputs.csv");
    for (size_t i = 0; i < modules_.size(); ++i) {
        const std::filesystem::path sub = dir / modules_[i]->instance();
        std::filesystem::create_directories(sub);
        modules_[i]->export_results(sub, time_s(), module_params(i));
    }
}

void Session::attach_modules() {
    // Modules in registry order (the documented order of the world's coupling step); a module's instances
    // ([[city]] entries) in the order the scene file gives them.
    std::vector<std::unique_ptr<Module>> created;
    std::vector<std::unique_ptr<ParamStore>> views;
    for (const ModuleEntry& e : module_registry()) {
        if (scene_.blocks.count(e.name)) {
            created.push_back(e.create());
            views.emplace_back();
        }
        for (const auto& [block, module] : scene_.instances) {
            if (module != e.name) continue;
            created.push_back(e.create());
            created.back()->set_instance(block);
            auto view = std::make_unique<ParamStore>();
            view->declare(created.back()->block());
            view->copy_block(params_, block, e.name);
            views.push_back(std::move(view));
        }
    }
    // A module's ParamError names "city.<key>"; for an instance it is reported at "city:<id>.<key>".
    auto report = [&](const Module& m, const ParamError& err) {
        std::string param = err.param();
        const std::string prefix = m.name() + ".";
        if (m.instance() != m.name() && param.compare(0, prefix.size(), prefix) == 0)
            param = m.instance() + "." + param.substr(prefix.size());
        return scene_.error_at(param, err.what());
    };
    // The ground first: a module's DEM replaces the procedural terrain for everyone.
    for (size_t i = 0; i < created.size(); ++i) {
        std::optional<engine::Heightfield> ground;
        try {
            ground = created[i]->provide_terrain(views[i] ? *views[i] : params_, info_);
        } catch (const ParamError& err) {
            throw report(*created[i], err);
        }
        if (ground) {
            terrain_ = std::move(*ground);
            break;
        }
    }
    terrain_.insets.clear();  // a restart lays them in again
    for (size_t i = 0; i < created.size(); ++i) {
        std::optional<engine::Heightfield> inset;
        try {
            inset = created[i]->provide_inset(views[i] ? *views[i] : params_, info_);
        } catch (const ParamError& err) {
            throw report(*created[i], err);
        }
        if (inset) terrain_.insets.push_back(std::move(*inset));
    }
    {
        engine::MemoryOwner owner(gpu_->memory(), "terrain");
        world_renderer_->set_terrain(terrain_);
    }
    for (size_t i = 0; i < created.size(); ++i) {
        Module& m = *created[i];
        ParamStore& p = views[i] ? *views[i] : params_;
        AttachContext ac{*gpu_, *world_renderer_, info_, p, colormaps_, draws_, interactive_};
        engine::MemoryOwner owner(gpu_->memory(), m.instance());  // device memory is charged to the module
        try {
            m.attach(ac);
        } catch (const ParamError& err) {
            throw report(m, err);
        } catch (const engine::OutOfDeviceMemory& err) {  // the scene asks more than the device holds: bad input
            throw scene_.error_at(m.instance(), err.what());
        }
        if (views[i]) {
            OutputBus own;
            m.publish(own);
            bus_.merge_renamed(own, m.name() + ".", m.instance() + ".");
        } else {
            m.publish(bus_);
        }
        // A module's preferred playback speed (a city's years per second) applies when the scene sets none.
        if (auto speed = m.preferred_speed(p); speed && !scene_.positions.count("world.speed")) {
            world_.speed = *speed;
            params_.set("world.speed", *speed);
        }
        const std::optional<double> natural = m.natural_step_s(p);
        strides_.push_back(natural ? std::max<uint64_t>(1, uint64_t(std::floor(*natural / world_.dt_s + 1e-9))) : 1);
        modules_.push_back(std::move(created[i]));
        views_.push_back(std::move(views[i]));
    }
}

uint32_t Session::playback_frames(double from_s, double until_s, double fps) const {
    // The timeline replayed on a copy of the scene's parameters (with a module's preferred speed, if it set one).
    Timeline timeline(scene_.timeline);
    ParamStore p = scene_.params;
    if (!p.has("world.speed")) return 0;
    if (!scene_.positions.count("world.speed")) p.set("world.speed", world_.speed);
    uint32_t frames = 0;
    for (double t = 0; t < from_s; t += p.number("world.speed") / fps) timeline.advance(t, p);
    for (double t = from_s; t < until_s - 1e-9 && frames < 100000000u; t += p.number("world.speed") / fps) {
        timeline.advance(t, p);
        ++frames;
    }
    return frames;
}

void Session::restart_clock() {
    // Everything back to the scene's start: parameters, timeline, clock, and the modules' own state (they
    // are attached afresh; their old GPU resources go through the deletion queue).
    vkDeviceWaitIdle(gpu_->device());
    params_ = scene_.params;
    if (!params_.has("terrain.kind")) params_.declare(terrain_block());
    timeline_->reset();
    steps_ = 0;
    couplings_.clear();
    outputs_.clear();
    world_history_.clear();
    next_coupling_s_ = 0;
    modules_.clear();
    views_.clear();
    strides_.clear();
    bus_ = OutputBus{};
    world_renderer_->clear_overlay();
    attach_modules();
    timeline_->advance(0.0, params_);
}

void Session::resize(uint32_t width, uint32_t height) {
    if (target_ && target_->width() == width && target_->height() == height) return;
    target_ = std::make_unique<engine::RenderTarget>(*gpu_, width, height, VkSampleCountFlagBits(samples_), post_aa_);
    target_->set_render_scale(render_scale_);
}

void Session::set_render_scale(float scale) {
    render_scale_ = std::clamp(scale, engine::kMinRenderScale, 1.0f);
    if (target_) target_->set_render_scale(render_scale_);
}

engine::CameraState Session::view() const {
    if (follow_path && !path_.empty() && !camera_.transitioning()) return path_.at(time_s());
    return camera_.state();
}

void Session::update_lighting() {
    double elevation = 0;
    glm::dvec3 sun = sun_direction(lighting_epoch(world_.start_epoch_s, time_s(), speed()), world_.latitude_deg,
                                   world_.longitude_deg, &elevation);
    engine::Lighting& l = world_renderer_->lighting;
    l.sun_dir = glm::vec3(sun);
    // Dimmer ambient and warmer, darker fog as the sun sets; a floor keeps night scenes readable.
    const float day = float(std::clamp((elevation + 6.0) / 20.0, 0.0, 1.0));
    l.ambient = 0.18f + 0.42f * day;
    l.fog_color = glm::mix(glm::vec3(0.05f, 0.06f, 0.10f), glm::vec3(0.60f, 0.70f, 0.84f), day);
    l.fog_density = float(0.1 / std::max(world_.extent_m, 100.0));  // about 10% haze across the world
}

void Session::record_frame(VkCommandBuffer cmd, uint32_t slot, double wall_dt, bool panels) {
    update_lighting();
    const engine::CameraState cam = view();
    const double aspect = double(target_->width()) / target_->height();
    const engine::FramePush push = world_renderer_->frame_push(cam, aspect, time_s());
    // Levels of detail go by the world pass's pixels, which may be fewer than the output's; marks of a fixed screen
    // size by size_h.
    const float world_w = float(target_->world_width()), world_h = float(target_->world_height());
    const float size_h = std::min(float(target_->height()), 1.5f * world_h);  // see DrawContext::size_h
    FrameInfo frame{cmd, wall_dt, &push, world_w, world_h, size_h, cam.fov_deg, slot, time_s()};
    for (size_t i = 0; i < modules_.size(); ++i) {  // compute before the world pass (particles, culling), timed per module
        const auto& m = modules_[i];
        frame.params = &module_params(i);
        timer_->begin(cmd, "prepare." + m->instance());
        engine::MemoryOwner owner(gpu_->memory(), m->instance());
        m->before_draw(frame);
        timer_->end(cmd);
    }

    // The world pass, timed by part: sky and terrain, then each module's draws, then the resolve.
    const float clear[4] = {0, 0, 0, 1};
    target_->begin_world(cmd, clear);
    timer_->begin(cmd, "world.sky");
    world_renderer_->draw_sky(cmd, cam, aspect);
    timer_->end(cmd);
    timer_->begin(cmd, "world.terrain");
    world_renderer_->draw_terrain(cmd, push, cam, world_h);
    timer_->end(cmd);
    DrawContext dc{cmd, push, *world_renderer_, world_w, world_h, size_h};
    for (auto& m : modules_) {
        timer_->begin(cmd, "world." + m->instance());
        m->draw(dc);
        timer_->end(cmd);
    }
    timer_->begin(cmd, "world.resolve");
    target_->end_world(cmd);
    timer_->end(cmd);

    timer_->begin(cmd, "overlay");
    ui_->new_frame(target_->width(), target_->height(), wall_dt);
    draw_overlay(panels);
    if (draw_viewer_ui) draw_viewer_ui();
    ui_->render(cmd, *target_);
    timer_->end(cmd);
}

void Session::frame_complete(uint32_t slot) {
    for (auto& m : modules_) m->frame_complete(slot);
    timer_->collect(slot);
}

std::string Session::clock_text() const {
    // At more than six simulated hours per second the time of day is a blur: show the date alone.
    // Local time when the scene gives a time zone: "2025-07-14 18:00:00 local (UTC-5)".
    const double off = world_.utc_offset_h;
    std::string text = format_utc(world_.start_epoch_s + time_s() + off * 3600);
    if (off != 0) {
        char zone[32];
        std::snprintf(zone, sizeof zone, "local (UTC%+g)", off);
        text = text.substr(0, 19) + " " + zone;
    }
    return speed() > 6 * 3600.0 ? text.substr(0, 10) : text;
}

void Session::draw_overlay(bool panels) {
    // HUD: title and clock, top left (below the menu bar in the viewer).
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    const float top = panels ? 28.0f : 10.0f;
    const std::string clock = clock_text();
    const ImVec2 title_size = ImGui::CalcTextSize(world_.title.c_str());
    const ImVec2 clock_size = ImGui::CalcTextSize(clock.c_str());
    const float w = std::max(title_size.x, clock_size.x) + 20;
    dl->AddRectFilled(ImVec2(10, top), ImVec2(10 + w, top + title_size.y + clock_size.y + 14), IM_COL32(20, 22, 28, 200),
                      4.0f);
    dl->AddText(ImVec2(20, top + 5), IM_COL32(255, 255, 255, 255), world_.title.c_str());
    dl->AddText(ImVec2(20, top + 8 + title_size.y), IM_COL32(200, 210, 225, 255), clock.c_str());

    for (size_t i = 0; i < modules_.size(); ++i) {
        OverlayContext oc{colormaps_, time_s(), module_params(i)};
        modules_[i]->overlay(oc);
    }

    // Captions fade in and out over half a second of playback (simulation time runs at world.speed).
    const double t = time_s();
    for (const Caption& c : scene_.captions) {
        if (t < c.t_s || t > c.t_s + c.duration_s) continue;
        const double fade_s = std::min(0.5 * speed(), c.duration_s / 4);  // half a second of playback
        const double a = std::min({1.0, (t - c.t_s) / fade_s + 0.5, (c.t_s + c.duration_s - t) / fade_s});
        engine::draw_caption(c.text, float(std::clamp(a, 0.0, 1.0)), ui_->large_font(), caption_margin_px);
    }
    if (!panels) return;
    float y = top + 62;  // below the HUD
    float x = 10;
    if (couplings_.rows() > 0 || modules_.size() > 1) {
        ImGui::SetNextWindowPos(ImVec2(10, y), ImGuiCond_FirstUseEver);
        ImGui::SetNextWindowSize(ImVec2(520, 0), ImGuiCond_FirstUseEver);
        if (ImGui::Begin("World")) draw_world_panel();
        ImGui::End();
        x = 540;  // the modules' windows beside it, below the status lines at the top right (four or five lines)
        y += 120;
    }
    for (size_t i = 0; i < modules_.size(); ++i) {
        Module& m = *modules_[i];
        ImGui::SetNextWindowPos(ImVec2(x, y), ImGuiCond_FirstUseEver);
        ImGui::SetNextWindowSize(ImVec2(modules_.size() > 3 ? 360.0f : 500.0f, 0), ImGuiCond_FirstUseEver);
        // In a world of several modules their windows start folded under the world panel (a click opens one): open,
        // each would grow over the next (they are placed before their first frame has a height).
        if (modules_.size() > 1) ImGui::SetNextWindowCollapsed(true, ImGuiCond_FirstUseEver);
        const std::string title = m.instance() == m.name() ? m.title() : m.title() + " (" + m.instance().substr(m.name().size() + 1) + ")";
        if (ImGui::Begin(title.c_str())) {
            draw_module_panel(m, module_params(i));
            module_params_changed(i);
        }
        y += ImGui::GetWindowHeight() + 10;
        ImGui::End();
    }
}

// [SECTION] World panel: the clock, each coupling's switch, the state's story over time, every value exchanged.
void Session::draw_world_panel() {
    ImGui::TextUnformatted(clock_text().c_str());
    ImGui::Text("Coupling step every %g s; %zu steps logged", params_.number("world.coupling_s"), couplings_.rows());
    for (const CouplingDoc& c : coupling_docs()) {
        const std::string key = std::string("world.couple_") + c.name;
        bool on = params_.flag(key);
        if (ImGui::Checkbox(c.name, &on)) params_.set(key, on);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", c.help);
        ImGui::SameLine();
    }
    ImGui::NewLine();
    // The system's story, from the grid's outputs at each coupling step.
    static const std::array<std::pair<const char*, ImU32>, 5> kSeries = {{{"grid.demand_mw", IM_COL32(240, 120, 60, 255)},
                                                                         {"grid.net_load_mw", IM_COL32(230, 230, 230, 255)},
                                                                         {"grid.pv_mw", IM_COL32(240, 210, 60, 255)},
                                                                         {"grid.shed_mw", IM_COL32(230, 40, 40, 255)},
                                                                         {"grid.price_mwh", IM_COL32(120, 200, 255, 255)}}};
    std::vector<engine::Series> series;
    for (const auto& [name, colour] : kSeries) {
        if (!bus_.scalar(name)) continue;
        engine::Series s{name + 5, colour, {}, {}};
        const bool price = std::string(name) == "grid.price_mwh";
        if (price) s.label = "price $/MWh x 10";
        for (const auto& [t, values] : world_history_) {
            auto it = values.find(name);
            if (it == values.end()) continue;
            s.x.push_back(t / 3600);
            s.y.push_back(price ? std::min(it->second, 1e4) * 10 : it->second);
        }
        series.push_back(std::move(s));
    }
    if (!series.empty()) {
        engine::PlotSpec spec{"Demand, net load, solar, shed (MW) and price", "time", "h", "", "MW", {500, 190}, true};
        engine::plot_series("world", spec, series);
    }
    if (couplings_.rows() > 0 && ImGui::CollapsingHeader("Values exchanged at the last coupling step")) {
        const size_t row = couplings_.rows() - 1;
        for (const std::string& c : couplings_.columns()) {
            const double v = couplings_.value(row, c);
            if (!std::isnan(v)) ImGui::Text("%-48s %.4g", c.c_str(), v);
        }
    }
}

void Session::draw_module_panel(Module& m, ParamStore& params) {
    // The module's own content (plots, tables) first, then widgets generated from its parameter declarations
    // (an instance's own store holds them under the module's name).
    PanelContext pc{params, colormaps_, time_s(), [this](const glm::dvec3& point, double d) { camera_.focus(point, d); }};
    m.panel(pc);
    const BlockSpec block = m.block();
    if (!ImGui::CollapsingHeader("Parameters", block.params.size() <= 12 ? ImGuiTreeNodeFlags_DefaultOpen : 0)) return;
    for (const ParamSpec& p : block.params) {
        const std::string dotted = block.name + "." + p.key;
        if (!params.has(dotted)) continue;
        const std::string label = p.unit.empty() ? p.key : p.key + " (" + p.unit + ")";
        ImGui::PushID(dotted.c_str());
        if (!p.live) ImGui::BeginDisabled();
        ParamValue v = params.get(dotted);
        bool changed = false;
        switch (p.type) {
            case ParamType::Number:
            case ParamType::Duration: {
                if (const std::string* path = std::get_if<std::string>(&v)) {  // or_path: a raster of values
                    ImGui::Text("%s: %s", label.c_str(), std::filesystem::path(*path).filename().string().c_str());
                    break;
                }
                double x = std::get<double>(v);
                const bool finite = std::isfinite(p.min) && std::isfinite(p.max);
                if (finite) {
                    ImGuiSliderFlags flags = ImGuiSliderFlags_AlwaysClamp;
                    if (p.min > 0 && p.max / p.min >= 100) flags |= ImGuiSliderFlags_Logarithmic;
                    if (p.min >= 0 && p.max / std::max(p.min, 1e-12) >= 1e4 && p.min == 0)
                        flags |= ImGuiSliderFlags_Logarithmic;
                    changed = ImGui::SliderScalar(label.c_str(), ImGuiDataType_Double, &x, &p.min, &p.max, "%.4g", flags);
                } else {
                    changed = ImGui::DragScalar(label.c_str(), ImGuiDataType_Double, &x, 0.01f * float(std::max(std::abs(x), 1.0)),
                                                std::isfinite(p.min) ? &p.min : nullptr, std::isfinite(p.max) ? &p.max : nullptr, "%.4g");
                }
                if (changed) v = x;
                break;
            }
            case ParamType::Integer: {
                int64_t x = int64_t(std::get<double>(v)), lo = int64_t(std::max(p.min, -1e15)), hi = int64_t(std::min(p.max, 1e15));
                changed = ImGui::DragScalar(label.c_str(), ImGuiDataType_S64, &x, 1.0f, &lo, &hi);
                if (changed) v = double(x);
                break;
            }
            case ParamType::Bool: {
                bool b = std::get<bool>(v);
                changed = ImGui::Checkbox(label.c_str(), &b);
                if (changed) v = b;
                break;
            }
            case ParamType::Choice: {
                const std::string& cur = std::get<std::string>(v);
                if (ImGui::BeginCombo(label.c_str(), cur.c_str())) {
                    for (const std::string& c : p.choices)
                        if (ImGui::Selectable(c.c_str(), c == cur)) {
                            v = c;
                            changed = true;
                        }
                    ImGui::EndCombo();
                }
                break;
            }
            default:
                ImGui::LabelText(label.c_str(), "%s", format_value(p, v).c_str());
        }
        if (!p.live) ImGui::EndDisabled();
        if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
            ImGui::BeginTooltip();
            ImGui::Text("%s", dotted.c_str());
            ImGui::TextUnformatted(p.help.c_str());
            if (std::isfinite(p.min) || std::isfinite(p.max))
                ImGui::Text("range [%g, %g] %s", p.min, p.max, p.unit.c_str());
            if (!p.live) ImGui::TextUnformatted("set in the scene file (not while running)");
            ImGui::EndTooltip();
        }
        if (changed) params.set(dotted, v);
        ImGui::PopID();
    }
}

}  // namespace infrascape
