// The daily shape of electric demand that the grid and the cities share: the IEEE Reliability Test System's
// summer weekday (IEEE RTS Task Force, "IEEE Reliability Test System", IEEE Trans. PAS-98(6), 1979, table 3).
#pragma once

namespace infrascape {

// Hourly load in fraction of the daily peak at a local clock hour, linearly interpolated between the table's
// hour midpoints: maximum 1.0 (11:30, 13:30-14:30), minimum 0.56 (03:30-04:30). The table already holds that
// utility's ordinary summer air conditioning; temperature-driven cooling is added on top of it.
double rts_summer_load_shape(double local_hour);

}  // namespace infrascape
