// Camera maths: easing, centripetal Catmull-Rom segments and camera paths, projection conventions.
#include <catch2/catch.hpp>

#include <glm/gtc/matrix_transform.hpp>

#include "camera.hpp"

using namespace engine;

TEST_CASE("easing maps [0,1] onto [0,1] monotonically with flat ends", "[camera]") {
    CHECK(ease(EaseKind::InOut, 0.0) == 0.0);
    CHECK(ease(EaseKind::InOut, 1.0) == 1.0);
    CHECK(ease(EaseKind::InOut, 0.5) == Approx(0.5));
    CHECK(ease(EaseKind::Linear, 0.3) == Approx(0.3));
    double prev = 0;
    for (int i = 1; i <= 100; ++i) {
        double v = ease(EaseKind::InOut, i / 100.0);
        CHECK(v >= prev);
        prev = v;
    }
    // First derivative vanishes at the ends (smootherstep): tiny slope near 0 and 1.
    CHECK(ease(EaseKind::InOut, 1e-3) < 1e-7);
    CHECK(1.0 - ease(EaseKind::InOut, 1.0 - 1e-3) < 1e-7);
    CHECK(ease(EaseKind::InOut, -1.0) == 0.0);
    CHECK(ease(EaseKind::InOut, 2.0) == 1.0);
}

TEST_CASE("centripetal Catmull-Rom interpolates its middle points", "[camera]") {
    glm::dvec3 p0(0, 0, 0), p1(1, 2, 0), p2(3, 3, 1), p3(4, 0, 2);
    glm::dvec3 a = centripetal_catmull_rom(p0, p1, p2, p3, 0.0);
    glm::dvec3 b = centripetal_catmull_rom(p0, p1, p2, p3, 1.0);
    CHECK(glm::length(a - p1) < 1e-12);
    CHECK(glm::length(b - p2) < 1e-12);
}

TEST_CASE("Catmull-Rom through equally spaced collinear points is a straight line at constant speed", "[camera]") {
    glm::dvec3 p0(0, 0, 0), p1(1, 0, 0), p2(2, 0, 0), p3(3, 0, 0);
    for (double u : {0.1, 0.25, 0.5, 0.9}) {
        glm::dvec3 p = centripetal_catmull_rom(p0, p1, p2, p3, u);
        CHECK(p.x == Approx(1 + u).epsilon(1e-12));
        CHECK(std::abs(p.y) < 1e-12);
    }
}

TEST_CASE("centripetal knots avoid the cusp of the uniform spline", "[camera]") {
    // Yuksel et al. 2011, figure 1: a close pair of middle points between far outer points. The uniform
    // spline overshoots and loops; the centripetal segment stays within the band between p1 and p2.
    glm::dvec3 p0(0, 0, 0), p1(1, 1, 0), p2(1.1, 1, 0), p3(2.1, 0, 0);
    double max_y = 0, min_x = 10, max_x = -10;
    for (int i = 0; i <= 100; ++i) {
        glm::dvec3 p = centripetal_catmull_rom(p0, p1, p2, p3, i / 100.0);
        max_y = std::max(max_y, p.y);
        min_x = std::min(min_x, p.x);
        max_x = std::max(max_x, p.x);
    }
    CHECK(min_x >= 1.0 - 1e-9);
    CHECK(max_x <= 1.1 + 1e-9);
    CHECK(max_y < 1.1);
}

TEST_CASE("camera path passes through its keys and holds outside them", "[camera]") {
    std::vector<CameraKey> keys(3);
    keys[0].t_s = 0;
    keys[0].state = {{0, -100, 50}, {0, 0, 0}, 40};
    keys[1].t_s = 10;
    keys[1].state = {{100, 0, 60}, {0, 0, 10}, 50};
    keys[2].t_s = 30;
    keys[2].state = {{0, 100, 80}, {0, 0, 0}, 60};
    CameraPath path(keys);
    for (const CameraKey& k : keys) {
        CameraState s = path.at(k.t_s);
        CHECK(glm::length(s.position - k.state.position) < 1e-9);
        CHECK(glm::length(s.target - k.state.target) < 1e-9);
        CHECK(s.fov_deg == Approx(k.state.fov_deg));
    }
    CHECK(glm::length(path.at(-5).position - keys[0].state.position) < 1e-12);
    CHECK(glm::length(path.at(99).position - keys[2].state.position) < 1e-12);
    // Continuous: small time steps give small moves.
    glm::dvec3 prev = path.at(0).position;
    for (double t = 0.05; t <= 30; t += 0.05) {
        glm::dvec3 p = path.at(t).position;
        CHECK(glm::length(p - prev) < 3.0);
        prev = p;
    }
    // Eased: the camera starts from rest.
    CHECK(glm::length(path.at(0.01).position - keys[0].state.position) < 1e-3);
    // Field of view follows the same easing: halfway in time, halfway in value.
    CHECK(path.at(5).fov_deg == Approx(45));
}

TEST_CASE("camera path rejects keys out of order", "[camera]") {
    std::vector<CameraKey> keys(2);
    keys[0].t_s = 5;
    keys[1].t_s = 5;
    CHECK_THROWS(CameraPath(keys));
}

TEST_CASE("reversed-Z projection maps near to 1 and far to 0", "[camera]") {
    glm::mat4 p = projection_matrix(60, 16.0 / 9.0, 2.0, 5000.0);
    glm::vec4 n = p * glm::vec4(0, 0, -2.0f, 1);
    glm::vec4 f = p * glm::vec4(0, 0, -5000.0f, 1);
    CHECK(n.z / n.w == Approx(1.0).margin(1e-6));
    CHECK(f.z / f.w == Approx(0.0).margin(1e-6));
}

TEST_CASE("camera controller transitions end exactly at the target and orbit keeps distance", "[camera]") {
    CameraController c;
    c.set({{0, -100, 100}, {0, 0, 0}, 50});
    CameraState goal{{300, 0, 50}, {10, 10, 0}, 35};
    c.transition_to(goal, 1.0);
    for (int i = 0; i < 30; ++i) c.update(0.05);
    CHECK(glm::length(c.state().position - goal.position) < 1e-9);
    CHECK(c.state().fov_deg == Approx(35));
    CHECK_FALSE(c.transitioning());
    const double d0 = glm::length(c.state().position - c.state().target);
    c.orbit_drag(40, 10);
    CHECK(glm::length(c.state().position - c.state().target) == Approx(d0));
    c.zoom(1);
    CHECK(glm::length(c.state().position - c.state().target) < d0);
}

TEST_CASE("pixel rays go through the view centre and the image corners", "[camera]") {
    CameraState cam{{0, -100, 0}, {0, 0, 0}, 90};
    Ray centre = pixel_ray(cam, 49.5, 49.5, 100, 100);
    CHECK(centre.dir.y == Approx(1.0).margin(1e-9));
    Ray top_right = pixel_ray(cam, 99.5, -0.5, 100, 100);
    CHECK(top_right.dir.x > 0);
    CHECK(top_right.dir.z > 0);  // image y down is world up
}
