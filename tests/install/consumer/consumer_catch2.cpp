#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <pss/catch2.hpp>

#include <chrono>
#include <thread>
#include <vector>

#include <pss/pss.hpp>

namespace {
void* volatile g_sink = nullptr;
}

TEST_CASE("allocates 1 MiB") {
    std::vector<char> block(1 << 20, 'x');
    g_sink = block.data();
    REQUIRE(block[7] == 'x');
}

TEST_CASE("fails") { CHECK(1 == 2); }

TEST_CASE("sleeps 20 ms") { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

TEST_CASE("branches") { PSS_BRANCH("catch2-path"); }
