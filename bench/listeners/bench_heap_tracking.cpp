// Heap tracking overhead on an allocation-heavy loop run by two threads.
// Built twice: with pss::heap (counting operator new/delete) and without it.
// The pss build compares, in one run, counting on vs off and spawns the plain
// build (no pss at all) as the baseline. Goal: at most 5% overhead.
//
//   bench_heap_tracking [--iterations=200000] [--rounds=11]
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.hpp"

#if PSS_BENCH_WITH_PSS
#include "pss/runtime/heap.hpp"
#endif

namespace {

// Per thread: a shared global written by both threads would add cache-line
// ping-pong to every mode alike and blur the comparison.
thread_local void* volatile tls_sink = nullptr;

// What allocation-heavy test code does: strings, a vector that grows, a map.
void workload(long iterations) {
    for (long i = 0; i < iterations; ++i) {
        std::vector<std::string> words;
        for (int w = 0; w < 8; ++w) words.emplace_back(40, static_cast<char>('a' + w));
        std::map<int, std::string> index;
        for (int k = 0; k < 8; ++k) index.emplace(k, words[static_cast<std::size_t>(k)]);
        tls_sink = &index;
    }
}

// Allocation-heavy code that also works with what it allocates: format,
// sort, join and hash strings (~14 allocations per iteration).
void mixed_workload(long iterations) {
    std::uint64_t hash = 0;
    for (long i = 0; i < iterations; ++i) {
        std::vector<std::string> keys;
        for (int k = 0; k < 8; ++k)
            keys.push_back("customer-record-identifier-" + std::to_string((i * 7919 + k * 104729) % 1000003));
        std::sort(keys.begin(), keys.end());
        std::string joined;
        for (const auto& key : keys) joined += key + ";";
        for (const char c : joined) hash = hash * 131 + static_cast<unsigned char>(c);
    }
    tls_sink = reinterpret_cast<void*>(hash);
}

// The worst case: nothing but allocation.
[[maybe_unused]] void new_delete(long iterations) {
    for (long i = 0; i < iterations; ++i) {
        auto p = std::make_unique<long>(i);
        tls_sink = p.get();
    }
}

// CPU seconds the two threads spent (summed): unlike wall time, this does not
// grow when other processes take the cores.
double two_threads(void (*fn)(long), long iterations) {
    double cpu[2] = {0, 0};
    auto timed = [&](int i) {
        const double start = bench::thread_cpu_seconds();
        fn(iterations);
        cpu[i] = bench::thread_cpu_seconds() - start;
    };
    std::thread a(timed, 0), b(timed, 1);
    a.join();
    b.join();
    return cpu[0] + cpu[1];
}

}  // namespace

int main(int argc, char** argv) {
    const long n = bench::arg_number(argc, argv, "iterations", 200000);
    const long rounds = bench::arg_number(argc, argv, "rounds", 11);
#if !PSS_BENCH_WITH_PSS
    // The plain build is the child: best of `rounds` in a warm process (as in
    // the parent), written to --result=FILE.
    const bool mixed = bench::arg_number(argc, argv, "mixed", 0) != 0;
    std::vector<double> times;
    for (long r = 0; r < rounds; ++r) times.push_back(mixed ? two_threads(mixed_workload, n) : two_threads(workload, n));
    const double t = bench::minimum(times);
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg(argv[i]);
        if (!arg.starts_with("--result=")) continue;
        std::FILE* f = std::fopen(argv[i] + 9, "w");
        if (f == nullptr) return 3;
        std::fprintf(f, "%.9f\n", t);
        std::fclose(f);
    }
    return 0;
#else
    const long tiny = n * 20;
    std::vector<double> off, on, plain, tiny_off, tiny_on, mixed_off, mixed_on, mixed_plain;
    const std::string result_file = (std::filesystem::temp_directory_path() /
                                     ("pss-bench-heap-" + std::to_string(getpid()))).string();
    auto plain_run = [&](bool mixed) {
        // The child times itself (process start-up and a cold heap are not part of it).
        bench::run_timed({PSS_BENCH_PLAIN_EXE, "--iterations=" + std::to_string(n), "--rounds=3",
                          "--mixed=" + std::to_string(mixed ? 1 : 0), "--result=" + result_file},
                         {});
        std::FILE* f = std::fopen(result_file.c_str(), "r");
        double t = 0;
        if (f == nullptr || std::fscanf(f, "%lf", &t) != 1) throw std::runtime_error("no result from plain benchmark");
        std::fclose(f);
        return t;
    };
    try {
        for (long r = 0; r < rounds; ++r) {
            pss::heap::set_counting(false);
            off.push_back(two_threads(workload, n));
            tiny_off.push_back(two_threads(new_delete, tiny));
            mixed_off.push_back(two_threads(mixed_workload, n));
            pss::heap::set_counting(true);
            on.push_back(two_threads(workload, n));
            tiny_on.push_back(two_threads(new_delete, tiny));
            mixed_on.push_back(two_threads(mixed_workload, n));
            pss::heap::set_counting(false);
            plain.push_back(plain_run(false));
            mixed_plain.push_back(plain_run(true));
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_heap_tracking: %s\n", e.what());
        return 3;
    }
    std::remove(result_file.c_str());
    const double t_plain = bench::minimum(plain), t_off = bench::minimum(off), t_on = bench::minimum(on);
    const double overhead = (t_on / t_plain - 1) * 100;
    std::printf("heap tracking: 2 threads x %ld iterations of strings+vector+map (~28 allocations each, little else),\n"
                "  CPU time of both threads, best of %ld\n",
                n, rounds);
    std::printf("  without pss::heap (baseline)   %8.1f ms\n", t_plain * 1e3);
    std::printf("  pss::heap linked, counting off %8.1f ms  ratio %.3f\n", t_off * 1e3, t_off / t_plain);
    std::printf("  pss::heap linked, counting on  %8.1f ms  ratio %.3f  (vs off %.3f)\n", t_on * 1e3, t_on / t_plain,
                t_on / t_off);
    std::printf("  worst case, 2 threads x %ld bare new/delete: counting on vs off ratio %.3f (%.1f vs %.1f ns CPU per pair)\n",
                tiny, bench::minimum(tiny_on) / bench::minimum(tiny_off),
                bench::minimum(tiny_on) / static_cast<double>(tiny) * 1e9,
                bench::minimum(tiny_off) / static_cast<double>(tiny) * 1e9);
    const double m_plain = bench::minimum(mixed_plain), m_on = bench::minimum(mixed_on);
    std::printf("  format/sort/join/hash loop (~14 allocations per iteration and work on them): %.1f ms plain,"
                " %.1f ms counting off, %.1f ms counting on: %+.1f%%\n",
                m_plain * 1e3, bench::minimum(mixed_off) * 1e3, m_on * 1e3, (m_on / m_plain - 1) * 100);
    std::printf("  goal: <= 5%% overhead on the allocation-heavy loop: %+.1f%% (%s)\n", overhead,
                bench::verdict(overhead, 5.0));
    return 0;
#endif
}
