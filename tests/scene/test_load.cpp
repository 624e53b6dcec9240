// Loading valid scenes: every value of corpus/valid_full.toml, defaults, active blocks, date-times,
// time formats, sorting, and what `infrascape schema` prints.
#include <catch2/catch.hpp>

#include "test_specs.hpp"

using namespace scene_test;
using Catch::Matchers::Contains;

TEST_CASE("valid_full.toml loads value by value", "[load]") {
    enter_test_dir();
    const Scene s = load_scene("corpus/valid_full.toml", test_blocks());
    const auto corpus = std::filesystem::absolute("corpus");

    CHECK(s.file == std::filesystem::absolute("corpus/valid_full.toml"));
    CHECK(s.blocks == std::set<std::string>{"world", "example", "flood"});

    const ParamStore& p = s.params;
    CHECK(p.number("world.seed") == 42);
    CHECK(p.number("world.extent_m") == 25000);
    CHECK(p.number("world.start") == 1751598000);
    CHECK(p.number("world.latitude_deg") == 48.85);
    CHECK(p.number("world.longitude_deg") == 2.35);
    CHECK(p.number("world.dt_s") == 0.5);
    CHECK(p.number("world.speed") == 60);
    CHECK(p.number("world.duration_s") == 7200);
    CHECK(p.text("world.title") == "Paris in July");

    CHECK(p.number("example.diffusivity_m2_per_s") == 2);
    CHECK(p.text("example.colormap") == "turbo");
    CHECK(p.flag("example.enabled") == false);
    CHECK(p.text("example.heightmap") == (corpus / "data/height.png").string());
    CHECK(p.text("example.name") == "heat");
    CHECK(p.number("example.cells") == 512);

    CHECK(p.text("flood.dem") == (corpus / "data/dem.asc").string());  // resolved and normalised
    CHECK(p.number("flood.rain") == 10);                               // default

    // Declaration order: blocks in BlockSpec order, keys in declaration order.
    REQUIRE(p.names().size() == 9 + 6 + 2);
    CHECK(p.names().front() == "world.seed");
    CHECK(p.names()[9] == "example.diffusivity_m2_per_s");
    CHECK(p.names().back() == "flood.rain");

    REQUIRE(s.timeline.size() == 4);
    CHECK(s.timeline[0].t_s == 0);
    CHECK(s.timeline[0].param == "flood.rain");
    CHECK(std::get<double>(s.timeline[0].value) == 120);
    CHECK(s.timeline[0].ramp_s == 0);
    CHECK(s.timeline[1].t_s == 10);
    CHECK(s.timeline[1].param == "example.colormap");
    CHECK(std::get<std::string>(s.timeline[1].value) == "inferno");
    // Two events at 90 s keep their file order.
    CHECK(s.timeline[2].t_s == 90);
    CHECK(s.timeline[2].param == "example.diffusivity_m2_per_s");
    CHECK(std::get<double>(s.timeline[2].value) == 8.5);
    CHECK(s.timeline[2].ramp_s == 30);
    CHECK(s.timeline[2].where.line == 25);
    CHECK(s.timeline[2].where.col == 1);
    CHECK(s.timeline[2].where.file == "corpus/valid_full.toml");
    CHECK(s.timeline[3].t_s == 90);
    CHECK(s.timeline[3].param == "world.title");
    CHECK(std::get<std::string>(s.timeline[3].value) == "Later");

    REQUIRE(s.camera.size() == 2);
    CHECK(s.camera[0].t_s == 0);
    CHECK(s.camera[0].position[2] == 1000);
    CHECK(s.camera[0].look_at[0] == 1);
    CHECK(s.camera[0].look_at[1] == 2);
    CHECK(s.camera[0].look_at[2] == 3);
    CHECK(s.camera[0].fov_deg == 50);  // default
    CHECK(s.camera[0].ease == Ease::InOut);
    CHECK(s.camera[1].t_s == 60);
    CHECK(s.camera[1].position[0] == 100);
    CHECK(s.camera[1].position[1] == -50.5);
    CHECK(s.camera[1].position[2] == 300);
    CHECK(s.camera[1].fov_deg == 35);
    CHECK(s.camera[1].ease == Ease::Linear);

    REQUIRE(s.captions.size() == 2);
    CHECK(s.captions[0].t_s == 5);
    CHECK(s.captions[0].text == "Heat spreads");
    CHECK(s.captions[0].duration_s == 4);  // default
    CHECK(s.captions[1].t_s == 120);
    CHECK(s.captions[1].text == "Rain starts");
    CHECK(s.captions[1].duration_s == 30);
}

TEST_CASE("defaults fill every param of the active blocks only", "[load]") {
    SECTION("an empty file still has the world") {
        const Scene s = load_text("");
        CHECK(s.blocks == std::set<std::string>{"world"});
        CHECK(s.params.number("world.seed") == 1);
        CHECK(s.params.number("world.duration_s") == 3600);
        CHECK(s.params.text("world.title") == "");
        CHECK_FALSE(s.params.has("example.cells"));
        CHECK(s.timeline.empty());
        CHECK(s.camera.empty());
        CHECK(s.captions.empty());
    }
    SECTION("an empty block header activates the block with its defaults") {
        const Scene s = load_text("[example]\n");
        CHECK(s.blocks == std::set<std::string>{"world", "example"});
        CHECK(s.params.number("example.diffusivity_m2_per_s") == 0.1);
        CHECK(s.params.text("example.colormap") == "viridis");
        CHECK(s.params.flag("example.enabled"));
        CHECK(s.params.text("example.heightmap") == "");
        CHECK(s.params.number("example.cells") == 256);
        CHECK_FALSE(s.params.has("flood.dem"));
    }
    SECTION("dotted keys make a block too") {
        const Scene s = load_text("example.cells = 16\n");
        CHECK(s.blocks.count("example"));
        CHECK(s.params.number("example.cells") == 16);
    }
    SECTION("without a world spec, only the present blocks are active") {
        auto blocks = test_blocks();
        blocks.erase(blocks.begin());
        const Scene s = load_scene(write_scene("[example]\n"), blocks);
        CHECK(s.blocks == std::set<std::string>{"example"});
        CHECK_FALSE(s.params.has("world.seed"));
    }
}

TEST_CASE("date-times become seconds since the epoch, UTC", "[load][datetime]") {
    auto start = [](const std::string& value) {
        return load_text("[world]\nstart = " + value + "\n").params.number("world.start");
    };
    CHECK(start("2025-07-04T03:00:00Z") == 1751598000);
    CHECK(start("2025-07-03T22:00:00-05:00") == 1751598000);
    CHECK(start("2025-07-04T08:30:00+05:30") == 1751598000);
    CHECK(start("2025-07-04T03:00:00") == 1751598000);  // local date-time taken as UTC
    CHECK(start("2025-07-04 03:00:00Z") == 1751598000);  // TOML allows a space for the T
    CHECK(start("1970-01-01T00:00:00Z") == 0);
    CHECK(start("1969-12-31T23:59:59Z") == -1);
    CHECK(start("2000-03-01T00:00:00Z") == 951868800);
    CHECK(start("2024-02-29T12:00:00Z") == 1709208000);
    CHECK(start("1900-01-01T00:00:00Z") == -2208988800.0);
    CHECK(start("2100-12-31T23:59:59Z") == 4133980799.0);
    CHECK(start("2025-07-04T03:00:00.25Z") == Approx(1751598000.25).margin(1e-6));
    CHECK(error_of("[world]\nstart = 03:00:00\n") == "'world.start' must be a date-time, got a time");
    CHECK(error_of("[world]\nstart = \"2025-07-04\"\n") == "'world.start' must be a date-time, got a string");
}

TEST_CASE("times accept seconds or a string with a unit", "[load][duration]") {
    auto at = [](const std::string& value) {
        return load_text("[[caption]]\nat = " + value + "\ntext = \"x\"\n").captions.at(0).t_s;
    };
    CHECK(at("90") == 90);
    CHECK(at("2.5") == 2.5);
    CHECK(at("\"90\"") == 90);
    CHECK(at("\"90s\"") == 90);
    CHECK(at("\"1.5min\"") == 90);
    CHECK(at("\"2h\"") == 7200);
    CHECK(at("\"3d\"") == 259200);
    CHECK(at("\"5y\"") == 157788000);
    CHECK(at("\"10 min\"") == 600);
    CHECK(at("0") == 0);
    CHECK(error_of("[[caption]]\nat = -1\ntext = \"x\"\n") == "[[caption]] 'at' must not be negative");
    CHECK(error_of("[[caption]]\nat = true\ntext = \"x\"\n") == "[[caption]] 'at' must be a duration, got a boolean");
    CHECK(error_of("[[caption]]\nat = inf\ntext = \"x\"\n") == "[[caption]] 'at' must be a finite duration, got inf");
    CHECK(error_of("[[caption]]\nat = \"5 sec\"\ntext = \"x\"\n") ==
          "bad duration '5 sec': expected a number with an optional unit s, min, h, d or y");
    CHECK(error_of("[world]\nduration_s = \"-1h\"\n") == "'world.duration_s' must not be negative");
    CHECK(error_of("[world]\nduration_s = [1]\n") == "'world.duration_s' must be a duration, got an array");
    CHECK(load_text("[world]\nduration_s = \"1d\"\n").params.number("world.duration_s") == 86400);
}

TEST_CASE("more value checks", "[load]") {
    CHECK(error_of("[world]\nspeed = nan\n") == "'world.speed' must be a finite number, got nan");
    CHECK(error_of("[world]\nspeed = -inf\n") == "'world.speed' must be a finite number, got -inf");
    CHECK(error_of("[world]\nlatitude_deg = 91\n") == "'world.latitude_deg' = 91 is out of range [-90, 90] deg");
    CHECK(error_of("[world]\nextent_m = 2e7\n") == "'world.extent_m' = 2e+07 is out of range [0, 1e+07] m");
    CHECK(error_of("[world]\nstart = 2025-07-04T03:00:00Z\nstart2 = 1\n") ==
          "unknown key 'start2' in [world]; did you mean 'start'?");
    CHECK(error_of("[example]\nheightmap = \"\"\n") == "'example.heightmap' must be a file path, got an empty string");
    CHECK(error_of("[example]\nenabled = 1\n") == "'example.enabled' must be a boolean, got an integer");
    CHECK(error_of("[example]\nname = 2025-01-01\n") == "'example.name' must be a string, got a date");
    CHECK(error_of("[example]\nname = { a = 1 }\n") == "'example.name' must be a string, got a table");
    CHECK(error_of("world = 3\n") == "[world] must be a table");
    CHECK(error_of("camera = [1, 2]\n") == "[camera] must be an array of tables ([[camera]])");
    CHECK(error_of("[[caption]]\nat = 1\ntext = \"x\"\nduration = 0\n") == "[[caption]] 'duration' must be more than 0 s");
    CHECK(error_of("[[caption]]\nat = 1\ntext = 5\n") == "[[caption]] 'text' must be a string, got an integer");
    CHECK(error_of("[[camera]]\nat = 1\nposition = [0, 0, 0]\nlook_at = [1, 0, 0]\nfov_deg = \"wide\"\n") ==
          "[[camera]] 'fov_deg' must be a number, got a string");
    CHECK(error_of("[[camera]]\nat = 1\nposition = [0, 0, 0]\nlook_at = [1, 0, 0]\nease = 1\n") ==
          "[[camera]] 'ease' must be \"linear\" or \"in_out\", got an integer");
    CHECK(error_of("[[camera]]\nat = 1\nposition = [0, 0, nan]\nlook_at = [1, 0, 0]\n") ==
          "[[camera]] 'position' must be an array of 3 numbers");
    CHECK(error_of("[[camera]]\nat = 1\nposition = [0, 0, 0]\nlook_at = [1, 0, 0]\nzoom = 2\n") ==
          "unknown key 'zoom' in [[camera]]; see `infrascape schema camera`");
    CHECK(error_of("[[timeline]]\nat = 1\nset = 5\nto = 2\n") == "[[timeline]] 'set' must be a string, got an integer");
    CHECK(error_of("[[timeline]]\nat = 1\nset = \"speed\"\nto = 2\n") ==
          "unknown parameter 'speed'; did you mean 'world.speed'?");
    CHECK(error_of("[[timeline]]\nat = 1\nset = \"wrld.speed\"\nto = 2\n") ==
          "unknown parameter 'wrld.speed'; did you mean 'world.speed'?");
    CHECK(error_of("[[timeline]]\nat = 1\nset = \"world.zzz\"\nto = 2\n") ==
          "unknown parameter 'world.zzz'; see `infrascape schema`");
    CHECK(error_of("[[timeline]]\nat = 1\nset = \"world.speed\"\nto = 2\nramp = -3\n") ==
          "[[timeline]] 'ramp' must not be negative");
    CHECK(error_of("[[caption]]\nat = 1\ntext = \"x\"\n[[timeline]]\nat = 1\nset = \"world.speed\"\nto = \"fast\"\n") ==
          "'world.speed' must be a number, got a string");
}

TEST_CASE("timeline values are converted like the parameters they set", "[load]") {
    const auto dir = std::filesystem::absolute(write_scene("ASCII grid", "dem.asc")).parent_path();
    write_scene("another grid", "dem2.asc");
    const Scene s = load_text(
        "# inline tables are an array of tables too\n"
        "timeline = [\n"
        "  { at = 1, set = \"flood.dem\", to = \"dem2.asc\" },\n"
        "  { at = 2, set = \"example.enabled\", to = false },\n"
        "  { at = 3, set = \"world.start\", to = 1970-01-02T00:00:00Z },\n"
        "  { at = 4, set = \"world.duration_s\", to = \"1h\" },\n"
        "  { at = 5, set = \"world.speed\", to = 3, ramp = \"1min\" },\n"
        "]\n"
        "camera = []\n"
        "[flood]\n"
        "dem = \"dem.asc\"\n"
        "[example]\n");
    CHECK(s.params.text("flood.dem") == (dir / "dem.asc").string());
    REQUIRE(s.timeline.size() == 5);
    CHECK(std::get<std::string>(s.timeline[0].value) == (dir / "dem2.asc").string());
    CHECK(std::get<bool>(s.timeline[1].value) == false);
    CHECK(std::get<double>(s.timeline[2].value) == 86400);
    CHECK(std::get<double>(s.timeline[3].value) == 3600);
    CHECK(std::get<double>(s.timeline[4].value) == 3);
    CHECK(s.timeline[4].ramp_s == 60);
    CHECK(s.timeline[4].where.line == 7);
    CHECK(s.timeline[4].where.col == 3);  // the inline table's "{"
    CHECK(s.camera.empty());

    const std::string missing = (dir / "nope.asc").string();
    CHECK(error_of("[flood]\ndem = \"" + missing + "\"\n") == "'flood.dem': file not found: " + missing);
}

TEST_CASE("schema_text documents every key", "[schema]") {
    const auto blocks = test_blocks();
    const std::string all = schema_text(blocks);
    for (const auto& b : blocks) {
        CHECK_THAT(all, Contains("[" + b.name + "]  " + b.help));
        for (const auto& p : b.params) {
            CHECK_THAT(all, Contains(p.key));
            CHECK_THAT(all, Contains(p.help));
        }
    }
    for (const char* key : {"[[timeline]]", "[[camera]]", "[[caption]]", "set", "to", "ramp", "position", "look_at",
                            "fov_deg", "ease", "text", "duration"})
        CHECK_THAT(all, Contains(key));
    CHECK_THAT(all, Contains("(required)"));
    CHECK_THAT(all, Contains("viridis, inferno, turbo, cividis"));
    CHECK_THAT(all, Contains("[0, 10]"));
    CHECK_THAT(all, Contains("m2/s"));
    CHECK_THAT(all, Contains("\"viridis\""));              // a default
    CHECK_THAT(all, Contains("(fixed while running)"));    // live = false

    const std::string example = schema_text(blocks, "example");
    CHECK_THAT(example, Contains("diffusivity_m2_per_s"));
    CHECK_THAT(example, !Contains("[world]"));
    CHECK_THAT(example, !Contains("[[timeline]]"));
    // Columns line up: every row starts its type column at the same place.
    CHECK_THAT(example, Contains("\n  diffusivity_m2_per_s  number "));
    CHECK_THAT(example, Contains("\n  cells                 integer "));
    for (size_t at = example.find('\n'); at != std::string::npos; at = example.find('\n', at + 1))
        CHECK((at == 0 || example[at - 1] != ' '));  // no trailing blanks

    CHECK_THAT(schema_text(blocks, "timeline"), Contains("ramp"));
    CHECK_THAT(schema_text(blocks, "flood"), Contains("(required)"));

    try {
        schema_text(blocks, "weather");
        FAIL("expected std::invalid_argument");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()) ==
              "unknown block 'weather'; valid blocks: world, example, flood, timeline, camera, caption");
    }
}

TEST_CASE("record lists: [[block.key]] tables and inline arrays, defaults, positions, schema", "[scene]") {
    using namespace scene_test;
    enter_test_dir();
    const Scene s = load_scene("corpus/valid_records.toml", test_blocks());
    const auto& g = s.params.records("flood.gauges");
    REQUIRE(g.size() == 2);
    CHECK(g[0].text("name") == "Hunt");
    CHECK(g[0].number("x_m") == 120.5);
    CHECK(g[0].number("warn_depth_m") == 1.5);  // default
    CHECK(g[0].text("kind") == "radar");
    CHECK(g[1].text("kind") == "pressure");
    CHECK(g[1].number("warn_depth_m") == 2.0);
    CHECK(s.positions.at("flood.gauges[2].x_m").line == 12);
    CHECK(s.error_at("flood.gauges[2].x_m", "too close").what() == std::string("corpus/valid_records.toml:12:7: too close"));
    CHECK(s.params.records("flood.inflows").empty());
    const Scene inline_list = load_text("[flood]\ndem = \"" + (std::filesystem::current_path() / "corpus/data/dem.asc").string() +
                                        "\"\ngauges = [{name = \"a\", x_m = 1.0}]\n");
    CHECK(inline_list.params.records("flood.gauges").size() == 1);
    const Scene none = load_text("[flood]\ndem = \"" + (std::filesystem::current_path() / "corpus/data/dem.asc").string() +
                                 "\"\ngauges = []\n");
    CHECK(none.params.records("flood.gauges").empty());
    const std::string schema = schema_text(test_blocks(), "flood");
    CHECK(schema.find("[[flood.gauges]]  river gauges") != std::string::npos);
    CHECK(schema.find("warn_depth_m") != std::string::npos);
}

TEST_CASE("[[example]] entries with ids become instance blocks with their own values", "[load][instances]") {
    const Scene s = load_scene("corpus/valid_instances.toml", test_blocks());
    REQUIRE(s.instances.size() == 2);
    CHECK(s.instances[0] == std::pair<std::string, std::string>{"example:north", "example"});
    CHECK(s.instances[1] == std::pair<std::string, std::string>{"example:south", "example"});
    CHECK(s.blocks.count("example:north"));
    CHECK_FALSE(s.blocks.count("example"));
    CHECK(s.params.number("example:north.diffusivity_m2_per_s") == 0.2);
    CHECK(s.params.number("example:south.diffusivity_m2_per_s") == 0.1);  // the default
    CHECK_FALSE(s.params.has("example.diffusivity_m2_per_s"));
    REQUIRE(s.timeline.size() == 1);
    CHECK(s.timeline[0].param == "example:south.diffusivity_m2_per_s");
    // An instance's values handed to module code under the module's own name, and back.
    ParamStore view;
    view.declare(test_blocks()[1]);
    view.copy_block(s.params, "example:north", "example");
    CHECK(view.number("example.diffusivity_m2_per_s") == 0.2);
    view.set("example.diffusivity_m2_per_s", 0.7);
    ParamStore global = s.params;
    global.copy_block(view, "example", "example:north");
    CHECK(global.number("example:north.diffusivity_m2_per_s") == 0.7);
    CHECK(global.number("example:south.diffusivity_m2_per_s") == 0.1);
}
