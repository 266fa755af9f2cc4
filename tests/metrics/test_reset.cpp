// reset(), reset_counters(), set_enabled().
#include <condition_variable>
#include <mutex>
#include <thread>

#include "metrics_test.hpp"

TEST_F(Metrics, ResetForgetsEverything) {
    pm::increment("c", 3);
    pm::gauge("g", 1);
    pm::timing("t", 0.1);
    pm::reset();
    EXPECT_TRUE(pm::all().empty());
    EXPECT_EQ(pm::get_counter("c"), std::nullopt);
    EXPECT_EQ(pm::get_gauge("g"), std::nullopt);
    EXPECT_EQ(pm::get_timing("t"), std::nullopt);
}

TEST_F(Metrics, ValuesAfterResetStartFromNothing) {
    pm::increment("c", 3);
    for (double v : {100.0, 200.0}) pm::gauge("g", v);
    pm::timing("t", 9.0);
    pm::reset();
    pm::increment("c", 1);
    pm::gauge("g", 5);
    pm::timing("t", 0.5);
    EXPECT_EQ(pm::get_counter("c"), 1);
    const auto g = pm::get_gauge("g");
    EXPECT_EQ(g->count, 1u);
    EXPECT_EQ(g->min, 5.0);
    EXPECT_EQ(g->max, 5.0);
    EXPECT_EQ(g->mean, 5.0);
    const auto t = pm::get_timing("t");
    EXPECT_EQ(t->count, 1u);
    EXPECT_EQ(t->max, 0.5);
    EXPECT_EQ(t->p99, 0.5);
}

TEST_F(Metrics, ResetCountersKeepsGaugesAndTimings) {
    pm::increment("c", 3);
    pm::gauge("g", 1);
    pm::timing("t", 0.1);
    pm::reset_counters();
    EXPECT_EQ(pm::get_counter("c"), std::nullopt);
    EXPECT_EQ(pm::get_gauge("g")->count, 1u);
    EXPECT_EQ(pm::get_timing("t")->count, 1u);
    pm::increment("c");
    pm::timing("t", 0.2);
    EXPECT_EQ(pm::get_counter("c"), 1);
    EXPECT_EQ(pm::get_timing("t")->count, 2u);
}

TEST_F(Metrics, ResetReachesThreadsThatAreIdle) {
    // Another thread records, waits while this one resets, records again.
    std::mutex m;
    std::condition_variable cv;
    int step = 0;
    std::thread worker([&] {
        pm::increment("w", 100);
        pm::timing("wt", 1.0);
        std::unique_lock<std::mutex> lock(m);
        step = 1;
        cv.notify_all();
        cv.wait(lock, [&] { return step == 2; });
        lock.unlock();
        pm::increment("w", 1);
        lock.lock();
        step = 3;
        cv.notify_all();
        cv.wait(lock, [&] { return step == 4; });
    });
    {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return step == 1; });
    }
    EXPECT_EQ(pm::get_counter("w"), 100);
    pm::reset();
    EXPECT_EQ(pm::get_counter("w"), std::nullopt);  // the worker has not caught up yet
    EXPECT_EQ(pm::get_timing("wt"), std::nullopt);
    {
        std::unique_lock<std::mutex> lock(m);
        step = 2;
        cv.notify_all();
        cv.wait(lock, [&] { return step == 3; });
    }
    EXPECT_EQ(pm::get_counter("w"), 1);  // live thread, after the reset only
    {
        std::lock_guard<std::mutex> lock(m);
        step = 4;
        cv.notify_all();
    }
    worker.join();
    EXPECT_EQ(pm::get_counter("w"), 1);  // and still after it exited
    EXPECT_EQ(pm::get_timing("wt"), std::nullopt);
}

TEST_F(Metrics, ResetForgetsExitedThreads) {
    std::thread([] { pm::increment("gone", 7); }).join();
    EXPECT_EQ(pm::get_counter("gone"), 7);
    pm::reset();
    EXPECT_EQ(pm::get_counter("gone"), std::nullopt);
}

TEST_F(Metrics, DisabledRecordsNothing) {
    const pm::Counter c("off.handle");
    pm::set_enabled(false);
    EXPECT_FALSE(pm::enabled());
    pm::increment("off.c");
    pm::decrement("off.c");
    pm::gauge("off.g", 1);
    pm::timing("off.t", 1);
    c.increment();
    {
        pm::Timer t("off.timer");
        EXPECT_EQ(t.elapsed(), 0.0);
    }
    { PSS_TIME("off.macro"); }
    std::thread([] { pm::increment("off.thread"); }).join();
    EXPECT_TRUE(pm::all().empty());
    pm::set_enabled(true);
    EXPECT_TRUE(pm::all().empty());
    c.increment();
    EXPECT_EQ(pm::get_counter("off.handle"), 1);
}

TEST_F(Metrics, TimerStartedWhileDisabledStaysInactive) {
    pm::set_enabled(false);
    {
        pm::Timer t("late");
        pm::set_enabled(true);
    }
    EXPECT_EQ(pm::get_timing("late"), std::nullopt);
}

TEST_F(Metrics, DisablingKeepsWhatWasRecorded) {
    pm::increment("kept", 2);
    pm::set_enabled(false);
    EXPECT_EQ(pm::get_counter("kept"), 2);
    EXPECT_EQ(pm::all().counters.size(), 1u);
}
