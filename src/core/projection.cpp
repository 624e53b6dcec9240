// World projection through GDAL's OGR (PROJ underneath); see projection.hpp.
#include "core/projection.hpp"

#include <ogr_spatialref.h>

#include <cmath>
#include <stdexcept>

#include "core/world.hpp"

namespace infrascape {

struct Projection::Impl {
    OGRSpatialReference geographic, projected;
    std::unique_ptr<OGRCoordinateTransformation> transform;
};

Projection::Projection(std::string crs, double site_lat_deg, double site_lon_deg)
    : crs_(std::move(crs)), lat0_(site_lat_deg), lon0_(site_lon_deg) {
    if (crs_.empty()) return;
    impl_ = std::make_unique<Impl>();
    impl_->geographic.importFromEPSG(4326);  // WGS 84 longitude and latitude (NAD83 differs by about a metre)
    impl_->geographic.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    const OGRErr err = impl_->projected.SetFromUserInput(crs_.c_str());
    CPLPopErrorHandler();
    if (err != OGRERR_NONE) throw std::invalid_argument("\"" + crs_ + "\" is not a coordinate reference system GDAL/PROJ know");
    if (!impl_->projected.IsProjected())
        throw std::invalid_argument("\"" + crs_ + "\" is not a projected coordinate reference system (x and y in metres)");
    if (std::abs(impl_->projected.GetLinearUnits() - 1.0) > 1e-9)
        throw std::invalid_argument("\"" + crs_ + "\" measures in " + std::string(impl_->projected.GetAttrValue("UNIT") ? impl_->projected.GetAttrValue("UNIT") : "another unit") +
                                    ", not metres");
    impl_->projected.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    impl_->transform.reset(OGRCreateCoordinateTransformation(&impl_->geographic, &impl_->projected));
    if (!impl_->transform) throw std::invalid_argument("no transformation from longitude/latitude to \"" + crs_ + "\"");
    const std::array<double, 2> site = to_world(site_lat_deg, site_lon_deg);
    x0_ = site[0];
    y0_ = site[1];
}

Projection::~Projection() = default;

std::array<double, 2> Projection::to_world(double lat_deg, double lon_deg) const {
    if (!impl_) return lonlat_to_world(lat_deg, lon_deg, lat0_, lon0_);
    double x = lon_deg, y = lat_deg;
    if (!impl_->transform->Transform(1, &x, &y))
        throw std::invalid_argument("longitude " + std::to_string(lon_deg) + ", latitude " + std::to_string(lat_deg) +
                                    " cannot be projected to \"" + crs_ + "\"");
    return {x - x0_, y - y0_};
}

std::array<double, 2> latlon_of(const std::string& wkt, double x, double y) {
    OGRSpatialReference from, geographic;
    geographic.importFromEPSG(4326);
    geographic.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    const OGRErr err = from.importFromWkt(wkt.c_str());
    CPLPopErrorHandler();
    if (wkt.empty() || err != OGRERR_NONE) throw std::invalid_argument("its coordinate reference system is not one GDAL/PROJ read");
    from.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> t(OGRCreateCoordinateTransformation(&from, &geographic));
    double lon = x, lat = y;
    if (!t || !t->Transform(1, &lon, &lat) || !std::isfinite(lon) || !std::isfinite(lat))
        throw std::invalid_argument("its point (" + std::to_string(x) + ", " + std::to_string(y) +
                                    ") has no longitude and latitude");
    return {lat, lon};
}

}  // namespace infrascape
