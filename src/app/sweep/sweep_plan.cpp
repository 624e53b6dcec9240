// `infrascape sweep plan`: one fully resolved scene per member, the manifest, the plan and the Slurm script.
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <mutex>
#include <thread>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/session.hpp"
#include "app/sweep/sweep.hpp"
#include "app/sweep/sweep_toml.hpp"

namespace infrascape::sweep {

namespace {

using detail::csv_field;
using detail::shortest;


// A path written in a scene relative to `from` made relative to `to` (absolute paths stay).
std::string rebase(const std::string& p, const fs::path& from, const fs::path& to) {
    if (p.empty() || fs::path(p).is_absolute()) return p;
    std::error_code ec;
    const fs::path target = fs::weakly_canonical(from / p, ec);
    const fs::path rel = target.lexically_relative(fs::weakly_canonical(to, ec));
    return rel.empty() ? target.generic_string() : rel.generic_string();
}

bool is_path(const ParamSpec& p) { return p.type == ParamType::Path || p.or_path; }

}  // namespace

void detail::rebase_paths(toml::table& root, const std::vector<BlockSpec>& specs, const fs::path& from, const fs::path& to) {
    auto fix_table = [&](toml::table& block, const BlockSpec& spec) {
        for (const ParamSpec& p : spec.params)
            if (is_path(p))
                if (auto* s = block.get(p.key); s && s->is_string())
                    *s->as_string() = rebase(s->as_string()->get(), from, to);
        for (const RecordSpec& r : spec.records) {
            toml::array* arr = block.get(r.key) ? block.get(r.key)->as_array() : nullptr;
            if (!arr) continue;
            for (auto& e : *arr)
                if (auto* rt = e.as_table())
                    for (const ParamSpec& f : r.fields)
                        if (is_path(f))
                            if (auto* s = rt->get(f.key); s && s->is_string())
                                *s->as_string() = rebase(s->as_string()->get(), from, to);
        }
    };
    for (const BlockSpec& spec : specs) {
        toml::node* n = root.get(spec.name);
        if (!n) continue;
        if (auto* t = n->as_table()) fix_table(*t, spec);
        else if (auto* arr = n->as_array())
            for (auto& e : *arr)
                if (auto* t = e.as_table()) fix_table(*t, spec);
    }
}

namespace {

double numeric(const toml::node& n, bool& ok) {
    ok = true;
    if (auto i = n.as_integer()) return double(i->get());
    if (auto f = n.as_floating_point()) return f->get();
    if (auto s = n.as_string()) {
        double v = 0;
        if (parse_duration(s->get(), v)) return v;
    }
    ok = false;
    return 0;
}

// Puts `value` (a number, or a listed node) at the target's key in the member's scene.
void apply(toml::table& root, const Target& t, const Param& p, const MemberValues& mv, size_t pi, uint64_t member) {
    auto fail = [&](const std::string& msg) {
        throw InputError(t.where, "[[vary]] '" + p.name + "', member " + std::to_string(member) + ": " + msg);
    };
    std::vector<detail::KeyStep> steps;
    detail::split_key(t.key, steps);
    toml::table* at = &root;
    for (size_t k = 0; k + 1 < steps.size(); ++k) {
        const detail::KeyStep& s = steps[k];
        toml::node* n = at->get(s.name);
        if (!s.index) {
            if (!n) n = &at->insert_or_assign(s.name, toml::table{}).first->second;
            if (!n->is_table())
                fail("'" + s.name + "' in \"" + t.key + "\" is " + detail::kind_word(*n) + " in the base scene, not a table");
            at = n->as_table();
            continue;
        }
        if (!n || !n->is_array()) fail("\"" + t.key + "\": the base scene has no list '" + s.name + "' to index");
        toml::array& arr = *n->as_array();
        if (s.index > arr.size())
            fail("\"" + t.key + "\": the base scene's '" + s.name + "' has " + std::to_string(arr.size()) + (arr.size() == 1 ? " entry" : " entries"));
        toml::node* e = arr.get(s.index - 1);
        if (!e->is_table()) fail("\"" + t.key + "\": entry " + std::to_string(s.index) + " of '" + s.name + "' is not a table");
        at = e->as_table();
    }
    const detail::KeyStep& leaf = steps.back();
    // The new value as a node.
    const bool scaled = t.scale != 1 || t.offset != 0 || t.add;
    std::optional<double> number;
    const toml::node* listed = nullptr;
    if (p.sampled) number = mv.number[pi];
    else {
        listed = p.values[mv.listed[pi]];
        bool ok = false;
        const double v = numeric(*listed, ok);
        if (ok && (listed->is_integer() || listed->is_floating_point())) number = v;
        else if (scaled) fail("scale, offset and add need a number, and value " + std::to_string(mv.listed[pi] + 1) + " is " +
                              detail::kind_word(*listed));
    }
    auto put = [&](toml::table& tab, const std::string& key, toml::array* arr, size_t index) {
        toml::node* old = arr ? arr->get(index) : tab.get(key);
        if (number) {
            double v = t.offset + t.scale * *number;
            if (t.add) {
                bool ok = false;
                if (!old) fail("\"" + t.key + "\" has no base value to add to");
                const double base = numeric(*old, ok);
                if (!ok) fail("\"" + t.key + "\" is " + std::string(detail::kind_word(*old)) + " in the base scene, not a number to add to");
                v += base;
            }
            const bool whole = (p.integer || (listed && listed->is_integer()) || (old && old->is_integer())) && v == std::floor(v) &&
                               std::fabs(v) < 9.0e15;
            if (arr) {
                if (whole) arr->replace(arr->begin() + std::ptrdiff_t(index), int64_t(v));
                else arr->replace(arr->begin() + std::ptrdiff_t(index), v);
            } else if (whole) tab.insert_or_assign(key, int64_t(v));
            else tab.insert_or_assign(key, v);
        } else {
            // Copies of the listed node, of its own kind.
            listed->visit([&](auto&& node) {
                if (arr) arr->replace(arr->begin() + std::ptrdiff_t(index), node);
                else tab.insert_or_assign(key, node);
            });
        }
    };
    if (leaf.index) {
        toml::node* n = at->get(leaf.name);
        if (!n || !n->is_array()) fail("\"" + t.key + "\": the base scene has no list '" + leaf.name + "' to index");
        toml::array& arr = *n->as_array();
        if (leaf.index > arr.size())
            fail("\"" + t.key + "\": the base scene's '" + leaf.name + "' has " + std::to_string(arr.size()) + (arr.size() == 1 ? " entry" : " entries"));
        put(*at, leaf.name, &arr, leaf.index - 1);
    } else {
        put(*at, leaf.name, nullptr, 0);
    }
}

// The peak resident memory of a short run of the first member, in MiB, for the batch script's --mem.
std::optional<double> probe_memory(const std::string& exe, const fs::path& scene, double dt_s, const fs::path& tmp) {
    const pid_t pid = fork();
    if (pid < 0) return std::nullopt;
    if (pid == 0) {
        const std::string until = shortest(dt_s * 4);
        const int null = ::open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        execl(exe.c_str(), exe.c_str(), "run", scene.c_str(), "--until", until.c_str(), "--export", tmp.c_str(), (char*)nullptr);
        _exit(127);
    }
    int status = 0;
    struct rusage ru {};
    if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
    return double(ru.ru_maxrss) / 1024.0;
}

}  // namespace

std::string self_executable() {
    std::error_code ec;
    const fs::path p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("infrascape") : p.string();
}

int plan_into(const PlanOptions& o);  // below: the planning itself

int plan_command(const PlanOptions& o) {
    std::error_code ec;
    const bool fresh = !fs::exists(o.dir, ec);
    try {
        return plan_into(o);
    } catch (...) {
        if (fresh) fs::remove_all(o.dir, ec);  // nothing half-planned is left behind
        throw;
    }
}

int plan_into(const PlanOptions& o) {
    const auto t0 = std::chrono::steady_clock::now();
    Sweep s = load_sweep(o.sweep_file);
    std::error_code ec;
    if (fs::exists(o.dir / "plan.toml", ec))
        throw std::invalid_argument(o.dir.string() + " already holds a planned sweep; remove it or plan into another folder");
    if (fs::exists(o.dir, ec) && !fs::is_directory(o.dir, ec))
        throw std::invalid_argument(o.dir.string() + " exists and is not a folder");
    const fs::path dir = fs::absolute(o.dir, ec).lexically_normal();
    for (const char* sub : {"members", "results", "logs"}) fs::create_directories(dir / sub);

    const std::vector<BlockSpec> specs = all_block_specs();
    toml::table base = detail::parse_file(s.base, s.base.string());
    detail::rebase_paths(base, specs, s.base.parent_path(), dir / "members");
    const std::vector<MemberValues> values = member_values(s);
    const uint64_t n = values.size();

    std::ofstream manifest(dir / "manifest.csv");
    manifest << "member,scene,group,sample";
    for (const Param& p : s.params) manifest << ',' << p.name;
    manifest << '\n';
    double dt_s = 0;
    // Each member's scene is written and read back through the scene loader (so a value the scene refuses is
    // caught here, not on a cluster hours later), on every core; the first failing member (lowest index) is said.
    auto make_member = [&](uint64_t m) {
        toml::table scene = base;
        for (size_t pi = 0; pi < s.params.size(); ++pi) {
            const Param& p = s.params[pi];
            for (const Target& t : p.targets) apply(scene, t, p, values[m], pi, m);
        }
        const fs::path file = member_scene(dir, m);
        {
            std::ofstream f(file);
            f << "# Member " << m << " of the sweep " << s.name << " (" << s.file.string() << "), base scene "
              << s.base.string() << ":\n#";
            for (size_t pi = 0; pi < s.params.size(); ++pi) f << ' ' << s.params[pi].name << " = " << values[m].label[pi] << ';';
            f << "\n# Written by `infrascape sweep plan`; run it alone with `infrascape run` to reproduce the member.\n"
              << toml::toml_formatter(scene) << '\n';
            if (!f) throw std::runtime_error("cannot write " + file.string());
        }
        try {
            const Scene loaded = load_scene(file, specs);
            if (m == 0) dt_s = loaded.params.number("world.dt_s");
        } catch (const InputError& e) {
            // Said at the [[vary]] target whose key the scene's message names, else at the member's own file.
            for (const Param& p : s.params)
                for (const Target& t : p.targets) {
                    std::vector<detail::KeyStep> steps;
                    detail::split_key(t.key, steps);
                    if (e.message().find("'" + t.key + "'") != std::string::npos ||
                        e.message().find("'" + steps.back().name + "'") != std::string::npos)
                        throw InputError(t.where, "[[vary]] '" + p.name + "', member " + std::to_string(m) + ": " + e.message());
                }
            throw InputError(e.where(), e.message() + " (in member " + std::to_string(m) + " of the sweep " + o.sweep_file.string() +
                                            ", made from its base scene and [[vary]] values)");
        }
    };
    std::atomic<uint64_t> next{0};
    std::mutex failure_mutex;
    uint64_t failed_member = UINT64_MAX;
    std::exception_ptr failure;
    auto worker = [&] {
        for (uint64_t m; (m = next++) < n;) {
            {
                std::lock_guard<std::mutex> lock(failure_mutex);
                if (m > failed_member) return;
            }
            try {
                make_member(m);
            } catch (...) {
                std::lock_guard<std::mutex> lock(failure_mutex);
                if (m < failed_member) failed_member = m, failure = std::current_exception();
            }
        }
    };
    const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 16u);
    std::vector<std::thread> pool;
    for (unsigned k = 1; k < threads && n > 64; ++k) pool.emplace_back(worker);
    worker();
    for (std::thread& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);
    for (uint64_t m = 0; m < n; ++m) {
        manifest << m << ",members/" << member_id(m) << ".toml," << values[m].group << ',' << values[m].sample;
        for (size_t pi = 0; pi < s.params.size(); ++pi) manifest << ',' << csv_field(values[m].label[pi]);
        manifest << '\n';
    }
    manifest.close();

    // plan.toml: what member, run, submit, status and collect need, without the sweep file's base path.
    toml::table plan;
    plan.insert("format", "infrascape-sweep-plan 1");
    plan.insert("name", s.name);
    plan.insert("title", s.title);
    plan.insert("until_s", s.until_s);
    plan.insert("members", int64_t(n));
    plan.insert("keep_exports", s.keep_exports);
    toml::array params, groups;
    for (const Param& p : s.params) {
        params.push_back(p.name);
        if (!p.sampled) groups.push_back(p.name);
    }
    plan.insert("params", params);
    plan.insert("group_params", groups);
    toml::array outputs, fields;
    for (const Output& out : s.outputs) {
        toml::table t{{"name", out.name}, {"file", out.file}, {"column", out.column}, {"reduce", out.reduce}, {"plot", out.plot},
                      {"scale", out.scale}};
        toml::table where;
        for (const auto& [k, v] : out.where) where.insert(k, v);
        t.insert("where", where);
        if (out.at_s) t.insert("at_s", *out.at_s);
        toml::array above;
        for (double a : out.above) above.push_back(a);
        t.insert("above", above);
        outputs.push_back(t);
    }
    for (const Field& f : s.fields) {
        toml::table view;
        for (const auto& [k, v] : f.view) view.insert(k, v);
        fields.push_back(toml::table{{"name", f.name}, {"file", f.file}, {"above", f.above}, {"view", view}});
    }
    plan.insert("output", outputs);
    plan.insert("field", fields);
    {
        std::ofstream f(dir / "plan.toml");
        f << "# Written by `infrascape sweep plan` from " << s.file.string() << "; read by sweep run, submit, status and collect.\n"
          << toml::toml_formatter(plan) << '\n';
    }
    fs::copy_file(s.file, dir / "sweep.toml", fs::copy_options::overwrite_existing);

    // The batch script: one array task per member, `sweep submit` gives the range and the offset.
    const std::string exe = o.executable.empty() ? self_executable() : o.executable;
    std::string mem = s.slurm.mem;
    std::string mem_note = "from [slurm] mem";
    if (mem.empty()) {
        std::optional<double> rss;
        if (o.probe) rss = probe_memory(exe, member_scene(dir, 0), dt_s, dir / "logs" / "probe-export");
        fs::remove_all(dir / "logs" / "probe-export", ec);
        const double mib = rss ? std::ceil((*rss * 1.5 + 256.0) / 256.0) * 256.0 : 4096.0;
        mem = shortest(mib) + "M";
        mem_note = rss ? "1.5 x the " + shortest(std::round(*rss)) + " MiB peak of a short run of member 0, plus 256 MiB"
                       : "a default of 4 GiB (no probe run)";
    }
    {
        std::ofstream f(dir / "sweep.sbatch");
        f << "#!/bin/bash\n"
          << "# Written by `infrascape sweep plan`: the members of the sweep " << s.name << " as a Slurm job array, one member\n"
          << "# per task. Submit it with `infrascape sweep submit DIR` (it sets --array and SWEEP_OFFSET for arrays larger\n"
          << "# than the cluster's MaxArraySize, and --chdir to this folder). Memory: " << mem_note << ".\n"
          << "#SBATCH --job-name=infrascape-" << s.name << "\n"
          << "#SBATCH --cpus-per-task=" << s.slurm.cpus_per_task << "\n"
          << "#SBATCH --mem=" << mem << "\n"
          << "#SBATCH --output=logs/slurm-%A_%a.out\n";
        if (!s.slurm.partition.empty()) f << "#SBATCH --partition=" << s.slurm.partition << "\n";
        if (!s.slurm.time.empty()) f << "#SBATCH --time=" << s.slurm.time << "\n";
        if (s.slurm.gpus_per_task) f << "#SBATCH --gpus-per-task=" << s.slurm.gpus_per_task << "\n";
        for (const std::string& e : s.slurm.extra) f << "#SBATCH " << e << "\n";
        f << "set -eu\n"
          << "member=$(( ${SWEEP_OFFSET:-0} + SLURM_ARRAY_TASK_ID ))\n"
          << "# The software device (llvmpipe) uses the task's CPUs; a GPU, when the partition gives one, is used instead.\n"
          << "export LP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-" << s.slurm.cpus_per_task << "}\n"
          << "exec \"${INFRASCAPE:-" << exe << "}\" sweep member . \"$member\"\n";
    }
    fs::permissions(dir / "sweep.sbatch", fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add, ec);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("planned %llu member%s of %s in %s (%.1f s): members/, manifest.csv, plan.toml, sweep.sbatch (--mem=%s)\n",
                (unsigned long long)n, n == 1 ? "" : "s", s.name.c_str(), dir.c_str(), secs, mem.c_str());
    return 0;
}

Plan read_plan(const fs::path& dir) {
    const fs::path file = dir / "plan.toml";
    std::error_code ec;
    if (!fs::exists(file, ec))
        throw std::invalid_argument(dir.string() + " holds no plan.toml; make one with `infrascape sweep plan SWEEP -o " +
                                    dir.string() + "`");
    const toml::table t = detail::parse_file(file, file.string());
    detail::Reader r{file.string()};
    Plan p;
    p.dir = dir;
    if (r.text(t, "format", "plan.toml", true) != "infrascape-sweep-plan 1")
        r.fail(*t.get("format"), "not a plan this version of infrascape reads (format \"infrascape-sweep-plan 1\")");
    p.name = r.text(t, "name", "plan.toml", true);
    p.title = r.text(t, "title", "plan.toml", false, p.name);
    p.until_s = r.number(t, "until_s", "plan.toml", true);
    const double members = r.number(t, "members", "plan.toml", true);
    if (members < 1 || members != std::floor(members)) r.fail(*t.get("members"), "'members' must be a whole number >= 1");
    p.members = uint64_t(members);
    p.keep_exports = r.flag(t, "keep_exports", "plan.toml", false);
    auto names = [&](const char* key, std::vector<std::string>& out) {
        if (const toml::array* a = r.array(t, key, "plan.toml"))
            for (const auto& e : *a) {
                if (!e.is_string()) r.fail(e, std::string("'") + key + "' must hold strings");
                out.push_back(e.as_string()->get());
            }
    };
    names("params", p.param_names);
    names("group_params", p.group_params);
    if (const toml::array* outs = r.array(t, "output", "plan.toml"))
        for (const auto& e : *outs) {
            const auto* ot = e.as_table();
            if (!ot) r.fail(e, "[[output]] entries must be tables");
            Output o;
            o.where_pos = r.pos(e);
            o.name = r.text(*ot, "name", "[[output]]", true);
            o.file = r.text(*ot, "file", "[[output]]", true);
            o.column = r.text(*ot, "column", "[[output]]", true);
            o.reduce = r.text(*ot, "reduce", "[[output]]", false, "only");
            o.plot = r.text(*ot, "plot", "[[output]]", false, o.name);
            o.scale = r.number(*ot, "scale", "[[output]]", false, 1.0);
            if (const toml::node* w = ot->get("where"); w && w->is_table())
                for (const auto& [k, v] : *w->as_table())
                    if (v.is_string()) o.where.emplace_back(std::string(k.str()), v.as_string()->get());
            if (ot->contains("at_s")) o.at_s = r.number(*ot, "at_s", "[[output]]", true);
            if (const toml::array* a = r.array(*ot, "above", "[[output]]"))
                for (const auto& x : *a) {
                    bool ok = false;
                    o.above.push_back(numeric(x, ok));
                    if (!ok) r.fail(x, "'above' must hold numbers");
                }
            p.outputs.push_back(o);
        }
    if (const toml::array* fields = r.array(t, "field", "plan.toml"))
        for (const auto& e : *fields) {
            const auto* ft = e.as_table();
            if (!ft) r.fail(e, "[[field]] entries must be tables");
            Field f;
            f.where = r.pos(e);
            f.name = r.text(*ft, "name", "[[field]]", true);
            f.file = r.text(*ft, "file", "[[field]]", true);
            f.above = r.number(*ft, "above", "[[field]]", true);
            if (const toml::node* v = ft->get("view"); v && v->is_table())
                for (const auto& [k, val] : *v->as_table())
                    if (val.is_string()) f.view.emplace_back(std::string(k.str()), val.as_string()->get());
            p.fields.push_back(f);
        }
    return p;
}

}  // namespace infrascape::sweep
