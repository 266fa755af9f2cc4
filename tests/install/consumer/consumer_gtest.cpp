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

// A death test in the "threadsafe" style re-runs this program for the child;
// the child must write no record. (GTEST_FLAG_SET came with GoogleTest 1.12.)
TEST(ConsumerDeathTest, ChildWritesNoRecord) {
#if defined(GTEST_FLAG_SET)
    GTEST_FLAG_SET(death_test_style, "threadsafe");
#else
    ::testing::GTEST_FLAG(death_test_style) = "threadsafe";
#endif
    EXPECT_DEATH(std::abort(), "");
}
