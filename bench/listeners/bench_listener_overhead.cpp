// Listener cost per test case: a binary of 10,000 trivial tests with the pss
// listener (tracing to a file; tracing plus progress file; installed but
// inactive) against the same tests under plain GoogleTest, in the same run.
// Goal: at most 2 us added per test when tracing.
//
//   bench_listener_overhead [--tests=10000] [--rounds=7]
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "bench_util.hpp"

namespace {

// The system calls the listener makes per test, timed alone (CPU time, as
// the figures above), to read the
// figures against: getrusage at start and end, one write(2) of the record;
// with a progress file also a pwrite and an ftruncate. Their cost varies a
// lot between machines (virtual machines with expensive kernel entry).
struct SyscallCosts {
    double getrusage_ns = 0, append_ns = 0, progress_ns = 0;
};

SyscallCosts syscall_costs(const std::string& dir) {
    constexpr int n = 20000;
    SyscallCosts c;
    rusage ru{};
    double start = bench::thread_cpu_seconds();
    for (int i = 0; i < n; ++i) getrusage(RUSAGE_SELF, &ru);
    c.getrusage_ns = (bench::thread_cpu_seconds() - start) / n * 1e9;

    const std::string line(354, 'x');
    const int fd = ::open((dir + "/append").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    start = bench::thread_cpu_seconds();
    for (int i = 0; i < n; ++i)
        if (::write(fd, line.data(), line.size()) < 0) break;
    c.append_ns = (bench::thread_cpu_seconds() - start) / n * 1e9;
    ::close(fd);

    const int pfd = ::open((dir + "/progress-cost").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    start = bench::thread_cpu_seconds();
    for (int i = 0; i < n; ++i) {
        if (::pwrite(pfd, line.data(), 40, 0) < 0 || ::ftruncate(pfd, 0) != 0) break;
    }
    c.progress_ns = (bench::thread_cpu_seconds() - start) / n * 1e9;
    ::close(pfd);
    return c;
}

}  // namespace

int main(int argc, char** argv) {
    const long tests = bench::arg_number(argc, argv, "tests", 10000);
    const long rounds = bench::arg_number(argc, argv, "rounds", 7);
    const std::string dir = (std::filesystem::temp_directory_path() / ("pss-bench-listener-" + std::to_string(getpid()))).string();
    std::filesystem::create_directories(dir);
    const std::string trace = dir + "/trace.ndjson";
    const std::string tests_arg = "--tests=" + std::to_string(tests);

    struct Mode {
        const char* label;
        std::string exe;
        std::map<std::string, std::string> env;
        std::vector<double> seconds;  // CPU time of the process
        std::vector<double> wall;
    };
    const std::map<std::string, std::string> no_pss = {{"PSS_TRACE_FILE", ""}, {"PSS_PROGRESS_FILE", ""}, {"PSS_RUN", ""}};
    std::vector<Mode> modes = {
        {"plain GoogleTest (baseline)", PSS_BENCH_PLAIN_EXE, no_pss, {}, {}},
        {"pss listener, inactive (no env)", PSS_BENCH_PSS_EXE, no_pss, {}, {}},
        {"pss listener, PSS_TRACE_FILE", PSS_BENCH_PSS_EXE, {{"PSS_TRACE_FILE", trace}, {"PSS_PROGRESS_FILE", ""}}, {}, {}},
        {"pss listener, trace + progress file", PSS_BENCH_PSS_EXE,
         {{"PSS_TRACE_FILE", trace}, {"PSS_PROGRESS_FILE", dir + "/progress"}}, {}, {}},
    };

    try {
        for (long round = 0; round < rounds; ++round) {
            for (Mode& m : modes) {  // interleaved, so drift hits every mode alike
                std::filesystem::remove(trace);
                const bench::ChildTimes t = bench::run_timed({m.exe, tests_arg, "--gtest_brief=1"}, m.env);
                m.seconds.push_back(t.cpu);
                m.wall.push_back(t.wall);
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_listener_overhead: %s\n", e.what());
        return 3;
    }
    std::uintmax_t trace_bytes = std::filesystem::exists(trace) ? std::filesystem::file_size(trace) : 0;
    const SyscallCosts costs = syscall_costs(dir);
    std::filesystem::remove_all(dir);

    const double base = bench::median(modes[0].seconds);
    std::printf("listener overhead: %ld trivial tests, %ld rounds, median CPU time (user + system) per process\n",
                tests, rounds);
    for (const Mode& m : modes) {
        const double t = bench::median(m.seconds);
        const double added_us = (t - base) / static_cast<double>(tests) * 1e6;
        std::printf("  %-38s %8.1f ms  %6.2f us/test  added %+6.2f us/test  ratio %.3f  (wall %.1f ms)\n", m.label,
                    t * 1e3, t / static_cast<double>(tests) * 1e6, added_us, t / base, bench::median(m.wall) * 1e3);
    }
    const double traced = (bench::median(modes[2].seconds) - base) / static_cast<double>(tests) * 1e6;
    const double kernel_us = (2 * costs.getrusage_ns + costs.append_ns) * 1e-3;
    std::printf("  trace record size: %.0f bytes/test\n", static_cast<double>(trace_bytes) / static_cast<double>(tests));
    std::printf("  system calls per test, timed alone on this machine: 2 getrusage %.2f us + 1 write %.2f us = %.2f us"
                " (progress file: + %.2f us)\n",
                2 * costs.getrusage_ns * 1e-3, costs.append_ns * 1e-3, kernel_us, costs.progress_ns * 1e-3);
    std::printf("  added per test without those system calls: %.2f us\n", traced - kernel_us);
    std::printf("  goal: <= 2 us added per test with PSS_TRACE_FILE: %.2f us (%s)\n", traced, bench::verdict(traced, 2.0));
    return 0;
}
