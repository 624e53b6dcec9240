// Chunked terrain level of detail; see terrain_lod.hpp.
#include "terrain_lod.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace engine {

namespace {
// The sample positions of one chunk axis at stride s: i0, i0 + s, ..., and always the chunk's last vertex i1.
std::vector<uint32_t> samples(uint32_t i0, uint32_t i1, uint32_t s) {
    std::vector<uint32_t> v;
    for (uint32_t i = i0; i < i1; i += s) v.push_back(i);
    v.push_back(i1);
    return v;
}

// Height of the triangulated coarse cell (x0..x1, y0..y1) at vertex (i, j): the cell is split a-b-d / a-d-c
// along its diagonal, as the full grid is (a: x0 y0, b: x1 y0, c: x0 y1, d: x1 y1).
double coarse_height(const Heightfield& h, uint32_t x0, uint32_t x1, uint32_t y0, uint32_t y1, uint32_t i, uint32_t j) {
    const double u = double(i - x0) / (x1 - x0), v = double(j - y0) / (y1 - y0);
    const double za = h.at(x0, y0), zb = h.at(x1, y0), zc = h.at(x0, y1), zd = h.at(x1, y1);
    return u >= v ? za + u * (zb - za) + v * (zd - zb) : za + v * (zc - za) + u * (zd - zc);
}
}  // namespace

TerrainLod TerrainLod::build(const Heightfield& h, uint32_t chunk_cells) {
    if (h.nx < 2 || h.ny < 2) throw std::invalid_argument("a terrain needs at least 2 x 2 vertices");
    if (chunk_cells < 1 || (chunk_cells & (chunk_cells - 1)))
        throw std::invalid_argument("chunk_cells must be a power of two");
    TerrainLod t;
    t.levels = 1;
    while ((1u << (t.levels - 1)) < chunk_cells && t.levels < kMaxLevels) ++t.levels;
    const uint32_t cx = (h.nx - 2) / chunk_cells + 1, cy = (h.ny - 2) / chunk_cells + 1;

    // Surface vertices, normals by central differences (one-sided at the edges).
    const size_t n = size_t(h.nx) * h.ny;
    t.vertices.resize(2 * n);
    for (uint32_t j = 0; j < h.ny; ++j)
        for (uint32_t i = 0; i < h.nx; ++i) {
            const double zl = h.at(i ? i - 1 : i, j), zr = h.at(i + 1 < h.nx ? i + 1 : i, j);
            const double zd = h.at(i, j ? j - 1 : j), zu = h.at(i, j + 1 < h.ny ? j + 1 : j);
            const double sx = (i && i + 1 < h.nx) ? 2 * h.dx : h.dx, sy = (j && j + 1 < h.ny) ? 2 * h.dx : h.dx;
            const glm::dvec3 nrm = glm::normalize(glm::dvec3(-(zr - zl) / sx, -(zu - zd) / sy, 1.0));
            t.vertices[size_t(j) * h.nx + i] = {{float(h.x0 + i * h.dx), float(h.y0 + j * h.dx), h.at(i, j)},
                                                {float(nrm.x), float(nrm.y), float(nrm.z)}};
        }

    // Chunks: bounds and each level's error.
    t.chunks.resize(size_t(cx) * cy);
    for (uint32_t by = 0; by < cy; ++by)
        for (uint32_t bx = 0; bx < cx; ++bx) {
            Chunk& c = t.chunks[size_t(by) * cx + bx];
            const uint32_t i0 = bx * chunk_cells, i1 = std::min(i0 + chunk_cells, h.nx - 1);
            const uint32_t j0 = by * chunk_cells, j1 = std::min(j0 + chunk_cells, h.ny - 1);
            double zmin = 1e300, zmax = -1e300;
            for (uint32_t j = j0; j <= j1; ++j)
                for (uint32_t i = i0; i <= i1; ++i) zmin = std::min(zmin, double(h.at(i, j))), zmax = std::max(zmax, double(h.at(i, j)));
            c.lo = {h.x0 + i0 * h.dx, h.y0 + j0 * h.dx, zmin};
            c.hi = {h.x0 + i1 * h.dx, h.y0 + j1 * h.dx, zmax};
            for (uint32_t l = 1; l < t.levels; ++l) {
                const std::vector<uint32_t> xs = samples(i0, i1, 1u << l), ys = samples(j0, j1, 1u << l);
                double err = 0;
                for (size_t b = 0; b + 1 < ys.size(); ++b)
                    for (size_t a = 0; a + 1 < xs.size(); ++a)
                        for (uint32_t j = ys[b]; j <= ys[b + 1]; ++j)
                            for (uint32_t i = xs[a]; i <= xs[a + 1]; ++i)
                                err = std::max(err, std::abs(h.at(i, j) - coarse_height(h, xs[a], xs[a + 1], ys[b], ys[b + 1], i, j)));
                c.error_m[l] = std::max(float(err), c.error_m[l - 1]);  // a coarser level is never taken as finer
            }
        }
    for (const Chunk& c : t.chunks) t.skirt_m = std::max(t.skirt_m, c.error_m[t.levels - 1]);
    t.skirt_m = t.skirt_m * 1.05f + float(h.dx * 1e-3);
    for (size_t k = 0; k < n; ++k) {
        t.vertices[n + k] = t.vertices[k];
        t.vertices[n + k].position[2] -= t.skirt_m;
    }

    // Indices, level-major, so that neighbouring chunks at the same level are one range.
    auto at = [&](uint32_t i, uint32_t j) { return uint32_t(size_t(j) * h.nx + i); };
    for (uint32_t l = 0; l < t.levels; ++l)
        for (uint32_t by = 0; by < cy; ++by)
            for (uint32_t bx = 0; bx < cx; ++bx) {
                Chunk& c = t.chunks[size_t(by) * cx + bx];
                c.first[l] = uint32_t(t.indices.size());
                const uint32_t i0 = bx * chunk_cells, i1 = std::min(i0 + chunk_cells, h.nx - 1);
                const uint32_t j0 = by * chunk_cells, j1 = std::min(j0 + chunk_cells, h.ny - 1);
                const std::vector<uint32_t> xs = samples(i0, i1, 1u << l), ys = samples(j0, j1, 1u << l);
                for (size_t b = 0; b + 1 < ys.size(); ++b)
                    for (size_t a = 0; a + 1 < xs.size(); ++a) {
                        const uint32_t pa = at(xs[a], ys[b]), pb = at(xs[a + 1], ys[b]);
                        const uint32_t pc = at(xs[a], ys[b + 1]), pd = at(xs[a + 1], ys[b + 1]);
                        t.indices.insert(t.indices.end(), {pa, pb, pd, pa, pd, pc});  // counter-clockwise from above
                    }
                // Skirts on the edges shared with another chunk (the terrain's own border keeps its clean edge).
                // Each quad faces outward from the chunk; the pipeline culls back faces, so both windings are drawn.
                auto skirt = [&](uint32_t p, uint32_t q) {
                    const uint32_t ps = uint32_t(n) + p, qs = uint32_t(n) + q;
                    t.indices.insert(t.indices.end(), {p, q, qs, p, qs, ps, p, qs, q, p, ps, qs});
                };
                if (j0 > 0)
                    for (size_t a = 0; a + 1 < xs.size(); ++a) skirt(at(xs[a], j0), at(xs[a + 1], j0));
                if (j1 < h.ny - 1)
                    for (size_t a = 0; a + 1 < xs.size(); ++a) skirt(at(xs[a], j1), at(xs[a + 1], j1));
                if (i0 > 0)
                    for (size_t b = 0; b + 1 < ys.size(); ++b) skirt(at(i0, ys[b]), at(i0, ys[b + 1]));
                if (i1 < h.nx - 1)
                    for (size_t b = 0; b + 1 < ys.size(); ++b) skirt(at(i1, ys[b]), at(i1, ys[b + 1]));
                c.count[l] = uint32_t(t.indices.size()) - c.first[l];
            }
    return t;
}

std::vector<TerrainLod::Range> TerrainLod::select(const View& v, std::vector<int>* chosen) const {
    // The four side planes of the view volume (Gribb and Hartmann): a chunk wholly outside one is culled.
    // Near and far are left out: the depth range is reversed and the far plane lies beyond the world.
    std::array<glm::dvec4, 4> planes;
    const glm::dmat4& m = v.view_proj;
    const glm::dvec4 r0(m[0][0], m[1][0], m[2][0], m[3][0]), r1(m[0][1], m[1][1], m[2][1], m[3][1]);
    const glm::dvec4 r3(m[0][3], m[1][3], m[2][3], m[3][3]);
    planes = {r3 + r0, r3 - r0, r3 + r1, r3 - r1};
    // The detail regions large enough on screen to matter.
    std::vector<const Detail*> details;
    for (const Detail& r : v.details) {
        const glm::dvec3 lo(r.lo, -1e30), hi(r.hi, 1e30);
        const double d = std::max(glm::length(v.camera - glm::clamp(v.camera, lo, hi)), 1e-6);
        if (glm::length(r.hi - r.lo) * v.px_per_m_at_1m / d >= r.min_px) details.push_back(&r);
    }
    std::vector<std::pair<uint32_t, uint32_t>> picks;  // (first, count)
    if (chosen) chosen->assign(chunks.size(), -1);
    for (size_t k = 0; k < chunks.size(); ++k) {
        const Chunk& c = chunks[k];
        const glm::dvec3 lo(c.lo.x, c.lo.y, c.lo.z - skirt_m), hi = c.hi;
        bool outside = false;
        for (const glm::dvec4& p : planes) {
            const glm::dvec3 far(p.x >= 0 ? hi.x : lo.x, p.y >= 0 ? hi.y : lo.y, p.z >= 0 ? hi.z : lo.z);
            if (glm::dot(glm::dvec3(p), far) + p.w < 0) outside = true;
        }
        if (outside) continue;
        const glm::dvec3 nearest = glm::clamp(v.camera, lo, hi);
        const double d = std::max(glm::length(v.camera - nearest), 1e-6);
        double cap_m = 1e300;
        for (const Detail* r : details)
            if (r->lo.x <= hi.x && r->hi.x >= lo.x && r->lo.y <= hi.y && r->hi.y >= lo.y) cap_m = std::min(cap_m, r->max_error_m);
        uint32_t l = 0;
        while (l + 1 < levels && c.error_m[l + 1] * v.px_per_m_at_1m / d <= v.tolerance_px && c.error_m[l + 1] <= cap_m) ++l;
        if (chosen) (*chosen)[k] = int(l);
        picks.push_back({c.first[l], c.count[l]});
    }
    std::sort(picks.begin(), picks.end());
    std::vector<Range> out;
    for (const auto& [first, count] : picks) {
        if (!out.empty() && out.back().first + out.back().count == first)
            out.back().count += count;
        else
            out.push_back({first, count});
    }
    return out;
}

}  // namespace engine
