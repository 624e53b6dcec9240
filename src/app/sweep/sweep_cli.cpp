// `infrascape sweep ...`: argument parsing and help.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "app/sweep/sweep.hpp"

namespace infrascape::sweep {

namespace {

const char* kHelp = R"(Usage: infrascape sweep plan SWEEP.toml -o DIR [--no-probe]
       infrascape sweep run DIR [-j N] [--force] [--quiet] [--device N]
       infrascape sweep submit DIR [--retry-failed] [--dry-run]
       infrascape sweep status DIR
       infrascape sweep collect DIR [-o OUT] [--partial]
       infrascape sweep member DIR INDEX [--device N]

Ensembles of independent runs of one scene with varied parameters, here or on a Slurm cluster.

plan     reads the sweep file and writes into DIR: members/m000000.toml ... (each a complete scene that
         `infrascape run` reproduces alone), manifest.csv (each member's parameter values), plan.toml (what
         the other commands read) and sweep.sbatch (a Slurm job array, one member per task; --mem is 1.5 times
         the peak memory of a short run of member 0 plus 256 MiB unless the sweep's [slurm] gives it;
         --no-probe skips that run and uses 4 GiB).
run      runs the members that have no result yet, N at a time (default: one per core), each as
         `infrascape sweep member DIR I` with its log in DIR/logs/, with a progress bar and ETA. Exit 1 when a
         member failed (the summary names it and why).
submit   submits the members without a result as a job array with sbatch (in chunks when the cluster's
         MaxArraySize is smaller); --retry-failed submits again those that ended without a result and are no
         longer queued; --dry-run prints the sbatch commands. Job ids go to DIR/jobs.txt.
status   counts the members done, running, pending (squeue), failed (with the member's own message) and
         ended without a result (cancelled, killed, preempted, out of time).
collect  merges the results into OUT (default DIR/collected): members.csv (parameters and outputs),
         summary.csv (per group of listed parameters and output: count, mean, sd, min, percentiles 5 to 95 by
         linear interpolation (R's type 7), max), exceedance.csv (P(output > threshold) for each 'above'),
         OUTPUT.png (the empirical distribution of each output, one line per group) and, for each field,
         p_FIELD[_gN].asc/.tif/.png (the fraction of members exceeding its threshold in each cell; gN numbers the
         groups as groups.csv lists them). Refuses when members lack results unless --partial.
member   runs one member and writes DIR/results/mINDEX.result atomically (or mINDEX.failed with the reason).

The sweep file (TOML; paths relative to it):
  title = "..."                    shown in plots
  base = "../flash_flood.toml"     the scene every member starts from
  until = "4h"                     simulation time each member runs
  method = "lhs"                   lhs (Latin hypercube), random, or grid (only listed values)
  samples = 200                    draws of the sampled parameters (lhs, random)
  seed = 7                         the draws' seed (std::mt19937_64): the same file plans the same members
  keep_exports = false             keep each member's exports in DIR/exports/ (default: only the results)
  [[vary]]                         one per parameter
  name = "rain"                    its column in the manifest
  set = "flood.storm_peak_mm_per_h"  or a list; a key may index records and the timeline from 1:
                                   "flood.gauges[2].x_m", "timeline[1].ramp"; an entry may be a table
                                   {key = "...", scale = 1.0, offset = 0.0, add = false} (value = offset +
                                   scale * x, added to the base scene's value when add = true)
  min = 40.0, max = 140.0          sampled (log = true: log-uniform; integer = true: whole numbers), or
  values = [...], labels = [...]   listed values (any TOML value: numbers, strings, tables), crossed with
                                   everything else, or
  from = 0, to = 10, step = 2      listed values in steps
  [[output]]                       one number per member from a CSV export
  name = "cypress_depth"
  file = "flood/warnings.csv"      under the member's export folder
  column = "max_depth_m"
  where = {site = "Cypress Bend camp"}   rows whose columns equal these values
  at = "2h"                        optional: the last row whose first column (time) is at or before this
  reduce = "only"                  only (exactly one row), first, last, min, max, mean, sum or count
  above = [0.5, 1.0]               thresholds for exceedance.csv
  [[field]]                        a raster export thresholded in every member
  name = "flooded", file = "flood/max_depth.asc", above = 0.5
  [slurm]                          partition, time, mem, cpus_per_task (default 2), gpus_per_task, extra = ["--account=x"]
)";

uint64_t parse_index(const std::string& s) {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
    if (s.empty() || *end || s[0] == '-' || v > (1ull << 40))
        throw std::invalid_argument("expected a whole number, got '" + s + "'");
    return v;
}

uint32_t parse_count(const std::string& opt, const std::string& s, uint32_t hi) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(s.c_str(), &end, 10);
    if (s.empty() || *end || v < 1 || v > hi)
        throw std::invalid_argument(opt + " must be a whole number from 1 to " + std::to_string(hi) + ", got '" + s + "'");
    return uint32_t(v);
}

}  // namespace

int sweep_cli(const std::vector<std::string>& args) {
    for (const std::string& a : args)
        if (a == "--help" || a == "-h") {
            std::fputs(kHelp, stdout);
            return 0;
        }
    if (args.empty()) throw std::invalid_argument("sweep needs a command: plan, run, submit, status, collect or member; see `infrascape sweep --help`");
    const std::string cmd = args[0];
    size_t i = 1;
    auto value = [&](const std::string& opt) {
        if (i >= args.size()) throw std::invalid_argument(opt + " needs a value");
        return args[i++];
    };
    std::vector<std::string> positional;
    auto unknown = [&](const std::string& opt) {
        throw std::invalid_argument("unknown option '" + opt + "' for sweep " + cmd + "; see `infrascape sweep --help`");
    };
    if (cmd == "plan") {
        PlanOptions o;
        while (i < args.size()) {
            const std::string a = args[i++];
            if (a == "-o" || a == "--output") o.dir = value(a);
            else if (a == "--no-probe") o.probe = false;
            else if (!a.empty() && a[0] == '-') unknown(a);
            else positional.push_back(a);
        }
        if (positional.size() != 1) throw std::invalid_argument("sweep plan needs one sweep file");
        if (o.dir.empty()) throw std::invalid_argument("sweep plan needs -o DIR");
        o.sweep_file = positional[0];
        return plan_command(o);
    }
    int device = -1;
    RunLocalOptions run;
    CollectOptions collect;
    bool retry = false, dry = false;
    while (i < args.size()) {
        const std::string a = args[i++];
        if (a == "--device") device = int(parse_index(value(a)));
        else if (cmd == "run" && a == "-j") run.jobs = parse_count(a, value(a), 1024);
        else if (cmd == "run" && a == "--force") run.force = true;
        else if (cmd == "run" && a == "--quiet") run.quiet = true;
        else if (cmd == "submit" && a == "--retry-failed") retry = true;
        else if (cmd == "submit" && a == "--dry-run") dry = true;
        else if (cmd == "collect" && (a == "-o" || a == "--output")) collect.out = value(a);
        else if (cmd == "collect" && a == "--partial") collect.partial = true;
        else if (!a.empty() && a[0] == '-') unknown(a);
        else positional.push_back(a);
    }
    const size_t want = cmd == "member" ? 2 : 1;
    if (positional.size() != want)
        throw std::invalid_argument("sweep " + cmd + " needs " + (cmd == "member" ? "DIR and INDEX" : "DIR") + "; see `infrascape sweep --help`");
    const fs::path dir = positional[0];
    if (cmd == "member") return member_command(dir, parse_index(positional[1]), device);
    if (cmd == "run") {
        run.dir = dir;
        run.device = device;
        return run_local_command(run);
    }
    if (cmd == "submit") return submit_command(dir, retry, dry);
    if (cmd == "status") return status_command(dir);
    if (cmd == "collect") {
        collect.dir = dir;
        return collect_command(collect);
    }
    throw std::invalid_argument("unknown sweep command '" + cmd + "'; see `infrascape sweep --help`");
}

}  // namespace infrascape::sweep
