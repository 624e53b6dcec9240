// Running a sweep's members: here, N at a time (`sweep run`), or as a Slurm job array (`sweep submit`,
// `sweep status`). Both run each member as `infrascape sweep member DIR I`, so both give the same results.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "app/progress.hpp"
#include "app/sweep/sweep.hpp"

namespace infrascape::sweep {

namespace {

bool has_result(const fs::path& dir, uint64_t m) {
    std::error_code ec;
    return fs::exists(member_result(dir, m), ec);
}

std::string failure_of(const fs::path& dir, uint64_t m) {
    std::ifstream in(fs::path(member_result(dir, m)).replace_extension(".failed"));
    std::string line;
    if (in && std::getline(in, line)) return line;
    return "";
}

// Runs a command, returns its exit status and its standard output (standard error goes to ours).
int capture(const std::string& command, std::string& out) {
    out.clear();
    FILE* p = popen(command.c_str(), "r");
    if (!p) return -1;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// "0-3,7,9-10": Slurm's --array syntax for sorted indices.
std::string ranges(const std::vector<uint64_t>& v) {
    std::string out;
    for (size_t i = 0; i < v.size();) {
        size_t j = i;
        while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
        out += (out.empty() ? "" : ",") + std::to_string(v[i]) + (j > i ? "-" + std::to_string(v[j]) : "");
        i = j + 1;
    }
    return out;
}

// A submitted array: the job id, the offset its task ids are added to, and the members it runs.
struct Job {
    std::string id;
    uint64_t offset = 0;
    std::vector<uint64_t> members;
};

std::vector<Job> read_jobs(const fs::path& dir) {
    std::vector<Job> jobs;
    std::ifstream in(dir / "jobs.txt");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream is(line);
        Job j;
        std::string list;
        if (!(is >> j.id >> j.offset >> list)) continue;
        std::istringstream ls(list);
        std::string part;
        while (std::getline(ls, part, ',')) {
            const size_t dash = part.find('-');
            const uint64_t a = std::stoull(part.substr(0, dash));
            const uint64_t b = dash == std::string::npos ? a : std::stoull(part.substr(dash + 1));
            for (uint64_t t = a; t <= b; ++t) j.members.push_back(j.offset + t);
        }
        jobs.push_back(j);
    }
    return jobs;
}

// Queue state of each member whose array task is still in the queue (squeue -r lists one line per task).
std::map<uint64_t, std::string> queued(const std::vector<Job>& jobs) {
    std::map<uint64_t, std::string> state;
    if (jobs.empty()) return state;
    std::string ids;
    for (const Job& j : jobs) ids += (ids.empty() ? "" : ",") + j.id;
    std::string out;
    if (capture("squeue -h -r -o '%i %T' -j " + shell_quote(ids) + " 2>/dev/null", out) != 0) return state;
    std::istringstream is(out);
    std::string id, st;
    while (is >> id >> st) {
        const size_t us = id.find('_');
        if (us == std::string::npos) continue;
        const std::string job = id.substr(0, us), task = id.substr(us + 1);
        for (const Job& j : jobs)
            if (j.id == job) {
                if (task.find_first_not_of("0123456789") != std::string::npos) {  // "[3-9]": not yet split
                    for (uint64_t m : j.members) state.emplace(m, st);
                } else {
                    state[j.offset + std::stoull(task)] = st;
                }
            }
    }
    return state;
}

uint64_t max_array_size() {
    std::string out;
    if (capture("scontrol show config 2>/dev/null", out) == 0) {
        const size_t at = out.find("MaxArraySize");
        if (at != std::string::npos) {
            const size_t eq = out.find('=', at);
            if (eq != std::string::npos) {
                const uint64_t v = std::strtoull(out.c_str() + eq + 1, nullptr, 10);
                if (v > 0) return v;
            }
        }
    }
    return 1001;  // Slurm's default
}

}  // namespace

int run_local_command(const RunLocalOptions& o) {
    const Plan plan = read_plan(o.dir);
    const uint32_t cores = std::max(1u, std::thread::hardware_concurrency());
    const uint32_t jobs = o.jobs ? o.jobs : cores;
    std::vector<uint64_t> todo;
    for (uint64_t m = 0; m < plan.members; ++m)
        if (o.force || !has_result(o.dir, m)) todo.push_back(m);
    const uint64_t skipped = plan.members - todo.size();
    if (skipped) std::printf("%llu of %llu members already have results (--force runs them again)\n",
                             (unsigned long long)skipped, (unsigned long long)plan.members);
    // The software device's threads are shared out among the members running at once.
    const std::string threads = std::to_string(std::max(1u, cores / jobs));
    const std::string exe = self_executable();
    const std::string dir = fs::absolute(o.dir).string();
    Progress progress("sweep " + plan.name, todo.size(), o.quiet);
    std::map<pid_t, uint64_t> running;
    std::vector<uint64_t> failed;
    size_t next = 0, finished = 0;
    const auto t0 = std::chrono::steady_clock::now();
    while (next < todo.size() || !running.empty()) {
        while (next < todo.size() && running.size() < jobs) {
            const uint64_t m = todo[next++];
            const std::string log = member_log(o.dir, m).string();
            const std::string index = std::to_string(m), device = std::to_string(o.device);
            const pid_t pid = fork();
            if (pid < 0) throw std::runtime_error("cannot start a member: fork failed");
            if (pid == 0) {
                const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
                if (fd >= 0) {
                    dup2(fd, 1);
                    dup2(fd, 2);
                    ::close(fd);
                }
                setenv("LP_NUM_THREADS", threads.c_str(), 0);
                if (o.device >= 0)
                    execl(exe.c_str(), exe.c_str(), "sweep", "member", dir.c_str(), index.c_str(), "--device", device.c_str(),
                          (char*)nullptr);
                else execl(exe.c_str(), exe.c_str(), "sweep", "member", dir.c_str(), index.c_str(), (char*)nullptr);
                _exit(127);
            }
            running[pid] = m;
        }
        int status = 0;
        const pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) break;
        auto it = running.find(pid);
        if (it == running.end()) continue;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !has_result(o.dir, it->second)) failed.push_back(it->second);
        running.erase(it);
        progress.update(++finished);
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("ran %zu member%s in %s with %u at a time (%.0f members per hour): %zu done, %zu failed\n", todo.size(),
                todo.size() == 1 ? "" : "s", hms(secs).c_str(), jobs, secs > 0 ? todo.size() / secs * 3600 : 0.0,
                todo.size() - failed.size(), failed.size());
    std::sort(failed.begin(), failed.end());
    for (size_t k = 0; k < failed.size() && k < 20; ++k) {
        const std::string why = failure_of(o.dir, failed[k]);
        std::printf("  member %llu failed: %s (log: %s)\n", (unsigned long long)failed[k],
                    why.empty() ? "no result" : why.c_str(), member_log(o.dir, failed[k]).c_str());
    }
    return failed.empty() ? 0 : 1;
}

int submit_command(const fs::path& dir_in, bool retry_failed, bool dry_run) {
    const fs::path dir = fs::absolute(dir_in).lexically_normal();
    const Plan plan = read_plan(dir);
    std::string out;
    if (!dry_run && capture("command -v sbatch", out) != 0)
        throw std::runtime_error("sbatch is not on the PATH: is Slurm installed? (scripts/slurm-local.sh start sets up a "
                                 "one-node cluster on this machine)");
    const std::vector<Job> jobs = read_jobs(dir);
    std::vector<uint64_t> members;
    if (retry_failed) {
        const auto q = queued(jobs);
        for (uint64_t m = 0; m < plan.members; ++m)
            if (!has_result(dir, m) && !q.count(m)) members.push_back(m);
        if (members.empty()) {
            std::printf("no member to retry: every member has a result or is still queued\n");
            return 0;
        }
    } else {
        if (!jobs.empty())
            throw std::invalid_argument("the sweep in " + dir.string() + " was submitted already (jobs.txt); use --retry-failed "
                                        "for the members that ended without a result");
        for (uint64_t m = 0; m < plan.members; ++m)
            if (!has_result(dir, m)) members.push_back(m);
    }
    // Arrays larger than MaxArraySize go in chunks, each with an offset added to its task ids.
    const uint64_t chunk = dry_run ? 1001 : max_array_size();
    std::map<uint64_t, std::vector<uint64_t>> by_offset;
    for (uint64_t m : members) by_offset[m / chunk * chunk].push_back(m - m / chunk * chunk);
    std::ofstream record(dir / "jobs.txt", std::ios::app);
    for (const auto& [offset, tasks] : by_offset) {
        const std::string array = ranges(tasks);
        const std::string cmd = "sbatch --parsable --chdir=" + shell_quote(dir.string()) + " --array=" + array +
                                " --export=ALL,SWEEP_OFFSET=" + std::to_string(offset) + " " +
                                shell_quote((dir / "sweep.sbatch").string());
        if (dry_run) {
            std::printf("%s\n", cmd.c_str());
            continue;
        }
        if (capture(cmd, out) != 0) throw std::runtime_error("sbatch failed: " + cmd);
        const std::string id = out.substr(0, out.find_first_of(";\n"));
        record << id << ' ' << offset << ' ' << array << '\n';
        record.flush();
        std::printf("submitted job %s: %zu member%s (offset %llu, array %s)\n", id.c_str(), tasks.size(),
                    tasks.size() == 1 ? "" : "s", (unsigned long long)offset, array.c_str());
    }
    return 0;
}

int status_command(const fs::path& dir_in) {
    const fs::path dir = fs::absolute(dir_in).lexically_normal();
    const Plan plan = read_plan(dir);
    const std::vector<Job> jobs = read_jobs(dir);
    std::set<uint64_t> submitted;
    for (const Job& j : jobs) submitted.insert(j.members.begin(), j.members.end());
    const auto q = queued(jobs);
    uint64_t done = 0, pending = 0, running = 0, failed = 0, lost = 0, not_run = 0;
    std::vector<std::string> problems;
    for (uint64_t m = 0; m < plan.members; ++m) {
        if (has_result(dir, m)) {
            ++done;
            continue;
        }
        auto it = q.find(m);
        if (it != q.end()) {
            if (it->second == "RUNNING" || it->second == "COMPLETING") ++running;
            else ++pending;
            continue;
        }
        const std::string why = failure_of(dir, m);
        if (!why.empty()) {
            ++failed;
            problems.push_back("member " + std::to_string(m) + " failed: " + why);
        } else if (submitted.count(m)) {
            ++lost;
            problems.push_back("member " + std::to_string(m) + " ended without a result (cancelled, killed, preempted or out of time)");
        } else {
            ++not_run;
        }
    }
    std::printf("%s: %llu members: %llu done, %llu running, %llu pending, %llu failed, %llu ended without a result, %llu not run\n",
                plan.name.c_str(), (unsigned long long)plan.members, (unsigned long long)done, (unsigned long long)running,
                (unsigned long long)pending, (unsigned long long)failed, (unsigned long long)lost, (unsigned long long)not_run);
    for (size_t k = 0; k < problems.size() && k < 20; ++k) std::printf("  %s\n", problems[k].c_str());
    if (problems.size() > 20) std::printf("  ... and %zu more\n", problems.size() - 20);
    if (failed + lost) std::printf("resubmit them with `infrascape sweep submit %s --retry-failed`\n", dir_in.c_str());
    return 0;
}

}  // namespace infrascape::sweep
