// PSS_MONITOR scope cost against an empty loop, in the same process: with
// tracing on (inside a test run, the usual case) and off. Also PSS_BRANCH.
// Goal: at most 100 ns per scope when tracing.
//
//   bench_monitor_scope [--iterations=2000000] [--rounds=7]
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "bench_util.hpp"
#include "pss/pss.hpp"
#include "pss/runtime/session.hpp"

namespace {

// Keeps the loop from being optimised away without adding work.
inline void barrier(long& i) { asm volatile("" : "+r"(i)); }

[[gnu::noinline]] void empty_loop(long n) {
    for (long i = 0; i < n; ++i) barrier(i);
}

[[gnu::noinline]] void monitor_loop(long n) {
    for (long i = 0; i < n; ++i) {
        PSS_MONITOR("bench-scope");
        barrier(i);
    }
}

[[gnu::noinline]] void branch_loop(long n) {
    for (long i = 0; i < n; ++i) {
        PSS_BRANCH("bench-branch");
        barrier(i);
    }
}

[[gnu::noinline]] void monitor_function_loop(long n) {
    for (long i = 0; i < n; ++i) pss::monitor_function("bench-function", [&] { barrier(i); });
}

// Best of `rounds` (the least disturbed), in ns per iteration.
template <class Fn>
double ns_per_iteration(Fn fn, long n, long rounds) {
    std::vector<double> samples;
    for (long r = 0; r < rounds; ++r) {
        const double start = bench::now_seconds();
        fn(n);
        samples.push_back((bench::now_seconds() - start) / static_cast<double>(n) * 1e9);
    }
    return bench::minimum(samples);
}

}  // namespace

int main(int argc, char** argv) {
    const long n = bench::arg_number(argc, argv, "iterations", 2000000);
    const long rounds = bench::arg_number(argc, argv, "rounds", 7);
    const std::string trace = (std::filesystem::temp_directory_path() /
                               ("pss-bench-monitor-" + std::to_string(getpid()) + ".ndjson")).string();
    auto& session = pss::runtime::Session::instance();

    // Tracing off: the scope is one relaxed load and a branch.
    session.configure({});
    const double empty = ns_per_iteration(empty_loop, n, rounds);
    const double off = ns_per_iteration(monitor_loop, n, rounds);

    // Tracing on, inside a test run.
    pss::runtime::Settings on;
    on.trace_file = trace;
    session.configure(on);
    session.begin_test({"Bench.Scope", "bench.Bench", __FILE__, __LINE__});
    const double empty_on = ns_per_iteration(empty_loop, n, rounds);
    const double scope = ns_per_iteration(monitor_loop, n, rounds);
    const double branch = ns_per_iteration(branch_loop, n, rounds);
    const double function = ns_per_iteration(monitor_function_loop, n / 4, rounds);
    session.end_test(pss::runtime::TestStatus::passed);
    session.configure({});
    std::filesystem::remove(trace);

    const double added = scope - empty_on;
    std::printf("PSS_MONITOR scope: %ld iterations, best of %ld rounds\n", n, rounds);
    std::printf("  empty loop                       %7.2f ns/iteration (baseline)\n", empty_on);
    std::printf("  PSS_MONITOR, tracing on          %7.2f ns/iteration  added %6.2f ns  ratio %.1f\n", scope, added,
                scope / empty_on);
    std::printf("  PSS_MONITOR, tracing off         %7.2f ns/iteration  added %6.2f ns  (empty loop %.2f ns)\n", off,
                off - empty, empty);
    std::printf("  PSS_BRANCH, repeated, tracing on %7.2f ns/iteration  added %6.2f ns\n", branch, branch - empty_on);
    std::printf("  monitor_function, tracing on     %7.2f ns/iteration  added %6.2f ns\n", function,
                function - empty_on);
    std::printf("  goal: <= 100 ns per scope when tracing: %.1f ns (%s)\n", added, bench::verdict(added, 100.0));
    return 0;
}
