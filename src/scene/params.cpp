// Parameter declarations and live values: duration parsing, human formatting of values and the
// ParamStore that the panel, the timeline and the modules read and write under dotted names.
#include "scene/params.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "scene/detail.hpp"

namespace infrascape {

namespace detail {

std::string format_number(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
    char buf[32];
    // %g already drops trailing zeros; 6 significant digits keep messages short.
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::string format_integer(double v) {
    // Whole numbers (seeds, cell counts) must not lose digits to %g's exponent form.
    if (!std::isfinite(v) || std::fabs(v) >= 9.2e18) return format_number(v);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
}

std::string quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil): exact for
// every year, and independent of the process's time zone, unlike mktime/timegm.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

std::string format_datetime(double seconds) {
    if (!std::isfinite(seconds)) return format_number(seconds);
    const double whole = std::floor(seconds);
    const int64_t s = static_cast<int64_t>(whole);
    int64_t days = s / 86400, rem = s % 86400;
    if (rem < 0) rem += 86400, days -= 1;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d", static_cast<long long>(y), m, d,
                  static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60));
    std::string out = buf;
    const double frac = seconds - whole;
    if (frac > 0) {
        // Keep sub-second parts (TOML allows them) without trailing zeros: ".5", not ".500000".
        std::snprintf(buf, sizeof buf, "%.6f", frac);
        std::string f = buf + 1;  // drop the leading "0"
        while (!f.empty() && f.back() == '0') f.pop_back();
        if (f.size() > 1) out += f;
    }
    return out + "Z";
}

}  // namespace detail

bool parse_duration(std::string_view text, double& seconds) {
    auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);

    // The number: digits with an optional fraction and exponent. No sign: durations are never
    // negative, and rejecting "-5s" here gives one clear message instead of two.
    size_t i = 0;
    auto digits = [&] {
        size_t start = i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
        return i - start;
    };
    size_t n = digits();
    if (i < text.size() && text[i] == '.') {
        ++i;
        n += digits();
    }
    if (n == 0) return false;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        size_t save = i++;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
        if (digits() == 0) i = save;  // "5e" is not an exponent; let the unit check reject it
    }
    const std::string number(text.substr(0, i));
    std::string_view unit = text.substr(i);
    while (!unit.empty() && is_space(unit.front())) unit.remove_prefix(1);

    double scale;
    if (unit.empty() || unit == "s") scale = 1;
    else if (unit == "min") scale = 60;
    else if (unit == "h") scale = 3600;
    else if (unit == "d") scale = 86400;
    else if (unit == "y") scale = 365.25 * 86400;
    else return false;

    const double value = std::strtod(number.c_str(), nullptr) * scale;
    if (!std::isfinite(value)) return false;
    seconds = value;
    return true;
}

const char* type_name(ParamType type) {
    switch (type) {
        case ParamType::Number: return "number";
        case ParamType::Integer: return "integer";
        case ParamType::Bool: return "boolean";
        case ParamType::String: return "string";
        case ParamType::Choice: return "choice";
        case ParamType::Path: return "path";
        case ParamType::DateTime: return "date-time";
        case ParamType::Duration: return "duration";
    }
    return "?";
}

std::string format_value(const ParamSpec& spec, const ParamValue& value) {
    if (const double* d = std::get_if<double>(&value)) {
        switch (spec.type) {
            case ParamType::Integer: return detail::format_integer(*d);
            case ParamType::DateTime: return detail::format_datetime(*d);
            case ParamType::Duration: return detail::format_number(*d) + "s";
            default: return detail::format_number(*d);
        }
    }
    if (const bool* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
    return detail::quote(std::get<std::string>(value));
}

double Record::number(std::string_view field) const {
    auto it = values.find(field);
    if (it == values.end()) throw std::out_of_range("no record field '" + std::string(field) + "'");
    return std::get<double>(it->second);
}

bool Record::flag(std::string_view field) const {
    auto it = values.find(field);
    if (it == values.end()) throw std::out_of_range("no record field '" + std::string(field) + "'");
    return std::get<bool>(it->second);
}

const std::string& Record::text(std::string_view field) const {
    auto it = values.find(field);
    if (it == values.end()) throw std::out_of_range("no record field '" + std::string(field) + "'");
    return std::get<std::string>(it->second);
}

const std::vector<Record>& ParamStore::records(std::string_view dotted) const {
    static const std::vector<Record> none;
    auto it = records_.find(dotted);
    return it == records_.end() ? none : it->second;
}

void ParamStore::copy_block(const ParamStore& from, std::string_view from_block, std::string_view to_block) {
    const std::string to_prefix = std::string(to_block) + ".", from_prefix = std::string(from_block) + ".";
    for (auto& [name, value] : values_)
        if (name.compare(0, to_prefix.size(), to_prefix) == 0) {
            auto it = from.values_.find(from_prefix + name.substr(to_prefix.size()));
            if (it != from.values_.end()) value = it->second;
        }
    for (const auto& [name, list] : from.records_)
        if (name.compare(0, from_prefix.size(), from_prefix) == 0) records_[to_prefix + name.substr(from_prefix.size())] = list;
}

void ParamStore::declare(const BlockSpec& block) {
    for (const auto& p : block.params) {
        std::string name = block.name + "." + p.key;
        if (!specs_.count(name)) order_.push_back(name);
        specs_[name] = p;
        values_[name] = p.default_value;
    }
}

bool ParamStore::has(std::string_view dotted) const { return specs_.find(dotted) != specs_.end(); }

const ParamSpec& ParamStore::spec(std::string_view dotted) const {
    auto it = specs_.find(dotted);
    if (it == specs_.end()) throw std::out_of_range("unknown parameter '" + std::string(dotted) + "'");
    return it->second;
}

const ParamValue& ParamStore::get(std::string_view dotted) const {
    auto it = values_.find(dotted);
    if (it == values_.end()) throw std::out_of_range("unknown parameter '" + std::string(dotted) + "'");
    return it->second;
}

double ParamStore::number(std::string_view dotted) const {
    const ParamValue& v = get(dotted);
    if (const double* d = std::get_if<double>(&v)) return *d;
    throw std::invalid_argument("parameter '" + std::string(dotted) + "' is not a number");
}

bool ParamStore::flag(std::string_view dotted) const {
    const ParamValue& v = get(dotted);
    if (const bool* b = std::get_if<bool>(&v)) return *b;
    throw std::invalid_argument("parameter '" + std::string(dotted) + "' is not a boolean");
}

const std::string& ParamStore::text(std::string_view dotted) const {
    const ParamValue& v = get(dotted);
    if (const std::string* s = std::get_if<std::string>(&v)) return *s;
    throw std::invalid_argument("parameter '" + std::string(dotted) + "' is not text");
}

void ParamStore::set(std::string_view dotted, ParamValue value) {
    auto it = specs_.find(dotted);
    if (it == specs_.end()) throw std::out_of_range("unknown parameter '" + std::string(dotted) + "'");
    const ParamSpec& spec = it->second;
    const std::string name(dotted);
    switch (spec.type) {
        case ParamType::Number:
        case ParamType::Integer:
        case ParamType::DateTime:
        case ParamType::Duration: {
            double* d = std::get_if<double>(&value);
            if (!d && spec.or_path && std::holds_alternative<std::string>(value)) break;  // a raster's path
            if (!d) throw std::invalid_argument("parameter '" + name + "' needs a number");
            if (std::isnan(*d)) throw std::invalid_argument("parameter '" + name + "' cannot be NaN");
            if (spec.type == ParamType::Integer) *d = std::round(*d);
            // Clamp after rounding so an integer range's ends stay reachable and never exceeded.
            if (spec.type != ParamType::DateTime) *d = std::clamp(*d, spec.min, spec.max);
            break;
        }
        case ParamType::Bool:
            if (!std::holds_alternative<bool>(value))
                throw std::invalid_argument("parameter '" + name + "' needs true or false");
            break;
        case ParamType::String:
        case ParamType::Path:
        case ParamType::Choice: {
            const std::string* s = std::get_if<std::string>(&value);
            if (!s) throw std::invalid_argument("parameter '" + name + "' needs text");
            if (spec.type == ParamType::Choice &&
                std::find(spec.choices.begin(), spec.choices.end(), *s) == spec.choices.end())
                throw std::invalid_argument("parameter '" + name + "' has no choice " + detail::quote(*s));
            break;
        }
    }
    values_.find(dotted)->second = std::move(value);
}

ParamSpec number_param(std::string key, std::string unit, double min, double max, double def, std::string help,
                       bool live) {
    ParamSpec p;
    p.key = std::move(key);
    p.unit = std::move(unit);
    p.min = min;
    p.max = max;
    p.default_value = def;
    p.help = std::move(help);
    p.live = live;
    return p;
}

ParamSpec integer_param(std::string key, double min, double max, double def, std::string help, bool live) {
    ParamSpec p = number_param(std::move(key), "", min, max, def, std::move(help), live);
    p.type = ParamType::Integer;
    return p;
}

ParamSpec choice_param(std::string key, std::vector<std::string> choices, std::string def, std::string help, bool live) {
    ParamSpec p;
    p.key = std::move(key);
    p.type = ParamType::Choice;
    p.choices = std::move(choices);
    p.default_value = std::move(def);
    p.help = std::move(help);
    p.live = live;
    return p;
}

ParamSpec bool_param(std::string key, bool def, std::string help, bool live) {
    ParamSpec p;
    p.key = std::move(key);
    p.type = ParamType::Bool;
    p.default_value = def;
    p.help = std::move(help);
    p.live = live;
    return p;
}

ParamSpec string_param(std::string key, std::string def, std::string help, bool live) {
    ParamSpec p;
    p.key = std::move(key);
    p.type = ParamType::String;
    p.default_value = std::move(def);
    p.help = std::move(help);
    p.live = live;
    return p;
}

ParamSpec path_param(std::string key, std::string help) {
    ParamSpec p;
    p.key = std::move(key);
    p.type = ParamType::Path;
    p.default_value = std::string("");
    p.help = std::move(help);
    p.live = false;
    return p;
}

ParamSpec required(ParamSpec spec) {
    spec.required = true;
    return spec;
}

}  // namespace infrascape
