// Private helpers of the sweep files: reading TOML with file:line:col messages, and the dotted keys
// ("flood.gauges[2].x_m") that say where a varied value goes in a scene.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <vector>

#include "app/sweep/sweep.hpp"

namespace infrascape::sweep::detail {

// Parses a TOML file; InputError at the parser's position, or 1:1 when it cannot be read.
toml::table parse_file(const fs::path& file, const std::string& shown);

struct Reader {
    std::string shown;
    SourcePos pos(const toml::node& n) const;
    [[noreturn]] void fail(const toml::node& n, const std::string& message) const;
    // Every key of `t` must be one of `allowed`; otherwise an error naming the nearest one.
    void only_keys(const toml::table& t, const std::vector<std::string>& allowed, const std::string& what) const;
    std::string text(const toml::table& t, const char* key, const std::string& what, bool needed,
                     const std::string& def = "") const;
    double number(const toml::table& t, const char* key, const std::string& what, bool needed, double def = 0) const;
    bool flag(const toml::table& t, const char* key, const std::string& what, bool def) const;
    double duration(const toml::node& n, const std::string& what) const;
    const toml::array* array(const toml::table& t, const char* key, const std::string& what) const;
};

// One step of a dotted key: a name and, when the key said name[N], the 1-based index N.
struct KeyStep {
    std::string name;
    size_t index = 0;  // 0: no index
};
// Splits "flood.gauges[2].x_m"; false when the text is not such a key.
bool split_key(const std::string& key, std::vector<KeyStep>& steps);

// The shortest text that reads back as the same double (std::to_chars); "nan" for NaN.
std::string shortest(double v);
// A CSV field: quoted (with "" for a quote) when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& s);

// An integer, float or boolean as text (floats in the shortest form that reads back the same); "" otherwise.
std::string scalar_text(const toml::node& n);

// Rewrites every file path of the scene's blocks (parameters and record fields declared as paths) from the
// directory `from` to `to`, so a scene written in another folder names the same files.
void rebase_paths(toml::table& root, const std::vector<BlockSpec>& specs, const fs::path& from, const fs::path& to);

// "a string", "an integer", ... for messages.
const char* kind_word(const toml::node& n);

}  // namespace infrascape::sweep::detail
