// Compact rack thermal model: a one-pass march along each server's airflow (stage by stage), the heat-sink
// resistance model for component temperatures, and a power cap for GPUs above their slowdown temperature.
// The model and its assumptions are stated in rack_model.hpp and at each step below.
#include "modules/datacenter/rack_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

namespace infrascape::datacenter {

namespace {

constexpr double kRackUnitM = 0.04445;  // EIA-310: 1 U = 1.75 in

void check_config(const RackConfig& c) {
    if (c.servers < 0) throw std::invalid_argument("rack: negative server count");
    if (!(c.design_rise_k > 0)) throw std::invalid_argument("rack: design_rise_k must be > 0");
    if (!(c.air.density_kg_per_m3 > 0) || !(c.air.cp_j_per_kg_k > 0))
        throw std::invalid_argument("rack: air density and cp must be > 0");
    if (!(c.gpu_min_power_fraction >= 0 && c.gpu_min_power_fraction <= 1))
        throw std::invalid_argument("rack: gpu_min_power_fraction must be in [0, 1]");
    if (!(c.throttle_compute_exponent >= 0)) throw std::invalid_argument("rack: negative compute exponent");
    for (const Component& k : c.server.components)
        if (!(k.power_w >= 0) || !(k.r_air_k_per_w >= 0) || !(k.r_liquid_k_per_w >= 0))
            throw std::invalid_argument("rack: component '" + k.name +
                                        "' has a negative power or resistance");
}

}  // namespace

double ServerLayout::nominal_power_w() const {
    double p = 0;
    for (const Component& k : components) p += k.power_w;
    return p;
}

ServerLayout hgx_h100_server() {
    ServerLayout s;
    s.name = "hgx_h100";
    s.height_u = 8;
    s.components.push_back({"cpu0", ComponentKind::Cpu, 0, 350, 0.10, 0});
    s.components.push_back({"cpu1", ComponentKind::Cpu, 0, 350, 0.10, 0});
    s.components.push_back({"memory_drives_nics", ComponentKind::Other, 0, 800, 0, 0});
    for (int g = 0; g < 8; ++g)
        s.components.push_back({"gpu" + std::to_string(g), ComponentKind::Gpu, 1, 700, 0.06, 0});
    s.components.push_back({"nvswitch_nics", ComponentKind::Other, 2, 1200, 0, 0});
    s.components.push_back({"fans_psu_losses", ComponentKind::Other, 3, 1700, 0, 0});
    return s;
}

ServerLayout gb200_nvl72_tray() {
    ServerLayout s;
    s.name = "gb200_nvl72_tray";
    s.height_u = 1;
    s.components.push_back({"cpu0", ComponentKind::Cpu, 0, 300, 0.05, 0.02});
    s.components.push_back({"cpu1", ComponentKind::Cpu, 0, 300, 0.05, 0.02});
    for (int g = 0; g < 4; ++g)
        s.components.push_back({"gpu" + std::to_string(g), ComponentKind::Gpu, 0, 1200, 0.05, 0.02});
    s.components.push_back({"nics_memory_power_switch_share", ComponentKind::Other, 1, 1400, 0, 0});
    return s;
}

double design_airflow_m3_per_s(double power_w, double rise_k, const AirProperties& air) {
    if (!(rise_k > 0)) throw std::invalid_argument("design_airflow_m3_per_s: rise_k must be > 0");
    return power_w / (air.density_kg_per_m3 * air.cp_j_per_kg_k * rise_k);
}

double server_centre_height_m(const RackConfig& config, int server) {
    return config.bottom_offset_m + (server + 0.5) * config.server.height_u * kRackUnitM;
}

ServerResult solve_server(const RackConfig& config, const ServerInput& input) {
    check_config(config);
    const double f = input.liquid_fraction;
    if (!(f >= 0 && f <= 1)) throw std::invalid_argument("rack: liquid_fraction must be in [0, 1]");
    const ServerLayout& layout = config.server;
    const AirProperties& air = config.air;

    ServerResult r;
    r.inlet_c = input.inlet_c;
    r.airflow_m3_per_s = input.airflow_m3_per_s > 0
                             ? input.airflow_m3_per_s
                             : design_airflow_m3_per_s(layout.nominal_power_w(), config.design_rise_k, air);
    if (!(r.airflow_m3_per_s > 0)) throw std::invalid_argument("rack: the server's airflow must be > 0");
    const double capacity_w_per_k = air.density_kg_per_m3 * air.cp_j_per_kg_k * r.airflow_m3_per_s;
    r.components.resize(layout.components.size());
    r.hottest_gpu_c = std::numeric_limits<double>::quiet_NaN();

    std::set<int> stages;
    for (const Component& k : layout.components) stages.insert(k.stage);

    // March front to back. Every component of a stage sees the (fully mixed) air leaving the previous stage;
    // since a component's power only depends on the air upstream of it, one pass is exact.
    double air_c = input.inlet_c;
    for (int stage : stages) {
        double stage_power_w = 0;
        for (size_t i = 0; i < layout.components.size(); ++i) {
            const Component& k = layout.components[i];
            if (k.stage != stage) continue;
            ComponentResult& out = r.components[i];
            // A component on a cold plate (r_liquid > 0) of a server with a liquid loop (f > 0) is referred
            // to the coolant; every other one to the air arriving at it. T_case = T_ref + P R.
            const bool on_liquid = f > 0 && k.r_liquid_k_per_w > 0;
            const double ref_c = on_liquid ? input.coolant_c : air_c;
            const double r_k_per_w = on_liquid ? k.r_liquid_k_per_w : k.r_air_k_per_w;
            out.air_in_c = air_c;
            out.power_w = k.power_w;
            out.temperature_c = ref_c + k.power_w * r_k_per_w;
            if (k.kind == ComponentKind::Gpu && out.temperature_c > config.gpu_slowdown_c) {
                // Throttling: the GPU lowers its power cap to the level that holds its case at the slowdown
                // temperature, P = (T_slow - T_ref) / R, but not below gpu_min_power_fraction of nominal
                // (there the GPU stays above T_slow; real parts would go on to shut down).
                const double floor_w = config.gpu_min_power_fraction * k.power_w;
                const double cap_w = r_k_per_w > 0 ? (config.gpu_slowdown_c - ref_c) / r_k_per_w : 0.0;
                out.power_w = std::clamp(cap_w, floor_w, k.power_w);
                out.temperature_c = ref_c + out.power_w * r_k_per_w;
                out.throttled = true;
                // Compute follows the clock; with clock ~ power (a linear, conservative rule: exponent 1)
                // compute = P / P_nominal. Exponent 1/3 would be the DVFS cube law P ~ f V^2 ~ f^3.
                out.compute_fraction =
                    k.power_w > 0 ? std::pow(out.power_w / k.power_w, config.throttle_compute_exponent) : 1.0;
            }
            if (k.kind == ComponentKind::Gpu) {
                ++r.gpus;
                r.throttled_gpus += out.throttled ? 1 : 0;
                r.gpu_compute_sum += out.compute_fraction;
                if (std::isnan(r.hottest_gpu_c) || out.temperature_c > r.hottest_gpu_c)
                    r.hottest_gpu_c = out.temperature_c;
            }
            stage_power_w += out.power_w;
        }
        // Energy balance of the air: rho cp Q dT = (1 - f) P_stage. The liquid share f is taken from every
        // component alike, so the outlet is exact and the air profile along the server approximate.
        air_c += (1 - f) * stage_power_w / capacity_w_per_k;
        r.it_power_w += stage_power_w;
    }
    r.outlet_c = air_c;
    r.heat_to_air_w = (1 - f) * r.it_power_w;
    r.heat_to_liquid_w = f * r.it_power_w;
    return r;
}

RackResult solve_rack(const RackConfig& config, const std::vector<ServerInput>& inputs) {
    check_config(config);
    if (inputs.size() != static_cast<size_t>(config.servers))
        throw std::invalid_argument("rack: " + std::to_string(inputs.size()) + " server inputs for " +
                                    std::to_string(config.servers) + " servers");
    RackResult rack;
    rack.hottest_gpu_c = std::numeric_limits<double>::quiet_NaN();
    double flow_weighted_c = 0, compute_sum = 0;
    for (const ServerInput& in : inputs) {
        ServerResult s = solve_server(config, in);
        // Mass-flow weighting; with one air density for the rack it is volume-flow weighting.
        flow_weighted_c += s.airflow_m3_per_s * s.outlet_c;
        rack.airflow_m3_per_s += s.airflow_m3_per_s;
        rack.gpus += s.gpus;
        rack.throttled_gpus += s.throttled_gpus;
        compute_sum += s.gpu_compute_sum;
        rack.nominal_power_w += config.server.nominal_power_w();
        rack.it_power_w += s.it_power_w;
        rack.heat_to_air_w += s.heat_to_air_w;
        rack.heat_to_liquid_w += s.heat_to_liquid_w;
        if (!std::isnan(s.hottest_gpu_c) &&
            (std::isnan(rack.hottest_gpu_c) || s.hottest_gpu_c > rack.hottest_gpu_c))
            rack.hottest_gpu_c = s.hottest_gpu_c;
        rack.servers.push_back(std::move(s));
    }
    rack.outlet_c = rack.airflow_m3_per_s > 0 ? flow_weighted_c / rack.airflow_m3_per_s
                                              : std::numeric_limits<double>::quiet_NaN();
    rack.lost_compute_fraction = rack.gpus > 0 ? 1 - compute_sum / rack.gpus : 0.0;
    return rack;
}

}  // namespace infrascape::datacenter
