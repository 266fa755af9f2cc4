// Example GoogleTest suite with stable, flaky, slow-tail, leaking, branching,
// crashing and hanging tests: the demo's input and the end-to-end fixtures.
#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "example_support.hpp"

TEST(Stable, AddsNumbers) { EXPECT_EQ(2 + 2, 4); }

TEST(Stable, SortsAVector) {
    std::vector<int> values(20000);
    std::iota(values.begin(), values.end(), 0);
    std::shuffle(values.begin(), values.end(), std::mt19937(42));
    std::sort(values.begin(), values.end());
    EXPECT_TRUE(std::is_sorted(values.begin(), values.end()));
}

TEST(Stable, JoinsStrings) {
    std::string joined;
    for (int i = 0; i < 2000; ++i) joined += std::to_string(i) + ",";
    EXPECT_EQ(joined.substr(0, 6), "0,1,2,");
}

TEST(Stable, WaitsOnATimer) {
    examples::sleep_ms(3);  // wait time, not CPU time
    SUCCEED();
}

TEST(Flaky, FailsEveryThirdRun) {
    static int calls = 0;
    const auto run = examples::run_index(calls);
    EXPECT_NE(run % 3, 1) << "fails on runs 1, 4, 7, ...; this is run " << run;
}

TEST(Latency, SlowEveryFifthRun) {
    static int calls = 0;
    const auto run = examples::run_index(calls);
    examples::busy_for_ms(run % 5 == 4 ? 7.0 : 2.0);  // a 3.5x latency tail
    SUCCEED();
}

TEST(Leak, GrowsAStaticCache) {
    static std::vector<std::string> cache;  // never shrinks: every run leaks ~150 KB
    for (int i = 0; i < 2000; ++i) cache.emplace_back(64, 'x');
    EXPECT_FALSE(cache.empty());
}

TEST(Branching, PathDependsOnRun) {
    static int calls = 0;
    const auto run = examples::run_index(calls);
    EXAMPLE_MONITOR("lookup");
    if (run % 2 == 0) {
        EXAMPLE_BRANCH("cache-hit");
    } else {
        EXAMPLE_BRANCH("cache-miss");
        if (run % 3 == 0) EXAMPLE_BRANCH("refill");
    }
    SUCCEED();
}

TEST(Faults, Crashes) {
    if (examples::faults_enabled()) examples::crash();
    SUCCEED();
}

TEST(Faults, Hangs) {
    if (examples::faults_enabled()) examples::hang();
    SUCCEED();
}

TEST(AfterFaults, StillRuns) { EXPECT_LT(1, 2); }
