// MATPOWER case-file reader (case format version 2, as MATPOWER writes them): one pass over the file
// read into memory, a small MATLAB-subset scanner for the statements a case file holds
// (`function mpc = NAME`, `mpc.FIELD = value;`, comments, `...` continuations), numeric matrices
// parsed in place (std::from_chars, no per-value strings), then validation. Every mistake becomes one
// InputError "file:line:col: message" at the offending token, row or statement.
#include "modules/grid/case.hpp"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "scene/scene.hpp"

namespace infrascape::grid {

namespace {

using u32 = std::uint32_t;

// MATPOWER's column names (idx_bus.m, idx_gen.m, idx_brch.m), for messages.
const char* const kBusColumns[] = {"BUS_I",    "BUS_TYPE", "PD",    "QD",      "GS",     "BS",
                                   "BUS_AREA", "VM",       "VA",    "BASE_KV", "ZONE",   "VMAX",
                                   "VMIN",     "LAM_P",    "LAM_Q", "MU_VMAX", "MU_VMIN"};
const char* const kGenColumns[] = {
    "GEN_BUS", "PG",     "QG",  "QMAX",    "QMIN",    "VG",      "MBASE",  "GEN_STATUS", "PMAX",
    "PMIN",    "PC1",    "PC2", "QC1MIN",  "QC1MAX",  "QC2MIN",  "QC2MAX", "RAMP_AGC",   "RAMP_10",
    "RAMP_30", "RAMP_Q", "APF", "MU_PMAX", "MU_PMIN", "MU_QMAX", "MU_QMIN"};
const char* const kGencostColumns[] = {"MODEL", "STARTUP", "SHUTDOWN", "NCOST", "COST"};
const char* const kBranchColumns[] = {"F_BUS",  "T_BUS",     "BR_R",     "BR_X",  "BR_B",      "RATE_A",
                                      "RATE_B", "RATE_C",    "TAP",      "SHIFT", "BR_STATUS", "ANGMIN",
                                      "ANGMAX", "PF",        "QF",       "PT",    "QT",        "MU_SF",
                                      "MU_ST",  "MU_ANGMIN", "MU_ANGMAX"};

constexpr std::size_t kBusMin = 13, kGenMin = 10, kBranchMin = 11;

struct Columns {
    const char* const* names;
    std::size_t count;
};

// A numeric matrix: values row after row, with the byte offset of every value and row.
struct Matrix {
    bool present = false;
    std::size_t start = 0;  // offset of the assignment statement
    std::vector<double> values;
    std::vector<u32> at;  // offset of each value
    struct Row {
        u32 first = 0, count = 0, at = 0;
    };
    std::vector<Row> rows;
};

struct Cell {
    bool present = false;
    std::size_t start = 0;
    std::vector<std::string> items;
};

struct Scalar {
    bool present = false;
    std::size_t start = 0;
};

bool ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool ident_char(char c) {
    return ident_start(c) || (c >= '0' && c <= '9');
}

// Characters that end a token inside a matrix or cell array.
struct DelimTable {
    bool d[256] = {};
    DelimTable() {
        for (unsigned char c : std::string_view(" \t\r\n\f\v,;[]{}%'\"")) d[c] = true;
    }
};
const DelimTable kDelim;

enum class Num { Ok, NaN, Bad, Range };

// A MATLAB numeric literal: [+-] digits [. digits] [e[+-]digits], or [+-]Inf / inf. NaN is reported apart.
Num parse_number(std::string_view t, double& v) {
    std::size_t k = 0;
    bool neg = false;
    if (k < t.size() && (t[k] == '+' || t[k] == '-')) neg = t[k++] == '-';
    const std::string_view body = t.substr(k);
    if (body.empty()) return Num::Bad;
    if (body == "Inf" || body == "inf") {
        v = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
        return Num::Ok;
    }
    if (body == "NaN" || body == "nan") return Num::NaN;
    if (!((body[0] >= '0' && body[0] <= '9') || body[0] == '.')) return Num::Bad;
    const char* end = body.data() + body.size();
    auto [p, ec] = std::from_chars(body.data(), end, v, std::chars_format::general);
    if (ec == std::errc::result_out_of_range) return Num::Range;
    if (ec != std::errc() || p != end) return Num::Bad;
    if (neg) v = -v;
    return Num::Ok;
}

// A value quoted for a message, shortened when long; double quotes when it holds a single quote.
std::string quote_text(std::string_view t) {
    std::string s(t.substr(0, 40));
    if (t.size() > 40) s += "...";
    if (s.find('\'') != std::string::npos) return "\"" + s + "\"";
    return "'" + s + "'";
}

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

bool whole_in(double v, double lo, double hi) {
    return std::isfinite(v) && v == std::floor(v) && v >= lo && v <= hi;
}

class Reader {
  public:
    Reader(std::string text, std::string shown, std::string stem)
        : text_(std::move(text)),
          s_(text_.data()),
          n_(text_.size()),
          shown_(std::move(shown)),
          stem_(std::move(stem)) {
        if (n_ >= 3 && std::memcmp(s_, "\xEF\xBB\xBF", 3) == 0) bom_ = i_ = 3;  // UTF-8 byte order mark
    }

    Case read() {
        scan();
        return build();
    }

  private:
    std::string text_;
    const char* s_;
    std::size_t n_;
    std::size_t i_ = 0, bom_ = 0;
    std::string shown_, stem_;
    std::string var_ = "mpc";  // the function's output variable
    std::string function_name_;
    bool seen_statement_ = false;

    Scalar version_, base_;
    Matrix bus_, gen_, branch_, gencost_;
    Cell gentype_, genfuel_, bus_name_;
    double base_mva_ = 100;

    // ---- positions and errors ----

    SourcePos pos_of(std::size_t at) const {
        int line = 1, col = 1;
        at = std::min(std::max(at, bom_), n_);
        for (std::size_t k = bom_; k < at; ++k) {
            const auto c = static_cast<unsigned char>(s_[k]);
            if (c == '\n') {
                ++line;
                col = 1;
            } else if ((c & 0xC0) != 0x80) {  // count UTF-8 characters, not bytes
                ++col;
            }
        }
        return {shown_, line, col};
    }
    [[noreturn]] void fail(std::size_t at, const std::string& message) const {
        throw InputError(pos_of(at), message);
    }
    std::string line_of(std::size_t at) const { return std::to_string(pos_of(at).line); }

    // ---- low-level scanning ----

    bool dots(std::size_t k) const {
        return k + 3 <= n_ && s_[k] == '.' && s_[k + 1] == '.' && s_[k + 2] == '.';
    }
    std::size_t line_end(std::size_t k) const {
        const void* p = k < n_ ? std::memchr(s_ + k, '\n', n_ - k) : nullptr;
        return p ? static_cast<std::size_t>(static_cast<const char*>(p) - s_) : n_;
    }
    // Spaces, tabs and `...` continuations (the rest of that line is ignored, the newline too).
    void skip_inline() {
        while (i_ < n_) {
            const char c = s_[i_];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
                ++i_;
            } else if (c == '.' && dots(i_)) {
                i_ = line_end(i_);
                if (i_ < n_) ++i_;
            } else {
                break;
            }
        }
    }
    std::string_view trimmed_line(std::size_t start, std::size_t end) const {
        while (start < end && (s_[start] == ' ' || s_[start] == '\t')) ++start;
        while (end > start && (s_[end - 1] == ' ' || s_[end - 1] == '\t' || s_[end - 1] == '\r')) --end;
        return {s_ + start, end - start};
    }
    // At '%': a comment to the end of the line (left at the newline), or a `%{ ... %}` block comment
    // (each marker alone on its line; they nest).
    void skip_comment() {
        std::size_t start = i_;
        while (start > bom_ && s_[start - 1] != '\n') --start;
        std::size_t end = line_end(i_);
        if (trimmed_line(start, end) != "%{") {
            i_ = end;
            return;
        }
        int depth = 0;
        for (;;) {
            const std::string_view line = trimmed_line(start, end);
            if (line == "%{") ++depth;
            if (line == "%}" && --depth == 0) break;
            if (end >= n_) break;  // never closed: the rest of the file is comment
            start = end + 1;
            end = line_end(start);
        }
        i_ = end;
    }
    // Blank lines, comments and empty statements between statements.
    void skip_gaps() {
        for (;;) {
            skip_inline();
            if (i_ >= n_) return;
            const char c = s_[i_];
            if (c == '\n' || c == ';' || c == ',') {
                ++i_;
            } else if (c == '%') {
                skip_comment();
            } else {
                return;
            }
        }
    }
    std::size_t ident_end(std::size_t k) const {
        while (k < n_ && ident_char(s_[k])) ++k;
        return k;
    }
    std::size_t token_end(std::size_t k) const {
        while (k < n_ && !kDelim.d[static_cast<unsigned char>(s_[k])] && !(s_[k] == '.' && dots(k))) ++k;
        return k;
    }
    // The token at k as written (at least one character), for messages.
    std::string_view token_at(std::size_t k) const {
        if (k >= n_) return "end of file";
        const std::size_t e = token_end(k);
        return {s_ + k, std::max<std::size_t>(e - k, 1)};
    }
    // At a quote: the string's content ('' or "" inside is the quote itself); i_ ends past it.
    std::string read_string() {
        const char q = s_[i_];
        const std::size_t open = i_;
        std::string out;
        std::size_t k = i_ + 1;
        for (;;) {
            if (k >= n_ || s_[k] == '\n' || s_[k] == '\r')
                fail(open, "unterminated string (a string must close on its line)");
            if (s_[k] == q) {
                if (k + 1 < n_ && s_[k + 1] == q) {
                    out += q;
                    k += 2;
                    continue;
                }
                break;
            }
            out += s_[k++];
        }
        i_ = k + 1;
        return out;
    }
    // After a value: the statement must end here.
    void end_statement(const std::string& after) {
        skip_inline();
        if (i_ >= n_) return;
        const char c = s_[i_];
        if (c == ';' || c == ',' || c == '\n' || c == '%') return;
        fail(i_, "unexpected " + quote_text(token_at(i_)) + " after " + after);
    }
    // Skips the rest of a statement we do not interpret (other fields, commands), brackets, strings and
    // comments included. `name` is the assigned name when i_ is at its value.
    void skip_statement(std::size_t stmt, const std::string& name) {
        struct Open {
            char c;
            std::size_t at;
        };
        std::vector<Open> open;
        const std::size_t value_start = i_;
        while (i_ < n_) {
            const char c = s_[i_];
            if (c == '.' && dots(i_)) {
                i_ = line_end(i_);
                if (i_ < n_) ++i_;
                continue;
            }
            if (c == '%') {
                skip_comment();
                continue;
            }
            if (open.empty() && (c == '\n' || c == ';' || c == ',')) return;
            if (c == '[' || c == '{' || c == '(') {
                open.push_back({c, i_++});
                continue;
            }
            if (c == ']' || c == '}' || c == ')') {
                const char want = c == ']' ? '[' : c == '}' ? '{' : '(';
                if (open.empty() || open.back().c != want) {
                    std::string m = std::string("unexpected '") + c + "'";
                    if (!open.empty())
                        m += std::string(" (the '") + open.back().c + "' at line " + line_of(open.back().at) +
                             " is still open)";
                    fail(i_, m);
                }
                open.pop_back();
                ++i_;
                continue;
            }
            if (c == '\'' || c == '"') {
                const char prev = i_ > 0 ? s_[i_ - 1] : ' ';
                if (c == '\'' && (ident_char(prev) || prev == ')' || prev == ']' || prev == '}' ||
                                  prev == '.' || prev == '\'')) {
                    ++i_;  // transpose
                    continue;
                }
                read_string();
                continue;
            }
            ++i_;
        }
        if (!open.empty()) {
            const Open& o = open.front();
            const char close = o.c == '[' ? ']' : o.c == '{' ? '}' : ')';
            if (!name.empty() && o.at == value_start)
                fail(stmt, name + ": missing '" + close + (close == ')' ? "'" : ";'"));
            fail(o.at, std::string("'") + o.c + "' is never closed");
        }
    }

    // ---- statements ----

    void scan() {
        for (;;) {
            skip_gaps();
            if (i_ >= n_) break;
            const std::size_t stmt = i_;
            if (!ident_start(s_[i_]))
                fail(i_, "unexpected " + quote_text(token_at(i_)) + " outside any matrix");
            std::size_t k = ident_end(i_);
            if (std::string_view(s_ + i_, k - i_) == "function") {
                if (seen_statement_) break;  // local functions after the case's own: not part of the case
                seen_statement_ = true;
                i_ = k;
                function_line();
                continue;
            }
            seen_statement_ = true;
            while (k + 1 < n_ && s_[k] == '.' && ident_start(s_[k + 1])) k = ident_end(k + 1);
            const std::string name(s_ + stmt, k - stmt);
            i_ = k;
            skip_inline();
            if (i_ < n_ && s_[i_] == '=' && !(i_ + 1 < n_ && s_[i_ + 1] == '=')) {
                ++i_;
                skip_inline();
                assignment(name, stmt);
            } else {
                if (i_ < n_ && (s_[i_] == '(' || s_[i_] == '{') && known_field(name))
                    fail(stmt, "indexed assignments to " + name + " are not supported; write the whole " +
                                   (is_cell_field(name) ? "cell array" : "matrix") + " out");
                skip_statement(stmt, "");
            }
        }
    }

    void function_line() {
        const std::string expected = "expected 'function mpc = NAME' (MATPOWER case format version 2)";
        skip_inline();
        if (i_ < n_ && s_[i_] == '[')
            fail(
                i_,
                "several function outputs are MATPOWER case format version 1; expected 'function mpc = NAME' "
                "(version 2)");
        if (i_ >= n_ || !ident_start(s_[i_])) fail(i_, expected);
        std::size_t k = ident_end(i_);
        const std::string out(s_ + i_, k - i_);
        i_ = k;
        skip_inline();
        if (i_ >= n_ || s_[i_] != '=') fail(i_, expected);
        ++i_;
        skip_inline();
        if (i_ >= n_ || !ident_start(s_[i_]))
            fail(i_, "expected the case name after 'function " + out + " ='");
        k = ident_end(i_);
        function_name_.assign(s_ + i_, k - i_);
        var_ = out;
        i_ = k;
        skip_inline();
        if (i_ + 1 < n_ && s_[i_] == '(' && s_[i_ + 1] == ')') i_ += 2;  // `function mpc = case9()`
        end_statement("the function name");
    }

    std::string field_of(const std::string& name) const {
        if (name.size() > var_.size() + 1 && name.compare(0, var_.size(), var_) == 0 &&
            name[var_.size()] == '.')
            return name.substr(var_.size() + 1);
        return {};
    }
    bool is_cell_field(const std::string& name) const {
        const std::string f = field_of(name);
        return f == "gentype" || f == "genfuel" || f == "bus_name";
    }
    bool known_field(const std::string& name) const {
        const std::string f = field_of(name);
        return f == "version" || f == "baseMVA" || f == "bus" || f == "gen" || f == "branch" || f == "gencost" ||
               is_cell_field(name);
    }

    void once(bool present, std::size_t first, std::size_t stmt, const std::string& name) const {
        if (present) fail(stmt, name + " is assigned twice (first at line " + line_of(first) + ")");
    }

    void assignment(const std::string& name, std::size_t stmt) {
        const std::string f = field_of(name);
        if (known_field(name) && (i_ >= n_ || std::strchr(";,\n%", s_[i_])))
            fail(i_, "expected a value after '" + name + " ='");
        if (f == "version") {
            once(version_.present, version_.start, stmt, name);
            version_ = {true, stmt};
            version_value(name);
        } else if (f == "baseMVA") {
            once(base_.present, base_.start, stmt, name);
            base_ = {true, stmt};
            base_value(name);
        } else if (f == "bus" || f == "gen" || f == "branch" || f == "gencost") {
            Matrix& m = f == "bus" ? bus_ : f == "gen" ? gen_ : f == "branch" ? branch_ : gencost_;
            once(m.present, m.start, stmt, name);
            const Columns cols = f == "bus"       ? Columns{kBusColumns, std::size(kBusColumns)}
                                 : f == "gen"     ? Columns{kGenColumns, std::size(kGenColumns)}
                                 : f == "gencost" ? Columns{kGencostColumns, std::size(kGencostColumns)}
                                                  : Columns{kBranchColumns, std::size(kBranchColumns)};
            matrix(m, cols, name, stmt);
        } else if (is_cell_field(name)) {
            Cell& c = f == "gentype" ? gentype_ : f == "genfuel" ? genfuel_ : bus_name_;
            once(c.present, c.start, stmt, name);
            cell(c, name, stmt);
        } else {
            skip_statement(stmt, name);  // another field (areas, bus_geo, ...) or variable
            return;
        }
        end_statement(name);
    }

    void version_value(const std::string& name) {
        const std::size_t at = i_;
        bool ok = false;
        if (s_[i_] == '\'' || s_[i_] == '"') {
            ok = read_string() == "2";
        } else {
            const std::size_t e = token_end(i_);
            double v = 0;
            ok = parse_number({s_ + i_, e - i_}, v) == Num::Ok && v == 2;
            i_ = std::max(e, i_ + 1);
        }
        if (!ok)
            fail(at,
                 name + " is " + std::string(s_ + at, std::max(i_, at + 1) - at) +
                     ", but only MATPOWER case format version 2 is supported (version 1 has another layout)");
    }

    void base_value(const std::string& name) {
        const std::size_t at = i_;
        if (s_[i_] == '\'' || s_[i_] == '"') fail(at, name + " must be a number, not a string");
        const std::size_t e = token_end(i_);
        const std::string_view t(s_ + i_, e - i_);
        double v = 0;
        const Num r = parse_number(t, v);
        if (r == Num::Bad || r == Num::Range || e == i_)
            fail(at, name + ": " + quote_text(token_at(at)) + " is not a number");
        if (r == Num::NaN || !(std::isfinite(v) && v > 0))
            fail(at, name + " must be a positive number of MVA, not " + std::string(t));
        base_mva_ = v;
        i_ = e;
    }

    static std::string column_text(const Columns& cols, std::size_t row, std::size_t col) {
        std::string s = " row " + std::to_string(row) + ", column " + std::to_string(col + 1);
        if (col < cols.count) s += std::string(" (") + cols.names[col] + ")";
        return s;
    }

    void matrix(Matrix& m, const Columns& cols, const std::string& name, std::size_t stmt) {
        if (s_[i_] != '[') fail(i_, name + " must be a matrix written out as [ ... ]");
        m.present = true;
        m.start = stmt;
        ++i_;
        std::size_t row_first = m.values.size();
        u32 row_at = 0;
        bool comma = false;
        auto end_row = [&] {
            if (m.values.size() > row_first)
                m.rows.push_back(
                    {static_cast<u32>(row_first), static_cast<u32>(m.values.size() - row_first), row_at});
            row_first = m.values.size();
            comma = false;
        };
        for (;;) {
            skip_inline();
            if (i_ >= n_) fail(stmt, name + ": missing '];'");
            const char c = s_[i_];
            if (c == '%') {
                skip_comment();
                continue;
            }
            if (c == '\n' || c == ';') {
                end_row();
                ++i_;
                continue;
            }
            if (c == ']') {
                end_row();
                ++i_;
                return;
            }
            const std::size_t row = m.rows.size() + 1, col = m.values.size() - row_first;
            if (c == ',') {
                if (col == 0 || comma) fail(i_, "unexpected ',' in " + name + " row " + std::to_string(row));
                comma = true;
                ++i_;
                continue;
            }
            if (c == '[' || c == '{' || c == '}')
                fail(i_, std::string("unexpected '") + c + "' in " + name + " row " + std::to_string(row));
            if (c == '\'' || c == '"') {
                const std::size_t at = i_;
                const std::string str = read_string();
                fail(at, name + column_text(cols, row, col) + ": expected a number, found the string " +
                             quote_text(str));
            }
            const std::size_t e = token_end(i_);
            double v = 0;
            switch (parse_number({s_ + i_, e - i_}, v)) {
                case Num::Ok:
                    break;
                case Num::NaN:
                    fail(i_, name + column_text(cols, row, col) + ": NaN is not allowed");
                case Num::Range:
                    fail(i_, name + column_text(cols, row, col) + ": " + quote_text(token_at(i_)) +
                                 " is out of range");
                case Num::Bad:
                    fail(i_, name + column_text(cols, row, col) + ": " + quote_text(token_at(i_)) +
                                 " is not a number");
            }
            if (col == 0) row_at = static_cast<u32>(i_);
            m.values.push_back(v);
            m.at.push_back(static_cast<u32>(i_));
            comma = false;
            i_ = e;
        }
    }

    void cell(Cell& cl, const std::string& name, std::size_t stmt) {
        if (s_[i_] != '{') fail(i_, name + " must be a cell array written out as { ... }");
        cl.present = true;
        cl.start = stmt;
        ++i_;
        bool row_has = false, comma = false;
        for (;;) {
            skip_inline();
            if (i_ >= n_) fail(stmt, name + ": missing '};'");
            const char c = s_[i_];
            if (c == '%') {
                skip_comment();
            } else if (c == '\n' || c == ';') {
                row_has = comma = false;
                ++i_;
            } else if (c == ',') {
                if (!row_has || comma)
                    fail(i_, "unexpected ',' in " + name + " row " + std::to_string(cl.items.size() + 1));
                comma = true;
                ++i_;
            } else if (c == '}') {
                ++i_;
                return;
            } else if (c == '\'' || c == '"') {
                if (row_has)
                    fail(i_,
                         name + " row " + std::to_string(cl.items.size()) + ": expected one string per row");
                cl.items.push_back(read_string());
                row_has = true;
                comma = false;
            } else {
                const std::string t(token_at(i_));
                fail(i_, name + " row " + std::to_string(cl.items.size() + 1) +
                             ": expected a quoted string, found " + t + " (write '" + t + "')");
            }
        }
    }

    // ---- validation ----

    std::string field(const char* f) const { return var_ + "." + f; }
    std::string token_text(u32 at) const { return std::string(token_at(at)); }

    void check_row_shape(const Matrix& m, std::size_t r, std::size_t min, const std::string& name) const {
        const Matrix::Row& row = m.rows[r];
        if (row.count < min)
            fail(row.at, name + " row " + std::to_string(r + 1) + " has " +
                             plural(row.count, "column", "columns") + "; at least " + std::to_string(min) +
                             " are required");
        if (row.count != m.rows[0].count)
            fail(row.at, name + " row " + std::to_string(r + 1) + " has " +
                             plural(row.count, "column", "columns") + ", but row 1 has " +
                             std::to_string(m.rows[0].count));
    }

    Case build() {
        Case c;
        c.name = function_name_.empty() ? stem_ : function_name_;
        if (!version_.present)
            fail(0, "no " + field("version") + "; a MATPOWER case (format version 2) sets " +
                        field("version") + " = '2';");
        if (!base_.present) fail(0, "no " + field("baseMVA"));
        if (!bus_.present) fail(0, "no " + field("bus") + " matrix");
        if (!gen_.present) fail(0, "no " + field("gen") + " matrix");
        if (!branch_.present) fail(0, "no " + field("branch") + " matrix");
        c.base_mva = base_mva_;

        // Buses.
        const std::string bus_name = field("bus");
        std::unordered_map<int, int> index;  // bus number -> row
        index.reserve(bus_.rows.size() * 2);
        c.buses.resize(bus_.rows.size());
        bool has_ref = false;
        for (std::size_t r = 0; r < bus_.rows.size(); ++r) {
            check_row_shape(bus_, r, kBusMin, bus_name);
            const double* v = bus_.values.data() + bus_.rows[r].first;
            const u32* at = bus_.at.data() + bus_.rows[r].first;
            const std::string row = bus_name + " row " + std::to_string(r + 1) + ": ";
            if (!whole_in(v[0], 1, INT_MAX))
                fail(at[0], row + "bus number " + token_text(at[0]) + " is not a positive integer");
            Bus& b = c.buses[r];
            b.id = static_cast<int>(v[0]);
            auto [it, fresh] = index.emplace(b.id, static_cast<int>(r));
            if (!fresh)
                fail(at[0], row + "bus " + token_text(at[0]) + " is already defined in row " +
                                std::to_string(it->second + 1));
            if (!whole_in(v[1], 1, 4))
                fail(at[1], row + "bus type " + token_text(at[1]) +
                                " is not 1 (PQ), 2 (PV), 3 (reference) or 4 (isolated)");
            b.type = static_cast<BusType>(static_cast<int>(v[1]));
            has_ref = has_ref || b.type == BusType::Ref;
            if (!whole_in(v[6], INT_MIN, INT_MAX))
                fail(at[6], row + "area " + token_text(at[6]) + " is not an integer");
            if (!whole_in(v[10], INT_MIN, INT_MAX))
                fail(at[10], row + "zone " + token_text(at[10]) + " is not an integer");
            b.pd_mw = v[2];
            b.qd_mvar = v[3];
            b.gs_mw = v[4];
            b.bs_mvar = v[5];
            b.area = static_cast<int>(v[6]);
            b.vm_pu = v[7];
            b.va_deg = v[8];
            b.base_kv = v[9];
            b.zone = static_cast<int>(v[10]);
            b.vmax_pu = v[11];
            b.vmin_pu = v[12];
        }
        if (!has_ref) fail(bus_.start, bus_name + ": no reference bus (type 3)");

        auto bus_exists = [&](double v) {
            return whole_in(v, INT_MIN, INT_MAX) && index.count(static_cast<int>(v));
        };

        // Generators.
        const std::string gen_name = field("gen");
        c.gens.resize(gen_.rows.size());
        for (std::size_t r = 0; r < gen_.rows.size(); ++r) {
            check_row_shape(gen_, r, kGenMin, gen_name);
            const double* v = gen_.values.data() + gen_.rows[r].first;
            const u32* at = gen_.at.data() + gen_.rows[r].first;
            const std::string row = gen_name + " row " + std::to_string(r + 1) + ": ";
            if (!bus_exists(v[0])) fail(at[0], row + "bus " + token_text(at[0]) + " does not exist");
            Gen& g = c.gens[r];
            g.bus = static_cast<int>(v[0]);
            g.pg_mw = v[1];
            g.qg_mvar = v[2];
            g.qmax_mvar = v[3];
            g.qmin_mvar = v[4];
            g.vg_pu = v[5];
            g.mbase_mva = v[6];
            g.status = v[7] > 0 ? 1 : 0;
            g.pmax_mw = v[8];
            g.pmin_mw = v[9];
        }

        // Branches.
        const std::string branch_name = field("branch");
        c.branches.resize(branch_.rows.size());
        for (std::size_t r = 0; r < branch_.rows.size(); ++r) {
            check_row_shape(branch_, r, kBranchMin, branch_name);
            const Matrix::Row& rw = branch_.rows[r];
            const double* v = branch_.values.data() + rw.first;
            const u32* at = branch_.at.data() + rw.first;
            const std::string row = branch_name + " row " + std::to_string(r + 1) + ": ";
            if (!bus_exists(v[0])) fail(at[0], row + "from bus " + token_text(at[0]) + " does not exist");
            if (!bus_exists(v[1])) fail(at[1], row + "to bus " + token_text(at[1]) + " does not exist");
            if (v[2] == 0 && v[3] == 0) fail(rw.at, row + "zero impedance (r = x = 0)");
            Branch& b = c.branches[r];
            b.from = static_cast<int>(v[0]);
            b.to = static_cast<int>(v[1]);
            b.r_pu = v[2];
            b.x_pu = v[3];
            b.b_pu = v[4];
            b.rate_a_mva = v[5];
            b.rate_b_mva = v[6];
            b.rate_c_mva = v[7];
            b.ratio = v[8];
            b.angle_deg = v[9];
            b.status = v[10] > 0 ? 1 : 0;
            if (rw.count > 11) b.angmin_deg = v[11];
            if (rw.count > 12) b.angmax_deg = v[12];
        }

        // Generator costs (MATPOWER User's Manual table B-4): optional; ng rows, or 2 ng when reactive
        // power costs follow (those are kept out: the DC OPF does not use them).
        if (gencost_.present) {
            const std::string gc_name = field("gencost");
            const std::size_t ng = c.gens.size();
            if (gencost_.rows.size() != ng && gencost_.rows.size() != 2 * ng)
                fail(gencost_.start, gc_name + " has " + plural(gencost_.rows.size(), "row", "rows") + ", but " +
                                         gen_name + " has " + plural(ng, "row", "rows") +
                                         " (expected one cost row per generator, or two)");
            c.gencost.resize(ng);
            for (std::size_t r = 0; r < ng; ++r) {
                check_row_shape(gencost_, r, 5, gc_name);
                const Matrix::Row& rw = gencost_.rows[r];
                const double* v = gencost_.values.data() + rw.first;
                const u32* at = gencost_.at.data() + rw.first;
                const std::string row = gc_name + " row " + std::to_string(r + 1) + ": ";
                if (!whole_in(v[0], 1, 2))
                    fail(at[0], row + "cost model " + token_text(at[0]) + " is not 1 (piecewise linear) or 2 (polynomial)");
                if (!whole_in(v[3], 1, 1000000))
                    fail(at[3], row + "NCOST " + token_text(at[3]) + " is not a positive integer");
                GenCost& gc = c.gencost[r];
                gc.model = static_cast<int>(v[0]);
                gc.startup = v[1];
                gc.shutdown = v[2];
                const std::size_t ncost = static_cast<std::size_t>(v[3]);
                const std::size_t need = gc.model == 1 ? 2 * ncost : ncost;
                if (rw.count < 4 + need)
                    fail(at[3], row + "NCOST " + token_text(at[3]) + " needs " + std::to_string(need) +
                                    " cost columns, but the row has " + std::to_string(rw.count - 4));
                gc.coeffs.assign(v + 4, v + 4 + need);
                if (gc.model == 1) {
                    if (ncost < 2) fail(at[3], row + "a piecewise linear cost needs at least 2 points");
                    for (std::size_t k = 1; k < ncost; ++k)
                        if (!(gc.coeffs[2 * k] > gc.coeffs[2 * k - 2]))
                            fail(at[4 + 2 * k], row + "piecewise linear cost points must have increasing MW (" +
                                                    token_text(at[4 + 2 * k]) + " after " +
                                                    token_text(at[2 + 2 * k]) + ")");
                }
            }
        }

        // Names, types and fuels.
        auto check_length = [&](const Cell& cl, const char* f, std::size_t want, const std::string& of,
                                const char* what) {
            if (cl.present && cl.items.size() != want)
                fail(cl.start, field(f) + " has " + plural(cl.items.size(), "entry", "entries") + ", but " +
                                   of + " has " + plural(want, what, "rows"));
        };
        check_length(gentype_, "gentype", c.gens.size(), gen_name, "row");
        check_length(genfuel_, "genfuel", c.gens.size(), gen_name, "row");
        check_length(bus_name_, "bus_name", c.buses.size(), bus_name, "row");
        for (std::size_t k = 0; k < gentype_.items.size(); ++k) c.gens[k].type = std::move(gentype_.items[k]);
        for (std::size_t k = 0; k < genfuel_.items.size(); ++k) c.gens[k].fuel = std::move(genfuel_.items[k]);
        for (std::size_t k = 0; k < bus_name_.items.size(); ++k)
            c.buses[k].name = std::move(bus_name_.items[k]);
        return c;
    }
};

}  // namespace

int Case::bus_index(int id) const {
    const std::size_t n = buses.size();
    if (n == 0) return -1;
    // Numbered from the first bus without gaps (most cases): direct.
    const long long guess = static_cast<long long>(id) - buses.front().id;
    if (guess >= 0 && guess < static_cast<long long>(n) && buses[guess].id == id)
        return static_cast<int>(guess);
    if (n <= 64) {
        for (std::size_t k = 0; k < n; ++k)
            if (buses[k].id == id) return static_cast<int>(k);
        return -1;
    }
    // Otherwise a per-thread map for the case last asked, rebuilt when the bus vector changes; a hit is
    // confirmed against the bus itself and a miss by a scan, so an edited case is never answered stale.
    struct Cache {
        const Bus* data = nullptr;
        std::size_t size = 0;
        std::unordered_map<int, int> map;
    };
    thread_local Cache cache;
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (cache.data != buses.data() || cache.size != n || attempt == 1) {
            cache.map.clear();
            cache.map.reserve(n * 2);
            for (std::size_t k = 0; k < n; ++k) cache.map.emplace(buses[k].id, static_cast<int>(k));
            cache.data = buses.data();
            cache.size = n;
        }
        const auto it = cache.map.find(id);
        if (it != cache.map.end() && buses[it->second].id == id) return it->second;
        if (it == cache.map.end()) break;
    }
    for (std::size_t k = 0; k < n; ++k)
        if (buses[k].id == id) return static_cast<int>(k);
    return -1;
}

Case load_matpower(const std::filesystem::path& file, const std::string& shown) {
    std::error_code ec;
    std::ifstream in(file, std::ios::binary);
    if (!in || std::filesystem::is_directory(file, ec))
        throw InputError({shown, 1, 1}, "cannot open case file");
    std::string text;
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0) throw InputError({shown, 1, 1}, "cannot read case file");
    if (static_cast<unsigned long long>(size) >= 0xFFFFFFFFull)
        throw InputError({shown, 1, 1}, "case file is too large (4 GB or more)");
    text.resize(static_cast<std::size_t>(size));
    in.seekg(0, std::ios::beg);
    if (size > 0 && !in.read(text.data(), size)) throw InputError({shown, 1, 1}, "cannot read case file");
    return Reader(std::move(text), shown, file.stem().string()).read();
}

}  // namespace infrascape::grid
