// Scene-file reading and validation (toml++), the `infrascape schema` text, typo suggestions, and
// the Timeline that plays [[timeline]] events into a ParamStore. Every user mistake becomes one
// InputError "file:line:col: message" pointing at the offending TOML node.
#include "scene/scene.hpp"

#include <toml++/toml.h>

#include "scene/toml_words.hpp"

#include <algorithm>
#include <cctype>
#include <deque>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>

#include "scene/detail.hpp"

namespace infrascape {

namespace fs = std::filesystem;

namespace {

std::string where_text(const SourcePos& w, const std::string& message) {
    return w.file + ":" + std::to_string(w.line) + ":" + std::to_string(w.col) + ": " + message;
}

// The array tables every scene may have besides its blocks.
const char* const kTimeline = "timeline";
const char* const kCamera = "camera";
const char* const kCaption = "caption";

// One key of a [[timeline]], [[camera]] or [[caption]] entry, for typo hints and the schema.
struct FieldDoc {
    const char* key;
    const char* type;
    const char* unit;
    const char* range;
    const char* default_text;  // "(required)" when the entry needs it
    const char* help;
};

struct EntryDoc {
    const char* name;
    const char* help;
    std::vector<FieldDoc> fields;
};

const std::vector<EntryDoc>& entry_docs() {
    static const std::vector<EntryDoc> docs = {
        {kTimeline,
         "events that set or ramp a parameter while the scene runs",
         {
             {"at", "duration", "s", "[0, inf]", "(required)",
              "when: seconds, or text such as \"90s\", \"10min\", \"2h\", \"3d\", \"5y\""},
             {"set", "string", "", "", "(required)", "the parameter to change, \"block.key\", e.g. \"world.speed\""},
             {"to", "value", "", "", "(required)", "the new value, checked like the parameter itself"},
             {"ramp", "duration", "s", "(0, inf]", "(none)",
              "reach the value linearly over this time (numbers only)"},
         }},
        {kCamera,
         "camera keyframes; the camera moves smoothly between them",
         {
             {"at", "duration", "s", "[0, inf]", "(required)", "when the camera is here"},
             {"position", "[x, y, z]", "m", "", "(required)", "camera position in world metres"},
             {"look_at", "[x, y, z]", "m", "", "(required)", "the point the camera looks at"},
             {"fov_deg", "number", "deg", "(1, 170)", "50", "vertical field of view"},
             {"ease", "choice", "", "linear, in_out", "\"in_out\"",
              "easing of the move from this keyframe to the next"},
         }},
        {kCaption,
         "text overlays shown for a while",
         {
             {"at", "duration", "s", "[0, inf]", "(required)", "when the caption appears"},
             {"text", "string", "", "", "(required)", "the text shown"},
             {"duration", "duration", "s", "(0, inf]", "4s", "how long it stays on screen"},
         }},
    };
    return docs;
}

const EntryDoc& entry_doc(std::string_view name) {
    for (const auto& d : entry_docs())
        if (name == d.name) return d;
    throw std::logic_error("no entry doc");
}

std::vector<std::string> field_keys(const EntryDoc& doc) {
    std::vector<std::string> keys;
    for (const auto& f : doc.fields) keys.emplace_back(f.key);
    return keys;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string expected_word(const ParamSpec& spec) {
    switch (spec.type) {
        case ParamType::Number: return spec.or_path ? "a number or a file path" : "a number";
        case ParamType::Integer: return "a whole number";
        case ParamType::Bool: return "a boolean";
        case ParamType::String: return "a string";
        case ParamType::Choice: {
            std::vector<std::string> quoted;
            for (const auto& c : spec.choices) quoted.push_back(detail::quote(c));
            return "one of " + join(quoted, ", ");
        }
        case ParamType::Path: return "a file path";
        case ParamType::DateTime: return "a date-time";
        case ParamType::Duration: return "a duration";
    }
    return "?";
}

std::string number_text(const ParamSpec& spec, double v) {
    return spec.type == ParamType::Integer ? detail::format_integer(v) : detail::format_number(v);
}

// "[0, 10]", "[-inf, 5]"; empty when the range is unbounded both ways.
std::string range_text(const ParamSpec& spec) {
    if (std::isinf(spec.min) && spec.min < 0 && std::isinf(spec.max) && spec.max > 0) return "";
    return "[" + number_text(spec, spec.min) + ", " + number_text(spec, spec.max) + "]";
}

std::string unit_of(const ParamSpec& spec) {
    if (!spec.unit.empty()) return spec.unit;
    return spec.type == ParamType::Duration ? "s" : "";
}

bool is_number(const toml::node& n) { return n.is_integer() || n.is_floating_point(); }

double number_of(const toml::node& n) {
    if (auto i = n.as_integer()) return static_cast<double>(i->get());
    return n.as_floating_point()->get();
}

double seconds_of(const toml::date_time& dt) {
    const int64_t days = detail::days_from_civil(dt.date.year, dt.date.month, dt.date.day);
    double s = static_cast<double>(days) * 86400.0 + dt.time.hour * 3600.0 + dt.time.minute * 60.0 +
               dt.time.second + dt.time.nanosecond * 1e-9;
    // A local date-time has no offset and is taken as UTC; "-05:00" means 5 h behind UTC.
    if (dt.offset) s -= dt.offset->minutes * 60.0;
    return s;
}

// Reads one parsed scene into `scene`, failing with an InputError at the first mistake.
struct Loader {
    std::string file;  // as given
    fs::path dir;      // the scene's directory, as given, for resolving and showing paths
    const std::vector<BlockSpec>& specs;
    Scene& scene;

    // toml++ leaves 0 for nodes it made up (implicit tables); those are shown as 1:1.
    SourcePos pos(const toml::source_region& r) const {
        return {file, r.begin.line ? static_cast<int>(r.begin.line) : 1,
                r.begin.column ? static_cast<int>(r.begin.column) : 1};
    }
    SourcePos pos(const toml::node& n) const { return pos(n.source()); }

    [[noreturn]] void fail(const toml::node& n, const std::string& message) const {
        throw InputError(pos(n), message);
    }

    std::deque<BlockSpec> instance_specs;  // "city:houston", ... (a deque: pointers stay valid)

    const BlockSpec* block_spec(std::string_view name) const {
        for (const auto& b : specs)
            if (b.name == name) return &b;
        for (const auto& b : instance_specs)
            if (b.name == name) return &b;
        return nullptr;
    }

    // [[city]] entries: each needs a unique `id` of lower-case letters, digits and '_', and becomes the
    // block "city:<id>" with the module's declarations.
    void declare_instances(const BlockSpec& module, const toml::array& entries) {
        if (!module.instances)
            fail(entries, "[[" + module.name + "]] cannot be repeated: write one [" + module.name + "] table");
        std::map<std::string, int> seen;  // id -> line
        for (const auto& e : entries) {
            const toml::table& t = *e.as_table();
            const toml::node* id = t.get("id");
            if (!id) fail(t, "[[" + module.name + "]] needs an 'id' naming the instance (e.g. id = \"houston\")");
            const auto* str = id->as_string();
            if (!str) fail(*id, "[[" + module.name + "]] 'id' must be a string, got " + std::string(got_word(*id)));
            const std::string& v = str->get();
            bool ok = !v.empty() && v.size() <= 40 && std::islower(static_cast<unsigned char>(v[0]));
            for (char ch : v) ok = ok && (std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '_');
            if (!ok)
                fail(*id, "[[" + module.name + "]] 'id' " + detail::quote(v) +
                              " must start with a lower-case letter and hold only a-z, 0-9 and '_' (at most 40)");
            auto [it, fresh] = seen.emplace(v, pos(*id).line);
            if (!fresh)
                fail(*id, "two [[" + module.name + "]] instances have the id " + detail::quote(v) + " (the first at line " +
                              std::to_string(it->second) + ")");
            BlockSpec inst = module;
            inst.name = module.name + ":" + v;
            instance_specs.push_back(std::move(inst));
            scene.instances.emplace_back(module.name + ":" + v, module.name);
            scene.blocks.insert(module.name + ":" + v);
        }
    }

    // Time values: a number of seconds or a string with a unit. `label` names the value in messages,
    // e.g. "[[timeline]] 'at'" or "'world.duration_s'".
    double duration(const toml::node& n, const std::string& label) const {
        double s = 0;
        if (is_number(n)) {
            s = number_of(n);
            if (!std::isfinite(s)) fail(n, label + " must be a finite duration, got " + detail::format_number(s));
        } else if (auto str = n.as_string()) {
            std::string_view text = str->get();
            while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
            double magnitude;
            // "-5s" is well-formed but negative: say that, rather than calling it malformed.
            if (!text.empty() && text.front() == '-' && parse_duration(text.substr(1), magnitude) && magnitude > 0)
                fail(n, label + " must not be negative");
            if (!parse_duration(str->get(), s))
                fail(n, "bad duration '" + str->get() +
                            "': expected a number with an optional unit s, min, h, d or y");
        } else {
            fail(n, label + " must be a duration, got " + got_word(n));
        }
        if (s < 0) fail(n, label + " must not be negative");
        return s;
    }

    // Checks a value against a parameter's declaration and converts it to its stored form.
    ParamValue param_value(const toml::node& n, const ParamSpec& spec, const std::string& dotted) const {
        const std::string label = "'" + dotted + "'";
        auto check_range = [&](double v) {
            if (!(v >= spec.min && v <= spec.max)) {
                const std::string unit = unit_of(spec);
                fail(n, label + " = " + number_text(spec, v) + " is out of range " + range_text(spec) +
                            (unit.empty() ? "" : " " + unit));
            }
        };
        switch (spec.type) {
            case ParamType::Number: {
                if (spec.or_path && n.is_string()) return path_value(n, label);
                if (!is_number(n)) wrong_type_of(n, spec, label);
                const double v = number_of(n);
                // TOML allows inf and nan; neither is a usable setting, even for an unbounded number.
                if (!std::isfinite(v)) fail(n, label + " must be a finite number, got " + detail::format_number(v));
                check_range(v);
                return v;
            }
            case ParamType::Integer: {
                if (!n.is_integer()) wrong_type_of(n, spec, label);
                const double v = number_of(n);
                check_range(v);
                return v;
            }
            case ParamType::Bool:
                if (!n.is_boolean()) wrong_type_of(n, spec, label);
                return n.as_boolean()->get();
            case ParamType::String:
                if (!n.is_string()) wrong_type_of(n, spec, label);
                return n.as_string()->get();
            case ParamType::Choice: {
                if (!n.is_string()) wrong_type_of(n, spec, label);
                const std::string& s = n.as_string()->get();
                if (std::find(spec.choices.begin(), spec.choices.end(), s) == spec.choices.end())
                    fail(n, label + " must be " + expected_word(spec) + ", got " + detail::quote(s));
                return s;
            }
            case ParamType::Path: {
                if (!n.is_string()) wrong_type_of(n, spec, label);
                return path_value(n, label);
            }
            case ParamType::DateTime: {
                auto dt = n.as_date_time();
                if (!dt) wrong_type_of(n, spec, label);
                const double v = seconds_of(dt->get());
                check_range(v);
                return v;
            }
            case ParamType::Duration: {
                const double v = duration(n, label);
                check_range(v);
                return v;
            }
        }
        throw std::logic_error("unhandled parameter type");
    }

    std::string path_value(const toml::node& n, const std::string& label) const {
        const std::string& s = n.as_string()->get();
        if (s.empty()) fail(n, label + " must be a file path, got an empty string");
        // Relative to the scene file, so scenes can be moved together with their data.
        const fs::path shown = fs::path(s).is_absolute() ? fs::path(s) : dir / s;
        std::error_code ec;
        if (fs::is_directory(shown, ec)) fail(n, label + ": a folder, not a file: " + shown.string());
        if (!fs::is_regular_file(shown, ec)) fail(n, label + ": file not found: " + shown.string());
        return fs::absolute(shown, ec).lexically_normal().string();
    }

    [[noreturn]] void wrong_type_of(const toml::node& n, const ParamSpec& spec, const std::string& label) const {
        fail(n, label + " must be " + expected_word(spec) + ", got " + got_word(n));
    }

    // The keys of a table in file order, so that the first mistake in the file is the one reported
    // (toml::table iterates in key order).
    static std::vector<std::pair<std::string, const toml::node*>> in_file_order(const toml::table& t) {
        std::vector<std::pair<std::string, const toml::node*>> items;
        for (auto&& [k, v] : t) items.emplace_back(std::string(k.str()), &v);
        std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
            const auto& pa = a.second->source().begin;
            const auto& pb = b.second->source().begin;
            return std::pair(pa.line, pa.column) < std::pair(pb.line, pb.column);
        });
        return items;
    }

    void unknown_key(const toml::node& n, const std::string& key, const std::string& where,
                     const std::vector<std::string>& candidates, const std::string& schema_arg) const {
        const std::string hint = nearest(key, candidates);
        fail(n, "unknown key '" + key + "' in " + where + "; " +
                    (hint.empty() ? "see `infrascape schema " + schema_arg + "`" : "did you mean '" + hint + "'?"));
    }

    // A record list: an array of tables, each checked field by field like parameters.
    void records(const RecordSpec& spec, const std::string& dotted, const toml::node& node) {
        const toml::array* a = node.as_array();
        if (!a || (!a->empty() && !a->is_array_of_tables()))
            fail(node, "'" + dotted + "' must be a list of tables ([[" + dotted + "]] entries), got " + got_word(node));
        if (a->size() > spec.max_count)
            fail(node, "'" + dotted + "' has " + std::to_string(a->size()) + " entries; at most " +
                           std::to_string(spec.max_count) + " are allowed");
        std::vector<Record> out;
        std::vector<std::string> keys;
        for (const auto& f : spec.fields) keys.push_back(f.key);
        for (size_t k = 0; k < a->size(); ++k) {
            const toml::table& t = *a->get(k)->as_table();
            const std::string where = dotted + "[" + std::to_string(k + 1) + "]";
            Record r;
            for (const auto& f : spec.fields) r.values[f.key] = f.default_value;
            for (const auto& [key, value] : in_file_order(t)) {
                auto f = std::find_if(spec.fields.begin(), spec.fields.end(), [&](const ParamSpec& p) { return p.key == key; });
                if (f == spec.fields.end()) unknown_key(*value, key, where, keys, dotted.substr(0, dotted.find('.')));
                r.values[key] = param_value(*value, *f, where + "." + key);
                scene.positions[where + "." + key] = pos(*value);
            }
            scene.positions[where] = pos(t);
            for (const auto& f : spec.fields)
                if (f.required && !t.contains(f.key))
                    fail(t, where + " needs '" + f.key + "'" + (f.help.empty() ? "" : " (" + f.help + ")"));
            out.push_back(std::move(r));
        }
        scene.positions[dotted] = pos(node);
        scene.params.set_records(dotted, std::move(out));
    }

    void block(const BlockSpec& spec, const toml::table& table) {
        const bool instance = spec.name.find(':') != std::string::npos;
        for (const auto& [key, node] : in_file_order(table)) {
            if (instance && key == "id") continue;
            if (const RecordSpec* r = spec.find_records(key)) {
                records(*r, spec.name + "." + key, *node);
                continue;
            }
            const ParamSpec* p = spec.find(key);
            if (!p) {
                std::vector<std::string> keys;
                for (const auto& q : spec.params) keys.push_back(q.key);
                for (const auto& q : spec.records) keys.push_back(q.key);
                unknown_key(*node, key, "[" + spec.name + "]", keys, spec.name);
            }
            const std::string dotted = spec.name + "." + key;
            scene.params.set(dotted, param_value(*node, *p, dotted));
            scene.positions[dotted] = pos(*node);
        }
        scene.positions[spec.name] = pos(table);
        for (const auto& p : spec.params)
            if (p.required && !table.contains(p.key))
                fail(table, "[" + spec.name + "] needs '" + p.key + "'" + (p.help.empty() ? "" : " (" + p.help + ")"));
    }

    // Checks an entry's keys (unknown ones first, in file order, then missing required ones).
    void entry_keys(const toml::table& t, const EntryDoc& doc) const {
        const std::vector<std::string> keys = field_keys(doc);
        const std::string where = std::string("[[") + doc.name + "]]";
        for (const auto& [key, node] : in_file_order(t))
            if (std::find(keys.begin(), keys.end(), key) == keys.end()) unknown_key(*node, key, where, keys, doc.name);
        for (const auto& f : doc.fields)
            if (std::string_view(f.default_text) == "(required)" && !t.contains(f.key))
                fail(t, where + " needs '" + f.key + "'");
    }

    // "unknown parameter 'example.difusivity'; did you mean 'example.diffusivity_m2_per_s'?"
    [[noreturn]] void unknown_parameter(const toml::node& n, const std::string& name) const {
        std::vector<std::string> block_names;
        for (const auto& b : specs) block_names.push_back(b.name);
        for (const auto& b : instance_specs) block_names.push_back(b.name);
        std::string hint;
        const size_t dot = name.find('.');
        if (dot != std::string::npos) {
            // Match the block and the key separately: a typo in a long key must not be drowned by
            // the shared "block." prefix, and keys of other blocks are not candidates.
            const BlockSpec* b = block_spec(name.substr(0, dot));
            if (!b) b = block_spec(nearest(name.substr(0, dot), block_names));
            if (b) {
                std::vector<std::string> keys;
                for (const auto& p : b->params) keys.push_back(p.key);
                const std::string key = nearest(name.substr(dot + 1), keys);
                if (!key.empty()) hint = b->name + "." + key;
            }
        } else {
            // A bare key: the user forgot the block.
            std::vector<std::string> keys, dotted;
            for (const auto& b : specs)
                for (const auto& p : b.params) keys.push_back(p.key), dotted.push_back(b.name + "." + p.key);
            const std::string key = nearest(name, keys);
            if (!key.empty()) hint = dotted[std::find(keys.begin(), keys.end(), key) - keys.begin()];
        }
        fail(n, "unknown parameter '" + name + "'; " +
                    (hint.empty() ? std::string("see `infrascape schema`") : "did you mean '" + hint + "'?"));
    }

    void timeline_entry(const toml::table& t) {
        const EntryDoc& doc = entry_doc(kTimeline);
        entry_keys(t, doc);
        TimelineEvent ev;
        ev.where = pos(t);
        ev.t_s = duration(*t.get("at"), "[[timeline]] 'at'");

        const toml::node& set = *t.get("set");
        if (!set.is_string()) fail(set, "[[timeline]] 'set' must be a string, got " + std::string(got_word(set)));
        ev.param = set.as_string()->get();
        const size_t dot = ev.param.find('.');
        const BlockSpec* b = dot == std::string::npos ? nullptr : block_spec(ev.param.substr(0, dot));
        const ParamSpec* p = b ? b->find(ev.param.substr(dot + 1)) : nullptr;
        if (!p) unknown_parameter(set, ev.param);
        if (!scene.blocks.count(b->name))
            fail(set, "parameter '" + ev.param + "' belongs to block [" + b->name +
                          "], which this scene does not have");
        if (!p->live) fail(set, "'" + ev.param + "' cannot change while running");

        ev.value = param_value(*t.get("to"), *p, ev.param);

        if (const toml::node* ramp = t.get("ramp")) {
            if (p->type != ParamType::Number) fail(*ramp, "'" + ev.param + "' cannot be ramped: only numbers can");
            ev.ramp_s = duration(*ramp, "[[timeline]] 'ramp'");
            if (ev.ramp_s == 0)
                fail(*ramp, "[[timeline]] 'ramp' must be more than 0 s; leave it out to set the value at once");
        }
        scene.timeline.push_back(std::move(ev));
    }

    void vec3(const toml::node& n, const std::string& label, double out[3]) const {
        const toml::array* a = n.as_array();
        bool ok = a && a->size() == 3;
        for (size_t i = 0; ok && i < 3; ++i) ok = is_number(*a->get(i)) && std::isfinite(number_of(*a->get(i)));
        if (!ok) fail(n, label + " must be an array of 3 numbers");
        for (size_t i = 0; i < 3; ++i) out[i] = number_of(*a->get(i));
    }

    void camera_entry(const toml::table& t) {
        entry_keys(t, entry_doc(kCamera));
        CameraKeyframe k;
        k.where = pos(t);
        k.t_s = duration(*t.get("at"), "[[camera]] 'at'");
        vec3(*t.get("position"), "[[camera]] 'position'", k.position);
        vec3(*t.get("look_at"), "[[camera]] 'look_at'", k.look_at);
        if (const toml::node* fov = t.get("fov_deg")) {
            if (!is_number(*fov)) fail(*fov, "[[camera]] 'fov_deg' must be a number, got " + std::string(got_word(*fov)));
            k.fov_deg = number_of(*fov);
            if (!(k.fov_deg > 1 && k.fov_deg < 170))
                fail(*fov, "[[camera]] 'fov_deg' = " + detail::format_number(k.fov_deg) +
                               " is out of range (1, 170) deg");
        }
        if (const toml::node* ease = t.get("ease")) {
            const auto* s = ease->as_string();
            if (s && s->get() == "linear") k.ease = Ease::Linear;
            else if (s && s->get() == "in_out") k.ease = Ease::InOut;
            else
                fail(*ease, "[[camera]] 'ease' must be \"linear\" or \"in_out\", got " +
                                (s ? detail::quote(s->get()) : std::string(got_word(*ease))));
        }
        scene.camera.push_back(k);
    }

    void caption_entry(const toml::table& t) {
        entry_keys(t, entry_doc(kCaption));
        Caption c;
        c.where = pos(t);
        c.t_s = duration(*t.get("at"), "[[caption]] 'at'");
        const toml::node& text = *t.get("text");
        if (!text.is_string()) fail(text, "[[caption]] 'text' must be a string, got " + std::string(got_word(text)));
        c.text = text.as_string()->get();
        if (c.text.empty()) fail(text, "[[caption]] 'text' must not be empty");
        if (const toml::node* d = t.get("duration")) {
            c.duration_s = duration(*d, "[[caption]] 'duration'");
            if (c.duration_s == 0) fail(*d, "[[caption]] 'duration' must be more than 0 s");
        }
        scene.captions.push_back(std::move(c));
    }

    [[noreturn]] void unknown_block(const toml::node& n, const std::string& name) const {
        std::vector<std::string> names, shown;
        for (const auto& b : specs) names.push_back(b.name), shown.push_back("[" + b.name + "]");
        for (const auto& d : entry_docs()) names.emplace_back(d.name), shown.push_back(std::string("[[") + d.name + "]]");

        if (!n.is_table() && !n.is_array()) {
            // A plain key above every header: likely a parameter whose block header was forgotten.
            for (const auto& b : specs)
                if (b.find(name))
                    fail(n, "'" + name + "' is outside any block; it belongs under [" + b.name + "]");
        }
        const std::string written = n.is_array_of_tables() ? "[[" + name + "]]" : "[" + name + "]";
        const std::string hint = nearest(name, names);
        if (!hint.empty()) {
            const size_t i = std::find(names.begin(), names.end(), hint) - names.begin();
            fail(n, "unknown block " + written + "; did you mean " + shown[i] + "?");
        }
        fail(n, "unknown block " + written + "; valid blocks are " + join(shown, ", "));
    }

    void load(const toml::table& root) {
        const auto top = in_file_order(root);
        // Which blocks the scene has must be known before reading the timeline, wherever it is.
        if (block_spec("world")) scene.blocks.insert("world");
        for (const auto& [key, node] : top) {
            if (block_spec(key) && node->is_table()) scene.blocks.insert(key);
            if (const BlockSpec* b = block_spec(key); b && node->is_array_of_tables() && !node->as_array()->empty())
                declare_instances(*b, *node->as_array());
        }
        for (const auto& b : specs)
            if (scene.blocks.count(b.name)) scene.params.declare(b);
        for (const auto& b : instance_specs) scene.params.declare(b);

        for (const auto& [key, node] : top) {
            if (const BlockSpec* b = block_spec(key)) {
                if (node->is_array_of_tables() && !node->as_array()->empty()) {
                    for (const auto& e : *node->as_array()) {
                        const toml::table& t = *e.as_table();
                        block(*block_spec(key + ":" + t.get("id")->as_string()->get()), t);
                    }
                    continue;
                }
                if (!node->is_table()) fail(*node, "[" + key + "] must be a table");
                block(*b, *node->as_table());
                continue;
            }
            if (key == kTimeline || key == kCamera || key == kCaption) {
                const toml::array* a = node->as_array();
                bool ok = a != nullptr;
                for (size_t i = 0; ok && i < a->size(); ++i) ok = a->get(i)->is_table();
                if (!ok) fail(*node, "[" + key + "] must be an array of tables ([[" + key + "]])");
                for (const auto& e : *a) {
                    const toml::table& t = *e.as_table();
                    if (key == kTimeline) timeline_entry(t);
                    else if (key == kCamera) camera_entry(t);
                    else caption_entry(t);
                }
                continue;
            }
            unknown_block(*node, key);
        }

        auto by_time = [](const auto& a, const auto& b) { return a.t_s < b.t_s; };
        std::stable_sort(scene.timeline.begin(), scene.timeline.end(), by_time);
        std::stable_sort(scene.camera.begin(), scene.camera.end(), by_time);
        std::stable_sort(scene.captions.begin(), scene.captions.end(), by_time);
        for (size_t i = 1; i < scene.camera.size(); ++i)
            if (scene.camera[i].t_s == scene.camera[i - 1].t_s)
                throw InputError(scene.camera[i].where,
                                 "two camera keyframes at t = " + detail::format_number(scene.camera[i].t_s) + " s");
    }
};

// Levenshtein distance between a and b, plus the distance between a and the best prefix of b
// (for a typo in a word the user also cut short, e.g. "diffusivty" for "diffusivity_m2_per_s").
std::pair<size_t, size_t> distances(const std::string& a, const std::string& b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return {prev[b.size()], *std::min_element(prev.begin() + 1, prev.end())};
}

// Table rows padded into columns; the last column is left ragged.
std::string columns(const std::vector<std::vector<std::string>>& rows, const std::string& indent) {
    std::vector<size_t> width;
    for (const auto& r : rows)
        for (size_t i = 0; i < r.size(); ++i) {
            if (width.size() <= i) width.push_back(0);
            width[i] = std::max(width[i], r[i].size());
        }
    std::string out;
    for (const auto& r : rows) {
        std::string line = indent;
        for (size_t i = 0; i < r.size(); ++i) {
            line += r[i];
            if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    return out;
}

const std::vector<std::string> kColumnTitles = {"key", "type", "unit", "range", "default", "help"};

std::string block_schema(const BlockSpec& b) {
    std::vector<std::vector<std::string>> rows = {kColumnTitles};
    for (const auto& p : b.params) {
        std::string range = p.type == ParamType::Choice ? join(p.choices, ", ") : range_text(p);
        std::string def;
        if (p.required) def = "(required)";
        else if (p.type == ParamType::Path && p.default_value == ParamValue(std::string())) def = "(none)";
        else def = format_value(p, p.default_value);
        std::string help = p.help;
        if (!p.live) help += help.empty() ? "(fixed while running)" : " (fixed while running)";
        rows.push_back({p.key, type_name(p.type), unit_of(p), range, def, help});
    }
    std::string out = "[" + b.name + "]" + (b.help.empty() ? "" : "  " + b.help) + "\n";
    out += b.params.empty() ? "  (no parameters)\n" : columns(rows, "  ");
    for (const RecordSpec& r : b.records) {
        std::vector<std::vector<std::string>> fields = {kColumnTitles};
        for (const auto& p : r.fields) {
            std::string range = p.type == ParamType::Choice ? join(p.choices, ", ") : range_text(p);
            std::string def = p.required ? "(required)"
                              : p.type == ParamType::Path && p.default_value == ParamValue(std::string()) ? "(none)"
                                                                                                       : format_value(p, p.default_value);
            fields.push_back({p.key, type_name(p.type), unit_of(p), range, def, p.help});
        }
        out += "\n  [[" + b.name + "." + r.key + "]]  " + r.help + "\n" + columns(fields, "    ");
    }
    return out;
}

std::string entry_schema(const EntryDoc& d) {
    std::vector<std::vector<std::string>> rows = {kColumnTitles};
    for (const auto& f : d.fields) rows.push_back({f.key, f.type, f.unit, f.range, f.default_text, f.help});
    return std::string("[[") + d.name + "]]  " + d.help + "\n" + columns(rows, "  ");
}

}  // namespace

InputError Scene::error_at(const std::string& dotted, const std::string& message) const {
    auto it = positions.find(dotted);
    if (it == positions.end()) it = positions.find(dotted.substr(0, dotted.find('.')));
    if (it != positions.end()) return InputError(it->second, message);
    return InputError(SourcePos{file.string(), 1, 1}, message);
}

InputError::InputError(SourcePos where, const std::string& message)
    : std::runtime_error(where_text(
          {where.file, std::max(where.line, 1), std::max(where.col, 1)}, message)),
      where_(std::move(where)),
      message_(message) {
    where_.line = std::max(where_.line, 1);
    where_.col = std::max(where_.col, 1);
}

Scene load_scene(const fs::path& file, const std::vector<BlockSpec>& blocks) {
    const std::string name = file.string();
    std::error_code ec;
    std::ifstream in(file, std::ios::binary);
    if (!in || fs::is_directory(file, ec)) throw InputError({name, 1, 1}, "cannot open scene file");
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) throw InputError({name, 1, 1}, "cannot open scene file");

    toml::table root;
#if TOML_EXCEPTIONS
    try {
        root = toml::parse(content.str(), name);
    } catch (const toml::parse_error& e) {
        const auto& b = e.source().begin;
        throw InputError({name, static_cast<int>(b.line), static_cast<int>(b.column)}, std::string(e.description()));
    }
#else
    toml::parse_result result = toml::parse(content.str(), name);
    if (!result) {
        const auto& b = result.error().source().begin;
        throw InputError({name, static_cast<int>(b.line), static_cast<int>(b.column)},
                         std::string(result.error().description()));
    }
    root = std::move(result).table();
#endif

    Scene scene;
    scene.file = fs::absolute(file, ec);
    Loader loader{name, file.parent_path(), blocks, scene};
    loader.load(root);
    return scene;
}

std::string schema_text(const std::vector<BlockSpec>& blocks, const std::string& only) {
    if (!only.empty()) {
        for (const auto& b : blocks)
            if (b.name == only) return block_schema(b);
        for (const auto& d : entry_docs())
            if (only == d.name) return entry_schema(d);
        std::vector<std::string> names;
        for (const auto& b : blocks) names.push_back(b.name);
        for (const auto& d : entry_docs()) names.emplace_back(d.name);
        throw std::invalid_argument("unknown block '" + only + "'; valid blocks: " + join(names, ", "));
    }
    std::string out =
        "A scene file is TOML. Times are seconds or text with a unit: \"90s\", \"10min\", \"2h\", \"3d\", \"5y\".\n"
        "Paths are relative to the scene file. [world] is always active; a module runs when its block is present.\n";
    for (const auto& b : blocks) out += "\n" + block_schema(b);
    for (const auto& d : entry_docs()) out += "\n" + entry_schema(d);
    return out;
}

std::string nearest(std::string_view word_in, const std::vector<std::string>& candidates) {
    const std::string word = lower(word_in);
    if (word.empty() || candidates.empty()) return "";

    // 1. Plain edit distance, within about a third of the word (at least 2).
    size_t best = 0, best_d = SIZE_MAX;
    std::vector<size_t> prefix_d(candidates.size());
    for (size_t i = 0; i < candidates.size(); ++i) {
        auto [d, p] = distances(word, lower(candidates[i]));
        prefix_d[i] = p;
        if (d < best_d) best = i, best_d = d;
    }
    if (best_d <= std::max<size_t>(2, word.size() / 3)) return candidates[best];

    // 2. The word is an exact prefix or suffix of exactly one candidate ("diffusivity").
    if (word.size() >= 3) {
        size_t hits = 0, hit = 0;
        for (size_t i = 0; i < candidates.size(); ++i) {
            const std::string c = lower(candidates[i]);
            if (c.starts_with(word) || c.ends_with(word)) ++hits, hit = i;
        }
        if (hits == 1) return candidates[hit];
    }

    // 3. A small typo in a shortened name ("diffusivty"): close to a prefix of exactly one candidate.
    if (word.size() >= 4) {
        size_t p_best = 0, p_d = SIZE_MAX, ties = 0;
        for (size_t i = 0; i < candidates.size(); ++i) {
            if (prefix_d[i] < p_d) p_best = i, p_d = prefix_d[i], ties = 0;
            else if (prefix_d[i] == p_d) ++ties;
        }
        if (ties == 0 && p_d <= std::max<size_t>(1, word.size() / 4)) return candidates[p_best];
    }
    return "";
}

Timeline::Timeline(std::vector<TimelineEvent> events) : events_(std::move(events)) {
    std::stable_sort(events_.begin(), events_.end(),
                     [](const TimelineEvent& a, const TimelineEvent& b) { return a.t_s < b.t_s; });
}

namespace {

// Sets the ramped parameter for time t; true once the ramp has reached its target.
bool apply_ramp(const TimelineEvent& ev, double start_value, double t, ParamStore& params) {
    const double target = std::get<double>(ev.value);
    if (t >= ev.t_s + ev.ramp_s) {
        params.set(ev.param, target);  // exactly the target, free of rounding in the interpolation
        return true;
    }
    const double f = std::clamp((t - ev.t_s) / ev.ramp_s, 0.0, 1.0);
    params.set(ev.param, start_value + (target - start_value) * f);
    return false;
}

}  // namespace

void Timeline::advance(double t_s, ParamStore& params) {
    for (; next_ < events_.size() && events_[next_].t_s <= t_s; ++next_) {
        const TimelineEvent& ev = events_[next_];
        // A new event on a ramping parameter ends that ramp where it stood at the event's time.
        for (auto it = ramps_.begin(); it != ramps_.end();) {
            if (events_[it->event].param == ev.param) {
                apply_ramp(events_[it->event], it->start_value, ev.t_s, params);
                it = ramps_.erase(it);
            } else {
                ++it;
            }
        }
        if (ev.ramp_s > 0 && std::holds_alternative<double>(ev.value))
            ramps_.push_back({next_, params.number(ev.param)});
        else
            params.set(ev.param, ev.value);
    }
    now_ = t_s;
    for (auto it = ramps_.begin(); it != ramps_.end();) {
        if (apply_ramp(events_[it->event], it->start_value, t_s, params)) it = ramps_.erase(it);
        else ++it;
    }
}

void Timeline::reset() {
    next_ = 0;
    now_ = -1;
    ramps_.clear();
}

const char* got_word(const toml::node& n) {
    switch (n.type()) {
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a float";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::array: return "an array";
        case toml::node_type::table: return "a table";
        case toml::node_type::date: return "a date";
        case toml::node_type::time: return "a time";
        case toml::node_type::date_time: return "a date-time";
        case toml::node_type::none: break;
    }
    return "nothing";
}

}  // namespace infrascape
