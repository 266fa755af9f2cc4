// Many threads: exact totals, values of exited threads, reads during writes.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "metrics_test.hpp"

namespace {

constexpr int thread_count = 8;

template <class Fn>
void run_threads(int n, Fn fn) {
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) threads.emplace_back(fn, i);
    for (auto& t : threads) t.join();
}

}  // namespace

TEST_F(Metrics, EightThreadsGiveTheExactTotal) {
    constexpr int per_thread = 200000;
    const pm::Counter handle("total.handle");
    run_threads(thread_count, [&](int) {
        for (int i = 0; i < per_thread; ++i) {
            pm::increment("total.name");
            handle.increment();
        }
    });
    EXPECT_EQ(pm::get_counter("total.name"), thread_count * per_thread);
    EXPECT_EQ(pm::get_counter("total.handle"), thread_count * per_thread);
}

TEST_F(Metrics, LiveThreadsAreReadToo) {
    std::mutex m;
    std::condition_variable cv;
    int done = 0;
    bool release = false;
    std::vector<std::thread> threads;
    for (int i = 0; i < thread_count; ++i)
        threads.emplace_back([&, i] {
            for (int k = 0; k < 1000; ++k) pm::increment("live", 1, {{"half", i % 2 ? "odd" : "even"}});
            pm::gauge("live.g", i);
            pm::timing("live.t", 0.001 * (i + 1));
            std::unique_lock<std::mutex> lock(m);
            ++done;
            cv.notify_all();
            cv.wait(lock, [&] { return release; });
        });
    {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return done == thread_count; });
    }
    EXPECT_EQ(pm::get_counter("live", {{"half", "odd"}}), 4000);
    EXPECT_EQ(pm::get_counter("live", {{"half", "even"}}), 4000);
    EXPECT_EQ(pm::get_gauge("live.g")->count, 8u);
    EXPECT_EQ(pm::get_gauge("live.g")->max, 7.0);
    EXPECT_EQ(pm::get_timing("live.t")->count, 8u);
    EXPECT_DOUBLE_EQ(pm::get_timing("live.t")->sum, 0.036);
    {
        std::lock_guard<std::mutex> lock(m);
        release = true;
        cv.notify_all();
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(pm::get_counter("live", {{"half", "odd"}}), 4000);
    EXPECT_EQ(pm::get_timing("live.t")->count, 8u);
}

TEST_F(Metrics, ExitedThreadsKeepGaugesAndTimings) {
    run_threads(thread_count, [](int i) {
        pm::gauge("exited.g", 10.0 + i);
        for (int k = 0; k < 100; ++k) pm::timing("exited.t", 0.001);
    });
    const auto g = pm::get_gauge("exited.g");
    EXPECT_EQ(g->count, 8u);
    EXPECT_EQ(g->min, 10.0);
    EXPECT_EQ(g->max, 17.0);
    EXPECT_DOUBLE_EQ(g->mean, 13.5);
    const auto t = pm::get_timing("exited.t");
    EXPECT_EQ(t->count, 800u);
    EXPECT_EQ(t->p50, 0.001);  // every value equal: clamped to min == max
}

TEST_F(Metrics, ManyShortLivedThreads) {
    for (int round = 0; round < 50; ++round)
        run_threads(4, [](int i) {
            pm::increment("short", 1);
            pm::timing("short.t", 0.001 * (i + 1));
        });
    EXPECT_EQ(pm::get_counter("short"), 200);
    EXPECT_EQ(pm::get_timing("short.t")->count, 200u);
}

TEST_F(Metrics, ReadsWhileThreadsWriteAndExit) {
    // Readers see each counter grow monotonically and end at the exact total,
    // while writer threads come and go.
    std::atomic<bool> stop{false};
    std::atomic<bool> monotonic{true};
    std::thread reader([&] {
        std::int64_t last = 0;
        while (!stop.load()) {
            const std::int64_t now = pm::get_counter("rw").value_or(0);
            if (now < last) monotonic = false;
            last = now;
            (void)pm::to_prometheus();
        }
    });
    for (int round = 0; round < 20; ++round)
        run_threads(4, [](int) {
            for (int k = 0; k < 5000; ++k) {
                pm::increment("rw");
                pm::timing("rw.t", 1e-6 * (k % 100 + 1));
            }
        });
    stop = true;
    reader.join();
    EXPECT_TRUE(monotonic.load());
    EXPECT_EQ(pm::get_counter("rw"), 20 * 4 * 5000);
    EXPECT_EQ(pm::get_timing("rw.t")->count, 20u * 4 * 5000);
}

TEST_F(Metrics, ThreadsRegisterSeriesConcurrently) {
    run_threads(thread_count, [](int i) {
        for (int k = 0; k < 200; ++k) {
            pm::increment("reg", 1, {{"k", std::to_string(k)}});
            pm::increment("reg.own", 1, {{"t", std::to_string(i)}, {"k", std::to_string(k)}});
        }
    });
    const auto snapshot = pm::all();
    EXPECT_EQ(snapshot.counters.size(), 200u + thread_count * 200u);
    for (int k = 0; k < 200; k += 37) EXPECT_EQ(pm::get_counter("reg", {{"k", std::to_string(k)}}), thread_count);
}

namespace {
// Records from a thread_local destructor that runs after the library's own
// exit hook (constructed before it, so destroyed after it).
struct LateRecorder {
    ~LateRecorder() { pm::increment("late.exit", 1); }
};
thread_local LateRecorder late_recorder;
}  // namespace

TEST_F(Metrics, RecordingDuringThreadExitIsKept) {
    std::thread([] {
        (void)&late_recorder;  // constructed first
        pm::increment("late.exit", 1);
    }).join();
    EXPECT_EQ(pm::get_counter("late.exit"), 2);
}
