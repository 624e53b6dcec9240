// Reading sweep and plan files: TOML with file:line:col messages, and dotted scene keys.
#include "app/sweep/sweep_toml.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "scene/params.hpp"
#include "scene/toml_words.hpp"

namespace infrascape::sweep::detail {

toml::table parse_file(const fs::path& file, const std::string& shown) {
    std::ifstream in(file, std::ios::binary);
    std::error_code ec;
    if (!in || fs::is_directory(file, ec)) throw InputError({shown, 1, 1}, "cannot open file");
    std::ostringstream content;
    content << in.rdbuf();
#if TOML_EXCEPTIONS
    try {
        return toml::parse(content.str(), shown);
    } catch (const toml::parse_error& e) {
        const auto& b = e.source().begin;
        throw InputError({shown, int(b.line), int(b.column)}, std::string(e.description()));
    }
#else
    toml::parse_result result = toml::parse(content.str(), shown);
    if (!result) {
        const auto& b = result.error().source().begin;
        throw InputError({shown, int(b.line), int(b.column)}, std::string(result.error().description()));
    }
    return std::move(result).table();
#endif
}

std::string shortest(double v) {
    if (std::isnan(v)) return "nan";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, res.ptr);
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string scalar_text(const toml::node& n) {
    if (auto i = n.as_integer()) return std::to_string(i->get());
    if (auto b = n.as_boolean()) return b->get() ? "true" : "false";
    if (auto f = n.as_floating_point()) return shortest(f->get());
    return "";
}

const char* kind_word(const toml::node& n) { return got_word(n); }

SourcePos Reader::pos(const toml::node& n) const {
    const auto& b = n.source().begin;
    return {shown, b.line ? int(b.line) : 1, b.column ? int(b.column) : 1};
}

void Reader::fail(const toml::node& n, const std::string& message) const { throw InputError(pos(n), message); }

void Reader::only_keys(const toml::table& t, const std::vector<std::string>& allowed, const std::string& what) const {
    for (const auto& [k, v] : t) {
        const std::string key(k.str());
        bool ok = false;
        for (const std::string& a : allowed) ok = ok || a == key;
        if (ok) continue;
        const std::string near = nearest(key, allowed);
        std::string msg = "unknown key '" + key + "' in " + what;
        msg += near.empty() ? " (known: " : "; did you mean '" + near + "'? (known: ";
        for (size_t i = 0; i < allowed.size(); ++i) msg += (i ? ", " : "") + allowed[i];
        throw InputError({shown, int(k.source().begin.line), int(k.source().begin.column)}, msg + ")");
    }
}

std::string Reader::text(const toml::table& t, const char* key, const std::string& what, bool needed,
                         const std::string& def) const {
    const toml::node* n = t.get(key);
    if (!n) {
        if (needed) fail(t, what + " needs '" + key + "'");
        return def;
    }
    const auto* s = n->as_string();
    if (!s) fail(*n, what + " '" + key + "' must be a string, got " + kind_word(*n));
    return s->get();
}

double Reader::number(const toml::table& t, const char* key, const std::string& what, bool needed, double def) const {
    const toml::node* n = t.get(key);
    if (!n) {
        if (needed) fail(t, what + " needs '" + key + "'");
        return def;
    }
    double v = 0;
    if (auto i = n->as_integer()) v = double(i->get());
    else if (auto f = n->as_floating_point()) v = f->get();
    else fail(*n, what + " '" + key + "' must be a number, got " + kind_word(*n));
    if (!std::isfinite(v)) fail(*n, what + " '" + key + "' must be finite");
    return v;
}

bool Reader::flag(const toml::table& t, const char* key, const std::string& what, bool def) const {
    const toml::node* n = t.get(key);
    if (!n) return def;
    const auto* b = n->as_boolean();
    if (!b) fail(*n, what + " '" + key + "' must be true or false, got " + kind_word(*n));
    return b->get();
}

double Reader::duration(const toml::node& n, const std::string& what) const {
    double s = 0;
    if (auto i = n.as_integer()) s = double(i->get());
    else if (auto f = n.as_floating_point()) s = f->get();
    else if (auto str = n.as_string()) {
        if (!parse_duration(str->get(), s))
            fail(n, what + " must be a duration such as 90, \"15min\" or \"4h\", got \"" + str->get() + "\"");
    } else fail(n, what + " must be a duration such as 90, \"15min\" or \"4h\", got " + kind_word(n));
    if (!std::isfinite(s) || s <= 0) fail(n, what + " must be a positive duration");
    return s;
}

const toml::array* Reader::array(const toml::table& t, const char* key, const std::string& what) const {
    const toml::node* n = t.get(key);
    if (!n) return nullptr;
    const auto* a = n->as_array();
    if (!a) fail(*n, what + " '" + key + "' must be an array, got " + kind_word(*n));
    return a;
}

bool split_key(const std::string& key, std::vector<KeyStep>& steps) {
    steps.clear();
    size_t i = 0;
    while (i <= key.size()) {
        KeyStep s;
        while (i < key.size() && (std::isalnum(static_cast<unsigned char>(key[i])) || key[i] == '_' || key[i] == ':'))
            s.name += key[i++];
        if (s.name.empty()) return false;
        if (i < key.size() && key[i] == '[') {
            size_t close = key.find(']', i);
            if (close == std::string::npos || close == i + 1 || close - i > 8) return false;
            for (size_t k = i + 1; k < close; ++k)
                if (!std::isdigit(static_cast<unsigned char>(key[k]))) return false;
            s.index = std::stoul(key.substr(i + 1, close - i - 1));
            if (s.index == 0) return false;
            i = close + 1;
        }
        steps.push_back(s);
        if (i == key.size()) return true;
        if (key[i] != '.') return false;
        ++i;
    }
    return false;
}

}  // namespace infrascape::sweep::detail
