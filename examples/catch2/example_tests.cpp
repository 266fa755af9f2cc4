// Example Catch2 suite, the counterpart of the GoogleTest examples.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "example_support.hpp"

TEST_CASE("stable: adds numbers", "[stable]") { REQUIRE(2 + 2 == 4); }

TEST_CASE("stable: sorts a vector", "[stable]") {
    std::vector<int> values(20000);
    std::iota(values.begin(), values.end(), 0);
    std::shuffle(values.begin(), values.end(), std::mt19937(42));
    std::sort(values.begin(), values.end());
    REQUIRE(std::is_sorted(values.begin(), values.end()));
}

TEST_CASE("stable: sections share one record", "[stable]") {
    std::string text = "pss";
    SECTION("upper") {
        std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(c - 32); });
        REQUIRE(text == "PSS");
    }
    SECTION("append") {
        text += "!";
        REQUIRE(text.size() == 4);
    }
}

TEST_CASE("stable: waits on a timer", "[stable]") {
    examples::sleep_ms(3);
    SUCCEED();
}

TEST_CASE("flaky: fails every third run", "[flaky]") {
    static int calls = 0;
    const auto run = examples::run_index(calls);
    INFO("fails on runs 1, 4, 7, ...; this is run " << run);
    CHECK(run % 3 != 1);
}

TEST_CASE("latency: slow every fifth run", "[latency]") {
    static int calls = 0;
    const auto run = examples::run_index(calls);
    examples::busy_for_ms(run % 5 == 4 ? 7.0 : 2.0);
    SUCCEED();
}

TEST_CASE("leak: grows a static cache", "[leak]") {
    static std::vector<std::string> cache;
    for (int i = 0; i < 2000; ++i) cache.emplace_back(64, 'x');
    REQUIRE_FALSE(cache.empty());
}

TEST_CASE("branching: path depends on run", "[branching]") {
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

TEST_CASE("faults: crashes", "[faults]") {
    if (examples::faults_enabled()) examples::crash();
    SUCCEED();
}

TEST_CASE("faults: hangs", "[faults]") {
    if (examples::faults_enabled()) examples::hang();
    SUCCEED();
}

TEST_CASE("after faults: still runs", "[stable]") { REQUIRE(1 < 2); }
