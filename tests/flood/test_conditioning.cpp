// Depression filling (Priority-Flood+epsilon): every cell drains afterwards, and nothing that drained already is
// changed.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "modules/flood/conditioning.hpp"

using namespace infrascape::flood;

namespace {

// True when every non-outlet, non-wall cell has a strictly lower 8-neighbour.
bool drains(const std::vector<double>& z, uint32_t nx, uint32_t ny, std::array<bool, 4> outlets) {
    for (uint32_t j = 0; j < ny; ++j)
        for (uint32_t i = 0; i < nx; ++i) {
            const double c = z[size_t(j) * nx + i];
            if (std::isnan(c)) continue;
            if ((i == 0 && outlets[0]) || (i + 1 == nx && outlets[1]) || (j == 0 && outlets[2]) || (j + 1 == ny && outlets[3]))
                continue;
            bool lower = false;
            for (int dj = -1; dj <= 1; ++dj)
                for (int di = -1; di <= 1; ++di) {
                    const int ii = int(i) + di, jj = int(j) + dj;
                    if ((di || dj) && ii >= 0 && jj >= 0 && ii < int(nx) && jj < int(ny) && z[size_t(jj) * nx + ii] < c)
                        lower = true;
                }
            if (!lower) return false;
        }
    return true;
}

}  // namespace

TEST_CASE("depression filling: a noisy slope with pits drains to its open edge afterwards", "[flood][conditioning]") {
    const uint32_t nx = 60, ny = 40;
    std::vector<double> z(size_t(nx) * ny);
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> noise(-2.0, 2.0);
    for (uint32_t j = 0; j < ny; ++j)
        for (uint32_t i = 0; i < nx; ++i) z[size_t(j) * nx + i] = 100.0 - 0.05 * i + noise(rng);
    z[size_t(20) * nx + 30] = std::nan("");  // a wall cell stays a wall
    const std::array<bool, 4> east{false, true, false, false};
    REQUIRE_FALSE(drains(z, nx, ny, east));
    const std::vector<double> before = z;
    const size_t raised = fill_depressions(z, nx, ny, east, 0.001);
    CHECK(raised > 0);
    CHECK(drains(z, nx, ny, east));
    CHECK(std::isnan(z[size_t(20) * nx + 30]));
    size_t changed = 0;
    for (size_t k = 0; k < z.size(); ++k) {
        if (std::isnan(before[k])) continue;
        CHECK(z[k] >= before[k]);  // filling only raises
        changed += z[k] != before[k];
    }
    CHECK(changed == raised);
}

TEST_CASE("depression filling leaves a surface that drains already untouched", "[flood][conditioning]") {
    const uint32_t nx = 20, ny = 12;
    std::vector<double> z(size_t(nx) * ny);
    for (uint32_t j = 0; j < ny; ++j)
        for (uint32_t i = 0; i < nx; ++i) z[size_t(j) * nx + i] = 50.0 - 0.3 * i + 0.1 * std::abs(double(j) - 6.0);
    const std::vector<double> before = z;
    CHECK(fill_depressions(z, nx, ny, {false, true, false, false}) == 0);
    CHECK(z == before);
}

TEST_CASE("depression filling: a closed bowl with no outlet is left alone; bad input throws", "[flood][conditioning]") {
    std::vector<double> z(100, 5.0);
    z[55] = 1.0;
    CHECK(fill_depressions(z, 10, 10, {false, false, false, false}) == 0);
    CHECK(z[55] == 1.0);
    CHECK(fill_depressions(z, 10, 10, {true, true, true, true}) > 0);
    CHECK(z[55] > 5.0);
    CHECK_THROWS_AS(fill_depressions(z, 10, 9, {true, true, true, true}), std::invalid_argument);
    CHECK_THROWS_AS(fill_depressions(z, 10, 10, {true, true, true, true}, -1.0), std::invalid_argument);
}
