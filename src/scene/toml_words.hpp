// The kind of a TOML value in words ("a string", "an integer", ...), for messages about scene files and the
// other TOML files the program reads (sweeps).
#pragma once

#include <toml++/toml.h>

namespace infrascape {

const char* got_word(const toml::node& n);

}  // namespace infrascape
