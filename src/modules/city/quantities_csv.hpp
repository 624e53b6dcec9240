// User-defined scaling quantities for the City module: a CSV file named by `city.quantities` adds rows
// to the list of Y = Y0 N^beta quantities (plotted, fitted and exported like the built-in ones).
// Format (RFC 4180 subset: no quoted fields), one header line then one quantity per line:
//   name,unit,kind,y0,beta
//   Museums,count,socio-economic,12,1.1
// kind is socio-economic, infrastructure, individual or metabolic; y0 > 0; beta in [0, 2].
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "modules/city/scaling.hpp"

namespace infrascape::city {

// Throws InputError "file:line:col: what is wrong" (file as `shown`) for a malformed file. Names must be
// new: `existing` holds the quantities already defined.
std::vector<ScalingLaw> load_quantities_csv(const std::filesystem::path& file, const std::string& shown,
                                            const std::vector<ScalingLaw>& existing);

}  // namespace infrascape::city
