// parse_duration, format_value, type_name and the ParamStore (declaration, typed reads, clamping).
#include <catch2/catch.hpp>

#include "test_specs.hpp"

using namespace scene_test;

namespace {

double duration_of(const char* text) {
    double s = -12345;
    if (!parse_duration(text, s)) FAIL("parse_duration rejected '" << text << "'");
    return s;
}

bool rejects(const char* text) {
    double s = -12345;
    const bool ok = parse_duration(text, s);
    CHECK(s == -12345);  // untouched on failure
    return !ok;
}

}  // namespace

TEST_CASE("parse_duration reads every unit", "[params][duration]") {
    CHECK(duration_of("90") == 90);
    CHECK(duration_of("90s") == 90);
    CHECK(duration_of("1.5min") == 90);
    CHECK(duration_of("2h") == 7200);
    CHECK(duration_of("3d") == 3 * 86400);
    CHECK(duration_of("5y") == 5 * 365.25 * 86400);
    CHECK(duration_of("1y") == 31557600);
    CHECK(duration_of("0") == 0);
    CHECK(duration_of("0.25") == 0.25);
    CHECK(duration_of(".5h") == 1800);
    CHECK(duration_of("2.") == 2);
    CHECK(duration_of("1e3") == 1000);
    CHECK(duration_of("1.5e-3s") == 0.0015);
    CHECK(duration_of("2E2min") == 12000);
}

TEST_CASE("parse_duration allows whitespace around and inside", "[params][duration]") {
    CHECK(duration_of("90 s") == 90);
    CHECK(duration_of("10   min") == 600);
    CHECK(duration_of("  2h  ") == 7200);
    CHECK(duration_of("\t3 d\n") == 3 * 86400);
}

TEST_CASE("parse_duration rejects bad input", "[params][duration]") {
    for (const char* bad : {"", " ", "s", "min", "10 parsecs", "10m", "5ms", "10mins", "10 sec", "1.2.3", "abc",
                            "-5s", "+5s", "5e", "5es", "1,5h", "10 s x", "h2", "5 h h", "inf", "nan", "1e999"}) {
        INFO("'" << bad << "'");
        CHECK(rejects(bad));
    }
}

TEST_CASE("format_value writes values for people", "[params]") {
    ParamSpec number;
    CHECK(format_value(number, 12.5) == "12.5");
    CHECK(format_value(number, 0.001) == "0.001");
    CHECK(format_value(number, 0.1) == "0.1");
    CHECK(format_value(number, 10.0) == "10");
    CHECK(format_value(number, 1e6) == "1e+06");
    CHECK(format_value(number, 1234567.0) == "1.23457e+06");
    CHECK(format_value(number, -2.5) == "-2.5");

    ParamSpec integer;
    integer.type = ParamType::Integer;
    CHECK(format_value(integer, 9007199254740992.0) == "9007199254740992");
    CHECK(format_value(integer, -7.0) == "-7");

    ParamSpec flag;
    flag.type = ParamType::Bool;
    CHECK(format_value(flag, true) == "true");
    CHECK(format_value(flag, false) == "false");

    ParamSpec text;
    text.type = ParamType::String;
    CHECK(format_value(text, std::string("turbo")) == "\"turbo\"");
    CHECK(format_value(text, std::string("say \"hi\" \\o/")) == "\"say \\\"hi\\\" \\\\o/\"");
    text.type = ParamType::Choice;
    CHECK(format_value(text, std::string("inferno")) == "\"inferno\"");

    ParamSpec date;
    date.type = ParamType::DateTime;
    CHECK(format_value(date, 1751598000.0) == "2025-07-04T03:00:00Z");
    CHECK(format_value(date, 0.0) == "1970-01-01T00:00:00Z");
    CHECK(format_value(date, -1.0) == "1969-12-31T23:59:59Z");
    CHECK(format_value(date, 951868800.0) == "2000-03-01T00:00:00Z");
    CHECK(format_value(date, -2208988800.0) == "1900-01-01T00:00:00Z");
    CHECK(format_value(date, 1709208000.5) == "2024-02-29T12:00:00.5Z");

    ParamSpec duration;
    duration.type = ParamType::Duration;
    CHECK(format_value(duration, 90.0) == "90s");
    CHECK(format_value(duration, 0.5) == "0.5s");
}

TEST_CASE("type_name names every type", "[params]") {
    CHECK(std::string(type_name(ParamType::Number)) == "number");
    CHECK(std::string(type_name(ParamType::Integer)) == "integer");
    CHECK(std::string(type_name(ParamType::Bool)) == "boolean");
    CHECK(std::string(type_name(ParamType::String)) == "string");
    CHECK(std::string(type_name(ParamType::Choice)) == "choice");
    CHECK(std::string(type_name(ParamType::Path)) == "path");
    CHECK(std::string(type_name(ParamType::DateTime)) == "date-time");
    CHECK(std::string(type_name(ParamType::Duration)) == "duration");
}

TEST_CASE("ParamStore declares, reads and sets values", "[params][store]") {
    const auto blocks = test_blocks();
    ParamStore store;
    store.declare(blocks[1]);  // example

    CHECK(store.has("example.cells"));
    CHECK_FALSE(store.has("world.seed"));
    CHECK_FALSE(store.has("cells"));
    REQUIRE(store.names().size() == 6);
    CHECK(store.names()[0] == "example.diffusivity_m2_per_s");
    CHECK(store.names()[5] == "example.cells");
    CHECK(store.values().size() == 6);
    CHECK(store.spec("example.colormap").choices.size() == 4);
    CHECK(store.number("example.diffusivity_m2_per_s") == 0.1);
    CHECK(store.text("example.colormap") == "viridis");
    CHECK(store.flag("example.enabled"));
    CHECK(std::get<std::string>(store.get("example.name")) == "example");

    CHECK_THROWS_AS(store.spec("example.nope"), std::out_of_range);
    CHECK_THROWS_AS(store.get("world.seed"), std::out_of_range);
    CHECK_THROWS_AS(store.number("example.nope"), std::out_of_range);
    CHECK_THROWS_AS(store.set("example.nope", 1.0), std::out_of_range);

    SECTION("numbers are clamped to their range") {
        store.set("example.diffusivity_m2_per_s", 12.0);
        CHECK(store.number("example.diffusivity_m2_per_s") == 10);
        store.set("example.diffusivity_m2_per_s", -1.0);
        CHECK(store.number("example.diffusivity_m2_per_s") == 0);
        store.set("example.diffusivity_m2_per_s", 2.5);
        CHECK(store.number("example.diffusivity_m2_per_s") == 2.5);
    }
    SECTION("integers are rounded, then clamped") {
        store.set("example.cells", 100.4);
        CHECK(store.number("example.cells") == 100);
        store.set("example.cells", 100.6);
        CHECK(store.number("example.cells") == 101);
        store.set("example.cells", 1e9);
        CHECK(store.number("example.cells") == 4096);
        store.set("example.cells", 7.6);
        CHECK(store.number("example.cells") == 8);
    }
    SECTION("the value must have the param's type") {
        CHECK_THROWS_AS(store.set("example.diffusivity_m2_per_s", std::string("fast")), std::invalid_argument);
        CHECK_THROWS_AS(store.set("example.enabled", 1.0), std::invalid_argument);
        CHECK_THROWS_AS(store.set("example.name", true), std::invalid_argument);
        CHECK_THROWS_AS(store.set("example.colormap", std::string("jet")), std::invalid_argument);
        CHECK_THROWS_AS(store.set("example.cells", std::nan("")), std::invalid_argument);
        try {
            store.set("example.enabled", 1.0);
        } catch (const std::invalid_argument& e) {
            CHECK_THAT(e.what(), Catch::Matchers::Contains("example.enabled"));
        }
        CHECK(store.flag("example.enabled"));  // unchanged
        store.set("example.colormap", std::string("turbo"));
        CHECK(store.text("example.colormap") == "turbo");
        store.set("example.enabled", false);
        CHECK_FALSE(store.flag("example.enabled"));
    }
    SECTION("typed reads check the kind of value") {
        CHECK_THROWS_AS(store.number("example.name"), std::invalid_argument);
        CHECK_THROWS_AS(store.flag("example.cells"), std::invalid_argument);
        CHECK_THROWS_AS(store.text("example.enabled"), std::invalid_argument);
    }
    SECTION("declaring a block again resets its values without repeating names") {
        store.set("example.cells", 64.0);
        store.declare(blocks[1]);
        CHECK(store.number("example.cells") == 256);
        CHECK(store.names().size() == 6);
    }
}
