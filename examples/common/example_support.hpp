// Shared by the example suites. Each suite is built twice: with the pss
// listener (PSS_EXAMPLES_WITH_PSS=1) and plain, without any pss code, so the
// two builds can be compared.
#pragma once

#include <chrono>
#include <ctime>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <thread>

#if PSS_EXAMPLES_WITH_PSS
#include <pss/pss.hpp>
#define EXAMPLE_BRANCH(tag) PSS_BRANCH(tag)
#define EXAMPLE_MONITOR(name) PSS_MONITOR(name)
#else
#define EXAMPLE_BRANCH(tag) ((void)0)
#define EXAMPLE_MONITOR(name) ((void)0)
#endif

namespace examples {

// The run this execution of a test belongs to, so that "flaky" tests fail on
// the same runs whether the runner repeats in-process (--gtest_repeat) or
// starts one process per run (PSS_RUN). With pss it is pss::run_index();
// without, PSS_RUN plus how often the calling test already ran in this
// process (`calls` is a per-test static counter).
inline std::int64_t run_index([[maybe_unused]] int& calls) {
#if PSS_EXAMPLES_WITH_PSS
    return pss::run_index();
#else
    std::int64_t base = 0;
    if (const char* v = std::getenv("PSS_RUN")) base = std::strtoll(v, nullptr, 10);
    return base + calls++;
#endif
}

// The crashing and hanging tests only misbehave when PSS_EXAMPLE_FAULTS=1,
// so the demo stays clean unless it asks for them.
inline bool faults_enabled() {
    const char* v = std::getenv("PSS_EXAMPLE_FAULTS");
    return v != nullptr && std::string_view(v) == "1";
}

// Keeps the CPU busy (unlike sleeping, this is CPU time, not wait time).
// Spins for `ms` of this thread's CPU time: a fixed amount of work, as a slow
// code path is. (Spinning on the wall clock would shrink the work whenever the
// scheduler takes the CPU away, so a loaded machine would hide the tail.)
inline void busy_for_ms(double ms) {
    auto cpu_seconds = [] {
        timespec ts{};
        ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
    };
    const double until = cpu_seconds() + ms / 1000.0;
    volatile std::uint64_t spin = 0;
    while (cpu_seconds() < until) spin = spin + 1;
}

inline void sleep_ms(double ms) { std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(ms)); }

[[noreturn]] inline void crash() {
    std::raise(SIGSEGV);
    std::abort();
}

[[noreturn]] inline void hang() {
    for (;;) sleep_ms(1000);
}

}  // namespace examples
