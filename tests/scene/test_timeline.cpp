// Timeline maths: set events, linear ramps from the value held at their start, exact ends,
// cancellation by later events, live edits, reset, and ties in file order.
#include <catch2/catch.hpp>

#include "test_specs.hpp"

using namespace scene_test;

namespace {

ParamStore store() {
    BlockSpec t{"t", "", {}};
    auto mode = param("mode", ParamType::Choice, std::string("a"));
    mode.choices = {"a", "b", "c"};
    t.params = {param("x", ParamType::Number, 0.0, "", -100, 100), param("y", ParamType::Number, 0.0), mode,
                param("n", ParamType::Integer, 1.0, "", 0, 10)};
    ParamStore s;
    s.declare(t);
    return s;
}

TimelineEvent set(double t, std::string param, ParamValue value) {
    TimelineEvent e;
    e.t_s = t;
    e.param = std::move(param);
    e.value = std::move(value);
    return e;
}

TimelineEvent ramp(double t, std::string param, double value, double over) {
    TimelineEvent e = set(t, std::move(param), value);
    e.ramp_s = over;
    return e;
}

}  // namespace

TEST_CASE("set events apply when the clock reaches them", "[timeline]") {
    ParamStore p = store();
    Timeline tl({set(0, "t.mode", std::string("b")), set(5, "t.x", 7.0), set(5, "t.n", 3.0)});
    CHECK(tl.events().size() == 3);
    tl.advance(0, p);  // events at exactly t apply
    CHECK(p.text("t.mode") == "b");
    CHECK(p.number("t.x") == 0);
    tl.advance(4.999, p);
    CHECK(p.number("t.x") == 0);
    tl.advance(5, p);
    CHECK(p.number("t.x") == 7);
    CHECK(p.number("t.n") == 3);
}

TEST_CASE("a jump past several events applies all of them in order", "[timeline]") {
    ParamStore p = store();
    Timeline tl({set(1, "t.mode", std::string("b")), set(2, "t.mode", std::string("c")), set(3, "t.x", 1.0),
                 set(4, "t.mode", std::string("a"))});
    tl.advance(100, p);
    CHECK(p.text("t.mode") == "a");
    CHECK(p.number("t.x") == 1);
}

TEST_CASE("events at the same time apply in file order", "[timeline]") {
    ParamStore p = store();
    // Given out of time order: the Timeline sorts stably, so the two t = 3 events keep their order.
    Timeline tl({set(3, "t.x", 1.0), set(1, "t.x", 50.0), set(3, "t.x", 2.0)});
    CHECK(tl.events()[0].t_s == 1);
    tl.advance(3, p);
    CHECK(p.number("t.x") == 2);
}

TEST_CASE("a ramp interpolates linearly from the value held at its start", "[timeline][ramp]") {
    ParamStore p = store();
    p.set("t.x", 4.0);
    Timeline tl({ramp(10, "t.x", 24, 10)});
    tl.advance(5, p);
    CHECK(p.number("t.x") == 4);
    tl.advance(10, p);
    CHECK(p.number("t.x") == 4);
    tl.advance(12.5, p);
    CHECK(p.number("t.x") == Approx(9));
    tl.advance(15, p);
    CHECK(p.number("t.x") == Approx(14));
    tl.advance(19.5, p);
    CHECK(p.number("t.x") == Approx(23));
    tl.advance(20, p);
    CHECK(p.number("t.x") == 24);  // exact at the end
    tl.advance(30, p);
    CHECK(p.number("t.x") == 24);
}

TEST_CASE("a ramp ends exactly on its value, whatever the steps", "[timeline][ramp]") {
    ParamStore p = store();
    p.set("t.y", 0.1);
    Timeline tl({ramp(0.1, "t.y", 0.7, 0.3)});
    double t = 0;
    for (int i = 0; i < 10; ++i) {
        t += 0.1;  // accumulates rounding error, like a fixed simulation step
        tl.advance(t, p);
        if (t < 0.4 - 1e-9) CHECK(p.number("t.y") <= 0.7);
    }
    CHECK(p.number("t.y") == 0.7);

    SECTION("also when one step jumps over the whole ramp") {
        ParamStore q = store();
        Timeline jump({ramp(1, "t.y", -3.25, 2)});
        jump.advance(50, q);
        CHECK(q.number("t.y") == -3.25);
    }
}

TEST_CASE("a later event cancels an active ramp", "[timeline][ramp]") {
    SECTION("a set") {
        ParamStore p = store();
        Timeline tl({ramp(0, "t.x", 100, 10), set(4, "t.x", -5.0)});
        tl.advance(3, p);
        CHECK(p.number("t.x") == Approx(30));
        tl.advance(6, p);
        CHECK(p.number("t.x") == -5);
        tl.advance(20, p);
        CHECK(p.number("t.x") == -5);  // the old ramp does not resume
    }
    SECTION("another ramp starts from where the first one stood") {
        ParamStore p = store();
        Timeline tl({ramp(0, "t.x", 100, 10), ramp(5, "t.x", 0, 5)});
        tl.advance(2, p);
        CHECK(p.number("t.x") == Approx(20));
        tl.advance(7, p);  // the first ramp stood at 50 at t = 5
        CHECK(p.number("t.x") == Approx(30));
        tl.advance(10, p);
        CHECK(p.number("t.x") == 0);
    }
    SECTION("the same when the step jumps over the second ramp's start") {
        ParamStore p = store();
        Timeline tl({ramp(0, "t.x", 100, 10), ramp(5, "t.x", 0, 5)});
        tl.advance(7, p);
        CHECK(p.number("t.x") == Approx(30));
    }
    SECTION("an event on another param leaves the ramp alone") {
        ParamStore p = store();
        Timeline tl({ramp(0, "t.x", 100, 10), set(5, "t.y", 1.0), ramp(2, "t.y", 10, 2)});
        tl.advance(6, p);
        CHECK(p.number("t.x") == Approx(60));
        CHECK(p.number("t.y") == 1);  // its ramp ended at 4 (10), then the set at 5
        tl.advance(10, p);
        CHECK(p.number("t.x") == 100);
    }
}

TEST_CASE("a live edit is kept until an event touches the param", "[timeline]") {
    ParamStore p = store();
    Timeline tl({set(1, "t.x", 10.0), ramp(5, "t.x", 20, 4)});
    tl.advance(1, p);
    CHECK(p.number("t.x") == 10);
    p.set("t.x", 42.0);  // the user drags a slider
    tl.advance(2, p);
    tl.advance(4.9, p);
    CHECK(p.number("t.x") == 42);
    tl.advance(5, p);  // the ramp starts from the edited value
    CHECK(p.number("t.x") == 42);
    tl.advance(7, p);
    CHECK(p.number("t.x") == Approx(31));
    p.set("t.x", 0.0);  // an edit during a ramp lasts only until the ramp's next step
    tl.advance(8, p);
    CHECK(p.number("t.x") == Approx(25.5));
    tl.advance(9, p);
    CHECK(p.number("t.x") == 20);
    p.set("t.x", -1.0);  // after the ramp, edits stay
    tl.advance(50, p);
    CHECK(p.number("t.x") == -1);
}

TEST_CASE("ramped values are clamped to the param's range", "[timeline][ramp]") {
    ParamStore p = store();
    Timeline tl({ramp(0, "t.x", 100, 10)});
    p.set("t.x", -100.0);
    tl.advance(0, p);
    tl.advance(5, p);
    CHECK(p.number("t.x") == Approx(0));
}

TEST_CASE("reset goes back to before time 0", "[timeline]") {
    const ParamStore initial = store();
    ParamStore p = initial;
    Timeline tl({set(0, "t.mode", std::string("c")), ramp(1, "t.x", 10, 2), set(5, "t.y", 3.0)});
    tl.advance(2, p);
    CHECK(p.number("t.x") == Approx(5));
    tl.reset();
    p = initial;  // the caller restores the scene's initial values
    tl.advance(0, p);
    CHECK(p.text("t.mode") == "c");
    CHECK(p.number("t.x") == 0);  // no ramp left over from before the reset
    tl.advance(2.5, p);
    CHECK(p.number("t.x") == Approx(7.5));
    tl.advance(6, p);
    CHECK(p.number("t.x") == 10);
    CHECK(p.number("t.y") == 3);
}

TEST_CASE("a loaded scene's timeline plays into its params", "[timeline][load]") {
    enter_test_dir();
    const Scene s = load_scene("corpus/valid_full.toml", test_blocks());
    ParamStore p = s.params;
    Timeline tl(s.timeline);
    tl.advance(0, p);
    CHECK(p.number("flood.rain") == 120);
    tl.advance(10, p);
    CHECK(p.text("example.colormap") == "inferno");
    tl.advance(105, p);  // halfway through the 30 s ramp from 2 to 8.5
    CHECK(p.number("example.diffusivity_m2_per_s") == Approx(5.25));
    CHECK(p.text("world.title") == "Later");
    tl.advance(120, p);
    CHECK(p.number("example.diffusivity_m2_per_s") == 8.5);
}
