// Priority-Flood+epsilon; see conditioning.hpp.
#include "modules/flood/conditioning.hpp"

#include <cmath>
#include <functional>
#include <queue>
#include <stdexcept>

namespace infrascape::flood {

size_t fill_depressions(std::vector<double>& z, uint32_t nx, uint32_t ny, std::array<bool, 4> outlet_edges,
                        double epsilon) {
    const size_t n = size_t(nx) * ny;
    if (z.size() != n || nx == 0 || ny == 0) throw std::invalid_argument("fill_depressions: size mismatch");
    if (!(epsilon >= 0)) throw std::invalid_argument("fill_depressions: negative epsilon");
    using Item = std::pair<double, size_t>;  // elevation, cell
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> open;
    std::queue<size_t> pit;  // cells raised to the level of the cell that reached them (Algorithm 3's "pit" queue)
    std::vector<char> closed(n, 0);
    auto push_seed = [&](size_t k) {
        closed[k] = 1;
        open.push({z[k], k});
    };
    for (uint32_t j = 0; j < ny; ++j)
        for (uint32_t i = 0; i < nx; ++i) {
            const size_t k = size_t(j) * nx + i;
            if (std::isnan(z[k])) {
                closed[k] = 1;
                continue;
            }
            const bool seed = (i == 0 && outlet_edges[0]) || (i + 1 == nx && outlet_edges[1]) ||
                              (j == 0 && outlet_edges[2]) || (j + 1 == ny && outlet_edges[3]);
            if (seed) push_seed(k);
        }
    size_t raised = 0;
    while (!open.empty() || !pit.empty()) {
        size_t c;
        if (!pit.empty()) {
            c = pit.front();
            pit.pop();
        } else {
            c = open.top().second;
            open.pop();
        }
        const int ci = int(c % nx), cj = int(c / nx);
        for (int dj = -1; dj <= 1; ++dj)
            for (int di = -1; di <= 1; ++di) {
                if (!di && !dj) continue;
                const int ii = ci + di, jj = cj + dj;
                if (ii < 0 || jj < 0 || ii >= int(nx) || jj >= int(ny)) continue;
                const size_t k = size_t(jj) * nx + size_t(ii);
                if (closed[k]) continue;
                closed[k] = 1;
                const double floor_z = z[c] + epsilon;
                if (z[k] <= floor_z) {
                    if (z[k] < floor_z) ++raised;
                    z[k] = floor_z;
                    pit.push(k);
                } else {
                    open.push({z[k], k});
                }
            }
    }
    return raised;
}

}  // namespace infrascape::flood
