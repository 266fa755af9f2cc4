// Tests whose verdicts must come out right whatever the machine's load:
// deterministic work with a cold start longer than one warm-up run, a real
// latency tail, cheap tests that fail now and then.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <random>

namespace {

// Busy work of about `ms` milliseconds of CPU (not sleeping: a CPU-bound test).
void spin(double ms) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double, std::milli>(ms);
    volatile std::uint64_t x = 1;
    while (std::chrono::steady_clock::now() < until) x = x * 6364136223846793005ull + 1;
}

}  // namespace

// Slow the first two times it runs in a process (a cache filling), then fast:
// deterministic, never unstable.
TEST(Cold, FirstTwoRunsOfAProcessAreSlow) {
    static int runs_in_process = 0;
    spin(runs_in_process++ < 2 ? 30.0 : 2.0);
}

// Every fourth run 25 times slower: a real latency tail, beyond what even a
// busy machine gives (the spin is timed by the wall clock, so load does not
// stretch the fast runs).
TEST(Tail, EveryFourthRunIsMuchSlower) {
    static int runs_in_process = 0;
    spin(runs_in_process++ % 4 == 3 ? 50.0 : 2.0);
}

TEST(Cheap, AlwaysPasses) { EXPECT_EQ(1 + 1, 2); }

// Fails about one run in eight, at random: cheap, so adaptive repetition
// should give it many runs.
TEST(Cheap, FailsNowAndThen) {
    static std::mt19937 rng(std::random_device{}());
    EXPECT_NE(rng() % 8, 0u);
}
