// The flood module's parameters (the [flood] block): declared once, read by the scene file, the panel, the
// timeline and the error messages.
#pragma once

#include <cstdint>

#include "scene/params.hpp"

namespace infrascape::flood {

constexpr uint32_t kMaxInflows = 4;  // point inflows ride in each step's push constants

BlockSpec flood_block();

}  // namespace infrascape::flood
