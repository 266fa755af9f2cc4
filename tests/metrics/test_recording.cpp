// Recording by name and reading back: values, tags, the chrono overloads.
#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "metrics_test.hpp"

TEST_F(Metrics, CounterAddsAmountsAndDecrements) {
    pm::increment("jobs");
    pm::increment("jobs", 5);
    pm::decrement("jobs");
    pm::decrement("jobs", 2);
    EXPECT_EQ(pm::get_counter("jobs"), 3);
}

TEST_F(Metrics, CounterMayGoNegativeAndBackToZero) {
    pm::decrement("clients");
    EXPECT_EQ(pm::get_counter("clients"), -1);
    pm::increment("clients");
    EXPECT_EQ(pm::get_counter("clients"), 0);  // recorded, so 0 and not nullopt
}

TEST_F(Metrics, UnknownSeriesReadAsNothing) {
    EXPECT_EQ(pm::get_counter("never"), std::nullopt);
    EXPECT_EQ(pm::get_gauge("never"), std::nullopt);
    EXPECT_EQ(pm::get_timing("never"), std::nullopt);
}

TEST_F(Metrics, KindsAreSeparateNamespaces) {
    pm::increment("x", 2);
    pm::gauge("x", 7.5);
    pm::timing("x", 0.25);
    EXPECT_EQ(pm::get_counter("x"), 2);
    EXPECT_EQ(pm::get_gauge("x")->current, 7.5);
    EXPECT_EQ(pm::get_timing("x")->count, 1u);
}

TEST_F(Metrics, GaugeKeepsCurrentMinMaxMeanCount) {
    for (const double v : {3.0, 1.0, 7.0, 5.0}) pm::gauge("queue.depth", v);
    const auto g = pm::get_gauge("queue.depth");
    ASSERT_TRUE(g);
    EXPECT_EQ(g->current, 5.0);
    EXPECT_EQ(g->min, 1.0);
    EXPECT_EQ(g->max, 7.0);
    EXPECT_EQ(g->mean, 4.0);
    EXPECT_EQ(g->count, 4u);
}

TEST_F(Metrics, TimingKeepsExactCountSumMinMaxMean) {
    for (const double v : {0.004, 0.001, 0.003, 0.002}) pm::timing("db.query", v);
    const auto t = pm::get_timing("db.query");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->count, 4u);
    EXPECT_DOUBLE_EQ(t->sum, 0.01);
    EXPECT_EQ(t->min, 0.001);
    EXPECT_EQ(t->max, 0.004);
    EXPECT_DOUBLE_EQ(t->mean, 0.0025);
    // Rank floor(q * 3): 0.002 for p50, 0.003 for p95 and p99 (within 0.78%).
    EXPECT_NEAR(t->p50, 0.002, 0.002 * pm::timing_relative_accuracy);
    EXPECT_NEAR(t->p95, 0.003, 0.003 * pm::timing_relative_accuracy);
    EXPECT_NEAR(t->p99, 0.003, 0.003 * pm::timing_relative_accuracy);
}

TEST_F(Metrics, SingleTimingIsExactInEveryField) {
    pm::timing("once", 0.0123);
    const auto t = pm::get_timing("once");
    ASSERT_TRUE(t);
    for (const double v : {t->sum, t->min, t->max, t->mean, t->p50, t->p95, t->p99}) EXPECT_EQ(v, 0.0123);
}

TEST_F(Metrics, TimingTakesChronoDurations) {
    pm::timing("sleep", std::chrono::milliseconds(250));
    pm::timing("sleep", std::chrono::microseconds(500));
    const auto t = pm::get_timing("sleep");
    ASSERT_TRUE(t);
    EXPECT_DOUBLE_EQ(t->sum, 0.2505);
    EXPECT_EQ(t->max, 0.25);
}

TEST_F(Metrics, NonFiniteGaugeAndTimingValuesAreIgnored) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    pm::gauge("g", 1.0);
    pm::gauge("g", nan);
    pm::gauge("g", inf);
    pm::timing("t", nan);
    pm::timing("t", -inf);
    EXPECT_EQ(pm::get_gauge("g")->count, 1u);
    EXPECT_EQ(pm::get_gauge("g")->current, 1.0);
    EXPECT_EQ(pm::get_timing("t"), std::nullopt);
}

TEST_F(Metrics, ZeroAndNegativeTimingsCountWithExactExtremes) {
    pm::timing("skew", 0.0);
    pm::timing("skew", -0.5);
    pm::timing("skew", 1.0);
    const auto t = pm::get_timing("skew");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->count, 3u);
    EXPECT_EQ(t->min, -0.5);
    EXPECT_EQ(t->max, 1.0);
    EXPECT_EQ(t->sum, 0.5);
    EXPECT_EQ(t->p50, 0.0);  // non-positive values share the bucket read as 0
}

TEST_F(Metrics, TagsSeparateSeries) {
    pm::increment("cache", 1, {{"type", "lru"}});
    pm::increment("cache", 2, {{"type", "lfu"}});
    pm::increment("cache", 4);
    EXPECT_EQ(pm::get_counter("cache", {{"type", "lru"}}), 1);
    EXPECT_EQ(pm::get_counter("cache", {{"type", "lfu"}}), 2);
    EXPECT_EQ(pm::get_counter("cache"), 4);
    EXPECT_EQ(pm::get_counter("cache", {{"type", "arc"}}), std::nullopt);
    EXPECT_EQ(pm::all().counters.size(), 3u);
}

TEST_F(Metrics, TagOrderDoesNotMatter) {
    pm::timing("db", 0.1, {{"table", "users"}, {"op", "read"}, {"shard", "3"}});
    pm::timing("db", 0.3, {{"shard", "3"}, {"table", "users"}, {"op", "read"}});
    pm::timing("db", 0.2, {{"op", "read"}, {"shard", "3"}, {"table", "users"}});
    const auto t = pm::get_timing("db", {{"shard", "3"}, {"op", "read"}, {"table", "users"}});
    ASSERT_TRUE(t);
    EXPECT_EQ(t->count, 3u);
    const auto snapshot = pm::all();
    ASSERT_EQ(snapshot.timings.size(), 1u);
    const pm::TagSet sorted{{"op", "read"}, {"shard", "3"}, {"table", "users"}};
    EXPECT_EQ(snapshot.timings[0].tags, sorted);
}

TEST_F(Metrics, TagValuesAndKeysAreMatchedExactly) {
    pm::increment("m", 1, {{"k", "v"}});
    pm::increment("m", 1, {{"k", "v "}});
    pm::increment("m", 1, {{"k ", "v"}});
    pm::increment("m", 1, {{"k", "v"}, {"k2", ""}});
    EXPECT_EQ(pm::get_counter("m", {{"k", "v"}}), 1);
    EXPECT_EQ(pm::all().counters.size(), 4u);
}

TEST_F(Metrics, RepeatedKeyKeepsTheLastValue) {
    pm::increment("dup", 1, {{"k", "first"}, {"k", "last"}});
    pm::increment("dup", 1, {{"k", "last"}});
    EXPECT_EQ(pm::get_counter("dup", {{"k", "last"}}), 2);
    EXPECT_EQ(pm::get_counter("dup", {{"k", "first"}}), std::nullopt);
}

TEST_F(Metrics, TagsFromRuntimeStringsVectorsAndSnapshots) {
    const std::string table = std::string("us") + "ers";
    std::vector<pm::Tag> tags{{"table", table}};
    pm::increment("rows", 10, tags);
    pm::increment("rows", 5, {{"table", table}});
    const auto snapshot = pm::all();
    ASSERT_EQ(snapshot.counters.size(), 1u);
    // A snapshot's TagSet reads its series back.
    EXPECT_EQ(pm::get_counter(snapshot.counters[0].name, snapshot.counters[0].tags), 15);
}

TEST_F(Metrics, NamesAndTagsMayHoldAnyBytes) {
    const std::string name("a\0b", 3);
    pm::increment(name);
    pm::increment(std::string("a\0c", 3));
    EXPECT_EQ(pm::get_counter(name), 1);
    EXPECT_EQ(pm::all().counters.size(), 2u);
}

TEST_F(Metrics, SnapshotIsSortedByNameThenTags) {
    pm::increment("b");
    pm::increment("a", 1, {{"k", "2"}});
    pm::increment("a", 1, {{"k", "1"}});
    const auto c = pm::all().counters;
    ASSERT_EQ(c.size(), 3u);
    EXPECT_EQ(c[0].name, "a");
    EXPECT_EQ(c[0].tags[0].second, "1");
    EXPECT_EQ(c[1].tags[0].second, "2");
    EXPECT_EQ(c[2].name, "b");
}

TEST_F(Metrics, IncrementTakesTagsWithoutAnAmount) {
    pm::increment("hits", {{"type", "cache"}});
    pm::decrement("hits", {{"type", "cache"}});
    pm::increment("hits", {{"type", "cache"}});
    EXPECT_EQ(pm::get_counter("hits", {{"type", "cache"}}), 1);
}

TEST_F(Metrics, ManySeriesOfOneThread) {
    for (int i = 0; i < 3000; ++i) pm::increment("series", i, {{"i", std::to_string(i)}});
    for (int i = 0; i < 3000; ++i) pm::increment("series", 1, {{"i", std::to_string(i)}});
    const auto snapshot = pm::all();
    ASSERT_EQ(snapshot.counters.size(), 3000u);
    EXPECT_EQ(pm::get_counter("series", {{"i", "2999"}}), 3000);
}
