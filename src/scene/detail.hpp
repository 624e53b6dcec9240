// Private helpers shared by params.cpp and scene.cpp: number, date and string formatting for
// messages and `infrascape schema`, and the calendar arithmetic behind DateTime values.
// Not part of the library's interface; the tests reach it only through the public functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace infrascape::detail {

std::string format_number(double v);   // up to 6 significant digits, "inf"/"-inf", "nan"
std::string format_integer(double v);  // every digit of a whole number
std::string format_datetime(double seconds_since_epoch);  // "2025-07-04T03:00:00Z"
std::string quote(std::string_view s);  // "text" with \" and \\ escaped

int64_t days_from_civil(int64_t y, unsigned m, unsigned d);  // days since 1970-01-01
void civil_from_days(int64_t days, int64_t& y, unsigned& m, unsigned& d);

}  // namespace infrascape::detail
