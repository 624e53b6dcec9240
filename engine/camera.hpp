// Cameras and camera paths.
// Conventions: world axes are right-handed with +X east, +Y north, +Z up, in metres. The projection is
// reversed-Z (near plane at depth 1, far at 0) in Vulkan clip space (depth 0..1); the render target's
// viewport is flipped (negative height) so a right-handed, y-up projection shows +Z up on screen.
#pragma once

#include <array>
#include <optional>
#include <vector>

#include <glm/glm.hpp>

namespace engine {

struct CameraState {
    glm::dvec3 position{0, -100, 100};
    glm::dvec3 target{0, 0, 0};
    double fov_deg = 50;
};

glm::mat4 view_matrix(const CameraState& cam);
// Reversed-Z perspective with a finite far plane: depth 1 at `near_m`, 0 at `far_m`.
glm::mat4 projection_matrix(double fov_deg, double aspect, double near_m, double far_m);

enum class EaseKind { Linear, InOut };
// Maps segment progress u in [0,1] to eased progress; InOut is the quintic smootherstep, whose first and
// second derivatives vanish at both ends so the camera starts and stops without a jolt.
double ease(EaseKind kind, double u);

// One segment of a centripetal Catmull-Rom spline (alpha = 0.5; Yuksel, Schaefer and Keyser 2011),
// evaluated with the Barry-Goldman pyramid between p1 (u = 0) and p2 (u = 1). Centripetal knots never
// form cusps or self-intersections within a segment, unlike the uniform variant.
glm::dvec3 centripetal_catmull_rom(const glm::dvec3& p0, const glm::dvec3& p1, const glm::dvec3& p2,
                                   const glm::dvec3& p3, double u);

struct CameraKey {
    double t_s = 0;
    CameraState state;
    EaseKind ease = EaseKind::InOut;  // easing of the segment that starts at this key
};

// A camera path through keyframes: position and look-at follow centripetal Catmull-Rom splines, the field
// of view is interpolated with the same easing; before the first key and after the last the path holds.
// End segments use mirrored phantom points, so the path passes through every key.
class CameraPath {
public:
    CameraPath() = default;
    explicit CameraPath(std::vector<CameraKey> keys);  // keys sorted by time, distinct times
    bool empty() const { return keys_.empty(); }
    const std::vector<CameraKey>& keys() const { return keys_; }
    CameraState at(double t_s) const;

private:
    std::vector<CameraKey> keys_;
};

// Interactive camera: orbit (drag to rotate, scroll to zoom) and fly (WASD + mouse), smooth transitions to
// a new view (focus on a clicked point, bookmarks 1 to 9, the scene's camera path).
class CameraController {
public:
    enum class Mode { Orbit, Fly };

    void set(const CameraState& state);          // jumps; orbit parameters derived from it
    void transition_to(const CameraState& state, double seconds = 1.0);
    void focus(const glm::dvec3& point, double distance_m);  // smooth move to look at point
    bool transitioning() const { return transition_.has_value(); }

    Mode mode() const { return mode_; }
    void set_mode(Mode m) { mode_ = m; }

    void orbit_drag(double dx_px, double dy_px);  // rotate around the target
    void pan_drag(double dx_px, double dy_px);    // move the target in the view plane
    void zoom(double scroll_steps);               // scroll: move toward or away from the target
    void fly_look(double dx_px, double dy_px);
    void fly_move(const glm::dvec3& local_dir, double speed_m_per_s, double dt_s);  // x right, y fwd, z up

    void update(double wall_dt_s);  // advances a transition
    CameraState state() const;

    std::array<std::optional<CameraState>, 9> bookmarks;

private:
    void sync_from_state();
    CameraState state_;
    double yaw_ = 0, pitch_ = 0.6, distance_ = 100;  // orbit about state_.target
    Mode mode_ = Mode::Orbit;
    struct Transition {
        CameraState from, to;
        double elapsed = 0, duration = 1;
    };
    std::optional<Transition> transition_;
};

// A ray through a pixel (x right, y down, in pixels) for picking.
struct Ray {
    glm::dvec3 origin, dir;
};
Ray pixel_ray(const CameraState& cam, double px, double py, double width, double height);

}  // namespace engine
