// Catch2 entry point for the scene-library tests (test_scene); the tests live in the other files.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
