// A progress bar with ETA for long commands (render, run, sweep run), and the "00:12:30" time format it uses.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

namespace infrascape {

// "00:12:30" for up to two days, then "3.5 d" or "200.0 y".
inline std::string hms(double s) {
    if (s > 365.25 * 86400) return std::to_string(int(std::lround(s / (365.25 * 86400)))) + " y";
    if (s > 2 * 86400) return std::to_string(int(std::lround(s / 86400))) + " d";
    int t = int(std::lround(std::max(s, 0.0)));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60);
    return buf;
}

// A progress bar with ETA on a terminal; a line every 10% otherwise (logs, CI).
class Progress {
public:
    Progress(std::string what, uint64_t total, bool quiet) : what_(std::move(what)), total_(total), quiet_(quiet) {
        tty_ = isatty(STDERR_FILENO);
        start_ = std::chrono::steady_clock::now();
    }
    void update(uint64_t done) {
        if (quiet_) return;
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        const double frac = total_ ? double(done) / total_ : 1.0;
        const double eta = done ? elapsed / done * (total_ - done) : 0.0;
        const int pct = int(frac * 100);
        if (tty_) {
            const int width = 30, filled = int(frac * width);
            std::fprintf(stderr, "\r%s [%s%s] %3d%% %llu/%llu  elapsed %s  ETA %s", what_.c_str(),
                         std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(), pct,
                         (unsigned long long)done, (unsigned long long)total_, hms(elapsed).c_str(), hms(eta).c_str());
            if (done == total_) std::fprintf(stderr, "\n");
        } else if (pct / 10 != last_decile_ || done == total_) {
            last_decile_ = pct / 10;
            std::fprintf(stderr, "%s %3d%% (%llu/%llu) elapsed %s ETA %s\n", what_.c_str(), pct,
                         (unsigned long long)done, (unsigned long long)total_, hms(elapsed).c_str(), hms(eta).c_str());
        }
    }

private:
    std::string what_;
    uint64_t total_;
    bool quiet_, tty_ = false;
    int last_decile_ = -1;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace infrascape
