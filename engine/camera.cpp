// Camera maths: matrices, easing, centripetal Catmull-Rom paths and the interactive controller.
#include "camera.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <glm/gtc/matrix_transform.hpp>

namespace engine {

glm::mat4 view_matrix(const CameraState& cam) {
    glm::dvec3 dir = cam.target - cam.position;
    glm::dvec3 up(0, 0, 1);
    if (glm::length(glm::cross(glm::normalize(dir), up)) < 1e-6) up = glm::dvec3(0, 1, 0);  // looking straight down
    return glm::mat4(glm::lookAtRH(cam.position, cam.target, up));
}

glm::mat4 projection_matrix(double fov_deg, double aspect, double near_m, double far_m) {
    // Right-handed view space (camera looks down -Z), depth mapped to [1 at near, 0 at far].
    const double f = 1.0 / std::tan(glm::radians(fov_deg) * 0.5);
    glm::dmat4 p(0.0);
    p[0][0] = f / aspect;
    p[1][1] = f;
    p[2][2] = near_m / (far_m - near_m);
    p[2][3] = -1.0;
    p[3][2] = far_m * near_m / (far_m - near_m);
    return glm::mat4(p);
}

double ease(EaseKind kind, double u) {
    u = std::clamp(u, 0.0, 1.0);
    if (kind == EaseKind::Linear) return u;
    return u * u * u * (u * (u * 6.0 - 15.0) + 10.0);
}

glm::dvec3 centripetal_catmull_rom(const glm::dvec3& p0, const glm::dvec3& p1, const glm::dvec3& p2,
                                   const glm::dvec3& p3, double u) {
    // Knot spacing |p_{i+1} - p_i|^alpha with alpha = 0.5; a tiny floor keeps repeated points finite.
    auto knot = [](const glm::dvec3& a, const glm::dvec3& b) {
        return std::max(std::sqrt(glm::length(b - a)), 1e-9);
    };
    const double t0 = 0, t1 = t0 + knot(p0, p1), t2 = t1 + knot(p1, p2), t3 = t2 + knot(p2, p3);
    const double t = t1 + (t2 - t1) * u;
    auto lerp = [](const glm::dvec3& a, const glm::dvec3& b, double ta, double tb, double tt) {
        return a * ((tb - tt) / (tb - ta)) + b * ((tt - ta) / (tb - ta));
    };
    glm::dvec3 a1 = lerp(p0, p1, t0, t1, t), a2 = lerp(p1, p2, t1, t2, t), a3 = lerp(p2, p3, t2, t3, t);
    glm::dvec3 b1 = lerp(a1, a2, t0, t2, t), b2 = lerp(a2, a3, t1, t3, t);
    return lerp(b1, b2, t1, t2, t);
}

CameraPath::CameraPath(std::vector<CameraKey> keys) : keys_(std::move(keys)) {
    for (size_t i = 1; i < keys_.size(); ++i)
        if (!(keys_[i].t_s > keys_[i - 1].t_s)) throw std::invalid_argument("camera keys must have increasing times");
}

CameraState CameraPath::at(double t) const {
    if (keys_.empty()) return {};
    if (t <= keys_.front().t_s) return keys_.front().state;
    if (t >= keys_.back().t_s) return keys_.back().state;
    size_t i = 0;
    while (keys_[i + 1].t_s < t) ++i;
    const CameraKey& k1 = keys_[i];
    const CameraKey& k2 = keys_[i + 1];
    const double u = ease(k1.ease, (t - k1.t_s) / (k2.t_s - k1.t_s));
    auto point = [&](long j, auto member) -> glm::dvec3 {
        // Mirrored phantom points before the first and after the last key.
        const long n = static_cast<long>(keys_.size());
        if (j < 0) return 2.0 * (keys_[0].state.*member) - (keys_[std::min(1L, n - 1)].state.*member);
        if (j >= n) return 2.0 * (keys_[n - 1].state.*member) - (keys_[std::max(n - 2, 0L)].state.*member);
        return keys_[j].state.*member;
    };
    const long j = static_cast<long>(i);
    CameraState s;
    s.position = centripetal_catmull_rom(point(j - 1, &CameraState::position), point(j, &CameraState::position),
                                         point(j + 1, &CameraState::position), point(j + 2, &CameraState::position), u);
    s.target = centripetal_catmull_rom(point(j - 1, &CameraState::target), point(j, &CameraState::target),
                                       point(j + 1, &CameraState::target), point(j + 2, &CameraState::target), u);
    s.fov_deg = k1.state.fov_deg + (k2.state.fov_deg - k1.state.fov_deg) * u;
    return s;
}

// [SECTION] Interactive controller

void CameraController::set(const CameraState& s) {
    state_ = s;
    transition_.reset();
    sync_from_state();
}

void CameraController::sync_from_state() {
    glm::dvec3 d = state_.position - state_.target;
    distance_ = std::max(glm::length(d), 1e-3);
    yaw_ = std::atan2(d.y, d.x);
    pitch_ = std::asin(std::clamp(d.z / distance_, -1.0, 1.0));
}

void CameraController::transition_to(const CameraState& s, double seconds) {
    if (seconds <= 0) return set(s);
    transition_ = Transition{state(), s, 0.0, seconds};
}

void CameraController::focus(const glm::dvec3& point, double distance_m) {
    CameraState s = state();
    glm::dvec3 back = s.position - s.target;
    if (glm::length(back) < 1e-9) back = glm::dvec3(0, -1, 1);
    s.target = point;
    s.position = point + glm::normalize(back) * distance_m;
    transition_to(s, 0.8);
}

void CameraController::orbit_drag(double dx, double dy) {
    transition_.reset();
    yaw_ -= dx * 0.005;
    pitch_ = std::clamp(pitch_ + dy * 0.005, -0.2, 1.55);
    state_.position = state_.target + distance_ * glm::dvec3(std::cos(pitch_) * std::cos(yaw_),
                                                              std::cos(pitch_) * std::sin(yaw_), std::sin(pitch_));
}

void CameraController::pan_drag(double dx, double dy) {
    transition_.reset();
    glm::dvec3 fwd = glm::normalize(state_.target - state_.position);
    glm::dvec3 right = glm::normalize(glm::cross(fwd, glm::dvec3(0, 0, 1)));
    glm::dvec3 up = glm::cross(right, fwd);
    glm::dvec3 move = (-dx * right + dy * up) * distance_ * 0.0015;
    state_.position += move;
    state_.target += move;
}

void CameraController::zoom(double steps) {
    transition_.reset();
    distance_ = std::clamp(distance_ * std::pow(0.88, steps), 1.0, 1e7);
    state_.position = state_.target + glm::normalize(state_.position - state_.target) * distance_;
}

void CameraController::fly_look(double dx, double dy) {
    transition_.reset();
    glm::dvec3 d = state_.target - state_.position;
    double len = std::max(glm::length(d), 1.0);
    double yaw = std::atan2(d.y, d.x) - dx * 0.003;
    double pitch = std::clamp(std::asin(std::clamp(d.z / len, -1.0, 1.0)) - dy * 0.003, -1.5, 1.5);
    state_.target = state_.position + len * glm::dvec3(std::cos(pitch) * std::cos(yaw),
                                                        std::cos(pitch) * std::sin(yaw), std::sin(pitch));
    sync_from_state();
}

void CameraController::fly_move(const glm::dvec3& local, double speed, double dt) {
    transition_.reset();
    glm::dvec3 fwd = glm::normalize(state_.target - state_.position);
    glm::dvec3 right = glm::normalize(glm::cross(fwd, glm::dvec3(0, 0, 1)));
    glm::dvec3 move = (local.x * right + local.y * fwd + local.z * glm::dvec3(0, 0, 1)) * speed * dt;
    state_.position += move;
    state_.target += move;
}

void CameraController::update(double wall_dt) {
    if (!transition_) return;
    Transition& tr = *transition_;
    tr.elapsed += wall_dt;
    double u = ease(EaseKind::InOut, tr.elapsed / tr.duration);
    state_.position = glm::mix(tr.from.position, tr.to.position, u);
    state_.target = glm::mix(tr.from.target, tr.to.target, u);
    state_.fov_deg = tr.from.fov_deg + (tr.to.fov_deg - tr.from.fov_deg) * u;
    if (tr.elapsed >= tr.duration) {
        state_ = tr.to;
        transition_.reset();
    }
    sync_from_state();
}

CameraState CameraController::state() const { return state_; }

Ray pixel_ray(const CameraState& cam, double px, double py, double width, double height) {
    glm::dvec3 fwd = glm::normalize(cam.target - cam.position);
    glm::dvec3 up0(0, 0, 1);
    if (glm::length(glm::cross(fwd, up0)) < 1e-6) up0 = glm::dvec3(0, 1, 0);
    glm::dvec3 right = glm::normalize(glm::cross(fwd, up0));
    glm::dvec3 up = glm::cross(right, fwd);
    double tan_half = std::tan(glm::radians(cam.fov_deg) * 0.5);
    double aspect = width / height;
    double nx = (2.0 * (px + 0.5) / width - 1.0) * tan_half * aspect;
    double ny = (1.0 - 2.0 * (py + 0.5) / height) * tan_half;
    return {cam.position, glm::normalize(fwd + nx * right + ny * up)};
}

}  // namespace engine
