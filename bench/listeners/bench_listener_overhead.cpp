// Listener cost per test case: a binary of 10,000 trivial tests with the pss
// listener against the same tests under plain GoogleTest, in the same run:
// pss-run's settings (own trace file + progress file, PSS_MAPPED_FILES=1),
// trace only (own file), installed but inactive; for comparison also a trace
// file shared with other processes (flock + write per record) and pss-run's
// settings with PSS_NO_PERF_EVENT=1 (a system call per reading, as where the
// kernel refuses perf_event_open).
// Goals: <= 1 us added per test with pss-run's settings, <= 0.5 us with the
// trace only, +0 inactive (within the baseline's own spread).
//
//   bench_listener_overhead [--tests=10000] [--rounds=9]
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
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
// What the listener did per test before it wrote through shared mappings.
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
    const long rounds = bench::arg_number(argc, argv, "rounds", 9);
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
    const std::string progress = dir + "/progress";
    const std::map<std::string, std::string> no_pss = {
        {"PSS_TRACE_FILE", ""}, {"PSS_PROGRESS_FILE", ""}, {"PSS_RUN", ""}, {"PSS_MAPPED_FILES", ""},
        {"PSS_NO_PERF_EVENT", ""}};
    const std::map<std::string, std::string> pss_run = {
        {"PSS_TRACE_FILE", trace}, {"PSS_PROGRESS_FILE", progress}, {"PSS_RUN", "0"}, {"PSS_MAPPED_FILES", "1"},
        {"PSS_NO_PERF_EVENT", ""}};
    std::map<std::string, std::string> trace_only = pss_run, shared = pss_run, no_perf = pss_run;
    trace_only["PSS_PROGRESS_FILE"] = "";
    shared["PSS_PROGRESS_FILE"] = "";
    shared["PSS_MAPPED_FILES"] = "";
    no_perf["PSS_NO_PERF_EVENT"] = "1";
    enum { baseline, inactive, traced, pss_run_mode, shared_mode, no_perf_mode };
    std::vector<Mode> modes = {
        {"plain GoogleTest (baseline)", PSS_BENCH_PLAIN_EXE, no_pss, {}, {}},
        {"pss listener, inactive (no env)", PSS_BENCH_PSS_EXE, no_pss, {}, {}},
        {"trace only (own file, mapped)", PSS_BENCH_PSS_EXE, trace_only, {}, {}},
        {"pss-run's settings (trace + progress)", PSS_BENCH_PSS_EXE, pss_run, {}, {}},
        {"trace file shared (flock + write)", PSS_BENCH_PSS_EXE, shared, {}, {}},
        {"pss-run's, PSS_NO_PERF_EVENT=1", PSS_BENCH_PSS_EXE, no_perf, {}, {}},
    };

    try {
        for (long round = 0; round < rounds; ++round) {
            // Interleaved, so drift hits every mode alike; every other round
            // in reverse, so no mode always runs right after another.
            std::vector<Mode*> order;
            for (Mode& m : modes) order.push_back(&m);
            if (round % 2 == 1) std::reverse(order.begin(), order.end());
            for (Mode* mode : order) {
                Mode& m = *mode;
                std::filesystem::remove(trace);  // mapped files must be new to their process
                std::filesystem::remove(progress);
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

    const double base = bench::median(modes[baseline].seconds);
    const double per_test = 1e6 / static_cast<double>(tests);
    // Added: the median of each round's difference to the baseline's run in
    // the same round.
    auto added = [&](int mode) {
        return bench::paired_median_difference(modes[mode].seconds, modes[baseline].seconds) * per_test;
    };
    std::printf("listener overhead: %ld trivial tests, %ld rounds, median CPU time (user + system) per process;"
                " added: median of the rounds' differences to the baseline\n",
                tests, rounds);
    for (std::size_t i = 0; i < modes.size(); ++i) {
        const Mode& m = modes[i];
        const double t = bench::median(m.seconds);
        std::printf("  %-40s %8.1f ms  %6.2f us/test  added %+6.2f us/test  ratio %.3f  (wall %.1f ms)\n", m.label,
                    t * 1e3, t * per_test, added(static_cast<int>(i)), t / base, bench::median(m.wall) * 1e3);
    }
    // The baseline's own spread: half the range of its rounds, per test.
    const double noise = (*std::max_element(modes[baseline].seconds.begin(), modes[baseline].seconds.end()) -
                          bench::minimum(modes[baseline].seconds)) / 2 * per_test;
    std::printf("  trace record size: %.0f bytes/test\n", static_cast<double>(trace_bytes) / static_cast<double>(tests));
    std::printf("  the system calls a test used to cost, timed alone here: 2 getrusage %.2f us, 1 write %.2f us,"
                " progress pwrite + ftruncate %.2f us\n",
                2 * costs.getrusage_ns * 1e-3, costs.append_ns * 1e-3, costs.progress_ns * 1e-3);
    std::printf("  goal: <= 1 us added per test with pss-run's settings: %+.2f us (%s)\n", added(pss_run_mode),
                bench::verdict(added(pss_run_mode), 1.0));
    std::printf("  goal: <= 0.5 us added per test with the trace only: %+.2f us (%s)\n", added(traced),
                bench::verdict(added(traced), 0.5));
    std::printf("  goal: +0 inactive: %+.2f us (%s: the baseline's own spread is +-%.2f us)\n", added(inactive),
                added(inactive) <= noise ? "goal met" : "ABOVE GOAL", noise);
    return 0;
}
