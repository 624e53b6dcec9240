// Pieces shared by the project's small CSV readers (gazetteer, hydrographs, scaling quantities): fields
// with the 1-based column where each starts, so that every reader reports "file:line:col: ...".
#pragma once

#include <string>
#include <vector>

namespace infrascape::csv {

struct Field {
    std::string text;
    int col;  // 1-based column where the field starts (after leading spaces)
};

// Splits one line at commas. Fields lose surrounding spaces and tabs; a double-quoted field ("" inside is a
// quote) keeps its commas. Returns false, with the column and the reason, for an unterminated quote or text
// after a closing quote.
bool split(const std::string& line, std::vector<Field>& out, int& bad_col, std::string& why);

// The whole text as a finite number (strtod's syntax); false for anything else, including "", "nan", "1e999".
bool parse_number(const std::string& text, double& value);

}  // namespace infrascape::csv
