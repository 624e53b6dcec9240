// User-defined scaling quantities (city.quantities CSV): a good file loads, and each malformed file in the
// corpus gets its exact message.
#include <catch2/catch.hpp>

#include "modules/city/quantities_csv.hpp"
#include "modules/city/scaling.hpp"
#include "scene/scene.hpp"

using namespace infrascape::city;

namespace {
const std::string kDir = std::string(INFRASCAPE_SOURCE_DIR) + "/tests/city/quantities/";

std::string error_of(const std::string& name) {
    try {
        load_quantities_csv(kDir + name, name, default_scaling_laws());
    } catch (const infrascape::InputError& e) {
        return e.what();
    }
    return "(no error)";
}
}  // namespace

TEST_CASE("a quantities file adds its rows", "[city]") {
    auto laws = load_quantities_csv(kDir + "good.csv", "good.csv", default_scaling_laws());
    REQUIRE(laws.size() == 2);
    CHECK(laws[0].name == "Museums");
    CHECK(laws[0].unit == "count");
    CHECK(laws[0].kind == "socio-economic");
    CHECK(laws[0].y0 == 12);
    CHECK(laws[0].beta == Approx(1.1));
    CHECK(laws[1].name == "Sewer length");
    CHECK(evaluate(laws[1], 1e6) == Approx(900 * std::pow(1e6, 0.86)));
}

TEST_CASE("malformed quantities files get exact messages", "[city]") {
    CHECK(error_of("bad_header.csv") == "bad_header.csv:1:1: expected the header 'name,unit,kind,y0,beta'");
    CHECK(error_of("too_few_fields.csv") == "too_few_fields.csv:2:1: expected 5 fields (name,unit,kind,y0,beta), got 4");
    CHECK(error_of("unknown_kind.csv") ==
          "unknown_kind.csv:2:15: unknown kind 'social'; expected socio-economic, infrastructure, individual or metabolic");
    CHECK(error_of("negative_y0.csv") == "negative_y0.csv:2:30: 'y0' must be a positive number, got '-3'");
    CHECK(error_of("beta_out_of_range.csv") == "beta_out_of_range.csv:2:33: 'beta' = 3.5 is out of range [0, 2]");
    CHECK(error_of("beta_not_number.csv") == "beta_not_number.csv:2:33: 'beta' must be a number, got 'abc'");
    CHECK(error_of("duplicate_builtin.csv") == "duplicate_builtin.csv:2:1: quantity 'GDP' is already defined");
    CHECK(error_of("quoted.csv") == "quoted.csv:2:1: quoted fields are not supported; leave out the quotes");
    CHECK(error_of("empty_name.csv") == "empty_name.csv:2:1: a quantity needs a name");
    CHECK(error_of("empty_file.csv") == "empty_file.csv:1:1: expected the header 'name,unit,kind,y0,beta'");
    CHECK(error_of("no_such_file.csv") == "no_such_file.csv:1:1: cannot open quantities file");
}
