// A scratch folder for one test case, unique to this process (ctest runs cases in parallel processes) and
// removed afterwards.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace test {

struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& name)
        : path(std::filesystem::temp_directory_path() /
               ("infrascape_test_" + std::to_string(::getpid()) + "_" + name)) {
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string operator/(const std::string& file) const { return (path / file).string(); }
};

}  // namespace test
