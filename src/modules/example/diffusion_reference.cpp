// FTCS heat-equation reference; see diffusion_reference.hpp.
#include "modules/example/diffusion_reference.hpp"

#include <algorithm>
#include <cmath>

namespace infrascape::example {

void diffusion_step(const DiffusionGrid& g, const std::vector<float>& in, const std::vector<float>& src, float dt,
                    float diffusivity, float cooling, std::vector<float>& out) {
    out.resize(in.size());
    const float r = diffusivity / float(g.dx_m * g.dx_m);
    for (uint32_t j = 0; j < g.ny; ++j)
        for (uint32_t i = 0; i < g.nx; ++i) {
            auto at = [&](uint32_t a, uint32_t b) { return in[size_t(b) * g.nx + a]; };
            const float c = at(i, j);
            // Cell-centred finite volumes: a zero-flux face has a ghost cell equal to the edge cell.
            const float w = at(i > 0 ? i - 1 : i, j);
            const float e = at(i + 1 < g.nx ? i + 1 : i, j);
            const float s = at(i, j > 0 ? j - 1 : j);
            const float n = at(i, j + 1 < g.ny ? j + 1 : j);
            const float lap = (e + w) + (n + s) - 4.0f * c;
            const size_t k = size_t(j) * g.nx + i;
            out[k] = c + dt * (r * lap + src[k] - cooling * c);
        }
}

uint32_t stable_substeps(double dt, double dx, double d) {
    if (d <= 0 || dt <= 0) return 1;
    const double limit = 0.2 * dx * dx / d;  // 80% of the 1/4 stability bound
    return std::max<uint32_t>(1, uint32_t(std::ceil(dt / limit)));
}

}  // namespace infrascape::example
