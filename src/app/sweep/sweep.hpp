// Ensembles: `infrascape sweep`. A sweep file names a base scene, the parameters to vary and the outputs to
// collect; `plan` writes one fully resolved scene per member, a plan and a Slurm batch script; the members run
// here (`sweep run -j N`) or as a Slurm job array (`sweep submit`), each one `infrascape sweep member DIR I`,
// which writes its result file atomically; `collect` merges the results into CSVs, percentiles, exceedance
// probabilities, plots and probability maps. Nothing here knows what a flood or a grid is: members are scenes,
// outputs are cells of the exports' CSV files, fields are the exports' rasters.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "scene/scene.hpp"

namespace infrascape::sweep {

namespace fs = std::filesystem;

// One place a varied value goes: a dotted key of the scene ("flood.storm_peak_mm_per_h", "flood.gauges[2].x_m",
// "timeline[1].ramp"; [N] counts from 1), set to offset + scale * value, or added to the base value.
struct Target {
    std::string key;
    double scale = 1, offset = 0;
    bool add = false;
    SourcePos where;
};

// A varied parameter: sampled in [min, max] (uniform, or log-uniform), or one of listed values (any TOML value,
// each with a label). Listed parameters are crossed with each other and with the samples.
struct Param {
    std::string name;
    std::vector<Target> targets;
    bool sampled = false;
    double min = 0, max = 0;
    bool log = false, integer = false;
    std::vector<const toml::node*> values;  // listed values, nodes of Sweep::doc
    std::vector<std::string> labels;        // one per listed value
    SourcePos where;
};

// A number taken from an export: `file` (a CSV under the member's export folder), the rows whose columns equal
// `where`, optionally the last row whose first column (time) is <= at_s, reduced over the rows by `reduce`.
struct Output {
    std::string name, file, column, reduce = "only";
    std::string plot;  // outputs with the same plot name share one figure (default: the output's name)
    double scale = 1;  // the value taken times this (units: e.g. 1/60 for seconds to minutes)
    std::vector<std::pair<std::string, std::string>> where;
    std::optional<double> at_s;
    std::vector<double> above;  // thresholds for exceedance probabilities
    SourcePos where_pos;
};

// A raster export (ESRI ASCII or GeoTIFF) thresholded per member; collect gives the probability of exceeding.
struct Field {
    std::string name, file;
    double above = 0;
    // Scene keys set in the collected view scenes (view_p_<name>[_gN].toml, made from member 0's scene), so the
    // viewer shows the map: "{map}" in a value becomes the map's file name, "{label}" its description.
    std::vector<std::pair<std::string, std::string>> view;
    SourcePos where;
};

struct SlurmOptions {
    std::string partition, time, mem;  // mem empty: estimated at plan time
    uint32_t cpus_per_task = 2, gpus_per_task = 0;
    std::vector<std::string> extra;  // further #SBATCH lines, e.g. "--account=flood"
};

struct Sweep {
    std::string name, title;
    fs::path file, base;  // the sweep file and its base scene (absolute)
    double until_s = 0;
    std::string method = "lhs";  // grid, lhs, random
    uint32_t samples = 1;
    uint64_t seed = 1;
    bool keep_exports = false;
    std::vector<Param> params;
    std::vector<Output> outputs;
    std::vector<Field> fields;
    SlurmOptions slurm;
    std::shared_ptr<toml::table> doc;  // the parsed file, which the listed values point into
};

// Reads and checks a sweep file; InputError "file:line:col: ..." for any mistake.
Sweep load_sweep(const fs::path& file);

// Member count: samples (1 when nothing is sampled) times the product of the listed parameters' counts.
uint64_t member_count(const Sweep& s);

// The value of each parameter for one member: a number drawn, or the index of a listed value; and its label.
struct MemberValues {
    std::vector<double> number;   // sampled parameters
    std::vector<size_t> listed;   // listed parameters: index into Param::values
    std::vector<std::string> label;
    uint64_t sample = 0;  // which draw of the sampled parameters
    uint64_t group = 0;   // which combination of the listed ones
};
// The sampled values of all members at once (a Latin hypercube is a property of the whole set).
std::vector<MemberValues> member_values(const Sweep& s);

struct PlanOptions {
    fs::path sweep_file, dir;
    bool probe = true;  // run the base scene briefly to estimate memory for the batch script
    std::string executable;  // infrascape's path for the batch script (default: this program)
};
int plan_command(const PlanOptions& o);
std::string self_executable();  // this program's path, for the batch script and the local runner

// The plan as `plan` writes it into DIR/plan.toml, read back by member, run, submit, status and collect.
struct Plan {
    fs::path dir;
    std::string name, title;
    double until_s = 0;
    uint64_t members = 0;
    bool keep_exports = false;
    std::vector<std::string> param_names;
    std::vector<std::string> group_params;  // the listed parameters, which split the summary into groups
    std::vector<Output> outputs;
    std::vector<Field> fields;
};
Plan read_plan(const fs::path& dir);
fs::path member_scene(const fs::path& dir, uint64_t m);
fs::path member_result(const fs::path& dir, uint64_t m);
fs::path member_log(const fs::path& dir, uint64_t m);
std::string member_id(uint64_t m);  // "m000042"

// Runs one member and writes its result file atomically (temporary file, fsync, rename).
int member_command(const fs::path& dir, uint64_t m, int device);

struct RunLocalOptions {
    fs::path dir;
    uint32_t jobs = 0;  // 0: the number of cores
    bool force = false;  // rerun members that already have results
    bool quiet = false;
    int device = -1;
};
int run_local_command(const RunLocalOptions& o);

int submit_command(const fs::path& dir, bool retry_failed, bool dry_run);
int status_command(const fs::path& dir);

struct CollectOptions {
    fs::path dir, out;  // out default: DIR/collected
    bool partial = false;
};
int collect_command(const CollectOptions& o);
// The scene `infrascape view DIR` opens for a sweep folder (or its collected/): its first view_*.toml.
fs::path view_scene_of(const fs::path& dir);

// A member's result file: its outputs (NaN where the export had no value) and its fields' masks.
struct FieldMask {
    uint32_t nx = 0, ny = 0;
    double x0 = 0, y0 = 0, cell = 1;  // centre of the south-west cell, as flood::Georef
    std::string wkt;
    std::vector<uint8_t> above, valid;  // one byte per cell, 0 or 1, south row first
};
struct MemberResult {
    uint64_t member = 0;
    std::vector<double> outputs;
    std::vector<FieldMask> fields;
};
void write_result(const fs::path& file, const MemberResult& r);
// Throws InputError for a damaged or foreign file.
MemberResult read_result(const fs::path& file, const Plan& plan);

int sweep_cli(const std::vector<std::string>& args);

}  // namespace infrascape::sweep
