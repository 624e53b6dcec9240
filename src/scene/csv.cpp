// CSV helpers; see csv.hpp.
#include "scene/csv.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace infrascape::csv {

bool split(const std::string& line, std::vector<Field>& out, int& bad_col, std::string& why) {
    out.clear();
    size_t i = 0;
    for (;;) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        Field f{"", int(i) + 1};
        if (i < line.size() && line[i] == '"') {
            const size_t open = i++;
            bool closed = false;
            while (i < line.size()) {
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        f.text += '"';
                        i += 2;
                        continue;
                    }
                    closed = true;
                    ++i;
                    break;
                }
                f.text += line[i++];
            }
            if (!closed) {
                bad_col = int(open) + 1;
                why = "unterminated quoted field";
                return false;
            }
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
            if (i < line.size() && line[i] != ',') {
                bad_col = int(i) + 1;
                why = "unexpected text after a quoted field";
                return false;
            }
        } else {
            const size_t comma = line.find(',', i);
            std::string t = line.substr(i, comma == std::string::npos ? std::string::npos : comma - i);
            const size_t b = t.find_last_not_of(" \t");
            f.text = b == std::string::npos ? "" : t.substr(0, b + 1);
            i = comma == std::string::npos ? line.size() : comma;
        }
        out.push_back(f);
        if (i >= line.size()) return true;
        ++i;  // the comma
    }
}

bool parse_number(const std::string& s, double& v) {
    if (s.empty()) return false;
    errno = 0;
    char* end = nullptr;
    v = std::strtod(s.c_str(), &end);
    return *end == '\0' && errno == 0 && std::isfinite(v);
}

}  // namespace infrascape::csv
