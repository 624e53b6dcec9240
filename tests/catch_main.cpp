// The Catch2 main for the unit and GPU test executables.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
