// VTK ImageData writer (modules/datacenter/vti): files written for small scalar and vector fields are read
// back here (XML structure, extents, origin, spacing, the raw appended block) and compared value by value.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "temp_dir.hpp"
#include "modules/datacenter/vti.hpp"

using namespace infrascape::datacenter;
namespace fs = std::filesystem;

namespace {

using test::TempDir;

std::string attribute(const std::string& tag, const std::string& name) {
    std::smatch m;
    if (!std::regex_search(tag, m, std::regex("\\b" + name + "=\"([^\"]*)\""))) return "<missing>";
    return m[1];
}

struct ParsedArray {
    std::map<std::string, std::string> attrs;
    std::vector<float> values;
};

// A small reader for what write_vti writes: the XML head up to the '_' of the appended block, the arrays'
// attributes, and each array's values decoded from its UInt64 byte count and Float32 data.
struct ParsedVti {
    std::string head, tail;
    std::vector<ParsedArray> arrays;
};

ParsedVti parse(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ParsedVti v;
    const std::string opening = "<AppendedData encoding=\"raw\">";
    const size_t open_at = text.find(opening);
    REQUIRE(open_at != std::string::npos);
    const size_t underscore = text.find('_', open_at + opening.size());
    REQUIRE(underscore != std::string::npos);
    v.head = text.substr(0, underscore);
    const std::regex array_re("<DataArray ([^>]*)/>");
    size_t end_of_data = underscore + 1;
    for (auto it = std::sregex_iterator(v.head.begin(), v.head.end(), array_re); it != std::sregex_iterator();
         ++it) {
        ParsedArray a;
        const std::string tag = (*it)[1];
        for (const char* key : {"type", "Name", "NumberOfComponents", "format", "offset"})
            a.attrs[key] = attribute(tag, key);
        const size_t at = underscore + 1 + std::stoull(a.attrs["offset"]);
        std::uint64_t bytes = 0;
        REQUIRE(at + sizeof bytes <= text.size());
        std::memcpy(&bytes, text.data() + at, sizeof bytes);
        REQUIRE(bytes % sizeof(float) == 0);
        REQUIRE(at + sizeof bytes + bytes <= text.size());
        a.values.resize(bytes / sizeof(float));
        std::memcpy(a.values.data(), text.data() + at + sizeof bytes, bytes);
        end_of_data = std::max<size_t>(end_of_data, at + sizeof bytes + bytes);
        v.arrays.push_back(std::move(a));
    }
    v.tail = text.substr(end_of_data);
    return v;
}

}  // namespace

TEST_CASE("vti: a scalar field reads back with its extents, origin, spacing and values",
          "[datacenter][vti]") {
    TempDir dir("scalar");
    // 3 x 2 x 4 points, value = i + 10 j + 100 k + 0.25 (x fastest).
    const int nx = 3, ny = 2, nz = 4;
    std::vector<float> t(nx * ny * nz);
    for (int k = 0; k < nz; ++k)
        for (int j = 0; j < ny; ++j)
            for (int i = 0; i < nx; ++i) t[i + nx * (j + ny * k)] = i + 10.0f * j + 100.0f * k + 0.25f;
    write_vti(dir / "t.vti", nx, ny, nz, {0.25, -1.5, 0.1}, {0.5, 0.5, 0.2}, "temperature_c", t);

    const ParsedVti v = parse(dir / "t.vti");
    CHECK(v.head.rfind("<?xml version=\"1.0\"?>\n<VTKFile type=\"ImageData\" version=\"1.0\"", 0) == 0);
    CHECK(attribute(v.head, "header_type") == "UInt64");
    CHECK(attribute(v.head, "byte_order") == "LittleEndian");  // the machines we build on
    CHECK(attribute(v.head, "WholeExtent") == "0 2 0 1 0 3");
    CHECK(attribute(v.head, "Extent") == "0 2 0 1 0 3");
    CHECK(attribute(v.head, "Origin") == "0.25 -1.5 0.1");
    CHECK(attribute(v.head, "Spacing") == "0.5 0.5 0.2");
    CHECK(attribute(v.head, "Scalars") == "temperature_c");
    CHECK(v.head.find("<PointData") < v.head.find("</PointData>"));
    CHECK(v.head.find("</Piece>") < v.head.find("</ImageData>"));
    REQUIRE(v.arrays.size() == 1);
    const ParsedArray& a = v.arrays[0];
    CHECK(a.attrs.at("type") == "Float32");
    CHECK(a.attrs.at("Name") == "temperature_c");
    CHECK(a.attrs.at("NumberOfComponents") == "1");
    CHECK(a.attrs.at("format") == "appended");
    CHECK(a.attrs.at("offset") == "0");
    CHECK(a.values == t);
    CHECK(a.values[1 + 3 * (1 + 2 * 2)] == 211.25f);  // (i, j, k) = (1, 1, 2)
    CHECK(v.tail == "\n  </AppendedData>\n</VTKFile>\n");
}

TEST_CASE("vti: vector fields and several arrays in one file", "[datacenter][vti]") {
    TempDir dir("vector");
    const int nx = 2, ny = 3, nz = 1;  // a single layer is a valid 2D image
    std::vector<float> vel(3 * nx * ny);
    for (size_t p = 0; p < vel.size() / 3; ++p) {
        vel[3 * p] = static_cast<float>(p);
        vel[3 * p + 1] = -static_cast<float>(p) * 0.5f;
        vel[3 * p + 2] = 1e-3f * static_cast<float>(p);
    }
    write_vti_vectors(dir / "u.vti", nx, ny, nz, {0, 0, 0}, {1, 2, 3}, "velocity_m_per_s", vel);
    const ParsedVti u = parse(dir / "u.vti");
    CHECK(attribute(u.head, "WholeExtent") == "0 1 0 2 0 0");
    CHECK(attribute(u.head, "Vectors") == "velocity_m_per_s");
    CHECK(attribute(u.head, "Spacing") == "1 2 3");
    REQUIRE(u.arrays.size() == 1);
    CHECK(u.arrays[0].attrs.at("NumberOfComponents") == "3");
    CHECK(u.arrays[0].values == vel);

    // Temperature and velocity together: the second array starts after the first's 8-byte count and data.
    std::vector<float> temp(nx * ny, 30.5f);
    temp[4] = -7.0f;
    write_vti(dir / "both.vti", VtiGrid{nx, ny, nz, {1, 2, 3}, {0.5, 0.5, 0.5}},
              {{"velocity_m_per_s", 3, vel}, {"temperature_c", 1, temp}});
    const ParsedVti both = parse(dir / "both.vti");
    REQUIRE(both.arrays.size() == 2);
    CHECK(both.arrays[1].attrs.at("offset") == std::to_string(8 + 4 * vel.size()));
    CHECK(both.arrays[0].values == vel);
    CHECK(both.arrays[1].values == temp);
    CHECK(attribute(both.head, "Scalars") == "temperature_c");
    CHECK(attribute(both.head, "Vectors") == "velocity_m_per_s");
    CHECK(both.tail == "\n  </AppendedData>\n</VTKFile>\n");
}

TEST_CASE("vti: wrong sizes and unwritable paths are refused", "[datacenter][vti]") {
    TempDir dir("errors");
    CHECK_THROWS_AS(write_vti(dir / "a.vti", 2, 2, 2, {0, 0, 0}, {1, 1, 1}, "t", std::vector<float>(7)),
                    std::invalid_argument);
    CHECK_THROWS_AS(
        write_vti_vectors(dir / "b.vti", 2, 2, 1, {0, 0, 0}, {1, 1, 1}, "u", std::vector<float>(4)),
        std::invalid_argument);
    CHECK_THROWS_AS(write_vti(dir / "c.vti", 0, 2, 2, {0, 0, 0}, {1, 1, 1}, "t", {}), std::invalid_argument);
    CHECK_THROWS_AS(write_vti(dir / "no_such_folder/d.vti", 1, 1, 1, {0, 0, 0}, {1, 1, 1}, "t", {1.0f}),
                    std::runtime_error);
}
