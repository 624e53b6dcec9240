// One member of a sweep: run its scene headless, take the outputs and fields from its exports, and write the
// result file atomically (a temporary file in the same folder, fsync, rename, fsync of the folder), so that a
// member killed at any moment leaves either no result or a whole one, and a repeated member replaces its result
// with an identical one.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/commands.hpp"
#include "app/sweep/sweep.hpp"
#include "app/sweep/sweep_toml.hpp"
#include "core/raster.hpp"
#include "scene/csv.hpp"

namespace infrascape::sweep {

namespace {

void write_atomically(const fs::path& file, const std::string& content) {
    const fs::path tmp = file.parent_path() / ("." + file.filename().string() + ".tmp" + std::to_string(getpid()));
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) throw std::runtime_error("cannot write " + tmp.string());
    size_t off = 0;
    while (off < content.size()) {
        const ssize_t w = ::write(fd, content.data() + off, content.size() - off);
        if (w <= 0) {
            ::close(fd);
            throw std::runtime_error("cannot write " + tmp.string());
        }
        off += size_t(w);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) throw std::runtime_error("cannot write " + tmp.string());
    if (std::rename(tmp.c_str(), file.c_str()) != 0) throw std::runtime_error("cannot rename " + tmp.string() + " to " + file.string());
    const int dfd = ::open(file.parent_path().c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

std::string hex_bits(const std::vector<uint8_t>& bits) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve((bits.size() + 7) / 8 * 2);
    for (size_t i = 0; i < bits.size(); i += 8) {
        unsigned byte = 0;
        for (size_t b = 0; b < 8 && i + b < bits.size(); ++b) byte |= unsigned(bits[i + b] != 0) << b;
        out += digits[byte >> 4];
        out += digits[byte & 15];
    }
    return out;
}

bool unhex_bits(const std::string& text, size_t n, std::vector<uint8_t>& bits) {
    if (text.size() != (n + 7) / 8 * 2) return false;
    bits.assign(n, 0);
    for (size_t k = 0; k < text.size() / 2; ++k) {
        unsigned byte = 0;
        for (int h = 0; h < 2; ++h) {
            const char c = text[2 * k + h];
            const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0) return false;
            byte = byte * 16 + unsigned(d);
        }
        for (size_t b = 0; b < 8 && 8 * k + b < n; ++b) bits[8 * k + b] = uint8_t((byte >> b) & 1);
    }
    return true;
}

std::string exact(double v) { return detail::shortest(v); }

// The number an [[output]] takes from its CSV: NaN when the selected cell is empty.
double extract_output(const Output& o, const fs::path& exports) {
    const fs::path file = exports / o.file;
    std::ifstream in(file);
    if (!in) throw std::runtime_error("the member's exports hold no " + o.file + " (output '" + o.name + "')");
    std::string line;
    std::vector<csv::Field> header, row;
    int bad_col = 0;
    std::string why;
    if (!std::getline(in, line) || !csv::split(line, header, bad_col, why))
        throw std::runtime_error(o.file + ":1: cannot read the header (output '" + o.name + "')");
    auto column = [&](const std::string& name) {
        for (size_t k = 0; k < header.size(); ++k)
            if (header[k].text == name) return k;
        std::string known;
        for (const auto& h : header) known += (known.empty() ? "" : ", ") + h.text;
        throw std::runtime_error(o.file + " has no column '" + name + "' (output '" + o.name + "'; its columns: " + known + ")");
    };
    const size_t col = column(o.column);
    std::vector<std::pair<size_t, std::string>> where;
    for (const auto& [k, v] : o.where) where.emplace_back(column(k), v);
    std::vector<std::string> cells;  // the selected rows' cells of `column`
    int line_no = 1;
    double last_t = -INFINITY;
    while (std::getline(in, line)) {
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line.rfind("unit:", 0) == 0) continue;  // the logs' second line gives the units
        if (!csv::split(line, row, bad_col, why))
            throw std::runtime_error(o.file + ":" + std::to_string(line_no) + ":" + std::to_string(bad_col) + ": " + why);
        if (row.size() != header.size())
            throw std::runtime_error(o.file + ":" + std::to_string(line_no) + ": " + std::to_string(row.size()) +
                                     " fields for " + std::to_string(header.size()) + " columns");
        bool match = true;
        for (const auto& [k, v] : where) {
            double a = 0, b = 0;
            const bool same = row[k].text == v || (csv::parse_number(row[k].text, a) && csv::parse_number(v, b) && a == b);
            match = match && same;
        }
        if (!match) continue;
        if (o.at_s) {  // the last row at or before `at` (time in the first column)
            double t = 0;
            if (!csv::parse_number(row[0].text, t))
                throw std::runtime_error(o.file + ":" + std::to_string(line_no) + ": the first column (time) is not a number");
            if (t > *o.at_s + 1e-9 || t < last_t) continue;
            last_t = t;
            cells.assign(1, row[col].text);
            continue;
        }
        cells.push_back(row[col].text);
    }
    if (cells.empty()) throw std::runtime_error(o.file + ": no row matches output '" + o.name + "'");
    auto value = [&](const std::string& text) {
        double v = NAN;
        if (text.empty()) return v;
        if (!csv::parse_number(text, v))
            throw std::runtime_error(o.file + ": '" + text + "' in column '" + o.column + "' is not a number (output '" + o.name + "')");
        return v;
    };
    if (o.reduce == "only") {
        if (cells.size() != 1)
            throw std::runtime_error(o.file + ": " + std::to_string(cells.size()) + " rows match output '" + o.name +
                                     "'; give 'where' to pick one, or a 'reduce'");
        return value(cells[0]);
    }
    if (o.reduce == "first") return value(cells.front());
    if (o.reduce == "last") return value(cells.back());
    double acc = NAN;
    size_t n = 0;
    for (const std::string& c : cells) {
        const double v = value(c);
        if (std::isnan(v)) continue;
        if (n == 0) acc = o.reduce == "count" ? 0 : v;
        else if (o.reduce == "min") acc = std::min(acc, v);
        else if (o.reduce == "max") acc = std::max(acc, v);
        else if (o.reduce == "sum" || o.reduce == "mean") acc += v;
        ++n;
    }
    if (o.reduce == "count") return double(n);
    if (o.reduce == "mean" && n) acc /= double(n);
    return acc;
}

FieldMask extract_field(const Field& f, const fs::path& exports) {
    const fs::path file = exports / f.file;
    std::error_code ec;
    if (!fs::exists(file, ec)) throw std::runtime_error("the member's exports hold no " + f.file + " (field '" + f.name + "')");
    const Raster r = read_raster(file, f.file);
    FieldMask m;
    m.nx = r.nx;
    m.ny = r.ny;
    m.x0 = r.geo.x0;
    m.y0 = r.geo.y0;
    m.cell = r.geo.cell;
    m.wkt = r.geo.wkt;
    for (char& c : m.wkt)
        if (c == '\n' || c == '\r') c = ' ';
    m.above.resize(r.v.size());
    m.valid.resize(r.v.size());
    for (size_t k = 0; k < r.v.size(); ++k) {
        m.valid[k] = !std::isnan(r.v[k]);
        m.above[k] = m.valid[k] && r.v[k] > f.above;
    }
    return m;
}

}  // namespace

void write_result(const fs::path& file, const MemberResult& r) {
    std::ostringstream out;
    out << "infrascape-sweep-result 1\nmember " << r.member << '\n';
    for (double v : r.outputs) out << "output " << exact(v) << '\n';
    for (const FieldMask& f : r.fields) {
        out << "field " << f.nx << ' ' << f.ny << ' ' << exact(f.x0) << ' ' << exact(f.y0) << ' ' << exact(f.cell) << '\n'
            << "wkt " << f.wkt << '\n'
            << "above " << hex_bits(f.above) << '\n'
            << "valid " << hex_bits(f.valid) << '\n';
    }
    out << "end\n";
    write_atomically(file, out.str());
}

MemberResult read_result(const fs::path& file, const Plan& plan) {
    std::ifstream in(file);
    const std::string shown = file.string();
    if (!in) throw InputError({shown, 1, 1}, "cannot open result file");
    MemberResult r;
    std::string line;
    int n = 0;
    auto next = [&](const char* key) {
        ++n;
        if (!std::getline(in, line)) throw InputError({shown, n, 1}, std::string("the file ends before '") + key + "'");
        const std::string k = std::string(key) + (line == key ? "" : " ");
        if (line.rfind(k, 0) != 0) throw InputError({shown, n, 1}, std::string("expected '") + key + "'");
        return line.substr(k.size());
    };
    auto number = [&](const std::string& text, int col) {
        if (text == "nan") return double(NAN);
        double v = 0;
        if (!csv::parse_number(text, v)) throw InputError({shown, n, col}, "'" + text + "' is not a number");
        return v;
    };
    if (next("infrascape-sweep-result") != "1") throw InputError({shown, 1, 1}, "not a result of this version of infrascape");
    r.member = uint64_t(number(next("member"), 8));
    for (size_t k = 0; k < plan.outputs.size(); ++k) r.outputs.push_back(number(next("output"), 8));
    for (size_t k = 0; k < plan.fields.size(); ++k) {
        std::istringstream head(next("field"));
        FieldMask f;
        std::string x0, y0, cell;
        if (!(head >> f.nx >> f.ny >> x0 >> y0 >> cell) || uint64_t(f.nx) * f.ny > kMaxRasterCells)
            throw InputError({shown, n, 7}, "a field needs nx ny x0 y0 cell");
        f.x0 = number(x0, 7);
        f.y0 = number(y0, 7);
        f.cell = number(cell, 7);
        f.wkt = next("wkt");
        if (!unhex_bits(next("above"), size_t(f.nx) * f.ny, f.above)) throw InputError({shown, n, 7}, "damaged cell mask");
        if (!unhex_bits(next("valid"), size_t(f.nx) * f.ny, f.valid)) throw InputError({shown, n, 7}, "damaged cell mask");
        r.fields.push_back(std::move(f));
    }
    next("end");
    return r;
}

int member_command(const fs::path& dir, uint64_t m, int device) {
    const Plan plan = read_plan(dir);
    if (m >= plan.members)
        throw std::invalid_argument("member " + std::to_string(m) + " is not in the sweep (it has " + std::to_string(plan.members) +
                                    " members, 0 to " + std::to_string(plan.members - 1) + ")");
    const auto t0 = std::chrono::steady_clock::now();
    const fs::path failed = member_result(dir, m).replace_extension(".failed");
    const fs::path work = dir / "work" / (member_id(m) + "." + std::to_string(getpid()));
    std::error_code ec;
    fs::remove_all(work, ec);
    fs::create_directories(work.parent_path());
    try {
        RunOptions ro;
        ro.scene = member_scene(dir, m);
        ro.until_s = plan.until_s;
        ro.export_dir = work;
        ro.common.device = device;
        const int rc = run_command(ro);
        if (rc != 0) throw std::runtime_error("the run ended with exit code " + std::to_string(rc));
        MemberResult res;
        res.member = m;
        for (const Output& o : plan.outputs) res.outputs.push_back(extract_output(o, work) * o.scale);
        for (const Field& f : plan.fields) res.fields.push_back(extract_field(f, work));
        write_result(member_result(dir, m), res);
    } catch (const std::exception& e) {
        write_atomically(failed, std::string(e.what()) + "\n");
        fs::remove_all(work, ec);
        throw;
    }
    fs::remove(failed, ec);
    if (plan.keep_exports) {
        const fs::path keep = dir / "exports" / member_id(m);
        fs::create_directories(keep.parent_path());
        fs::remove_all(keep, ec);
        fs::rename(work, keep);
    } else {
        fs::remove_all(work, ec);
    }
    std::printf("member %llu: result in %s (%.1f s)\n", (unsigned long long)m, member_result(dir, m).c_str(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    return 0;
}

}  // namespace infrascape::sweep
