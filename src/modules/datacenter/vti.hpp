// Writer of VTK XML ImageData files (.vti) for ParaView: the data hall's air fields (temperature, velocity)
// on a uniform grid, with the data appended as raw binary after the XML header (compact and exact; the
// format is described in "VTK File Formats", VTK User's Guide, section "XML File Formats").
#pragma once

#include <array>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace infrascape::datacenter {

// A uniform grid of nx * ny * nz points; point (i, j, k) sits at origin + (i, j, k) * spacing. For
// cell-centred solver data pass the first cell's centre as the origin.
struct VtiGrid {
    int nx = 1, ny = 1, nz = 1;
    std::array<double, 3> origin_m{0, 0, 0};
    std::array<double, 3> spacing_m{1, 1, 1};
};

// One point-data array: nx * ny * nz tuples of `components` Float32 values, x fastest, then y, then z
// (index i + nx * (j + ny * k)); the components of a tuple are consecutive (vx, vy, vz).
struct VtiField {
    std::string name;
    int components = 1;
    std::span<const float> values;
};

// Writes a `VTKFile type="ImageData" version="1.0"` with header_type UInt64 and the host's byte order. Each
// array is `format="appended"`; the <AppendedData encoding="raw"> block starts with '_' and holds, for each
// array in order, a UInt64 byte count followed by the values. The first one-component field is marked as
// the active Scalars, the first three-component one as the active Vectors.
// Throws std::invalid_argument for a bad grid, a field of the wrong size or no field, and
// std::runtime_error when the file cannot be written.
void write_vti(const std::filesystem::path& path, const VtiGrid& grid, const std::vector<VtiField>& fields);

// One scalar field (e.g. temperature_c).
void write_vti(const std::filesystem::path& path, int nx, int ny, int nz,
               const std::array<double, 3>& origin_m, const std::array<double, 3>& spacing_m,
               const std::string& name, const std::vector<float>& scalars);

// One 3-component vector field (e.g. velocity_m_per_s), `xyz` interleaved: 3 * nx * ny * nz values.
void write_vti_vectors(const std::filesystem::path& path, int nx, int ny, int nz,
                       const std::array<double, 3>& origin_m, const std::array<double, 3>& spacing_m,
                       const std::string& name, const std::vector<float>& xyz);

}  // namespace infrascape::datacenter
