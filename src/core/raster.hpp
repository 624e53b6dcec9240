// Raster input and output: the flood module's terrain and results, the sweeps' probability maps. Rasters come
// in as ESRI ASCII grids (.asc, read and written by hand so that a malformed file gets an exact file:line:col
// message) or GeoTIFFs (through GDAL's C API) and go out in the same formats with the georeference and
// projection kept.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace infrascape {

// Orientation used everywhere (the flood module's SweGrid has the same): cell (i, j) has its centre at
// (x0 + i * cell, y0 + j * cell); i grows West -> East, j grows South -> North. Files store the NORTH row
// first (both .asc and north-up GeoTIFF); the readers and writers flip rows.
struct Georef {             // the DEM's own georeference, kept through to the outputs
    double x0 = 0, y0 = 0;  // map coordinates of the CENTRE of cell (0, 0), which is the SOUTH-WEST cell
    double cell = 1;        // square cells (m or map units; a DEM in degrees must be reprojected first)
    std::string wkt;        // projection as WKT (GeoTIFF, or the .prj beside an .asc), empty when unknown
};

struct Raster {
    uint32_t nx = 0, ny = 0;  // columns, rows
    Georef geo;
    std::vector<float> v;  // row-major from the SOUTH row up: v[j * nx + i], j = 0 south; NaN = NODATA
    // v[j * nx + i], checked: throws std::out_of_range outside the raster.
    float at(uint32_t i, uint32_t j) const;
};

// Largest raster the readers accept: 2^28 cells (1 GiB of floats).
inline constexpr uint64_t kMaxRasterCells = uint64_t(1) << 28;

// All readers throw infrascape::InputError "shown:line:col: message" for a malformed or unreadable file
// (`shown` is the name printed, e.g. the path as the scene file wrote it).

// By extension, case-insensitive: .asc -> read_asc, .tif/.tiff -> read_geotiff; any other is an InputError.
Raster read_raster(const std::filesystem::path& file, const std::string& shown);

// ESRI ASCII grid (ArcGIS "ASCII to Raster", GDAL AAIGrid). Header lines "key value", keys case-insensitive,
// in any order: ncols, nrows, xllcorner | xllcenter, yllcorner | yllcenter, cellsize, optional NODATA_value.
// Then nrows lines of ncols numbers each, the first line the NORTH row; blank lines are skipped, CRLF, tabs
// and a UTF-8 byte order mark are accepted. Values equal to NODATA_value and "nan" become NaN. dx/dy
// (non-square cells) are refused. When `file` with the extension .prj exists beside it, its projection (ESRI
// or OGC WKT, or the old ESRI keyword lines, as OGRSpatialReference::importFromESRI reads them) becomes
// geo.wkt. Limitation: each grid row must be on its own line (every common writer does this; ArcGIS also
// accepts rows wrapped over several lines, which this reader reports as a row with too few values).
Raster read_asc(const std::filesystem::path& file, const std::string& shown);

// GeoTIFF through GDAL (GTiff driver only). Band 1 is read as 32-bit float with the band's scale and offset
// applied; its nodata value and any mask band become NaN. North-up and south-up rasters are accepted; rotated
// or sheared geotransforms, non-square pixels and files without a geotransform are errors (at line 1, col 1).
Raster read_geotiff(const std::filesystem::path& file, const std::string& shown);

// Writes an ESRI ASCII grid (xllcorner/yllcorner, NODATA_value -9999 for NaN and infinities, `decimals`
// digits after the point with trailing zeros dropped, 0 <= decimals <= 9), and, when geo.wkt is set, the
// projection in ESRI WKT in a .prj beside it (an older .prj there is removed when geo.wkt is empty). A finite
// value that rounds to -9999 reads back as NODATA. Throws std::invalid_argument for an inconsistent raster or
// a geo.wkt GDAL cannot parse, and std::runtime_error when the file cannot be written.
void write_asc(const std::filesystem::path& file, const Raster& r, int decimals = 4);

// Writes a north-up GeoTIFF: Float32, one band, DEFLATE-compressed, NaN written as -9999 with the nodata tag,
// the georeference and geo.wkt kept. Same exceptions as write_asc.
void write_geotiff(const std::filesystem::path& file, const Raster& r);

}  // namespace infrascape
