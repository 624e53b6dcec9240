// The world's one frame: x east, y north, metres from the scene's site (world.latitude_deg/longitude_deg). With
// world.crs empty, an equirectangular projection on the mean Earth radius (lonlat_to_world in core/world.hpp);
// with a projected coordinate reference system that GDAL/PROJ know ("EPSG:3083", Texas Centric Albers Equal Area,
// for the Texas world), that projection, shifted so the site is at the origin. Every module that places things by
// longitude and latitude goes through it (WorldInfo::lonlat), so buses, cities, campuses and DEMs share one frame.
#pragma once

#include <array>
#include <memory>
#include <string>

namespace infrascape {

class Projection {
public:
    // Throws std::invalid_argument (a message without the parameter's name) for a CRS GDAL does not know, one that
    // is not projected, or one whose unit is not the metre.
    Projection(std::string crs, double site_lat_deg, double site_lon_deg);
    ~Projection();
    Projection(const Projection&) = delete;
    Projection& operator=(const Projection&) = delete;

    std::array<double, 2> to_world(double lat_deg, double lon_deg) const;
    const std::string& crs() const { return crs_; }  // empty: equirectangular

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string crs_;
    double lat0_, lon0_, x0_ = 0, y0_ = 0;
};

// Latitude and longitude (degrees, WGS 84) of the point (x, y) in the coordinate reference system `wkt` (a DEM's
// own); throws std::invalid_argument when GDAL/PROJ cannot read the WKT or transform the point.
std::array<double, 2> latlon_of(const std::string& wkt, double x, double y);

}  // namespace infrascape
