// VTK XML ImageData (.vti) writer: XML header with one DataArray per field, then the raw appended block
// (UInt64 byte count + Float32 values per array). ParaView and VTK's vtkXMLImageDataReader read it as is.
#include "modules/datacenter/vti.hpp"

#include <bit>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace infrascape::datacenter {

namespace {

// Shortest text that reads back as the same double (std::to_chars round trip), e.g. "0.1".
std::string shortest(double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::string xml_escaped(const std::string& s) {
    std::string out;
    for (char ch : s) {
        switch (ch) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += ch;
        }
    }
    return out;
}

}  // namespace

void write_vti(const std::filesystem::path& path, const VtiGrid& grid, const std::vector<VtiField>& fields) {
    if (grid.nx < 1 || grid.ny < 1 || grid.nz < 1)
        throw std::invalid_argument("write_vti: grid sizes must be >= 1");
    if (fields.empty()) throw std::invalid_argument("write_vti: no field to write");
    const std::uint64_t points = static_cast<std::uint64_t>(grid.nx) * static_cast<std::uint64_t>(grid.ny) *
                                 static_cast<std::uint64_t>(grid.nz);
    for (const VtiField& f : fields) {
        if (f.components < 1)
            throw std::invalid_argument("write_vti: field '" + f.name + "' has no components");
        if (f.values.size() != points * static_cast<std::uint64_t>(f.components))
            throw std::invalid_argument("write_vti: field '" + f.name + "' has " +
                                        std::to_string(f.values.size()) + " values, the grid needs " +
                                        std::to_string(points * static_cast<std::uint64_t>(f.components)));
    }

    std::ostringstream xml;
    const char* order = std::endian::native == std::endian::big ? "BigEndian" : "LittleEndian";
    const std::string extent = "0 " + std::to_string(grid.nx - 1) + " 0 " + std::to_string(grid.ny - 1) +
                               " 0 " + std::to_string(grid.nz - 1);
    xml << "<?xml version=\"1.0\"?>\n"
        << "<VTKFile type=\"ImageData\" version=\"1.0\" byte_order=\"" << order
        << "\" header_type=\"UInt64\">\n"
        << "  <ImageData WholeExtent=\"" << extent << "\" Origin=\"" << shortest(grid.origin_m[0]) << ' '
        << shortest(grid.origin_m[1]) << ' ' << shortest(grid.origin_m[2]) << "\" Spacing=\""
        << shortest(grid.spacing_m[0]) << ' ' << shortest(grid.spacing_m[1]) << ' '
        << shortest(grid.spacing_m[2]) << "\">\n"
        << "    <Piece Extent=\"" << extent << "\">\n"
        << "      <PointData";
    for (const VtiField& f : fields)
        if (f.components == 1) {
            xml << " Scalars=\"" << xml_escaped(f.name) << '"';
            break;
        }
    for (const VtiField& f : fields)
        if (f.components == 3) {
            xml << " Vectors=\"" << xml_escaped(f.name) << '"';
            break;
        }
    xml << ">\n";
    std::uint64_t offset = 0;
    for (const VtiField& f : fields) {
        xml << "        <DataArray type=\"Float32\" Name=\"" << xml_escaped(f.name)
            << "\" NumberOfComponents=\"" << f.components << "\" format=\"appended\" offset=\"" << offset
            << "\"/>\n";
        offset += sizeof(std::uint64_t) + f.values.size_bytes();
    }
    xml << "      </PointData>\n"
        << "      <CellData>\n"
        << "      </CellData>\n"
        << "    </Piece>\n"
        << "  </ImageData>\n"
        << "  <AppendedData encoding=\"raw\">\n   _";

    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("write_vti: cannot open " + path.string() + " for writing");
    const std::string head = xml.str();
    out.write(head.data(), static_cast<std::streamsize>(head.size()));
    for (const VtiField& f : fields) {
        const std::uint64_t bytes = f.values.size_bytes();
        out.write(reinterpret_cast<const char*>(&bytes), sizeof bytes);
        out.write(reinterpret_cast<const char*>(f.values.data()), static_cast<std::streamsize>(bytes));
    }
    out << "\n  </AppendedData>\n</VTKFile>\n";
    out.close();
    if (!out) throw std::runtime_error("write_vti: writing " + path.string() + " failed");
}

void write_vti(const std::filesystem::path& path, int nx, int ny, int nz,
               const std::array<double, 3>& origin_m, const std::array<double, 3>& spacing_m,
               const std::string& name, const std::vector<float>& scalars) {
    write_vti(path, VtiGrid{nx, ny, nz, origin_m, spacing_m}, {VtiField{name, 1, scalars}});
}

void write_vti_vectors(const std::filesystem::path& path, int nx, int ny, int nz,
                       const std::array<double, 3>& origin_m, const std::array<double, 3>& spacing_m,
                       const std::string& name, const std::vector<float>& xyz) {
    write_vti(path, VtiGrid{nx, ny, nz, origin_m, spacing_m}, {VtiField{name, 3, xyz}});
}

}  // namespace infrascape::datacenter
