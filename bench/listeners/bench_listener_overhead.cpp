// Listener cost per test case: a binary of 10,000 trivial tests with the pss
// listener (tracing to a file; tracing plus progress file; installed but
// inactive) against the same tests under plain GoogleTest, in the same run.
// Goal: at most 2 us added per test when tracing.
//
//   bench_listener_overhead [--tests=10000] [--rounds=7]
#include <sys/resource.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "bench_util.hpp"

namespace {

// The cost of one cheap system call here, to read the figures against: the
// listener makes three per test (two getrusage, one write), plus two with a
// progress file.
double syscall_ns() {
    constexpr int n = 20000;
    rusage ru{};
    const double start = bench::now_seconds();
    for (int i = 0; i < n; ++i) getrusage(RUSAGE_SELF, &ru);
    return (bench::now_seconds() - start) / n * 1e9;
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
        std::vector<double> seconds;
    };
    const std::map<std::string, std::string> no_pss = {{"PSS_TRACE_FILE", ""}, {"PSS_PROGRESS_FILE", ""}, {"PSS_RUN", ""}};
    std::vector<Mode> modes = {
        {"plain GoogleTest (baseline)", PSS_BENCH_PLAIN_EXE, no_pss, {}},
        {"pss listener, inactive (no env)", PSS_BENCH_PSS_EXE, no_pss, {}},
        {"pss listener, PSS_TRACE_FILE", PSS_BENCH_PSS_EXE, {{"PSS_TRACE_FILE", trace}, {"PSS_PROGRESS_FILE", ""}}, {}},
        {"pss listener, trace + progress file", PSS_BENCH_PSS_EXE,
         {{"PSS_TRACE_FILE", trace}, {"PSS_PROGRESS_FILE", dir + "/progress"}}, {}},
    };

    try {
        for (long round = 0; round < rounds; ++round) {
            for (Mode& m : modes) {  // interleaved, so drift hits every mode alike
                std::filesystem::remove(trace);
                m.seconds.push_back(bench::run_timed({m.exe, tests_arg, "--gtest_brief=1"}, m.env));
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_listener_overhead: %s\n", e.what());
        return 3;
    }
    std::uintmax_t trace_bytes = std::filesystem::exists(trace) ? std::filesystem::file_size(trace) : 0;
    std::filesystem::remove_all(dir);

    const double base = bench::median(modes[0].seconds);
    std::printf("listener overhead: %ld trivial tests, %ld rounds, median wall time per process\n", tests, rounds);
    for (const Mode& m : modes) {
        const double t = bench::median(m.seconds);
        const double added_us = (t - base) / static_cast<double>(tests) * 1e6;
        std::printf("  %-38s %8.1f ms  %6.2f us/test  added %+6.2f us/test  ratio %.3f\n", m.label, t * 1e3,
                    t / static_cast<double>(tests) * 1e6, added_us, t / base);
    }
    const double traced = (bench::median(modes[2].seconds) - base) / static_cast<double>(tests) * 1e6;
    std::printf("  trace record size: %.0f bytes/test\n", static_cast<double>(trace_bytes) / static_cast<double>(tests));
    std::printf("  one system call (getrusage) on this machine: %.0f ns\n", syscall_ns());
    std::printf("  goal: <= 2 us added per test with PSS_TRACE_FILE: %.2f us (%s)\n", traced, bench::verdict(traced, 2.0));
    return 0;
}
