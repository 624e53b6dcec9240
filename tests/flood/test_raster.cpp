// Flood module raster I/O: hand-written ESRI ASCII grids (orientation, CRLF, tabs, scientific notation),
// round trips through both writers, cross-checks against GDAL's own AAIGrid and GTiff drivers, and a corpus
// of malformed files (tests/flood/raster_corpus) each with its exact message.
#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "temp_dir.hpp"
#include "corpus_support.hpp"
#include "core/raster.hpp"
#include "scene/scene.hpp"

using namespace infrascape;
namespace fs = std::filesystem;

namespace {

const std::string kCorpus = std::string(INFRASCAPE_SOURCE_DIR) + "/tests/flood/raster_corpus/";

using test::TempDir;

void write_text(const std::string& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary);
    out << text;
}

std::string message_of(const std::string& file, const std::string& shown) {
    try {
        read_raster(file, shown);
    } catch (const infrascape::InputError& e) {
        return e.what();
    }
    return "(no error)";
}

bool same_value(float a, float b) {
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

// A deterministic field with NaN holes; values are multiples of 1e-4 below 1000 in magnitude, so four
// decimals print them exactly enough to read back the same float.
Raster sample_raster(uint32_t nx, uint32_t ny) {
    Raster r;
    r.nx = nx;
    r.ny = ny;
    r.geo = {512345.5, 3298765.25, 2.5, ""};
    for (uint32_t j = 0; j < ny; ++j)
        for (uint32_t i = 0; i < nx; ++i) {
            const double z = 250 + 200 * std::sin(0.3 * i) * std::cos(0.17 * j) - 0.731 * i * j;
            r.v.push_back((i * 7 + j * 3) % 11 == 0 ? NAN : float(std::round(z * 1e4) / 1e4));
        }
    return r;
}

std::string utm14n_wkt() {
    OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
    REQUIRE(OSRSetWellKnownGeogCS(srs, "WGS84") == OGRERR_NONE);
    REQUIRE(OSRSetUTM(srs, 14, TRUE) == OGRERR_NONE);
    char* text = nullptr;
    REQUIRE(OSRExportToWkt(srs, &text) == OGRERR_NONE);
    std::string wkt = text;
    CPLFree(text);
    OSRDestroySpatialReference(srs);
    return wkt;
}

bool same_srs(const std::string& a, const std::string& b) {
    OGRSpatialReferenceH sa = OSRNewSpatialReference(a.c_str()), sb = OSRNewSpatialReference(b.c_str());
    const bool same = sa && sb && OSRIsSame(sa, sb);
    OSRDestroySpatialReference(sa);
    OSRDestroySpatialReference(sb);
    return same;
}

// A GeoTIFF made by GDAL directly: `rows` top row first (GDAL's order), the given geotransform.
void gdal_geotiff(const std::string& file, int nx, int ny, const std::vector<float>& rows, const double gt[6],
                  GDALDataType type = GDT_Float32, int bands = 1) {
    GDALAllRegister();
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), file.c_str(), nx, ny, bands, type, nullptr);
    REQUIRE(ds);
    if (gt) REQUIRE(GDALSetGeoTransform(ds, const_cast<double*>(gt)) == CE_None);
    std::vector<float> data = rows;
    for (int b = 1; b <= bands; ++b) {
        REQUIRE(GDALRasterIO(GDALGetRasterBand(ds, b), GF_Write, 0, 0, nx, ny, data.data(), nx, ny,
                             GDT_Float32, 0, 0) == CE_None);
        for (float& f : data) f += 1000;  // other bands differ from band 1
    }
    GDALClose(ds);
}

}  // namespace

// [SECTION] ESRI ASCII grid

TEST_CASE("a hand-written ESRI ASCII grid reads with the south row first", "[flood][raster]") {
    const Raster r = read_asc(kCorpus + "good_small.asc", "good_small.asc");
    REQUIRE(r.nx == 4);
    REQUIRE(r.ny == 3);
    CHECK(r.geo.x0 == 1002.5);  // xllcorner + cell / 2
    CHECK(r.geo.y0 == 2002.5);
    CHECK(r.geo.cell == 5);
    CHECK(r.geo.wkt.empty());
    // The file's last line (9 10 11 12) is the south row j = 0; its first line (1 2 3 4) the north row j = 2.
    CHECK(r.at(0, 0) == 9);
    CHECK(r.at(3, 0) == 12);
    CHECK(r.at(0, 1) == 5);
    CHECK(std::isnan(r.at(2, 1)));
    CHECK(r.at(3, 1) == 8);
    CHECK(r.at(0, 2) == 1);
    CHECK(r.at(3, 2) == 4);
    CHECK(r.v[2 * 4 + 1] == 2);
    CHECK_THROWS_AS(r.at(4, 0), std::out_of_range);
    CHECK_THROWS_AS(r.at(0, 3), std::out_of_range);
}

TEST_CASE("ESRI ASCII grid with CRLF, tabs, BOM, mixed-case keys, centres and scientific notation",
          "[flood][raster]") {
    const Raster r = read_raster(kCorpus + "good_crlf_tabs.asc", "good_crlf_tabs.asc");
    REQUIRE(r.nx == 3);
    REQUIRE(r.ny == 2);
    CHECK(r.geo.x0 == -125);  // XLLCENTER -1.25e2: already the centre
    CHECK(r.geo.y0 == 45);
    CHECK(r.geo.cell == 0.5);
    CHECK(r.at(0, 1) == 1.5f);
    CHECK(r.at(1, 1) == -0.25f);
    CHECK(r.at(2, 1) == 3);
    CHECK(std::isnan(r.at(0, 0)));  // -32768.0 equals NODATA_value -32768
    CHECK(r.at(1, 0) == 0.001f);
    CHECK(r.at(2, 0) == 7);
}

TEST_CASE("xllcorner and xllcenter give the same georeference", "[flood][raster]") {
    TempDir dir("origin");
    const std::string rows = "cellsize 30\nncols 2\nnrows 2\n1 2\n3 nan\n";
    write_text(dir / "corner.asc", "xllcorner 300000\nyllcorner 4000000\n" + rows);
    write_text(dir / "centre.asc", "XLLCENTER 300015\nYLLCENTER 4000015\n" + rows);
    write_text(dir / "mixed.asc", "xllcorner 300000\nyllcenter 4000015\n" + rows);
    for (const char* name : {"corner.asc", "centre.asc", "mixed.asc"}) {
        INFO(name);
        const Raster r = read_asc(dir / name, name);
        CHECK(r.geo.x0 == 300015);
        CHECK(r.geo.y0 == 4000015);
        CHECK(r.geo.cell == 30);
        CHECK(r.at(0, 0) == 3);
        CHECK(std::isnan(r.at(1, 0)));  // "nan" reads as NODATA even without NODATA_value
    }
}

TEST_CASE("ESRI ASCII grid round trip keeps values, NaN cells, the georeference and the projection",
          "[flood][raster]") {
    TempDir dir("asc");
    Raster r = sample_raster(37, 23);
    write_asc(dir / "dem.asc", r);
    CHECK(!fs::exists(dir / "dem.prj"));
    Raster back = read_asc(dir / "dem.asc", "dem.asc");
    REQUIRE(back.nx == r.nx);
    REQUIRE(back.ny == r.ny);
    CHECK(back.geo.x0 == r.geo.x0);
    CHECK(back.geo.y0 == r.geo.y0);
    CHECK(back.geo.cell == r.geo.cell);
    size_t differ = 0, nan = 0;
    for (size_t k = 0; k < r.v.size(); ++k) {
        differ += !same_value(back.v[k], r.v[k]);
        nan += std::isnan(r.v[k]);
    }
    CHECK(nan > 50);
    CHECK(differ == 0);

    // Fewer decimals: within half a unit of the last digit; a georeference that is not exact in binary comes
    // back within rounding of xllcorner = x0 - cell / 2.
    r.geo = {0.1, -7.3, 0.3, utm14n_wkt()};
    write_asc(dir / "dem.asc", r, 2);
    REQUIRE(fs::exists(dir / "dem.prj"));
    back = read_asc(dir / "dem.asc", "dem.asc");
    CHECK(back.geo.x0 == Approx(0.1).epsilon(1e-15));
    CHECK(back.geo.y0 == Approx(-7.3).epsilon(1e-15));
    CHECK(back.geo.cell == 0.3);
    CHECK(same_srs(back.geo.wkt, r.geo.wkt));
    double worst = 0;
    for (size_t k = 0; k < r.v.size(); ++k)
        if (!std::isnan(r.v[k])) worst = std::max(worst, std::fabs(double(back.v[k]) - r.v[k]));
    CHECK(worst <= 0.005 + 1e-4);

    // Written again without a projection: the stale .prj goes, so it is not read back with the new grid.
    r.geo.wkt.clear();
    write_asc(dir / "dem.asc", r);
    CHECK(!fs::exists(dir / "dem.prj"));
    CHECK(read_asc(dir / "dem.asc", "dem.asc").geo.wkt.empty());
}

TEST_CASE("GDAL's AAIGrid driver and this reader and writer agree", "[flood][raster]") {
    TempDir dir("aaigrid");
    const Raster r = sample_raster(9, 6);
    write_asc(dir / "ours.asc", r);
    GDALAllRegister();

    // GDAL reads our file: north-up corner geotransform, top row = our north row, -9999 as nodata.
    GDALDatasetH ds = GDALOpen((dir / "ours.asc").c_str(), GA_ReadOnly);
    REQUIRE(ds);
    double gt[6];
    REQUIRE(GDALGetGeoTransform(ds, gt) == CE_None);
    CHECK(gt[0] == r.geo.x0 - 1.25);
    CHECK(gt[1] == 2.5);
    CHECK(gt[3] == r.geo.y0 + 5.5 * 2.5);
    CHECK(gt[5] == -2.5);
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    int has = 0;
    CHECK(GDALGetRasterNoDataValue(band, &has) == -9999);
    CHECK(has);
    std::vector<float> top(9 * 6);
    REQUIRE(GDALRasterIO(band, GF_Read, 0, 0, 9, 6, top.data(), 9, 6, GDT_Float32, 0, 0) == CE_None);
    size_t differ = 0;
    for (uint32_t row = 0; row < 6; ++row)
        for (uint32_t i = 0; i < 9; ++i) {
            const float want = r.at(i, 5 - row);
            differ += !same_value(top[row * 9 + i] == -9999 ? NAN : top[row * 9 + i], want);
        }
    CHECK(differ == 0);

    // We read GDAL's copy of it.
    GDALDatasetH copy = GDALCreateCopy(GDALGetDriverByName("AAIGrid"), (dir / "gdal.asc").c_str(), ds, FALSE,
                                       nullptr, nullptr, nullptr);
    REQUIRE(copy);
    GDALClose(copy);
    GDALClose(ds);
    const Raster back = read_asc(dir / "gdal.asc", "gdal.asc");
    REQUIRE(back.nx == 9);
    REQUIRE(back.ny == 6);
    CHECK(back.geo.x0 == r.geo.x0);
    CHECK(back.geo.y0 == r.geo.y0);
    differ = 0;
    for (size_t k = 0; k < r.v.size(); ++k) differ += !same_value(back.v[k], r.v[k]);
    CHECK(differ == 0);
}

// [SECTION] GeoTIFF

TEST_CASE("GeoTIFF round trip keeps values, NaN cells, the georeference and the projection",
          "[flood][raster]") {
    TempDir dir("tif");
    Raster r = sample_raster(41, 17);
    r.v[5] = -1.2345678e-3f;  // any float survives a Float32 GeoTIFF exactly
    r.v[6] = 8848.86f;
    r.geo.wkt = utm14n_wkt();
    write_geotiff(dir / "depth.tif", r);
    const Raster back = read_raster(dir / "depth.tif", "depth.tif");
    REQUIRE(back.nx == r.nx);
    REQUIRE(back.ny == r.ny);
    CHECK(back.geo.x0 == r.geo.x0);
    CHECK(back.geo.y0 == r.geo.y0);
    CHECK(back.geo.cell == r.geo.cell);
    CHECK(!back.geo.wkt.empty());
    CHECK(back.geo.wkt.find("UTM zone 14N") != std::string::npos);
    CHECK(same_srs(back.geo.wkt, r.geo.wkt));
    size_t differ = 0;
    for (size_t k = 0; k < r.v.size(); ++k) differ += !same_value(back.v[k], r.v[k]);
    CHECK(differ == 0);

    // No projection given: none written, none read.
    r.geo.wkt.clear();
    write_geotiff(dir / "plain.tiff", r);
    CHECK(read_raster(dir / "plain.tiff", "plain.tiff").geo.wkt.empty());

    // The nodata tag is -9999, as the brief for result rasters asks.
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen((dir / "depth.tif").c_str(), GA_ReadOnly);
    REQUIRE(ds);
    int has = 0;
    CHECK(GDALGetRasterNoDataValue(GDALGetRasterBand(ds, 1), &has) == -9999);
    CHECK(has);
    CHECK(GDALGetRasterDataType(GDALGetRasterBand(ds, 1)) == GDT_Float32);
    GDALClose(ds);
}

TEST_CASE("a GeoTIFF written by GDAL reads with the same orientation as the .asc of the same data",
          "[flood][raster]") {
    TempDir dir("orientation");
    // 3 columns, 2 rows; the north row is 1 2 3.
    write_text(dir / "dem.asc",
               "ncols 3\nnrows 2\nxllcorner 500\nyllcorner 700\ncellsize 10\n1 2 3\n4 5 6\n");
    const double north_up[6] = {500, 10, 0, 720, 0, -10};
    gdal_geotiff(dir / "north_up.tif", 3, 2, {1, 2, 3, 4, 5, 6}, north_up);
    const double south_up[6] = {500, 10, 0, 700, 0, 10};  // GDAL's first row is the south one here
    gdal_geotiff(dir / "south_up.tif", 3, 2, {4, 5, 6, 1, 2, 3}, south_up);
    const Raster a = read_raster(dir / "dem.asc", "dem.asc");
    CHECK(a.at(0, 0) == 4);
    CHECK(a.at(2, 1) == 3);
    for (const char* name : {"north_up.tif", "south_up.tif"}) {
        INFO(name);
        const Raster t = read_raster(dir / name, name);
        REQUIRE(t.nx == 3);
        REQUIRE(t.ny == 2);
        CHECK(t.geo.x0 == a.geo.x0);
        CHECK(t.geo.y0 == a.geo.y0);
        CHECK(t.geo.cell == a.geo.cell);
        CHECK(t.v == a.v);
    }
}

TEST_CASE("GeoTIFF nodata, scale and offset, and extra bands", "[flood][raster]") {
    TempDir dir("int16");
    const double gt[6] = {0, 2, 0, 4, 0, -2};
    gdal_geotiff(dir / "int16.tif", 2, 2, {-32768, 10, 20, 30}, gt, GDT_Int16, 2);
    GDALDatasetH ds = GDALOpen((dir / "int16.tif").c_str(), GA_Update);
    REQUIRE(ds);
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    REQUIRE(GDALSetRasterNoDataValue(band, -32768) == CE_None);
    REQUIRE(GDALSetRasterScale(band, 0.5) == CE_None);
    REQUIRE(GDALSetRasterOffset(band, 100) == CE_None);
    GDALClose(ds);
    const Raster r = read_raster(dir / "int16.tif", "int16.tif");
    CHECK(std::isnan(r.at(0, 1)));  // the top-left pixel, nodata
    CHECK(r.at(1, 1) == 105);       // 10 * 0.5 + 100; band 2 (10 + 1000) is ignored
    CHECK(r.at(0, 0) == 110);
    CHECK(r.at(1, 0) == 115);
    CHECK(r.geo.x0 == 1);
    CHECK(r.geo.y0 == 1);
}

TEST_CASE("GeoTIFFs the flood module cannot use get exact messages", "[flood][raster]") {
    TempDir dir("bad_tif");
    const std::vector<float> px = {1, 2, 3, 4};
    const double rotated[6] = {0, 10, 1, 100, 0, -10};
    const double non_square[6] = {0, 10, 0, 100, 0, -5};
    const double east_to_west[6] = {0, -10, 0, 100, 0, -10};
    gdal_geotiff(dir / "rotated.tif", 2, 2, px, rotated);
    gdal_geotiff(dir / "non_square.tif", 2, 2, px, non_square);
    gdal_geotiff(dir / "east_to_west.tif", 2, 2, px, east_to_west);
    gdal_geotiff(dir / "no_georef.tif", 2, 2, px, nullptr);
    CHECK(message_of(dir / "rotated.tif", "rotated.tif") ==
          "rotated.tif:1:1: rotated or sheared geotransform (terms 1, 0) is not supported: warp it north-up "
          "first "
          "(gdalwarp)");
    CHECK(message_of(dir / "non_square.tif", "non_square.tif") ==
          "non_square.tif:1:1: non-square pixels (10 x 5 map units) are not supported: resample to square "
          "pixels "
          "(gdalwarp -tr)");
    CHECK(message_of(dir / "east_to_west.tif", "east_to_west.tif") ==
          "east_to_west.tif:1:1: geotransform pixel size -10 x -10 is not supported: columns must run West "
          "to East "
          "with a non-zero pixel height");
    CHECK(message_of(dir / "no_georef.tif", "no_georef.tif") ==
          "no_georef.tif:1:1: no georeference (geotransform): a raster needs its cell size and position");
    CHECK(message_of(dir / "missing.tif", "missing.tif") == "missing.tif:1:1: cannot open GeoTIFF file");
}

// [SECTION] Malformed files and misuse

TEST_CASE("malformed rasters get exact messages", "[flood][raster]") {
    size_t tif = 0;
    const size_t bad = test::check_corpus(
        kCorpus, "raster_corpus/",
        [&](const fs::path& f, const std::string& shown) {
            tif += f.extension() == ".tif";
            read_raster(f, shown);
        },
        {".prj"});  // a .prj goes with its .asc
    CHECK(bad >= 15);
    CHECK(tif == 3);
    CHECK(message_of(kCorpus + "missing.asc", "missing.asc") ==
          "missing.asc:1:1: cannot open ESRI ASCII grid file");
}

TEST_CASE("writers refuse inconsistent rasters", "[flood][raster]") {
    TempDir dir("misuse");
    Raster r = sample_raster(3, 2);
    r.v.pop_back();
    CHECK_THROWS_AS(write_asc(dir / "a.asc", r), std::invalid_argument);
    CHECK_THROWS_AS(write_geotiff(dir / "a.tif", r), std::invalid_argument);
    r = sample_raster(3, 2);
    CHECK_THROWS_AS(write_asc(dir / "a.asc", r, 10), std::invalid_argument);
    r.geo.cell = 0;
    CHECK_THROWS_AS(write_asc(dir / "a.asc", r), std::invalid_argument);
    r.geo.cell = 1;
    r.geo.wkt = "PROJCS[broken";
    CHECK_THROWS_AS(write_geotiff(dir / "a.tif", r), std::invalid_argument);
    CHECK(!fs::exists(dir / "a.tif"));
    CHECK_THROWS_AS(write_asc(dir / "no_such_folder/a.asc", sample_raster(3, 2)), std::runtime_error);
    CHECK_THROWS_AS(write_geotiff(dir / "no_such_folder/a.tif", sample_raster(3, 2)), std::runtime_error);
}
