// Reader of user-defined scaling quantities; see quantities_csv.hpp.
#include "modules/city/quantities_csv.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "scene/csv.hpp"
#include "scene/scene.hpp"

namespace infrascape::city {

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
        std::vector<csv::Field> f;
        int bad_col = 0;
        std::string why;
        if (!csv::split(line, f, bad_col, why)) fail(number, bad_col, why);  // (quotes were refused above)
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
        if (!csv::parse_number(f[3].text, law.y0) || law.y0 <= 0)
            fail(number, f[3].col, "'y0' must be a positive number, got '" + f[3].text + "'");
        if (!csv::parse_number(f[4].text, law.beta)) fail(number, f[4].col, "'beta' must be a number, got '" + f[4].text + "'");
        if (law.beta < 0 || law.beta > 2)
            fail(number, f[4].col, "'beta' = " + f[4].text + " is out of range [0, 2]");
        out.push_back(law);
    }
    if (!header) fail(1, 1, "expected the header 'name,unit,kind,y0,beta'");
    return out;
}

}  // namespace infrascape::city
