// Handles, Timer and PSS_TIME.
#include <chrono>
#include <thread>

#include "metrics_test.hpp"

namespace {
void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }
}  // namespace

TEST_F(Metrics, HandlesShareSeriesWithStringKeyedCalls) {
    const pm::Counter hits("hits", {{"type", "cache"}, {"tier", "1"}});
    hits.increment();
    hits.increment(4);
    hits.decrement(2);
    pm::increment("hits", 10, {{"tier", "1"}, {"type", "cache"}});
    EXPECT_EQ(pm::get_counter("hits", {{"type", "cache"}, {"tier", "1"}}), 13);

    const pm::Gauge depth("depth");
    depth.set(2);
    pm::gauge("depth", 4);
    EXPECT_EQ(pm::get_gauge("depth")->count, 2u);
    EXPECT_EQ(pm::get_gauge("depth")->current, 4.0);

    const pm::Timing query("query");
    query.record(0.5);
    query.record(std::chrono::milliseconds(100));
    pm::timing("query", 0.4);
    EXPECT_EQ(pm::get_timing("query")->count, 3u);
    EXPECT_DOUBLE_EQ(pm::get_timing("query")->sum, 1.0);
}

TEST_F(Metrics, CounterFactoryReturnsAHandle) {
    auto c = pm::counter("made", {{"by", "factory"}});
    EXPECT_TRUE(static_cast<bool>(c));
    c.increment();
    EXPECT_EQ(pm::get_counter("made", {{"by", "factory"}}), 1);
}

TEST_F(Metrics, DefaultHandlesRecordNothing) {
    const pm::Counter c;
    const pm::Gauge g;
    const pm::Timing t;
    EXPECT_FALSE(static_cast<bool>(c));
    c.increment();
    g.set(1);
    t.record(1);
    { pm::Timer timer(t); }
    EXPECT_TRUE(pm::all().empty());
}

TEST_F(Metrics, HandlesStayValidAcrossReset) {
    const pm::Counter c("kept");
    c.increment(5);
    pm::reset();
    EXPECT_EQ(pm::get_counter("kept"), std::nullopt);
    c.increment(2);
    EXPECT_EQ(pm::get_counter("kept"), 2);
}

TEST_F(Metrics, TimerRecordsTheScopeOnDestruction) {
    {
        pm::Timer t("scope", {{"k", "v"}});
        sleep_ms(20);
    }
    const auto t = pm::get_timing("scope", {{"k", "v"}});
    ASSERT_TRUE(t);
    EXPECT_EQ(t->count, 1u);
    EXPECT_GE(t->sum, 0.019);
    EXPECT_LT(t->sum, 5.0);
}

TEST_F(Metrics, TimerStopRecordsOnceAndReturnsTheSeconds) {
    double seconds = 0;
    {
        pm::Timer t("stopped");
        sleep_ms(5);
        EXPECT_GT(t.elapsed(), 0.0);
        seconds = t.stop();
        EXPECT_EQ(t.stop(), 0.0);  // already stopped
        EXPECT_EQ(t.elapsed(), 0.0);
    }
    const auto t = pm::get_timing("stopped");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->count, 1u);
    EXPECT_EQ(t->sum, seconds);
    EXPECT_GE(seconds, 0.004);
}

TEST_F(Metrics, CancelledTimerRecordsNothing) {
    {
        pm::Timer t("cancelled");
        t.cancel();
    }
    EXPECT_EQ(pm::get_timing("cancelled"), std::nullopt);
}

TEST_F(Metrics, TimingHandleMakesTimers) {
    const pm::Timing series("from.handle", {{"k", "v"}});
    { auto t = series.time(); }
    { pm::Timer t(series); }
    EXPECT_EQ(pm::get_timing("from.handle", {{"k", "v"}})->count, 2u);
}

namespace {
void timed_function() { PSS_TIME("macro.scope"); }
}  // namespace

TEST_F(Metrics, PssTimeTimesTheRestOfTheScope) {
    for (int i = 0; i < 3; ++i) timed_function();
    {
        PSS_TIME("macro.a");
        PSS_TIME("macro.b");  // two in one scope
    }
    EXPECT_EQ(pm::get_timing("macro.scope")->count, 3u);
    EXPECT_EQ(pm::get_timing("macro.a")->count, 1u);
    EXPECT_EQ(pm::get_timing("macro.b")->count, 1u);
}
