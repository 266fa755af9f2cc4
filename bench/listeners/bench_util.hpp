// Small helpers shared by the listener benchmarks: clocks, robust summaries,
// running a child program, command-line numbers.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

extern char** environ;

namespace bench {

inline double now_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

inline double minimum(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

// The median of the per-round differences `of[i] - baseline[i]`: rounds run
// both back to back, so a machine that speeds up or slows down between
// rounds moves both alike and the difference keeps still, where the
// difference of two medians takes each from a different round.
inline double paired_median_difference(const std::vector<double>& of, const std::vector<double>& baseline) {
    std::vector<double> d;
    for (std::size_t i = 0; i < of.size() && i < baseline.size(); ++i) d.push_back(of[i] - baseline[i]);
    return d.empty() ? 0.0 : median(d);
}

// "--name=value" from argv, or `fallback`.
inline long arg_number(int argc, char** argv, std::string_view name, long fallback) {
    const std::string prefix = "--" + std::string(name) + "=";
    for (int i = 1; i < argc; ++i)
        if (std::string_view(argv[i]).starts_with(prefix)) return std::strtol(argv[i] + prefix.size(), nullptr, 10);
    return fallback;
}

// CPU time (user + system) of the calling thread, in seconds. On a shared
// machine it is far steadier than wall time: waiting for a core is not in it.
inline double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct ChildTimes {
    double wall = 0;
    double cpu = 0;  // user + system of the child
};

// Runs argv with `env_changes` (empty value: unset), stdout to /dev/null;
// returns its wall and CPU time. Throws when the program cannot run or dies
// from a signal (a failing exit code is allowed: benchmarks may fail tests).
inline ChildTimes run_timed(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env_changes) {
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string_view entry(*e);
        const std::string key(entry.substr(0, entry.find('=')));
        if (!env_changes.count(key)) env_strings.emplace_back(entry);
    }
    for (const auto& [key, value] : env_changes)
        if (!value.empty()) env_strings.push_back(key + "=" + value);
    std::vector<char*> envp, args;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_copy = argv;
    for (auto& s : argv_copy) args.push_back(s.data());
    args.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const double start = now_seconds();
    const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(rc));
    int status = 0;
    rusage usage{};
    while (wait4(pid, &status, 0, &usage) < 0) {
    }
    ChildTimes t;
    t.wall = now_seconds() - start;
    t.cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
            static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
    if (WIFSIGNALED(status)) throw std::runtime_error(argv[0] + " died from signal " + std::to_string(WTERMSIG(status)));
    return t;
}

inline const char* verdict(double value, double goal) { return value <= goal ? "goal met" : "ABOVE GOAL"; }

}  // namespace bench
