// Compact (lumped) thermal model of an AI rack: servers stacked bottom to top, each a chain of components
// along its airflow that heat the air in turn, with GPU thermal throttling. The hall's air simulation gives
// each server its inlet temperature; this model gives back outlet temperatures, GPU temperatures and heat.
#pragma once

#include <string>
#include <vector>

namespace infrascape::datacenter {

// Moist-free air near 30 C and 1 atm (rho = p / (R T) = 101325 / (287.05 * 303.15)).
struct AirProperties {
    double density_kg_per_m3 = 1.164;
    double cp_j_per_kg_k = 1007;
};

enum class ComponentKind { Cpu, Gpu, Other };

// One heat source inside a server. Components with the same `stage` sit side by side across the airflow
// and all see the air leaving the previous stage (the 8 GPUs of an HGX board are cooled in parallel, not one
// after another); stages are passed front (0) to back.
struct Component {
    std::string name;
    ComponentKind kind = ComponentKind::Other;
    int stage = 0;
    double power_w = 0;           // nominal power (TDP); throttling may lower it for GPUs
    double r_air_k_per_w = 0;     // case-to-air heat-sink resistance at design airflow (0: no heat sink)
    double r_liquid_k_per_w = 0;  // case-to-coolant cold-plate resistance; > 0 marks a liquid-cooled part
};

struct ServerLayout {
    std::string name;
    std::vector<Component> components;
    double height_u = 8;  // rack units (1 U = 44.45 mm)
    double nominal_power_w() const;
};

// Default air-cooled 8-GPU HGX H100 class server (DGX H100-like, 8 U, 10.0 kW; NVIDIA's DGX H100 datasheet
// gives 10.2 kW max). Stage 0: 2 CPUs 350 W (Xeon 8480C TDP) R 0.10 K/W, memory/drives/front NICs 800 W;
// stage 1: 8 GPUs 700 W (H100 SXM TDP) R 0.06 K/W; stage 2: NVSwitches, ConnectX NICs, retimers 1200 W;
// stage 3: fans and PSU conversion losses 1700 W. The non-CPU/GPU share (3.7 kW) is what it takes to reach
// the ~10 kW wall power of such a server; it all ends up in the server's air stream.
ServerLayout hgx_h100_server();

// Liquid-cooled GB200 NVL72 class compute tray (1 U; 18 per rack, ~122 kW): 4 GPUs 1200 W and 2 Grace
// CPUs 300 W on cold plates (R 0.02 K/W to coolant, 0.05 K/W to air), 1400 W of NICs, memory, power
// conversion and this tray's share of the rack's switch trays, cooled by air. Use with liquid_fraction
// ~0.85 (the share of the tray's heat on cold plates is 5400 / 6800 = 0.79 at nominal power).
ServerLayout gb200_nvl72_tray();

struct RackConfig {
    ServerLayout server = hgx_h100_server();
    int servers = 4;                       // stacked from the bottom
    double bottom_offset_m = 0.10;         // height of the lowest server's bottom above the floor
    double design_rise_k = 15;             // fans sized so Q = P_nominal / (rho cp dT_design)
    double gpu_slowdown_c = 87;            // H100-class hardware slowdown temperature
    double gpu_min_power_fraction = 0.3;   // lowest power cap of a throttled GPU (H100 SXM: ~200 W of 700)
    double throttle_compute_exponent = 1;  // compute = (P / P_nominal)^exponent; see solve_server
    AirProperties air;
};

// What the hall simulation (and the liquid loop) give one server.
struct ServerInput {
    double inlet_c = 25;          // air temperature at the server's front, at its height
    double airflow_m3_per_s = 0;  // <= 0: the design airflow of the server's nominal power
    double liquid_fraction = 0;   // share of the server's heat removed by the liquid loop, in [0, 1]
    double coolant_c = 35;        // coolant temperature at the cold plates (used where r_liquid > 0)
};

struct ComponentResult {
    double power_w = 0;           // actual power after throttling
    double air_in_c = 0;          // air temperature arriving at the component (leaving the previous stage)
    double temperature_c = 0;     // case temperature
    double compute_fraction = 1;  // GPUs: compute relative to unthrottled; others: 1
    bool throttled = false;
};

struct ServerResult {
    std::vector<ComponentResult> components;  // same order as ServerLayout::components
    double inlet_c = 0, outlet_c = 0;
    double airflow_m3_per_s = 0;
    double it_power_w = 0, heat_to_air_w = 0, heat_to_liquid_w = 0;
    double hottest_gpu_c = 0;  // NaN when the server has no GPU
    int gpus = 0, throttled_gpus = 0;
    double gpu_compute_sum = 0;  // sum of the GPUs' compute fractions
};

struct RackResult {
    std::vector<ServerResult> servers;  // bottom to top
    double airflow_m3_per_s = 0;
    double outlet_c = 0;  // mass-flow-weighted mean of the servers' outlets
    double hottest_gpu_c = 0;
    int gpus = 0, throttled_gpus = 0;
    double lost_compute_fraction = 0;  // 1 - (sum of GPU compute fractions) / gpus
    double nominal_power_w = 0, it_power_w = 0, heat_to_air_w = 0, heat_to_liquid_w = 0;
};

// Q = P / (rho cp dT): the volume flow that carries P watts with a temperature rise of dT.
double design_airflow_m3_per_s(double power_w, double rise_k, const AirProperties& air);

// Height above the floor of the middle of server i (0 = bottom), where the hall's inlet air is sampled.
double server_centre_height_m(const RackConfig& config, int server);

// One server. Throws std::invalid_argument for a negative power or resistance, a liquid fraction outside
// [0, 1], or a non-positive airflow.
ServerResult solve_server(const RackConfig& config, const ServerInput& input);

// A rack of config.servers servers; `inputs` holds one entry per server, bottom to top.
RackResult solve_rack(const RackConfig& config, const std::vector<ServerInput>& inputs);

}  // namespace infrascape::datacenter
