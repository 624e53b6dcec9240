// The flood steps' sources for one cell over a step (swe_reference.cpp apply_sources): uniform and per-cell rain,
// the storm cell, point inflows, then Green-Ampt infiltration limited by the water there. With `momenta` (the
// finite-volume schemes) the infiltrated water takes its momentum with it; the inertial scheme's face discharges
// are left alone. Returns the ledger terms. Needs p (SwePush), src[], clock and kDry declared by the includer.

// Green-Ampt capacity over one step (swe_reference.cpp infiltration_capacity).
float infiltration_capacity(float f_m, float dt) {
    const float ks = p.sources.y;
    if (ks <= 0.0) return 0.0;
    const float kdt = ks * dt;
    const float b = f_m - 0.5 * kdt;
    const float c = 2.0 * kdt * (f_m + p.sources.z * p.sources.w);
    const float root = sqrt(b * b + c);
    return b < 0.0 ? root - b : c / (b + root);
}

void add_sources(uint i, uint j, uint k, float dt, inout float h, inout float hu, inout float hv, inout float f_m,
                 bool momenta, out float infiltrated, out float rain_dt, out float inflow_dt) {
    const float dx = p.step.x;
    const vec4 sk = src[k];
    const bool wall = sk.x < 0.0;  // a NODATA wall (swe_gpu.cpp set_sources): no rain
    float rain = wall ? 0.0 : p.sources.x + sk.x;
    // The storm and the inflows: from the clock (evaluated at this step's middle) or from the push constants.
    const bool table = (p.dims.w & SWE_FORCING_TABLE) != 0u;
    const vec4 storm = table ? clock.storm : p.storm;
    if (!wall && storm.z > 0.0 && storm.w > 0.0) {  // hydrograph.hpp StormCell: peak exp(-(r/R)^2), none beyond 3 R
        const vec2 d = (vec2(float(i), float(j)) * dx - storm.xy) / storm.z;
        const float r2 = dot(d, d);
        if (r2 <= 9.0) rain += storm.w * exp(-r2);
    }
    float inflow = sk.y;
    for (int e = 0; e < 4; ++e)
        if ((table ? clock.inflow_cells[e] : p.inflow_cells[e]) == k) inflow += table ? clock.inflow_rates[e] : p.inflow_rates[e];
    h += rain * dt + inflow * dt;
    infiltrated = 0.0;
    if ((p.dims.w & SWE_INFILTRATION) != 0u && h > 0.0) {
        const float df = min(h, infiltration_capacity(f_m, dt));
        if (df > 0.0) {
            if (momenta) {
                const float keep = (h - df) / h;
                hu *= keep;
                hv *= keep;
            }
            h -= df;
            f_m += df;
            infiltrated = df;
        }
    }
    rain_dt = rain * dt;
    inflow_dt = inflow * dt;
}
