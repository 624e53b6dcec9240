// Parameters are data: each module declares its parameters once (name, type, unit, range, default, help).
// The panel widgets, the scene-file reader, the timeline, `infrascape schema` and the error messages
// are all generated from these declarations, under dotted names such as "example.diffusivity_m2_per_s".
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace infrascape {

enum class ParamType {
    Number,    // double; may carry a unit and a range; rampable on the timeline
    Integer,   // whole number stored as double; range-checked; set (not ramped) on the timeline
    Bool,      // true/false
    String,    // free text
    Choice,    // one of `choices`
    Path,      // a file path, relative to the scene file; resolved to an absolute path; must exist
    DateTime,  // TOML local date-time or offset date-time; stored as seconds since 1970-01-01T00:00:00 UTC
    Duration,  // a number of seconds, or a string with a unit: "90s", "10min", "2h", "3d", "5y"
};

// double for Number, Integer, DateTime and Duration; bool for Bool; std::string for String, Choice, Path.
using ParamValue = std::variant<double, bool, std::string>;

struct ParamSpec {
    std::string key;  // key inside its block, e.g. "diffusivity_m2_per_s"
    ParamType type = ParamType::Number;
    std::string unit;  // e.g. "m2/s"; empty when the value has none
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    ParamValue default_value = 0.0;
    std::vector<std::string> choices;  // for Choice
    std::string help;                  // one line, shown as tooltip and by `infrascape schema`
    bool required = false;             // a module that cannot run without it; no default then
    bool live = true;                  // can be changed while running (panel, timeline)
    bool or_path = false;              // Number only: a file path (a raster of values, resolved like Path) is
                                       // accepted instead; the value is then the path's text
};

// A list of records inside a block, such as a flood's gauges or a data hall's rows of racks: written
// `[[flood.gauges]]` tables (or `gauges = [{...}, ...]`). Each record's fields are declared like parameters
// (type, unit, range, default, help; `required` fields must be given). Records are read once, at load.
struct RecordSpec {
    std::string key;  // "gauges"
    std::string help;
    std::vector<ParamSpec> fields;
    size_t max_count = 100000;
};

// One record: every field's value, defaults filled in.
struct Record {
    std::map<std::string, ParamValue, std::less<>> values;
    double number(std::string_view field) const;  // throws std::out_of_range for an unknown field
    bool flag(std::string_view field) const;
    const std::string& text(std::string_view field) const;
};

// One [block] of a scene file: "world", or a module's name.
struct BlockSpec {
    std::string name;
    std::string help;
    std::vector<ParamSpec> params;
    std::vector<RecordSpec> records;
    // A module block that a scene may hold several times, as [[city]] entries each with an `id`: each entry
    // becomes the block "city:<id>" with the same declarations (see Scene::instances).
    bool instances = false;

    const ParamSpec* find(std::string_view key) const {
        for (const auto& p : params)
            if (p.key == key) return &p;
        return nullptr;
    }
    const RecordSpec* find_records(std::string_view key) const {
        for (const auto& r : records)
            if (r.key == key) return &r;
        return nullptr;
    }
};

// Declaration helpers, so a block's parameter list reads as a table.
ParamSpec number_param(std::string key, std::string unit, double min, double max, double def, std::string help,
                       bool live = true);
ParamSpec integer_param(std::string key, double min, double max, double def, std::string help, bool live = false);
ParamSpec choice_param(std::string key, std::vector<std::string> choices, std::string def, std::string help,
                       bool live = true);
ParamSpec bool_param(std::string key, bool def, std::string help, bool live = true);
ParamSpec string_param(std::string key, std::string def, std::string help, bool live = false);
// A file path relative to the scene file; optional (empty default, shown as "(none)"), set at load only.
ParamSpec path_param(std::string key, std::string help);
// The same declaration marked required (a record field or parameter a module cannot run without).
ParamSpec required(ParamSpec spec);

// Duration parsing shared by scene files and the command line: "90", "90s", "1.5min", "2h", "3d", "5y".
// A year is 365.25 days. Returns false (and leaves `seconds` untouched) on bad input.
bool parse_duration(std::string_view text, double& seconds);

// Human text of a value, e.g. "12.5", "true", "\"turbo\"".
std::string format_value(const ParamSpec& spec, const ParamValue& value);
const char* type_name(ParamType type);

// The live values of every parameter of the active blocks, under dotted names ("block.key").
// Numbers are clamped to their declared range when set from a panel.
class ParamStore {
public:
    void declare(const BlockSpec& block);  // adds every param of the block with its default
    bool has(std::string_view dotted) const;
    const ParamSpec& spec(std::string_view dotted) const;  // throws std::out_of_range
    const ParamValue& get(std::string_view dotted) const;  // throws std::out_of_range
    double number(std::string_view dotted) const;          // Number, Integer, DateTime, Duration
    bool flag(std::string_view dotted) const;              // Bool
    const std::string& text(std::string_view dotted) const;  // String, Choice, Path
    void set(std::string_view dotted, ParamValue value);   // type must match; numbers clamped
    const std::map<std::string, ParamValue, std::less<>>& values() const { return values_; }
    const std::vector<std::string>& names() const { return order_; }  // declaration order

    // Record lists, by dotted name ("flood.gauges"); empty when the scene gives none. A record's place in the
    // file is Scene::positions["flood.gauges[2]"] (1-based) and ["flood.gauges[2].x_m"] for its fields, so a
    // module can report a bad record with ParamError("flood.gauges[2].x_m", ...).
    void set_records(const std::string& dotted, std::vector<Record> records) { records_[dotted] = std::move(records); }
    const std::vector<Record>& records(std::string_view dotted) const;

    // Copies every value and record list of block `from_block` in `from` onto this store's block `to_block`
    // (both declared from the same BlockSpec): how one instance of a module ("city:houston") is handed to
    // module code that reads "city.<key>", and how its panel's edits go back.
    void copy_block(const ParamStore& from, std::string_view from_block, std::string_view to_block);

private:
    std::map<std::string, std::vector<Record>, std::less<>> records_;
    std::map<std::string, ParamValue, std::less<>> values_;
    std::map<std::string, ParamSpec, std::less<>> specs_;
    std::vector<std::string> order_;
};

}  // namespace infrascape
