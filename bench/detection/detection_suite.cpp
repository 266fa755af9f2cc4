// The detection benchmark's suite: deterministic tests from about 1 us to
// 50 ms (true verdict `stable`) and tests with injected faults (true verdicts
// in detection_catalog.hpp). Built with the pss listener (detection_suite)
// and without any pss code (detection_suite_plain).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "detection_catalog.hpp"

namespace {

using namespace std::chrono_literals;

// One step of xorshift64 takes ~2.07 ns of CPU on the benchmark machine (best
// of 8 x 10M steps, thread CPU time, -O2). A fixed count rather than a
// calibration at start-up: a deterministic test must do the same work in
// every run and every process; only the machine's noise may vary.
constexpr std::uint64_t kStepsPerMicrosecond = 483;

// The asm statement makes the compiler assume `x` is read and changed on
// every step, so the loop can be neither removed nor collapsed.
std::uint64_t cpu_steps(std::uint64_t steps) {
    std::uint64_t x = 0x9E3779B97F4A7C15ull;
    for (std::uint64_t i = 0; i < steps; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        asm volatile("" : "+r"(x));
    }
    return x;
}

void cpu_for_us(std::uint64_t microseconds) {
    EXPECT_NE(cpu_steps(microseconds * kStepsPerMicrosecond), 0u);  // xorshift never reaches 0
}

// Allocates and writes one byte per page: the first touch of fresh memory
// (page faults) is the cost being measured, not the memset bandwidth.
void allocate_and_touch(std::size_t bytes) {
    std::unique_ptr<char[]> block(new char[bytes]);  // uninitialised on purpose
    for (std::size_t i = 0; i < bytes; i += 4096) block[i] = static_cast<char>(i >> 12);
    asm volatile("" : : "r"(block.get()) : "memory");  // the writes must happen
    EXPECT_EQ(block[4096], 1);
}

// Fault decisions are random per run (unlike the examples' fixed schedule),
// seeded from the clock and the pid so every process, and every repetition
// in a process, draws afresh.
bool happens(double probability) {
    static std::mt19937_64 rng = [] {
        const auto now = static_cast<std::uint64_t>(std::chrono::high_resolution_clock::now().time_since_epoch().count());
        std::seed_seq seed{static_cast<std::uint32_t>(now), static_cast<std::uint32_t>(now >> 32),
                           static_cast<std::uint32_t>(getpid())};
        return std::mt19937_64(seed);
    }();
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < probability;
}

void fails_with_probability(double probability) {
    cpu_for_us(100);  // the test's "real" work
    EXPECT_FALSE(happens(probability)) << "injected failure (p = " << probability << ")";
}

}  // namespace

// ---- Deterministic tests: the same work every run -------------------------

TEST(Deterministic, CpuLoop1us) { cpu_for_us(1); }
TEST(Deterministic, CpuLoop10us) { cpu_for_us(10); }
TEST(Deterministic, CpuLoop100us) { cpu_for_us(100); }
TEST(Deterministic, CpuLoop1ms) { cpu_for_us(1'000); }
TEST(Deterministic, CpuLoop10ms) { cpu_for_us(10'000); }
TEST(Deterministic, CpuLoop50ms) { cpu_for_us(50'000); }

TEST(Deterministic, AllocTouch64KiB) { allocate_and_touch(64u << 10); }
TEST(Deterministic, AllocTouch1MiB) { allocate_and_touch(1u << 20); }
TEST(Deterministic, AllocTouch16MiB) { allocate_and_touch(16u << 20); }

TEST(Deterministic, SortVector20k) {
    std::vector<int> values(20'000);
    std::iota(values.begin(), values.end(), 0);
    std::shuffle(values.begin(), values.end(), std::mt19937(42));  // the same order every run
    std::sort(values.begin(), values.end());
    EXPECT_TRUE(std::is_sorted(values.begin(), values.end()));
}

TEST(Deterministic, FileWriteRead64KiB) {
    std::string path = (std::filesystem::temp_directory_path() / "pss-detection-XXXXXX").string();
    const int fd = mkstemp(path.data());
    ASSERT_GE(fd, 0) << "mkstemp " << path << ": " << std::strerror(errno);
    unlink(path.c_str());  // gone when closed, even if an expectation fails
    std::vector<char> out(64u << 10), in(out.size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>(i * 31);
    EXPECT_EQ(write(fd, out.data(), out.size()), static_cast<ssize_t>(out.size()));
    EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
    EXPECT_EQ(read(fd, in.data(), in.size()), static_cast<ssize_t>(in.size()));
    close(fd);
    EXPECT_EQ(in, out);
}

TEST(Deterministic, Sleep1ms) { std::this_thread::sleep_for(1ms); }
TEST(Deterministic, Sleep10ms) { std::this_thread::sleep_for(10ms); }

// Two threads hand a turn back and forth: every hand-off waits for the other
// thread to be scheduled, which is what a busy machine delays.
TEST(Deterministic, ThreadPingPong100) {
    constexpr int kRoundTrips = 100;
    std::mutex mutex;
    std::condition_variable changed;
    int turn = 0;  // even: the main thread's turn, odd: the partner's
    std::thread partner([&] {
        for (int i = 0; i < kRoundTrips; ++i) {
            std::unique_lock lock(mutex);
            changed.wait(lock, [&] { return turn % 2 == 1; });
            ++turn;
            changed.notify_one();
        }
    });
    for (int i = 0; i < kRoundTrips; ++i) {
        std::unique_lock lock(mutex);
        ++turn;
        changed.notify_one();
        changed.wait(lock, [&] { return turn % 2 == 0; });
    }
    partner.join();
    EXPECT_EQ(turn, 2 * kRoundTrips);
}

// ---- Injected faults (names and probabilities: detection_catalog.hpp) ------

TEST(Fault, FailsOneIn5) { fails_with_probability(detection::kFailsOneIn5.probability); }
TEST(Fault, FailsOneIn20) { fails_with_probability(detection::kFailsOneIn20.probability); }
TEST(Fault, FailsOneIn50) { fails_with_probability(detection::kFailsOneIn50.probability); }

TEST(Fault, FourTimesSlowerOneIn5) {
    cpu_for_us(happens(detection::kFourTimesSlower.probability) ? 8'000 : 2'000);
}

TEST(Fault, Leaks256KiBPerRun) {
    static std::vector<char*> never_freed;
    char* block = new char[256u << 10];  // operator new, so pss's heap tracking sees it
    std::memset(block, 0x5a, 256u << 10);
    never_freed.push_back(block);
    EXPECT_EQ(block[1000], 0x5a);
}

TEST(Fault, CrashesEveryRun) {
    std::raise(SIGSEGV);
    FAIL() << "still running after SIGSEGV";
}

TEST(Fault, HangsOneIn5) {
    if (happens(detection::kHangs.probability)) std::this_thread::sleep_for(1h);
}
