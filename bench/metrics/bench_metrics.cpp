// Cost of one pss::metrics recording call, uncontended and with 8 threads,
// against two baselines measured in the same run:
//   - std::atomic<long>::fetch_add(relaxed) on one shared counter: the least
//     a shared counter can cost (and what contention does to it);
//   - a std::mutex-protected std::map<std::string, long> update: the obvious
//     way to keep named counters.
// Goals (issue 17): a counter <= 15 ns and a timing <= 40 ns uncontended,
// flat across 8 threads.
//
//   bench_metrics [--benchmark_repetitions=5] [--benchmark_min_time=0.2] [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "pss/metrics.hpp"
#include "ratio_reporter.hpp"

namespace pm = pss::metrics;

namespace {

std::atomic<long> g_atomic{0};
std::mutex g_mutex;
std::map<std::string, long> g_map;

// Durations spread over a few powers of two (10 us to 10 ms), so that a
// timing touches several buckets as real latencies do.
const std::vector<double>& durations() {
    static const std::vector<double> values = [] {
        std::vector<double> v(1024);
        std::mt19937_64 rng(17);
        std::lognormal_distribution<double> dist(std::log(3e-4), 1.0);
        for (double& x : v) x = dist(rng);
        return v;
    }();
    return values;
}

void BM_atomic_fetch_add(benchmark::State& state) {
    for (auto _ : state) g_atomic.fetch_add(1, std::memory_order_relaxed);
}

void BM_mutex_map(benchmark::State& state) {
    const std::string key = "cache.hits";
    for (auto _ : state) {
        std::lock_guard<std::mutex> lock(g_mutex);
        ++g_map[key];
    }
}

void BM_counter_handle(benchmark::State& state) {
    static const pm::Counter hits("bench.hits", {{"type", "cache"}});
    for (auto _ : state) hits.increment();
}

void BM_counter_by_name(benchmark::State& state) {
    for (auto _ : state) pm::increment("bench.hits.by_name", 1, {{"type", "cache"}});
}

void BM_timing_handle(benchmark::State& state) {
    static const pm::Timing query("bench.query", {{"table", "users"}});
    const std::vector<double>& values = durations();
    std::size_t i = 0;
    for (auto _ : state) query.record(values[i++ & 1023]);
}

void BM_timing_by_name(benchmark::State& state) {
    const std::vector<double>& values = durations();
    std::size_t i = 0;
    for (auto _ : state) pm::timing("bench.query.by_name", values[i++ & 1023], {{"table", "users"}});
}

void BM_gauge_handle(benchmark::State& state) {
    static const pm::Gauge depth("bench.depth");
    double v = 0;
    for (auto _ : state) depth.set(v += 1);
}

// Two steady_clock reads: the part of a Timer that is not pss::metrics.
void BM_steady_clock_pair(benchmark::State& state) {
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        benchmark::DoNotOptimize(std::chrono::steady_clock::now() - start);
    }
}

void BM_timer_scope(benchmark::State& state) {
    static const pm::Timing scope("bench.scope");
    for (auto _ : state) pm::Timer timer(scope);
}

void BM_disabled_by_name(benchmark::State& state) {
    pm::set_enabled(false);
    for (auto _ : state) pm::increment("bench.disabled", 1, {{"type", "cache"}});
    pm::set_enabled(true);
}

}  // namespace

BENCHMARK(BM_atomic_fetch_add)->Threads(1)->Threads(8);
BENCHMARK(BM_mutex_map)->Threads(1)->Threads(8);
BENCHMARK(BM_counter_handle)->Threads(1)->Threads(8);
BENCHMARK(BM_counter_by_name)->Threads(1)->Threads(8);
BENCHMARK(BM_timing_handle)->Threads(1)->Threads(8);
BENCHMARK(BM_timing_by_name)->Threads(1)->Threads(8);
BENCHMARK(BM_gauge_handle)->Threads(1)->Threads(8);
BENCHMARK(BM_steady_clock_pair)->Threads(1);
BENCHMARK(BM_timer_scope)->Threads(1);
BENCHMARK(BM_disabled_by_name)->Threads(1);

int main(int argc, char** argv) {
    // Defaults for a noisy shared machine; flags given on the command line
    // come later and win.
    std::vector<char*> args{argv[0]};
    char repetitions[] = "--benchmark_repetitions=5";
    char min_time[] = "--benchmark_min_time=0.2";
    args.push_back(repetitions);
    args.push_back(min_time);
    for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
    int count = static_cast<int>(args.size());
    benchmark::Initialize(&count, args.data());
    if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;

    bench::RatioReporter reporter(
        {{"BM_atomic_fetch_add", "atomic fetch_add (baseline)"},
         {"BM_mutex_map", "mutex + std::map (baseline)"},
         {"BM_counter_handle", "Counter::increment"},
         {"BM_counter_by_name", "increment(name, 1, tags)"},
         {"BM_timing_handle", "Timing::record"},
         {"BM_timing_by_name", "timing(name, s, tags)"},
         {"BM_gauge_handle", "Gauge::set"},
         {"BM_steady_clock_pair", "2 x steady_clock::now"},
         {"BM_timer_scope", "Timer scope (2 clock reads)"},
         {"BM_disabled_by_name", "increment(name) disabled"}},
        {"BM_atomic_fetch_add", "BM_mutex_map"},
        {{"BM_counter_handle", 15}, {"BM_counter_by_name", 15}, {"BM_timing_handle", 40}, {"BM_timing_by_name", 40}});
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
