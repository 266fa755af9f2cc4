#include <chrono>
#include <csignal>
#include <cstdlib>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <pss/pss.hpp>

namespace {
void* volatile g_sink = nullptr;
}

TEST(Consumer, Allocates1MiB) {
    std::vector<char> block(1 << 20, 'x');
    g_sink = block.data();
    EXPECT_EQ(block[7], 'x');
}

TEST(Consumer, Fails) { EXPECT_EQ(1, 2); }

TEST(Consumer, Sleeps20ms) { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

TEST(Consumer, Branches) {
    PSS_MONITOR("consumer-block");
    PSS_BRANCH("left");
    PSS_BRANCH("right");
}

TEST(Consumer, CrashesWhenAsked) {
    const char* v = std::getenv("CONSUMER_CRASH");
    if (v != nullptr && std::string_view(v) == "1") std::raise(SIGSEGV);
}

TEST(Consumer, AfterTheCrash) { SUCCEED(); }
