// Reader of user-defined scaling quantities; see quantities_csv.hpp.
#include "modules/city/quantities_csv.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "scene/scene.hpp"

namespace infrascape::city {

namespace {

struct Field {
    std::string text;
    int col;  // 1-based column where the field starts
};

std::vector<Field> split(const std::string& line) {
    std::vector<Field> out;
    size_t start = 0;
    for (;;) {
        size_t comma = line.find(',', start);
        std::string f = line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        // Surrounding spaces are not part of a value.
        size_t a = f.find_first_not_of(" \t"), b = f.find_last_not_of(" \t");
        int col = int(start) + 1 + int(a == std::string::npos ? 0 : a);
        out.push_back({a == std::string::npos ? "" : f.substr(a, b - a + 1), col});
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

bool parse_number(const std::string& s, double& v) {
    if (s.empty()) return false;
    errno = 0;
    char* end = nullptr;
    v = std::strtod(s.c_str(), &end);
    return *end == '\0' && errno == 0 && std::isfinite(v);
}

}  // namespace

std::vector<ScalingLaw> load_quantities_csv(const std::filesystem::path& file, const std::string& shown,
                                            const std::vector<ScalingLaw>& existing) {
    auto fail = [&](int line, int col, const std::string& message) {
        throw InputError(SourcePos{shown, line, col}, message);
    };
    std::ifstream in(file);
    if (!in) fail(1, 1, "cannot open quantities file");
    std::string line;
    int number = 0;
    std::vector<ScalingLaw> out;
    bool header = false;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank lines
        if (line.find('"') != std::string::npos)
            fail(number, int(line.find('"')) + 1, "quoted fields are not supported; leave out the quotes");
        std::vector<Field> f = split(line);
        if (!header) {
            if (f.size() != 5 || f[0].text != "name" || f[1].text != "unit" || f[2].text != "kind" ||
                f[3].text != "y0" || f[4].text != "beta")
                fail(number, 1, "expected the header 'name,unit,kind,y0,beta'");
            header = true;
            continue;
        }
        if (f.size() != 5)
            fail(number, 1, "expected 5 fields (name,unit,kind,y0,beta), got " + std::to_string(f.size()));
        ScalingLaw law;
        law.name = f[0].text;
        if (law.name.empty()) fail(number, f[0].col, "a quantity needs a name");
        for (const std::vector<ScalingLaw>* list : {&existing, static_cast<const std::vector<ScalingLaw>*>(&out)})
            for (const ScalingLaw& other : *list)
                if (other.name == law.name) fail(number, f[0].col, "quantity '" + law.name + "' is already defined");
        law.unit = f[1].text;
        law.kind = f[2].text;
        if (law.kind != "socio-economic" && law.kind != "infrastructure" && law.kind != "individual" &&
            law.kind != "metabolic")
            fail(number, f[2].col,
                 "unknown kind '" + law.kind + "'; expected socio-economic, infrastructure, individual or metabolic");
        if (!parse_number(f[3].text, law.y0) || law.y0 <= 0)
            fail(number, f[3].col, "'y0' must be a positive number, got '" + f[3].text + "'");
        if (!parse_number(f[4].text, law.beta)) fail(number, f[4].col, "'beta' must be a number, got '" + f[4].text + "'");
        if (law.beta < 0 || law.beta > 2)
            fail(number, f[4].col, "'beta' = " + f[4].text + " is out of range [0, 2]");
        out.push_back(law);
    }
    if (!header) fail(1, 1, "expected the header 'name,unit,kind,y0,beta'");
    return out;
}

}  // namespace infrascape::city
