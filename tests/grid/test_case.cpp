// The MATPOWER case reader: every shipped case loads with the right counts and values, the synthetic valid
// files in tests/grid/corpus/ (both row layouts, continuations, skipped sections) parse as written, and
// each malformed file in the corpus gets its exact "file:line:col: message" from corpus/expected.txt.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "modules/grid/case.hpp"
#include "scene/scene.hpp"

using namespace infrascape::grid;
namespace fs = std::filesystem;

namespace {

const std::string kCorpus = std::string(INFRASCAPE_SOURCE_DIR) + "/tests/grid/corpus/";
const std::string kShared = std::string(INFRASCAPE_SOURCE_DIR) + "/../shared/data/matpower/";

bool have_shared() {
    if (fs::is_directory(kShared)) return true;
    WARN("MATPOWER cases not found at " << kShared << "; skipping");
    return false;
}

Case shipped(const std::string& name) {
    return load_matpower(kShared + name + ".m", name + ".m");
}
Case corpus(const std::string& name) {
    return load_matpower(kCorpus + name, "corpus/" + name);
}

std::string error_of(const std::string& name) {
    try {
        corpus(name);
    } catch (const infrascape::InputError& e) {
        return e.what();
    }
    return "(no error)";
}

// Every gen and branch names a bus that bus_index finds.
void check_links(const Case& c) {
    for (const Gen& g : c.gens) {
        const int k = c.bus_index(g.bus);
        REQUIRE(k >= 0);
        CHECK(c.buses[k].id == g.bus);
    }
    for (const Branch& b : c.branches) {
        REQUIRE(c.bus_index(b.from) >= 0);
        REQUIRE(c.bus_index(b.to) >= 0);
        CHECK(c.buses[c.bus_index(b.to)].id == b.to);
    }
}

int count_type(const Case& c, BusType t) {
    return static_cast<int>(
        std::count_if(c.buses.begin(), c.buses.end(), [t](const Bus& b) { return b.type == t; }));
}

}  // namespace

TEST_CASE("every shipped MATPOWER case loads with its bus gen and branch counts", "[grid]") {
    if (!have_shared()) return;
    struct Want {
        const char* name;
        std::size_t buses, gens, branches;
        bool names, types;  // mpc.bus_name, mpc.gentype/genfuel present
    };
    // Counted from the files' rows.
    const Want wants[] = {
        {"case9", 9, 3, 9, false, false},
        {"case14", 14, 5, 20, true, false},
        {"case30", 30, 6, 41, false, false},
        {"case118", 118, 54, 186, true, false},
        {"case300", 300, 69, 411, false, false},
        {"case_ACTIVSg200", 200, 49, 245, true, true},
        {"case_ACTIVSg2000", 2000, 544, 3206, true, true},
        {"case_ACTIVSg10k", 10000, 2485, 12706, true, true},
    };
    for (const Want& w : wants) {
        INFO(w.name);
        const Case c = shipped(w.name);
        CHECK(c.name == w.name);
        CHECK(c.base_mva == 100);
        CHECK(c.buses.size() == w.buses);
        CHECK(c.gens.size() == w.gens);
        CHECK(c.branches.size() == w.branches);
        CHECK(count_type(c, BusType::Ref) == 1);
        check_links(c);
        CHECK(std::all_of(c.buses.begin(), c.buses.end(),
                          [&](const Bus& b) { return b.name.empty() != w.names; }));
        CHECK(std::all_of(c.gens.begin(), c.gens.end(), [&](const Gen& g) {
            return g.type.empty() != w.types && g.fuel.empty() != w.types;
        }));
        std::set<int> ids;
        for (const Bus& b : c.buses) ids.insert(b.id);
        CHECK(ids.size() == c.buses.size());
    }
}

TEST_CASE("case9 values", "[grid]") {
    if (!have_shared()) return;
    const Case c = shipped("case9");
    const Bus& b5 = c.buses[c.bus_index(5)];
    CHECK(b5.id == 5);
    CHECK(b5.type == BusType::PQ);
    CHECK(b5.pd_mw == 90);
    CHECK(b5.qd_mvar == 30);
    CHECK(b5.base_kv == 345);
    CHECK(b5.vmax_pu == Approx(1.1));
    CHECK(b5.vmin_pu == Approx(0.9));
    CHECK(c.buses[0].type == BusType::Ref);
    CHECK(c.buses[1].type == BusType::PV);
    CHECK(c.gens[0].bus == 1);
    CHECK(c.gens[0].pg_mw == Approx(72.3));
    CHECK(c.gens[0].qg_mvar == Approx(27.03));
    CHECK(c.gens[0].qmax_mvar == 300);
    CHECK(c.gens[0].qmin_mvar == -300);
    CHECK(c.gens[0].vg_pu == Approx(1.04));
    CHECK(c.gens[0].mbase_mva == 100);
    CHECK(c.gens[0].status == 1);
    CHECK(c.gens[0].pmax_mw == 250);
    CHECK(c.gens[0].pmin_mw == 10);
    CHECK(c.gens[2].qg_mvar == Approx(-10.95));
    // Branch 2: 4 - 5, r 0.017, x 0.092, b 0.158, rateA 250.
    const Branch& br = c.branches[1];
    CHECK(br.from == 4);
    CHECK(br.to == 5);
    CHECK(br.r_pu == Approx(0.017));
    CHECK(br.x_pu == Approx(0.092));
    CHECK(br.b_pu == Approx(0.158));
    CHECK(br.rate_a_mva == 250);
    CHECK(br.ratio == 0);
    CHECK(br.status == 1);
    CHECK(br.angmin_deg == -360);
    CHECK(br.angmax_deg == 360);
    CHECK(c.branches[2].rate_a_mva == 150);
}

TEST_CASE("case14 transformers and bus names and case30 values", "[grid]") {
    if (!have_shared()) return;
    const Case c14 = shipped("case14");
    // Rows 8-10 are the transformers 4-7, 4-9 and 5-6.
    CHECK(c14.branches[7].from == 4);
    CHECK(c14.branches[7].to == 7);
    CHECK(c14.branches[7].ratio == Approx(0.978));
    CHECK(c14.branches[8].ratio == Approx(0.969));
    CHECK(c14.branches[9].ratio == Approx(0.932));
    CHECK(c14.branches[9].x_pu == Approx(0.25202));
    const auto taps =
        std::count_if(c14.branches.begin(), c14.branches.end(), [](const Branch& b) { return b.ratio != 0; });
    CHECK(taps == 3);
    CHECK(c14.buses[0].name == "Bus 1     HV");
    CHECK(c14.buses[13].name == "Bus 14    LV");
    CHECK(c14.buses[0].vm_pu == Approx(1.06));
    CHECK(c14.buses[1].va_deg == Approx(-4.98));
    CHECK(c14.gens[0].qg_mvar == Approx(-16.9));

    // This case30 (MATPOWER's, after Alsac & Stott) models its transformers as lines: every ratio is 0.
    const Case c30 = shipped("case30");
    CHECK(
        std::all_of(c30.branches.begin(), c30.branches.end(), [](const Branch& b) { return b.ratio == 0; }));
    CHECK(c30.branches[0].r_pu == Approx(0.02));
    CHECK(c30.branches[0].x_pu == Approx(0.06));
    CHECK(c30.branches[0].b_pu == Approx(0.03));
    CHECK(c30.branches[0].rate_a_mva == 130);
    CHECK(c30.buses[1].pd_mw == Approx(21.7));
    CHECK(c30.buses[1].vmin_pu == Approx(0.95));
    CHECK(c30.buses[0].vmax_pu == Approx(1.05));
    CHECK(c30.gens[1].pg_mw == Approx(60.97));
}

TEST_CASE("case300 bus numbers with gaps and exponent notation and tap ratios", "[grid]") {
    if (!have_shared()) return;
    const Case c = shipped("case300");
    CHECK(c.bus_index(1) == 0);
    CHECK(c.bus_index(7049) == 256);
    CHECK(c.buses[256].type == BusType::Ref);
    CHECK(c.bus_index(9533) == 299);
    CHECK(c.buses[299].gs_mw == Approx(0.1));
    CHECK(c.buses[299].zone == 9);
    CHECK(c.bus_index(9534) == -1);
    CHECK(c.bus_index(0) == -1);
    // Branch 1: 37 - 9001, r 6e-05, x 0.00046, rateC 75, ratio 1.0082.
    const Branch& b = c.branches[0];
    CHECK(b.from == 37);
    CHECK(b.to == 9001);
    CHECK(b.r_pu == Approx(6e-05));
    CHECK(b.x_pu == Approx(0.00046));
    CHECK(b.rate_c_mva == 75);
    CHECK(b.ratio == Approx(1.0082));
    const auto taps =
        std::count_if(c.branches.begin(), c.branches.end(), [](const Branch& x) { return x.ratio != 0; });
    CHECK(taps == 129);
}

TEST_CASE("ACTIVSg cases carry gentype and genfuel and bus names and OPF columns", "[grid]") {
    if (!have_shared()) return;
    const Case c = shipped("case_ACTIVSg200");
    REQUIRE(c.gens.size() == 49);
    CHECK(c.gens[0].bus == 49);
    CHECK(c.gens[0].type == "ST");
    CHECK(c.gens[0].fuel == "coal");
    CHECK(c.gens[5].bus == 65);
    CHECK(c.gens[5].type == "W2");
    CHECK(c.gens[5].fuel == "wind");
    CHECK(c.gens[13].type == "GT");
    CHECK(c.gens[13].fuel == "ng");
    CHECK(c.gens[5].pg_mw == Approx(86.5));
    CHECK(c.gens[5].mbase_mva == Approx(180.48));
    CHECK(std::count_if(c.gens.begin(), c.gens.end(), [](const Gen& g) { return g.status == 0; }) == 11);
    CHECK(c.buses[0].name == "CREVE COEUR 0");
    CHECK(c.buses[4].name == "PAXTON 2 0");
    CHECK(c.buses[1].pd_mw == Approx(7.39));
    CHECK(c.buses[0].vm_pu == Approx(1.0191524));
    CHECK(c.buses[0].va_deg == Approx(-7.085196));
    CHECK(c.buses[0].zone == 2);
    // ANGMIN/ANGMAX are written as 0 in these files; the reader keeps what the file says.
    CHECK(c.branches[0].angmin_deg == 0);
    CHECK(c.branches[0].angmax_deg == 0);
    CHECK(c.branches[1].rate_a_mva == Approx(221.1));

    const Case c2k = shipped("case_ACTIVSg2000");
    CHECK(c2k.buses.front().id == 1001);
    CHECK(c2k.buses.front().name == "ODESSA 2 0");
    CHECK(c2k.gens.front().bus == 1004);
    CHECK(c2k.gens.front().type == "W2");
    CHECK(c2k.gens.front().fuel == "wind");

    const Case c10k = shipped("case_ACTIVSg10k");
    CHECK(c10k.buses.front().id == 10001);
    CHECK(c10k.buses.back().id == 80100);
    CHECK(c10k.buses.front().name == "NEAH BAY 1");
    CHECK(c10k.buses[1].name == "FORKS 1");
    const int ref = c10k.bus_index(40845);
    REQUIRE(ref >= 0);
    CHECK(c10k.buses[ref].type == BusType::Ref);
    CHECK(c10k.buses[ref].area == 9);
    CHECK(c10k.gens.front().bus == 10683);
    CHECK(c10k.gens.front().status == 0);
    CHECK(c10k.gens.front().type == "UN");
    CHECK(c10k.gens.front().fuel == "hydro");
    CHECK(c10k.branches.front().b_pu == Approx(0.04557));
}

TEST_CASE("rows ended by newlines with comma separators and the closing bracket on the last row", "[grid]") {
    const Case c = corpus("valid_newline_rows.m");
    CHECK(c.name == "valid_newline_rows");
    REQUIRE(c.buses.size() == 3);
    REQUIRE(c.gens.size() == 2);
    REQUIRE(c.branches.size() == 2);
    CHECK(c.buses[1].pd_mw == Approx(21.7));
    CHECK(c.buses[1].va_deg == Approx(-4.98));
    CHECK(c.buses[2].bs_mvar == 19);
    CHECK(c.buses[2].area == 2);
    CHECK(c.buses[2].zone == 2);
    CHECK(c.buses[2].vmin_pu == Approx(0.94));
    CHECK(c.gens[1].qmin_mvar == -40);
    CHECK(c.gens[1].pmax_mw == 140);
    // 11-column branches: ANGMIN/ANGMAX take their defaults.
    CHECK(c.branches[0].angmin_deg == -360);
    CHECK(c.branches[0].angmax_deg == 360);
    CHECK(c.branches[1].ratio == Approx(0.978));
    CHECK(c.branches[1].angle_deg == Approx(-3.5));
    CHECK(c.branches[1].status == 0);
    CHECK(c.buses[0].name.empty());
    CHECK(c.gens[0].type.empty());
}

TEST_CASE("continuations and comments and extra columns and number forms and skipped sections", "[grid]") {
    const Case c = corpus("valid_continuation.m");
    CHECK(c.name == "valid_continuation");
    CHECK(c.base_mva == 100);
    REQUIRE(c.buses.size() == 4);
    REQUIRE(c.gens.size() == 2);
    REQUIRE(c.branches.size() == 3);
    CHECK(c.buses[1].pd_mw == Approx(0.5));
    CHECK(c.buses[1].qd_mvar == Approx(-25));
    CHECK(std::isinf(c.buses[1].vmax_pu));
    CHECK(c.buses[2].pd_mw == Approx(1e-3));
    CHECK(c.buses[2].qd_mvar == 4);
    // Row 4 is continued onto the next line with '...'.
    CHECK(c.buses[3].id == 4);
    CHECK(c.buses[3].type == BusType::Isolated);
    CHECK(c.buses[3].vmax_pu == Approx(1.1));
    CHECK(c.buses[3].vmin_pu == Approx(0.9));
    CHECK(c.gens[1].pg_mw == 63);
    CHECK(c.gens[1].qmax_mvar == std::numeric_limits<double>::infinity());
    CHECK(c.gens[1].qmin_mvar == -std::numeric_limits<double>::infinity());
    CHECK(c.gens[1].status == 0);
    CHECK(c.gens[0].pmin_mw == 10);
    CHECK(c.branches[0].angmin_deg == -30);
    CHECK(c.branches[0].angmax_deg == 30);
    REQUIRE(c.gencost.size() == 2);
    CHECK(c.gencost[0].model == 2);
    CHECK(c.gencost[0].coeffs == std::vector<double>{0.11, 5, 0});
    CHECK(c.gencost[1].model == 1);
    CHECK(c.gencost[1].coeffs == std::vector<double>{0, 0, 100, 500});
    CHECK(c.branches[1].ratio == Approx(1.05));
    CHECK(c.branches[1].angle_deg == 2);
    CHECK(c.branches[2].x_pu == 0);  // x = 0 alone is allowed (r is not 0)
    CHECK(c.branches[2].status == 0);
    CHECK(c.branches[2].to == 4);
    CHECK(c.gens[0].type == "ST");
    CHECK(c.gens[1].type == "W2");
    CHECK(c.gens[0].fuel == "coal");
    CHECK(c.gens[1].fuel == "it's wind");
    CHECK(c.buses[0].name == "ONE");
    CHECK(c.buses[2].name == "THREE");
    CHECK(c.buses[3].name == "FOUR '4'");
}

TEST_CASE("another output name with statements on one line and a local function", "[grid]") {
    const Case c = corpus("valid_compact.m");
    CHECK(c.name == "valid_compact_case");
    CHECK(c.base_mva == 50);
    REQUIRE(c.buses.size() == 2);
    REQUIRE(c.gens.size() == 1);
    REQUIRE(c.branches.size() == 1);
    CHECK(c.bus_index(10) == 0);
    CHECK(c.bus_index(20) == 1);
    CHECK(c.bus_index(15) == -1);
    CHECK(c.buses[1].pd_mw == 50);
    CHECK(c.gens[0].bus == 10);
    CHECK(c.branches[0].angmin_deg == -60);
    CHECK(c.branches[0].angmax_deg == 360);
}

TEST_CASE("bus_index follows edits to the bus list", "[grid]") {
    Case c;
    for (int k = 0; k < 200; ++k) {
        Bus b;
        b.id = 1000 + 7 * k;
        c.buses.push_back(b);
    }
    CHECK(c.bus_index(1000) == 0);
    CHECK(c.bus_index(1000 + 7 * 150) == 150);
    CHECK(c.bus_index(1001) == -1);
    c.buses[150].id = 5;  // edited in place: same storage, same size
    CHECK(c.bus_index(1000 + 7 * 150) == -1);
    CHECK(c.bus_index(5) == 150);
    c.buses.erase(c.buses.begin());
    CHECK(c.bus_index(1007) == 0);
    CHECK(c.bus_index(5) == 149);
    Case empty;
    CHECK(empty.bus_index(1) == -1);
}

TEST_CASE("a missing case file is an InputError", "[grid]") {
    CHECK(error_of("no_such_case.m") == "corpus/no_such_case.m:1:1: cannot open case file");
}

TEST_CASE("malformed case files get exact messages", "[grid]") {
    std::ifstream in(kCorpus + "expected.txt");
    REQUIRE(in);
    std::map<std::string, std::string> expected;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto bar = line.find('|');
        REQUIRE(bar != std::string::npos);
        expected[line.substr(0, bar)] = line.substr(bar + 1);
    }
    // Every bad_*.m has its line, and every line its file.
    std::set<std::string> bad_files;
    for (const auto& e : fs::directory_iterator(kCorpus)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("bad_", 0) == 0 && e.path().extension() == ".m") bad_files.insert(name);
    }
    CHECK(bad_files.size() >= 15);
    for (const auto& name : bad_files) {
        INFO(name);
        CHECK(expected.count(name) == 1);
    }
    for (const auto& [name, message] : expected) {
        INFO(name);
        CHECK(bad_files.count(name) == 1);
        CHECK(error_of(name) == message);
    }
}
