// Heap tracking: the counting operators and the per-thread counters.
#include <array>
#include <barrier>
#include <cstddef>
#include <memory>
#include <new>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "pss/runtime/heap.hpp"

namespace {

// Keeps blocks from being optimized away; per thread, as two threads write it at once.
thread_local void* volatile g_sink = nullptr;

constexpr std::int64_t MiB = 1 << 20;

class HeapTracking : public testing::Test {
protected:
    void SetUp() override { pss::heap::set_counting(true); }
    void TearDown() override { pss::heap::set_counting(false); }
};

TEST_F(HeapTracking, OperatorsAreLinked) { EXPECT_TRUE(pss::heap::tracking_linked()); }

TEST_F(HeapTracking, PeakSeesAnAllocationThatIsFreedAgain) {
    const auto window = pss::heap::open_window();
    {
        auto block = std::make_unique<char[]>(MiB);
        g_sink = block.get();
    }
    const auto result = pss::heap::close_window(window);
    EXPECT_GE(result.peak_growth, MiB);
    EXPECT_LT(result.peak_growth, MiB + 64 * 1024);
    EXPECT_EQ(result.live_diff, 0);
}

TEST_F(HeapTracking, LiveDiffSeesALeak) {
    const auto window = pss::heap::open_window();
    char* leaked = new char[256 * 1024];
    g_sink = leaked;
    const auto result = pss::heap::close_window(window);
    delete[] leaked;
    EXPECT_GE(result.live_diff, 256 * 1024);
    EXPECT_GE(result.peak_growth, result.live_diff);
}

TEST_F(HeapTracking, AllocatedCountsEveryBlockEvenWhenFreedAndItsOwnThreads) {
    const auto window = pss::heap::open_window();
    for (int i = 0; i < 4; ++i) {
        auto block = std::make_unique<char[]>(64 * 1024);
        g_sink = block.get();
    }
    std::thread([] {
        auto block = std::make_unique<char[]>(MiB);
        g_sink = block.get();
    }).join();
    const auto result = pss::heap::close_window(window);
    EXPECT_GE(result.allocated, 4 * 64 * 1024 + MiB);
    EXPECT_LT(result.allocated, 4 * 64 * 1024 + MiB + 64 * 1024);
    EXPECT_LT(result.peak_growth, result.allocated);
    // Blocks allocated before the window and freed in it are not counted.
    auto before = std::make_unique<char[]>(MiB);
    g_sink = before.get();
    const auto second = pss::heap::open_window();
    before.reset();
    EXPECT_LT(pss::heap::close_window(second).allocated, 64 * 1024);
}

struct alignas(256) OverAligned {
    char bytes[512];
};

// Passes each pointer through a volatile so new/delete pairs are not elided.
template <class T>
T* kept(T* p) {
    g_sink = p;
    return p;
}

TEST_F(HeapTracking, EveryFormOfNewAndDeleteBalances) {
    const auto window = pss::heap::open_window();
    delete kept(new int(1));                                  // sized delete
    delete[] kept(new int[10]);                               // unsized array delete
    ::operator delete(kept(::operator new(100)));             // unsized
    ::operator delete(kept(::operator new(100)), 100);        // sized
    delete kept(new (std::nothrow) int(2));
    delete[] kept(new (std::nothrow) char[33]);
    ::operator delete(kept(::operator new(64, std::nothrow)), std::nothrow);
    delete kept(new OverAligned);                             // aligned + sized
    delete[] kept(new OverAligned[3]);                        // aligned array
    ::operator delete(kept(::operator new(300, std::align_val_t(128))), std::align_val_t(128));
    ::operator delete(kept(::operator new(300, std::align_val_t(128), std::nothrow)), std::align_val_t(128),
                      std::nothrow);
    ::operator delete[](kept(::operator new[](300, std::align_val_t(64))), 300, std::align_val_t(64));
    const auto result = pss::heap::close_window(window);
    EXPECT_EQ(result.live_diff, 0);
    EXPECT_GE(result.peak_growth, 3 * 512);  // the largest: OverAligned[3]
}

TEST_F(HeapTracking, AlignedNewIsAligned) {
    auto* p = new OverAligned;
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 256, 0u);
    delete p;
}

TEST_F(HeapTracking, ConcurrentChurnOnTwoThreadsBalancesExactly) {
    const auto window = pss::heap::open_window();
    auto churn = [](unsigned seed) {
        std::mt19937 rng(seed);
        std::vector<std::unique_ptr<char[]>> live(64);
        for (int i = 0; i < 200000; ++i) {
            auto& slot = live[rng() % live.size()];
            slot = std::make_unique<char[]>(1 + rng() % 2000);
        }
    };
    std::thread a(churn, 1), b(churn, 2);
    a.join();
    b.join();
    const auto result = pss::heap::close_window(window);
    EXPECT_EQ(result.live_diff, 0);
}

TEST_F(HeapTracking, BlocksFreedOnAnotherThreadBalance) {
    const auto window = pss::heap::open_window();
    std::vector<char*> blocks;
    for (int i = 0; i < 1000; ++i) blocks.push_back(new char[1000]);
    std::thread([&] {
        for (char* p : blocks) delete[] p;
    }).join();
    std::vector<char*>().swap(blocks);
    const auto result = pss::heap::close_window(window);
    EXPECT_EQ(result.live_diff, 0);
    EXPECT_GE(result.peak_growth, 1000 * 1000);
}

TEST_F(HeapTracking, AThreadThatExitsKeepsItsLeakCounted) {
    const auto window = pss::heap::open_window();
    char* leaked = nullptr;
    std::thread([&] { leaked = new char[MiB]; }).join();
    const auto after_exit = pss::heap::close_window(window);
    EXPECT_GE(after_exit.live_diff, MiB);
    EXPECT_GE(after_exit.peak_growth, MiB);

    const auto second = pss::heap::open_window();
    delete[] leaked;
    const auto after_free = pss::heap::close_window(second);
    EXPECT_LE(after_free.live_diff, -MiB);
}

TEST_F(HeapTracking, PeakAddsUpThreadsThatHoldMemoryAtTheSameTime) {
    const auto window = pss::heap::open_window();
    {
        std::barrier both_hold(2);  // allocates its state: destroyed before the window closes
        auto hold = [&] {
            auto block = std::make_unique<char[]>(MiB);
            g_sink = block.get();
            both_hold.arrive_and_wait();
        };
        std::thread a(hold), b(hold);
        a.join();
        b.join();
    }
    const auto result = pss::heap::close_window(window);
    EXPECT_GE(result.peak_growth, 2 * MiB);
    EXPECT_EQ(result.live_diff, 0);
}

TEST_F(HeapTracking, NothingIsCountedWhileCountingIsOff) {
    pss::heap::set_counting(false);
    const auto window = pss::heap::open_window();
    auto block = std::make_unique<char[]>(MiB);
    g_sink = block.get();
    const auto result = pss::heap::close_window(window);
    block.reset();
    EXPECT_EQ(result.peak_growth, 0);
    EXPECT_EQ(result.live_diff, 0);
}

TEST_F(HeapTracking, ANewWindowRebasesThePeak) {
    auto first = pss::heap::open_window();
    { auto big = std::make_unique<char[]>(4 * MiB); g_sink = big.get(); }
    pss::heap::close_window(first);
    const auto second = pss::heap::open_window();
    { auto small = std::make_unique<char[]>(1000); g_sink = small.get(); }
    const auto result = pss::heap::close_window(second);
    EXPECT_LT(result.peak_growth, 64 * 1024);
    EXPECT_GE(result.peak_growth, 1000);
}

TEST_F(HeapTracking, NewHandlerRunsBeforeBadAlloc) {
    static int calls = 0;
    calls = 0;
    const std::new_handler previous = std::set_new_handler([] {
        ++calls;
        std::set_new_handler(nullptr);  // next failure throws
    });
    EXPECT_THROW(g_sink = ::operator new(static_cast<std::size_t>(-1) / 2), std::bad_alloc);
    std::set_new_handler(previous);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(::operator new(static_cast<std::size_t>(-1) / 2, std::nothrow), nullptr);
}

}  // namespace
