// Flood module: raster input and output (ESRI ASCII grid by hand, GeoTIFF through GDAL's C API); see
// raster.hpp. Format references: ArcGIS "Esri ASCII raster format" and GDAL's AAIGrid and GTiff driver
// documentation.
#include "core/raster.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cfloat>
#include <charconv>
#include <climits>
#include <cmath>
#include <fstream>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "scene/scene.hpp"

namespace infrascape {

namespace fs = std::filesystem;

float Raster::at(uint32_t i, uint32_t j) const {
    if (i >= nx || j >= ny || size_t(j) * nx + i >= v.size())
        throw std::out_of_range("Raster::at(" + std::to_string(i) + ", " + std::to_string(j) + ") outside " +
                                std::to_string(nx) + " x " + std::to_string(ny));
    return v[size_t(j) * nx + i];
}

namespace {

constexpr double kAscNodata = -9999.0;  // NODATA written by both writers

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string cells_text(uint64_t nx, uint64_t ny) {
    return "raster of " + std::to_string(nx) + " x " + std::to_string(ny) +
           " cells is too large (more than 2^28 = " + std::to_string(kMaxRasterCells) + " cells)";
}

// The whole token as a double ("+" sign, exponents, "nan" and "inf" accepted as strtod does).
bool parse_double(std::string_view t, double& out) {
    if (t.size() > 1 && t[0] == '+' && t[1] != '-' && t[1] != '+') t.remove_prefix(1);
    if (t.empty()) return false;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    return ec == std::errc() && end == t.data() + t.size();
}

// The whole token as a positive integer no larger than kMaxRasterCells (larger ones are "too large" later).
std::optional<uint64_t> parse_count(std::string_view t) {
    if (t.size() > 1 && t[0] == '+') t.remove_prefix(1);
    uint64_t n = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (ec == std::errc::result_out_of_range) return kMaxRasterCells + 1;  // all digits, just huge
    if (ec != std::errc() || end != t.data() + t.size() || n == 0) return std::nullopt;
    return n;
}

// Shortest text that reads back as the same double.
std::string exact_text(double x) {
    char buf[64];
    // Shortest round-trip text, in fixed notation for map coordinates ("500000", not "5e+05").
    const auto fmt = std::abs(x) < 1e15 ? std::chars_format::fixed : std::chars_format::general;
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x, fmt);
    return std::string(buf, ec == std::errc() ? end : buf);
}

struct Token {
    std::string_view text;
    int col;  // 1-based byte column in the line
};

void split(std::string_view line, std::vector<Token>& out) {
    out.clear();
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; };
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && space(line[i])) ++i;
        const size_t b = i;
        while (i < line.size() && !space(line[i])) ++i;
        if (i > b) out.push_back({line.substr(b, i - b), int(b) + 1});
    }
}

// [SECTION] GDAL helpers

void gdal_register() {
    static std::once_flag once;
    std::call_once(once, [] { GDALAllRegister(); });
}

// Silences GDAL's printing to stderr for the scope (the handler stack is per thread) and starts with no
// error, so CPLGetLastErrorMsg afterwards says what went wrong in this call.
struct QuietGdal {
    QuietGdal() {
        gdal_register();
        CPLPushErrorHandler(CPLQuietErrorHandler);
        CPLErrorReset();
    }
    ~QuietGdal() { CPLPopErrorHandler(); }
    QuietGdal(const QuietGdal&) = delete;
    QuietGdal& operator=(const QuietGdal&) = delete;
};

// GDAL's last message with the path it was given replaced by the name the user knows, and GDAL's own
// "path, band 1: " / "path: " prefix dropped (our message already starts with the file).
std::string gdal_message(const fs::path& file, const std::string& shown) {
    std::string m = CPLGetLastErrorMsg();
    const std::string path = file.string();
    if (!path.empty() && path != shown)
        for (size_t at = m.find(path); at != std::string::npos; at = m.find(path, at + shown.size()))
            m.replace(at, path.size(), shown);
    for (const std::string& prefix : {shown + ", band 1: ", shown + ": "})
        if (m.starts_with(prefix)) {
            m.erase(0, prefix.size());
            break;
        }
    return m.empty() ? "GDAL gave no reason" : m;
}

struct DatasetCloser {
    void operator()(void* ds) const { GDALClose(ds); }
};
using Dataset = std::unique_ptr<void, DatasetCloser>;

struct SrsDeleter {
    void operator()(void* s) const { OSRDestroySpatialReference(s); }
};
using Srs = std::unique_ptr<void, SrsDeleter>;

std::string export_wkt(OGRSpatialReferenceH srs) {
    char* text = nullptr;
    std::string out;
    if (OSRExportToWkt(srs, &text) == OGRERR_NONE && text) out = text;
    CPLFree(text);
    return out;
}

// A .prj beside an .asc (ESRI WKT, OGC WKT or the old ESRI "Projection UTM / Zone 14" lines), as OGC WKT.
std::string read_prj(const fs::path& asc, const std::string& shown) {
    std::error_code ec;
    fs::path prj = asc;
    prj.replace_extension(".prj");
    if (!fs::is_regular_file(prj, ec)) {
        prj.replace_extension(".PRJ");
        if (!fs::is_regular_file(prj, ec)) return "";
    }
    const std::string prj_shown = fs::path(shown).replace_extension(prj.extension()).string();
    std::ifstream in(prj, std::ios::binary);
    if (!in) throw InputError({prj_shown, 1, 1}, "cannot open projection file");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") != std::string::npos) lines.push_back(line);
    }
    if (lines.empty()) return "";  // an empty .prj says nothing
    std::vector<char*> list;
    for (std::string& l : lines) list.push_back(l.data());
    list.push_back(nullptr);
    QuietGdal quiet;
    Srs srs(OSRNewSpatialReference(nullptr));
    if (OSRImportFromESRI(srs.get(), list.data()) != OGRERR_NONE) {
        const std::string why = CPLGetLastErrorMsg()[0] ? ": " + gdal_message(prj, prj_shown) : "";
        throw InputError({prj_shown, 1, 1}, "not a projection GDAL understands (ESRI or OGC WKT)" + why);
    }
    return export_wkt(srs.get());
}

void check_writable(const Raster& r, const char* who) {
    const std::string w = who;
    if (r.nx == 0 || r.ny == 0) throw std::invalid_argument(w + ": empty raster");
    if (r.v.size() != size_t(r.nx) * r.ny)
        throw std::invalid_argument(w + ": v has " + std::to_string(r.v.size()) + " values for " +
                                    std::to_string(r.nx) + " x " + std::to_string(r.ny) + " cells");
    if (!(r.geo.cell > 0) || !std::isfinite(r.geo.cell) || !std::isfinite(r.geo.x0) ||
        !std::isfinite(r.geo.y0))
        throw std::invalid_argument(w + ": georeference must be finite with cell > 0");
}

// The WKT checked by GDAL (a Raster's wkt normally comes from a reader, so a bad one is a caller's mistake).
Srs parse_wkt(const std::string& wkt, const char* who) {
    Srs srs(OSRNewSpatialReference(nullptr));
    std::string copy = wkt;
    char* p = copy.data();
    if (OSRImportFromWkt(srs.get(), &p) != OGRERR_NONE)
        throw std::invalid_argument(std::string(who) +
                                    ": geo.wkt is not a WKT GDAL understands: " + CPLGetLastErrorMsg());
    return srs;
}

}  // namespace

// [SECTION] ESRI ASCII grid

Raster read_asc(const fs::path& file, const std::string& shown) {
    auto fail = [&](int line, int col, const std::string& message) {
        throw InputError(SourcePos{shown, line, col}, message);
    };
    std::error_code ec;
    std::ifstream in(file, std::ios::binary);
    if (!in || fs::is_directory(file, ec)) fail(1, 1, "cannot open ESRI ASCII grid file");

    // Header slots; the x and y origins each accept a corner or a centre key. Values are checked as they
    // come.
    enum Slot { NCols, NRows, XOrigin, YOrigin, CellSize, Nodata, kSlots };
    struct Seen {
        int line = 0;         // 0: not given
        std::string key;      // as written
        bool centre = false;  // xllcenter / yllcenter
        int value_col = 0;
        double value = 0;
    };
    std::array<Seen, kSlots> seen;
    struct Key {
        const char* name;  // lower case
        Slot slot;
        bool centre;
    };
    static constexpr Key kKeys[] = {{"ncols", NCols, false},       {"nrows", NRows, false},
                                    {"xllcorner", XOrigin, false}, {"xllcenter", XOrigin, true},
                                    {"yllcorner", YOrigin, false}, {"yllcenter", YOrigin, true},
                                    {"cellsize", CellSize, false}, {"nodata_value", Nodata, false}};
    const std::vector<std::string> key_names = {"ncols",     "nrows",     "xllcorner", "xllcenter",
                                                "yllcorner", "yllcenter", "cellsize",  "NODATA_value"};

    Raster r;
    uint64_t nx = 0, ny = 0;
    bool header_done = false;
    uint64_t rows = 0;  // data rows read, north first
    std::string line;
    std::vector<Token> tok;
    int number = 0;
    bool ended_with_newline = true;
    size_t last_length = 0;

    // One "key value" header line.
    auto header_line = [&]() {
        const std::string key(tok[0].text);
        const std::string k = lower(key);
        if (k == "dx" || k == "dy")
            fail(number, tok[0].col,
                 "'" + key +
                     "' gives non-square cells, which are not supported: resample to square cells and "
                     "give 'cellsize'");
        const Key* found = nullptr;
        for (const Key& c : kKeys)
            if (k == c.name) found = &c;
        if (!found) {
            const std::string hint = nearest(k, key_names);
            fail(
                number, tok[0].col,
                "unknown header key '" + key + "'; " +
                    (hint.empty() ? std::string("expected ncols, nrows, xllcorner or xllcenter, yllcorner or "
                                                "yllcenter, cellsize, NODATA_value")
                                  : "did you mean '" + hint + "'?"));
        }
        Seen& s = seen[found->slot];
        if (s.line > 0)
            fail(number, tok[0].col,
                 "duplicate header key '" + key + "' (" + s.key + " was given on line " +
                     std::to_string(s.line) + ")");
        if (tok.size() == 1)
            fail(number, tok[0].col + int(tok[0].text.size()), "header key '" + key + "' needs a value");
        if (tok.size() > 2)
            fail(number, tok[2].col,
                 "header key '" + key + "' takes one value, found more: '" + std::string(tok[2].text) + "'");
        const std::string value(tok[1].text);
        const int col = tok[1].col;
        s = {number, key, found->centre, col, 0.0};
        if (found->slot == NCols || found->slot == NRows) {
            const auto n = parse_count(value);
            if (!n) fail(number, col, k + " must be a positive integer, got '" + value + "'");
            s.value = double(*n);
            (found->slot == NCols ? nx : ny) = *n;
            return;
        }
        // NODATA_value may be nan or an infinity (matched exactly); the georeference must be finite.
        if (!parse_double(value, s.value) || (found->slot != Nodata && !std::isfinite(s.value)))
            fail(number, col, key + " '" + value + "' is not a number");
        if (found->slot == CellSize && !(s.value > 0))
            fail(number, col, "cellsize must be positive, got '" + value + "'");
    };

    // Checks the header once the first data line (or the end of the file) is reached at (line_at, col_at).
    auto finish_header = [&](int line_at, int col_at) {
        if (std::none_of(seen.begin(), seen.end(), [](const Seen& s) { return s.line > 0; }))
            fail(line_at, col_at,
                 "not an ESRI ASCII grid: expected a header (ncols, nrows, xllcorner, yllcorner, cellsize)");
        const char* missing[] = {"'ncols'", "'nrows'", "'xllcorner' or 'xllcenter'",
                                 "'yllcorner' or 'yllcenter'", "'cellsize'"};
        for (int s = NCols; s <= CellSize; ++s)
            if (seen[s].line == 0) fail(line_at, col_at, std::string("missing header key ") + missing[s]);
        if (nx > kMaxRasterCells || ny > kMaxRasterCells || nx * ny > kMaxRasterCells) {
            const Slot later = seen[NRows].line > seen[NCols].line ? NRows : NCols;
            fail(seen[later].line, seen[later].value_col, cells_text(nx, ny));
        }
        const double cell = seen[CellSize].value;
        r.nx = uint32_t(nx);
        r.ny = uint32_t(ny);
        r.geo.cell = cell;
        r.geo.x0 = seen[XOrigin].centre ? seen[XOrigin].value : seen[XOrigin].value + cell / 2;
        r.geo.y0 = seen[YOrigin].centre ? seen[YOrigin].value : seen[YOrigin].value + cell / 2;
        r.v.assign(size_t(nx * ny), 0.0f);
        header_done = true;
    };

    while (std::getline(in, line)) {
        ++number;
        ended_with_newline = !in.eof();
        last_length = line.size();
        std::string_view text = line;
        if (number == 1 && text.starts_with("\xEF\xBB\xBF"))
            text.remove_prefix(3);  // a UTF-8 BOM: not a column
        split(text, tok);
        if (tok.empty()) continue;
        double first = 0;
        if (!header_done && !parse_double(tok[0].text, first)) {
            header_line();
            continue;
        }
        if (!header_done) finish_header(number, tok[0].col);
        const bool has_nodata = seen[Nodata].line > 0;
        const double nodata = seen[Nodata].value;
        // Also equal when both round to the same float (a float NODATA written with fewer digits).
        const bool nodata_is_float = std::fabs(nodata) <= double(FLT_MAX);

        // A data row, the north row first.
        if (rows == ny)
            fail(number, tok[0].col, "data after the last row (nrows is " + std::to_string(ny) + ")");
        const size_t j = size_t(ny - 1 - rows);
        for (size_t i = 0; i < tok.size(); ++i) {
            if (i == nx)
                fail(number, tok[i].col,
                     "row " + std::to_string(rows + 1) + " has more than " + std::to_string(nx) +
                         " values (ncols is " + std::to_string(nx) + ")");
            double d = 0;
            const std::string_view t = tok[i].text;
            if (!parse_double(t, d)) fail(number, tok[i].col, "'" + std::string(t) + "' is not a number");
            float f = std::numeric_limits<float>::quiet_NaN();
            const bool is_nodata =
                has_nodata && (d == nodata || (nodata_is_float && std::fabs(d) <= double(FLT_MAX) &&
                                               float(d) == float(nodata)));
            if (!is_nodata && !std::isnan(d)) {
                if (std::isinf(d))
                    fail(number, tok[i].col, "'" + std::string(t) + "' is not a finite number");
                if (std::fabs(d) > double(FLT_MAX))
                    fail(number, tok[i].col,
                         "'" + std::string(t) + "' is out of the range of a 32-bit float");
                f = float(d);
            }
            r.v[j * nx + i] = f;
        }
        if (tok.size() < nx) {
            const int end = int(text.find_last_not_of(" \t\r\f\v") + 1) + 1;  // just after the last value
            fail(number, end,
                 "row " + std::to_string(rows + 1) + " has " + std::to_string(tok.size()) +
                     " values, expected " + std::to_string(nx) + " (ncols)");
        }
        ++rows;
    }
    if (in.bad()) fail(std::max(number, 1), 1, "cannot read ESRI ASCII grid file");

    // The end of the file: after the last line's text, or at the start of the line after its newline.
    const int eof_line = number == 0 ? 1 : ended_with_newline ? number + 1 : number;
    const int eof_col = number == 0 || ended_with_newline ? 1 : int(last_length) + 1;
    if (!header_done) finish_header(eof_line, eof_col);
    if (rows < ny)
        fail(eof_line, eof_col,
             "the file ends after " + std::to_string(rows) + " of " + std::to_string(ny) + " rows (nrows)");
    r.geo.wkt = read_prj(file, shown);
    return r;
}

void write_asc(const fs::path& file, const Raster& r, int decimals) {
    check_writable(r, "write_asc");
    if (decimals < 0 || decimals > 9) throw std::invalid_argument("write_asc: decimals must be 0..9");
    std::string prj_text;
    if (!r.geo.wkt.empty()) {
        QuietGdal quiet;
        Srs srs = parse_wkt(r.geo.wkt, "write_asc");
        OSRMorphToESRI(srs.get());  // ArcGIS reads ESRI WKT; GDAL reads both
        prj_text = export_wkt(srs.get());
    }

    std::ofstream out(file, std::ios::binary);
    if (!out) throw std::runtime_error("cannot write " + file.string());
    const double half = r.geo.cell / 2;
    out << "ncols " << r.nx << "\nnrows " << r.ny << "\nxllcorner " << exact_text(r.geo.x0 - half)
        << "\nyllcorner " << exact_text(r.geo.y0 - half) << "\ncellsize " << exact_text(r.geo.cell)
        << "\nNODATA_value " << kAscNodata << "\n";
    std::string row;
    char buf[64];
    for (uint32_t jj = 0; jj < r.ny; ++jj) {
        const uint32_t j = r.ny - 1 - jj;  // north row first
        row.clear();
        for (uint32_t i = 0; i < r.nx; ++i) {
            if (i) row += ' ';
            const float f = r.v[size_t(j) * r.nx + i];
            if (!std::isfinite(f)) {  // NaN is NODATA; an infinity has no .asc form either
                row += "-9999";
                continue;
            }
            // Correctly rounded like printf's %.*f, several times faster.
            int n =
                int(std::to_chars(buf, buf + sizeof buf, double(f), std::chars_format::fixed, decimals).ptr -
                    buf);
            if (decimals > 0) {  // "12.5000" -> "12.5", "3.0000" -> "3"
                while (buf[n - 1] == '0') --n;
                if (buf[n - 1] == '.') --n;
            }
            std::string_view s(buf, size_t(n));
            if (s == "-0") s = "0";
            row += s;
        }
        row += '\n';
        out << row;
    }
    out.close();
    if (!out) throw std::runtime_error("cannot write " + file.string());

    // The projection beside it; a stale .prj from an earlier run would otherwise be read back with the grid.
    fs::path prj = file;
    prj.replace_extension(".prj");
    if (prj_text.empty()) {
        std::error_code ec;
        fs::remove(prj, ec);
        return;
    }
    std::ofstream p(prj, std::ios::binary);
    p << prj_text << "\n";
    p.close();
    if (!p) throw std::runtime_error("cannot write " + prj.string());
}

// [SECTION] GeoTIFF

Raster read_geotiff(const fs::path& file, const std::string& shown) {
    auto fail = [&](const std::string& message) { throw InputError(SourcePos{shown, 1, 1}, message); };
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) fail("cannot open GeoTIFF file");
    if (fs::file_size(file, ec) == 0 && !ec) fail("not a GeoTIFF GDAL can read: the file is empty");

    QuietGdal quiet;
    const char* const drivers[] = {"GTiff", nullptr};
    Dataset ds(GDALOpenEx(file.string().c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                          drivers, nullptr, nullptr));
    if (!ds) fail("not a GeoTIFF GDAL can read: " + gdal_message(file, shown));

    const int width = GDALGetRasterXSize(ds.get()), height = GDALGetRasterYSize(ds.get());
    // More than one band (e.g. a DEM with a quality band): band 1 is the elevation by convention.
    if (GDALGetRasterCount(ds.get()) < 1) fail("the GeoTIFF has no raster band");
    if (width <= 0 || height <= 0) fail("the GeoTIFF has no pixels");
    if (uint64_t(width) * uint64_t(height) > kMaxRasterCells) fail(cells_text(width, height));

    // GDAL's geotransform: x = gt[0] + col * gt[1] + row * gt[2], y = gt[3] + col * gt[4] + row * gt[5], at
    // pixel corners (GDAL already shifts PixelIsPoint rasters by half a pixel).
    double gt[6];
    if (GDALGetGeoTransform(ds.get(), gt) != CE_None)
        fail("no georeference (geotransform): a raster needs its cell size and position");
    if (gt[2] != 0 || gt[4] != 0)
        fail("rotated or sheared geotransform (terms " + exact_text(gt[2]) + ", " + exact_text(gt[4]) +
             ") is not supported: warp it north-up first (gdalwarp)");
    if (!(gt[1] > 0) || gt[5] == 0 || !std::isfinite(gt[0]) || !std::isfinite(gt[3]) || !std::isfinite(gt[5]))
        fail("geotransform pixel size " + exact_text(gt[1]) + " x " + exact_text(gt[5]) +
             " is not supported: columns must run West to East with a non-zero pixel height");
    const double cell = gt[1];
    if (std::fabs(std::fabs(gt[5]) - cell) > 1e-7 * cell)
        fail("non-square pixels (" + exact_text(cell) + " x " + exact_text(std::fabs(gt[5])) +
             " map units) are not supported: resample to square pixels (gdalwarp -tr)");
    const bool north_up = gt[5] < 0;

    Raster r;
    r.nx = uint32_t(width);
    r.ny = uint32_t(height);
    r.geo.cell = cell;
    r.geo.x0 = gt[0] + 0.5 * cell;
    r.geo.y0 = north_up ? gt[3] + (height - 0.5) * gt[5] : gt[3] + 0.5 * gt[5];
    if (const char* wkt = GDALGetProjectionRef(ds.get())) r.geo.wkt = wkt;

    GDALRasterBandH band = GDALGetRasterBand(ds.get(), 1);
    std::vector<float> pixels(size_t(width) * height);  // GDAL's order: top row first
    if (GDALRasterIO(band, GF_Read, 0, 0, width, height, pixels.data(), width, height, GDT_Float32, 0, 0) !=
        CE_None)
        fail("band 1: cannot read the pixels: " + gdal_message(file, shown));

    int has_nodata = 0;
    const double nodata = GDALGetRasterNoDataValue(band, &has_nodata);
    if (has_nodata && !std::isnan(nodata)) {
        const float nd = float(nodata);
        for (float& f : pixels)
            if (f == nd) f = std::numeric_limits<float>::quiet_NaN();
    }
    // An internal mask or alpha band instead of (or besides) a nodata value.
    const int mask_flags = GDALGetMaskFlags(band);
    if (!(mask_flags & (GMF_ALL_VALID | GMF_NODATA))) {
        std::vector<uint8_t> mask(pixels.size());
        if (GDALRasterIO(GDALGetMaskBand(band), GF_Read, 0, 0, width, height, mask.data(), width, height,
                         GDT_Byte, 0, 0) != CE_None)
            fail("band 1: cannot read the mask: " + gdal_message(file, shown));
        for (size_t k = 0; k < pixels.size(); ++k)
            if (!mask[k]) pixels[k] = std::numeric_limits<float>::quiet_NaN();
    }
    int has_scale = 0, has_offset = 0;
    const double scale = GDALGetRasterScale(band, &has_scale),
                 offset = GDALGetRasterOffset(band, &has_offset);
    if ((has_scale && scale != 1) || (has_offset && offset != 0))
        for (float& f : pixels) f = float(f * (has_scale ? scale : 1.0) + (has_offset ? offset : 0.0));

    r.v.resize(pixels.size());
    for (uint32_t row = 0; row < r.ny; ++row) {
        const uint32_t j = north_up ? r.ny - 1 - row : row;
        std::copy_n(pixels.begin() + size_t(row) * r.nx, r.nx, r.v.begin() + size_t(j) * r.nx);
    }
    return r;
}

void write_geotiff(const fs::path& file, const Raster& r) {
    check_writable(r, "write_geotiff");
    if (r.nx > uint32_t(INT_MAX) || r.ny > uint32_t(INT_MAX))
        throw std::invalid_argument("write_geotiff: raster too large for GDAL");
    QuietGdal quiet;
    if (!r.geo.wkt.empty()) parse_wkt(r.geo.wkt, "write_geotiff");  // refuse before creating the file
    GDALDriverH driver = GDALGetDriverByName("GTiff");
    if (!driver) throw std::runtime_error("cannot write " + file.string() + ": GDAL has no GTiff driver");
    // Floating-point predictor (PREDICTOR=3) makes DEFLATE effective on smooth float fields.
    const char* options[] = {"COMPRESS=DEFLATE", "PREDICTOR=3", "BIGTIFF=IF_SAFER", nullptr};
    const std::string path = file.string();
    const int width = int(r.nx), height = int(r.ny);
    {
        Dataset ds(
            GDALCreate(driver, path.c_str(), width, height, 1, GDT_Float32, const_cast<char**>(options)));
        if (!ds) throw std::runtime_error("cannot write " + path + ": " + CPLGetLastErrorMsg());
        const double cell = r.geo.cell;
        double gt[6] = {r.geo.x0 - cell / 2, cell, 0, r.geo.y0 + (r.ny - 0.5) * cell, 0, -cell};  // north-up
        bool ok = GDALSetGeoTransform(ds.get(), gt) == CE_None;
        if (ok && !r.geo.wkt.empty()) ok = GDALSetProjection(ds.get(), r.geo.wkt.c_str()) == CE_None;
        GDALRasterBandH band = GDALGetRasterBand(ds.get(), 1);
        ok = ok && GDALSetRasterNoDataValue(band, kAscNodata) == CE_None;
        std::vector<float> row(r.nx);
        for (int y = 0; ok && y < height; ++y) {
            const float* src = r.v.data() + size_t(r.ny - 1 - uint32_t(y)) * r.nx;
            for (uint32_t i = 0; i < r.nx; ++i) row[i] = std::isnan(src[i]) ? float(kAscNodata) : src[i];
            ok = GDALRasterIO(band, GF_Write, 0, y, width, 1, row.data(), width, 1, GDT_Float32, 0, 0) ==
                 CE_None;
        }
        if (!ok) throw std::runtime_error("cannot write " + path + ": " + CPLGetLastErrorMsg());
    }  // GDALClose flushes; GDAL 3.6 reports a failed flush only through the error state
    if (CPLGetLastErrorType() >= CE_Failure)
        throw std::runtime_error("cannot write " + path + ": " + CPLGetLastErrorMsg());
}

// [SECTION] By extension

Raster read_raster(const fs::path& file, const std::string& shown) {
    const std::string ext = lower(file.extension().string());
    if (ext == ".asc") return read_asc(file, shown);
    if (ext == ".tif" || ext == ".tiff") return read_geotiff(file, shown);
    throw InputError(SourcePos{shown, 1, 1}, (ext.empty() ? std::string("no file extension")
                                                          : "unknown raster extension '" + ext + "'") +
                                                 ": expected .asc (ESRI ASCII grid) or .tif/.tiff (GeoTIFF)");
}

}  // namespace infrascape
