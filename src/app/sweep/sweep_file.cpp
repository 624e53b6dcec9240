// Sweep files: what varies, how it is sampled, what is collected. See sweep.hpp and `infrascape sweep --help`.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <random>
#include <sstream>

#include "app/sweep/sweep.hpp"
#include "app/sweep/sweep_toml.hpp"

namespace infrascape::sweep {

using detail::Reader;

namespace {

bool good_name(const std::string& s) {
    if (s.empty() || s.size() > 60 || !std::islower(static_cast<unsigned char>(s[0]))) return false;
    for (char c : s)
        if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
            return false;
    return true;
}

std::string name_of(const Reader& r, const toml::table& t, const std::string& what) {
    std::string n = r.text(t, "name", what, true);
    if (!good_name(n))
        r.fail(*t.get("name"), what + " 'name' \"" + n +
                                   "\" must start with a lower-case letter and hold only a-z, 0-9 and '_' (at most 60)");
    return n;
}

Target read_target(const Reader& r, const toml::node& n, const std::string& what) {
    Target t;
    t.where = r.pos(n);
    if (const auto* s = n.as_string()) {
        t.key = s->get();
    } else if (const auto* tab = n.as_table()) {
        r.only_keys(*tab, {"key", "scale", "offset", "add"}, what);
        t.key = r.text(*tab, "key", what, true);
        t.scale = r.number(*tab, "scale", what, false, 1.0);
        t.offset = r.number(*tab, "offset", what, false, 0.0);
        t.add = r.flag(*tab, "add", what, false);
    } else {
        r.fail(n, what + " must be a key such as \"flood.rain_mm_per_h\" or a table {key = ..., scale = ..., offset = "
                         "..., add = ...}, got " + detail::kind_word(n));
    }
    std::vector<detail::KeyStep> steps;
    if (!detail::split_key(t.key, steps) || steps.size() < 2)
        r.fail(n, what + " key \"" + t.key +
                      "\" must be a dotted scene key such as \"flood.rain_mm_per_h\" or \"flood.gauges[2].x_m\" "
                      "([N] counts from 1)");
    return t;
}

std::string number_label(double v) { return detail::shortest(v); }

Param read_param(const Reader& r, const toml::table& t, size_t index) {
    const std::string what = "[[vary]] " + std::to_string(index + 1);
    r.only_keys(t, {"name", "set", "min", "max", "log", "integer", "values", "labels", "from", "to", "step"}, what);
    Param p;
    p.where = r.pos(t);
    p.name = name_of(r, t, what);
    const std::string pw = "[[vary]] '" + p.name + "'";
    const toml::node* set = t.get("set");
    if (!set) r.fail(t, pw + " needs 'set': the scene key (or keys) the value goes to");
    if (const auto* arr = set->as_array()) {
        if (arr->empty()) r.fail(*set, pw + " 'set' is empty");
        for (const auto& e : *arr) p.targets.push_back(read_target(r, e, pw + " 'set'"));
    } else {
        p.targets.push_back(read_target(r, *set, pw + " 'set'"));
    }
    const bool has_range = t.contains("min") || t.contains("max");
    const bool has_values = t.contains("values");
    const bool has_steps = t.contains("from") || t.contains("to") || t.contains("step");
    if (int(has_range) + int(has_values) + int(has_steps) != 1)
        r.fail(t, pw + " needs exactly one of: min and max (sampled), values = [...] (listed), or from, to and step");
    p.log = r.flag(t, "log", pw, false);
    p.integer = r.flag(t, "integer", pw, false);
    if (has_range) {
        p.sampled = true;
        p.min = r.number(t, "min", pw, true);
        p.max = r.number(t, "max", pw, true);
        if (!(p.max > p.min)) r.fail(*t.get("max"), pw + " 'max' must be above 'min'");
        if (p.log && p.min <= 0) r.fail(*t.get("min"), pw + " 'min' must be positive with log = true");
        if (p.integer && (p.min != std::floor(p.min) || p.max != std::floor(p.max)))
            r.fail(t, pw + " 'min' and 'max' must be whole numbers with integer = true");
    } else if (has_steps) {
        const double from = r.number(t, "from", pw, true), to = r.number(t, "to", pw, true),
                     step = r.number(t, "step", pw, true);
        if (step <= 0) r.fail(*t.get("step"), pw + " 'step' must be positive");
        const double count = std::floor((to - from) / step + 1e-9) + 1;
        if (!(count >= 1) || count > 100000)
            r.fail(*t.get("to"), pw + " from, to and step must give 1 to 100000 values, got " + number_label(count));
        // The listed values are made as nodes of the document, so listed and stepped parameters are alike.
        auto* tab = const_cast<toml::table*>(&t);
        toml::array made;
        for (size_t k = 0; k < size_t(count); ++k) {
            const double v = from + double(k) * step;
            if (p.integer) made.push_back(int64_t(std::llround(v)));
            else made.push_back(v);
        }
        tab->insert_or_assign("values", std::move(made));
    }
    if (const toml::array* vals = r.array(t, "values", pw)) {
        if (vals->empty()) r.fail(*vals, pw + " 'values' is empty");
        for (const auto& v : *vals) {
            p.values.push_back(&v);
            if (v.is_integer() || v.is_floating_point() || v.is_boolean()) {
                p.labels.push_back(detail::scalar_text(v));
            } else if (const auto* s = v.as_string()) {
                p.labels.push_back(s->get());
            } else {
                p.labels.push_back("value " + std::to_string(p.labels.size() + 1));
            }
        }
    }
    if (const toml::array* labels = r.array(t, "labels", pw)) {
        if (p.sampled) r.fail(*labels, pw + " 'labels' go with listed values, not with min and max");
        if (labels->size() != p.values.size())
            r.fail(*labels, pw + " has " + std::to_string(labels->size()) + " labels for " + std::to_string(p.values.size()) +
                                " values");
        for (size_t k = 0; k < labels->size(); ++k) {
            const auto* s = (*labels)[k].as_string();
            if (!s) r.fail((*labels)[k], pw + " labels must be strings");
            p.labels[k] = s->get();
        }
    }
    return p;
}

Output read_output(const Reader& r, const toml::table& t, size_t index) {
    const std::string what = "[[output]] " + std::to_string(index + 1);
    r.only_keys(t, {"name", "file", "column", "where", "at", "reduce", "above", "plot", "scale"}, what);
    Output o;
    o.where_pos = r.pos(t);
    o.name = name_of(r, t, what);
    const std::string ow = "[[output]] '" + o.name + "'";
    o.file = r.text(t, "file", ow, true);
    if (o.file.empty() || fs::path(o.file).is_absolute() || o.file.find("..") != std::string::npos)
        r.fail(*t.get("file"), ow + " 'file' must be a path inside the member's export folder, e.g. \"flood/warnings.csv\"");
    o.column = r.text(t, "column", ow, true);
    o.plot = r.text(t, "plot", ow, false, o.name);
    o.scale = r.number(t, "scale", ow, false, 1.0);
    if (o.scale == 0) r.fail(*t.get("scale"), ow + " 'scale' must not be 0");
    if (!good_name(o.plot))
        r.fail(*t.get("plot"), ow + " 'plot' must start with a lower-case letter and hold only a-z, 0-9 and '_'");
    o.reduce = r.text(t, "reduce", ow, false, "only");
    static const std::vector<std::string> reduces = {"only", "first", "last", "min", "max", "mean", "sum", "count"};
    if (std::find(reduces.begin(), reduces.end(), o.reduce) == reduces.end())
        r.fail(*t.get("reduce"), ow + " 'reduce' must be one of only, first, last, min, max, mean, sum, count; got \"" +
                                     o.reduce + "\"");
    if (const toml::node* w = t.get("where")) {
        const auto* wt = w->as_table();
        if (!wt) r.fail(*w, ow + " 'where' must be a table of column = value, e.g. {site = \"Cypress Bend camp\"}");
        for (const auto& [k, v] : *wt) {
            std::string value;
            if (const auto* s = v.as_string()) value = s->get();
            else if (v.is_integer() || v.is_floating_point()) value = detail::scalar_text(v); else r.fail(v, ow + " 'where' values must be strings or numbers");
            o.where.emplace_back(std::string(k.str()), value);
        }
    }
    if (const toml::node* at = t.get("at")) o.at_s = r.duration(*at, ow + " 'at'");
    if (const toml::node* above = t.get("above")) {
        auto one = [&](const toml::node& n) {
            if (!(n.is_integer() || n.is_floating_point())) r.fail(n, ow + " 'above' must be a number or an array of numbers");
            o.above.push_back(n.is_integer() ? double(n.as_integer()->get()) : n.as_floating_point()->get());
        };
        if (const auto* arr = above->as_array())
            for (const auto& e : *arr) one(e);
        else one(*above);
    }
    return o;
}

Field read_field(const Reader& r, const toml::table& t, size_t index) {
    const std::string what = "[[field]] " + std::to_string(index + 1);
    r.only_keys(t, {"name", "file", "above", "view"}, what);
    Field f;
    f.where = r.pos(t);
    f.name = name_of(r, t, what);
    const std::string fw = "[[field]] '" + f.name + "'";
    f.file = r.text(t, "file", fw, true);
    const std::string ext = fs::path(f.file).extension().string();
    if (ext != ".asc" && ext != ".tif" && ext != ".tiff")
        r.fail(*t.get("file"), fw + " 'file' must be a raster export (.asc, .tif or .tiff), got \"" + f.file + "\"");
    if (fs::path(f.file).is_absolute() || f.file.find("..") != std::string::npos)
        r.fail(*t.get("file"), fw + " 'file' must be a path inside the member's export folder");
    f.above = r.number(t, "above", fw, true);
    if (const toml::node* v = t.get("view")) {
        const auto* vt = v->as_table();
        if (!vt) r.fail(*v, fw + " 'view' must be a table of scene keys and values, e.g. {\"flood.probability_map\" = \"{map}\"}");
        for (const auto& [k, val] : *vt) {
            std::vector<detail::KeyStep> steps;
            const std::string key(k.str());
            if (!detail::split_key(key, steps) || steps.size() != 2 || steps[0].index || steps[1].index)
                r.fail(val, fw + " 'view' keys must be \"block.key\", got \"" + key + "\"");
            const auto* str = val.as_string();
            if (!str) r.fail(val, fw + " 'view' values must be strings");
            f.view.emplace_back(key, str->get());
        }
    }
    return f;
}

SlurmOptions read_slurm(const Reader& r, const toml::table& t) {
    r.only_keys(t, {"partition", "time", "mem", "cpus_per_task", "gpus_per_task", "extra"}, "[slurm]");
    SlurmOptions s;
    s.partition = r.text(t, "partition", "[slurm]", false);
    s.time = r.text(t, "time", "[slurm]", false);
    s.mem = r.text(t, "mem", "[slurm]", false);
    auto whole = [&](const char* key, double def, double lo, double hi) {
        const double v = r.number(t, key, "[slurm]", false, def);
        if (v != std::floor(v) || v < lo || v > hi)
            r.fail(*t.get(key), std::string("[slurm] '") + key + "' must be a whole number from " + number_label(lo) +
                                    " to " + number_label(hi));
        return uint32_t(v);
    };
    s.cpus_per_task = whole("cpus_per_task", 2, 1, 1024);
    s.gpus_per_task = whole("gpus_per_task", 0, 0, 64);
    if (const toml::array* extra = r.array(t, "extra", "[slurm]"))
        for (const auto& e : *extra) {
            const auto* str = e.as_string();
            if (!str || str->get().rfind("--", 0) != 0 || str->get().find('\n') != std::string::npos)
                r.fail(e, "[slurm] 'extra' entries must be sbatch options such as \"--account=flood\"");
            s.extra.push_back(str->get());
        }
    return s;
}

}  // namespace

Sweep load_sweep(const fs::path& file) {
    const std::string shown = file.string();
    Sweep s;
    s.doc = std::make_shared<toml::table>(detail::parse_file(file, shown));
    const toml::table& t = *s.doc;
    Reader r{shown};
    r.only_keys(t, {"title", "base", "until", "method", "samples", "seed", "keep_exports", "vary", "output", "field", "slurm"},
                "the sweep file");
    std::error_code ec;
    s.file = fs::absolute(file, ec);
    s.name = file.stem().string();
    s.title = r.text(t, "title", "the sweep file", false, s.name);
    const std::string base = r.text(t, "base", "the sweep file", true);
    s.base = fs::absolute(file.parent_path() / base, ec).lexically_normal();
    if (!fs::is_regular_file(s.base, ec)) r.fail(*t.get("base"), "base scene \"" + base + "\" does not exist");
    const toml::node* until = t.get("until");
    if (!until) r.fail(t, "the sweep file needs 'until': how long each member runs (e.g. \"4h\")");
    s.until_s = r.duration(*until, "'until'");
    const double seed = r.number(t, "seed", "the sweep file", false, 1);
    if (seed < 0 || seed != std::floor(seed) || seed > 9.0e15) r.fail(*t.get("seed"), "'seed' must be a whole number >= 0");
    s.seed = uint64_t(seed);
    s.keep_exports = r.flag(t, "keep_exports", "the sweep file", false);

    const toml::array* vary = r.array(t, "vary", "the sweep file");
    if (!vary || vary->empty()) r.fail(t, "the sweep file needs at least one [[vary]] table");
    for (size_t k = 0; k < vary->size(); ++k) {
        const auto* vt = (*vary)[k].as_table();
        if (!vt) r.fail((*vary)[k], "[[vary]] entries must be tables");
        s.params.push_back(read_param(r, *vt, k));
        for (size_t j = 0; j + 1 < s.params.size(); ++j)
            if (s.params[j].name == s.params.back().name)
                r.fail(*vt, "two [[vary]] tables are named '" + s.params[j].name + "'");
    }
    const bool any_sampled = std::any_of(s.params.begin(), s.params.end(), [](const Param& p) { return p.sampled; });
    s.method = r.text(t, "method", "the sweep file", false, any_sampled ? "lhs" : "grid");
    if (s.method != "grid" && s.method != "lhs" && s.method != "random")
        r.fail(*t.get("method"), "'method' must be \"grid\", \"lhs\" (Latin hypercube) or \"random\", got \"" + s.method + "\"");
    if (s.method == "grid" && any_sampled)
        for (const Param& p : s.params)
            if (p.sampled)
                throw InputError(p.where, "[[vary]] '" + p.name +
                                              "' has min and max, which are sampled; with method = \"grid\" give values "
                                              "or from, to and step");
    if (any_sampled) {
        const toml::node* n = t.get("samples");
        if (!n) r.fail(t, "the sweep file needs 'samples': how many draws of the sampled parameters");
        const double v = r.number(t, "samples", "the sweep file", true);
        if (v < 1 || v > 1e7 || v != std::floor(v)) r.fail(*n, "'samples' must be a whole number from 1 to 10000000");
        s.samples = uint32_t(v);
    } else if (const toml::node* n = t.get("samples")) {
        r.fail(*n, "'samples' needs a sampled parameter (a [[vary]] with min and max)");
    }

    if (const toml::array* outs = r.array(t, "output", "the sweep file"))
        for (size_t k = 0; k < outs->size(); ++k) {
            const auto* ot = (*outs)[k].as_table();
            if (!ot) r.fail((*outs)[k], "[[output]] entries must be tables");
            s.outputs.push_back(read_output(r, *ot, k));
        }
    if (const toml::array* fields = r.array(t, "field", "the sweep file"))
        for (size_t k = 0; k < fields->size(); ++k) {
            const auto* ft = (*fields)[k].as_table();
            if (!ft) r.fail((*fields)[k], "[[field]] entries must be tables");
            s.fields.push_back(read_field(r, *ft, k));
        }
    if (s.outputs.empty() && s.fields.empty()) r.fail(t, "the sweep file needs at least one [[output]] or [[field]]");
    std::vector<std::string> names;
    for (const Param& p : s.params) names.push_back(p.name);
    for (const Output& o : s.outputs) {
        if (std::find(names.begin(), names.end(), o.name) != names.end())
            throw InputError(o.where_pos, "the name '" + o.name + "' is used twice ([[vary]], [[output]] and [[field]] "
                                                                  "names must differ)");
        names.push_back(o.name);
    }
    for (const Field& f : s.fields) {
        if (std::find(names.begin(), names.end(), f.name) != names.end())
            throw InputError(f.where, "the name '" + f.name + "' is used twice ([[vary]], [[output]] and [[field]] names "
                                                               "must differ)");
        names.push_back(f.name);
    }
    if (const toml::node* sl = t.get("slurm")) {
        const auto* st = sl->as_table();
        if (!st) r.fail(*sl, "[slurm] must be a table");
        s.slurm = read_slurm(r, *st);
    }
    if (member_count(s) > 10000000) r.fail(t, "the sweep has " + number_label(double(member_count(s))) +
                                                  " members; at most 10000000");
    return s;
}

uint64_t member_count(const Sweep& s) {
    uint64_t n = 1;
    bool sampled = false;
    for (const Param& p : s.params) {
        if (p.sampled) sampled = true;
        else n *= p.values.size();
        if (n > (uint64_t(1) << 40)) return n;
    }
    return sampled ? n * s.samples : n;
}

std::vector<MemberValues> member_values(const Sweep& s) {
    const bool any_sampled = std::any_of(s.params.begin(), s.params.end(), [](const Param& p) { return p.sampled; });
    const uint64_t n_samples = any_sampled ? s.samples : 1;
    const size_t np = s.params.size();
    // Draws in [0, 1): std::mt19937_64 is the same sequence everywhere; the conversion to a double is ours (the
    // standard distributions differ between libraries).
    std::mt19937_64 rng(s.seed);
    auto uniform = [&] { return double(rng() >> 11) * 0x1.0p-53; };
    std::vector<std::vector<double>> u(np);
    for (size_t p = 0; p < np; ++p) {
        if (!s.params[p].sampled) continue;
        u[p].resize(n_samples);
        if (s.method == "lhs") {  // McKay, Beckman and Conover (1979): one draw in each of n equal strata
            std::vector<uint64_t> perm(n_samples);
            for (uint64_t k = 0; k < n_samples; ++k) perm[k] = k;
            for (uint64_t k = n_samples; k > 1; --k) std::swap(perm[k - 1], perm[rng() % k]);
            for (uint64_t k = 0; k < n_samples; ++k) u[p][k] = (double(perm[k]) + uniform()) / double(n_samples);
        } else {
            for (uint64_t k = 0; k < n_samples; ++k) u[p][k] = uniform();
        }
    }
    const uint64_t total = member_count(s);
    std::vector<MemberValues> out(total);
    for (uint64_t m = 0; m < total; ++m) {
        MemberValues& v = out[m];
        v.sample = m % n_samples;
        v.group = m / n_samples;
        v.number.assign(np, 0.0);
        v.listed.assign(np, 0);
        v.label.assign(np, "");
        uint64_t g = v.group;
        for (size_t p = np; p-- > 0;) {  // the first listed parameter varies slowest
            const Param& P = s.params[p];
            if (P.sampled) continue;
            v.listed[p] = g % P.values.size();
            g /= P.values.size();
            v.label[p] = P.labels[v.listed[p]];
        }
        for (size_t p = 0; p < np; ++p) {
            const Param& P = s.params[p];
            if (!P.sampled) continue;
            const double x = u[p][v.sample];
            double val = P.log ? std::exp(std::log(P.min) + x * (std::log(P.max) - std::log(P.min))) : P.min + x * (P.max - P.min);
            if (P.integer) val = std::min(P.max, P.min + std::floor(x * (P.max - P.min + 1)));
            v.number[p] = val;
            v.label[p] = number_label(val);
        }
    }
    return out;
}

std::string member_id(uint64_t m) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "m%06llu", (unsigned long long)m);
    return buf;
}
fs::path member_scene(const fs::path& dir, uint64_t m) { return dir / "members" / (member_id(m) + ".toml"); }
fs::path member_result(const fs::path& dir, uint64_t m) { return dir / "results" / (member_id(m) + ".result"); }
fs::path member_log(const fs::path& dir, uint64_t m) { return dir / "logs" / (member_id(m) + ".log"); }

}  // namespace infrascape::sweep
