#include "modules/flood/flood_params.hpp"

#include <string>

namespace infrascape::flood {

BlockSpec flood_block() {
    BlockSpec b{"flood", "Flash floods: 2D shallow water over a DEM under storms, with gauges, sirens and warning lead time", {}};
    auto& p = b.params;
    p.push_back(path_param("dem", "terrain: ESRI ASCII grid (.asc) or GeoTIFF (.tif), metres; NODATA cells are walls; "
                                  "empty: the procedural hill-country valley"));
    p.push_back(path_param("initial_depth", "optional raster of initial water depth (m) on the DEM's grid"));
    ParamSpec manning = number_param("manning_n", "s/m^(1/3)", 0, 1, 0.035,
                                     "Manning roughness (0.035: natural channel, clean), or a raster of it on the DEM's grid", false);
    manning.or_path = true;
    p.push_back(manning);
    p.push_back(number_param("rain_mm_per_h", "mm/h", 0, 1000, 0, "uniform rain over the whole grid"));
    p.push_back(path_param("rain_raster", "optional raster of rain rate (mm/h) on the DEM's grid, added to the uniform rain"));
    p.push_back(number_param("infiltration_mm_per_h", "mm/h", 0, 1000, 0,
                             "saturated hydraulic conductivity Ks (Green-Ampt; a constant loss rate without suction)", false));
    p.push_back(number_param("suction_mm", "mm", 0, 10000, 0, "Green-Ampt wetting-front suction head (0: constant rate)", false));
    p.push_back(number_param("moisture_deficit", "", 0, 1, 0.3, "Green-Ampt porosity minus initial water content", false));
    p.push_back(choice_param("boundary", {"closed", "open"}, "open", "every grid edge: wall or free outflow", false));
    for (const char* e : {"west", "east", "south", "north"})
        p.push_back(choice_param(std::string("boundary_") + e, {"same", "closed", "open"}, "same",
                                 std::string("the ") + e + " edge, overriding `boundary`", false));
    p.push_back(bool_param("fill_depressions", false,
                           "fill the DEM's pits (Priority-Flood+epsilon) so every cell drains to an open edge; always on "
                           "for the procedural valley", false));
    p.push_back(choice_param("scheme", {"finite_volume", "inertial"}, "finite_volume",
                             "finite_volume: Godunov finite volumes (HLL, hydrostatic reconstruction), first or second order; "
                             "inertial: the local-inertial scheme of Bates et al. (2010), LISFLOOD-FP's acceleration solver "
                             "(no advection term: faster, for slow, friction-dominated floodplain flow)", false));
    p.push_back(bool_param("second_order", false,
                           "finite volumes: MUSCL reconstruction with Heun steps (sharper fronts, about 4x the work)", false));
    p.push_back(number_param("cfl", "", 0.05, 0.9, 0.45,
                             "finite volumes: Courant number of the time step (at most 0.25 is used for second order)", false));
    p.push_back(number_param("inertial_alpha", "", 0.05, 0.7, 0.6,
                             "inertial scheme: dt = alpha dx / sqrt(g h_max) (Bates et al. 2010 eq. 12; 0.7 is at the 2D "
                             "stability limit)", false));
    p.push_back(number_param("inertial_theta", "", 0.5, 1, 1,
                             "inertial scheme: weight of a face's own discharge against its neighbours' (de Almeida et al. "
                             "2012); 1 is Bates et al.'s original, 0.7-0.9 damps oscillations of shallow, frictionless flow",
                             false));
    p.push_back(number_param("max_dt_s", "s", 0.01, 60, 5, "largest solver step (dry or still water)", false));
    // The moving storm cell (hydrograph.hpp StormCell); its path is the `storm_path` records.
    p.push_back(number_param("storm_peak_mm_per_h", "mm/h", 0, 1000, 0, "storm cell: rain rate at its centre"));
    p.push_back(number_param("storm_radius_m", "m", 10, 1e6, 3000, "storm cell: radius of the Gaussian rain profile"));
    p.push_back(number_param("storm_start_s", "s", 0, 1e8, 0, "storm cell: rain starts", false));
    p.push_back(number_param("storm_end_s", "s", 0, 1e8, 4 * 3600.0, "storm cell: rain stops", false));
    // The procedural valley (used without a DEM).
    p.push_back(integer_param("valley_nx", 16, 8192, 384, "procedural valley: cells West -> East"));
    p.push_back(integer_param("valley_ny", 16, 8192, 256, "procedural valley: cells South -> North"));
    p.push_back(number_param("valley_cell_m", "m", 1, 1000, 25, "procedural valley: cell size", false));
    p.push_back(number_param("valley_relief_m", "m", 0, 2000, 110, "procedural valley: hills above the floor", false));
    p.push_back(integer_param("valley_tributaries", 0, 64, 4, "procedural valley: side creeks"));
    p.push_back(integer_param("valley_seed", 0, 1 << 30, 0, "procedural valley: its random seed (0: the world's seed)"));
    p.push_back(number_param("base_flow_m3_per_s", "m3/s", 0, 1e5, 12,
                             "procedural valley: river flow entering at its west end (the channel starts at its normal depth)", false));
    // Placement in a larger world.
    p.push_back(choice_param("ground", {"replace", "inset"}, "replace",
                             "replace: the DEM is the world's terrain (centred on the origin); inset: the DEM is laid into "
                             "the world's terrain with its centre at (world_x_m, world_y_m) and its rim level with it", false));
    p.push_back(choice_param("place_by", {"world_xy", "georeference"}, "world_xy",
                             "inset: where the DEM's centre goes: world_xy: at (world_x_m, world_y_m); georeference: "
                             "at its own place, its centre's longitude and latitude (from the DEM's coordinate "
                             "reference system) in the world's projection (world.crs); the grid keeps its axes "
                             "and cell size", false));
    p.push_back(number_param("world_x_m", "m", -1e8, 1e8, 0, "inset: world x of the DEM's centre", false));
    p.push_back(number_param("world_y_m", "m", -1e8, 1e8, 0, "inset: world y of the DEM's centre", false));
    p.push_back(bool_param("sleep_until_rain", false,
                           "compute nothing until rain first falls on the DEM (the scene's or the weather's); until then "
                           "the river holds its starting base flow", false));
    // Warning and outputs.
    p.push_back(number_param("warning_exponent", "", -1, 1, 0.15,
                             "warning investment per resident grows as N^this (warning_network.hpp): a bigger place affords "
                             "more gauges and a faster alert", false));
    p.push_back(number_param("warning_ref_population", "people", 1, 1e9, 20000,
                             "a place this size affords one gauge and alerts after alert_delay_min", false));
    p.push_back(number_param("alert_delay_min", "min", 0, 1440, 30,
                             "time from a gauge's warning depth to the alert reaching residents, at the reference population", false));
    p.push_back(number_param("site_flood_depth_m", "m", 0.01, 10, 0.1, "water at a site counts as reaching it from this depth", false));
    ParamSpec every = number_param("export_every_s", "s", 0, 1e8, 0, "write depth_<T>s.asc every this often (0: only at the end)", false);
    every.type = ParamType::Duration;
    p.push_back(every);
    // Drawing.
    p.push_back(choice_param("show", {"water", "max_depth", "arrival_time", "hazard", "probability"}, "water",
                             "what the terrain shows: the live water, an overlay of the maxima so far, or the "
                             "probability_map"));
    p.push_back(path_param("probability_map", "a raster of probabilities (0 to 1) on the DEM's grid, e.g. a sweep's "
                                              "p_<field>.asc from `infrascape sweep collect`; shown with show = \"probability\""));
    p.push_back(string_param("probability_label", "Probability", "the legend's title for the probability_map"));
    p.push_back(number_param("depth_scale_m", "m", 0.1, 100, 6, "depth at the top of the water's colour scale"));
    p.push_back(number_param("water_opacity", "", 0, 1, 0.85, "opacity of deep water"));
    p.push_back(integer_param("particles", 0, 1000000, 30000, "flow tracers"));
    p.push_back(number_param("tracer_speedup", "", 0, 1e4, 40, "tracers move this many times the flow speed (playback time)"));
    p.push_back(number_param("marker_scale", "", 0.1, 100, 3, "drawn size of gauge posts and site markers"));

    auto gauge = RecordSpec{"gauges", "river gauges: depth recorded each window; a siren sounds at the warning depth", {}};
    gauge.fields = {required(string_param("name", "", "label")),
                    required(number_param("x_m", "m", -1e12, 1e12, 0, "map x in the DEM's georeference (snapped to the lowest bed within one cell)", false)),
                    required(number_param("y_m", "m", -1e12, 1e12, 0, "map y in the DEM's georeference", false)),
                    number_param("warn_depth_m", "m", 0, 1000, 2, "the siren sounds when the depth exceeds this", false)};
    gauge.max_count = 64;
    auto inflow = RecordSpec{"inflows", "point inflows: a hydrograph CSV (time_s,discharge_m3_per_s) into one cell", {}};
    const ParamSpec hydro = required(path_param("hydrograph", "CSV time_s,discharge_m3_per_s"));
    inflow.fields = {required(number_param("x_m", "m", -1e12, 1e12, 0, "map x in the DEM's georeference", false)),
                     required(number_param("y_m", "m", -1e12, 1e12, 0, "map y", false)), hydro};
    inflow.max_count = kMaxInflows;
    auto site = RecordSpec{"sites", "camps and buildings whose warning lead time is tabled", {}};
    site.fields = {required(string_param("name", "", "label")),
                   required(number_param("x_m", "m", -1e12, 1e12, 0, "map x in the DEM's georeference", false)),
                   required(number_param("y_m", "m", -1e12, 1e12, 0, "map y", false)),
                   string_param("gauge", "", "the gauge whose siren warns this site (empty: the first siren to sound)"),
                   choice_param("kind", {"camp", "building"}, "camp", "what is drawn", false)};
    site.max_count = 256;
    auto path = RecordSpec{"storm_path", "storm cell: points its centre moves through at constant speed", {}};
    path.fields = {required(number_param("x_m", "m", -1e12, 1e12, 0, "map x", false)), required(number_param("y_m", "m", -1e12, 1e12, 0, "map y", false))};
    path.max_count = 1000;
    b.records = {gauge, inflow, site, path};
    return b;
}

}  // namespace infrascape::flood
