// to_prometheus(): the text exposition format 0.0.4, strictly.
#include <limits>
#include <string>

#include "metrics_test.hpp"

namespace {

pm::TimingStats stats(std::uint64_t count, double sum, double p50, double p95, double p99) {
    pm::TimingStats s;
    s.count = count;
    s.sum = sum;
    s.p50 = p50;
    s.p95 = p95;
    s.p99 = p99;
    return s;
}

pm::GaugeStats current(double value) {
    pm::GaugeStats g;
    g.current = value;
    g.count = 1;
    return g;
}

}  // namespace

TEST_F(Metrics, PrometheusOfNothingIsEmpty) { EXPECT_EQ(pm::to_prometheus(), ""); }

TEST_F(Metrics, PrometheusGolden) {
    pm::increment("cache.hits", 5, {{"type", "lru"}});
    pm::increment("cache.hits", 2, {{"type", "lfu"}});
    pm::increment("jobs");
    pm::gauge("queue.depth", 4);
    pm::gauge("queue.depth", 2.5);
    pm::timing("db.query", 0.25, {{"table", "users"}});
    pm::timing("db.query", 0.25, {{"table", "users"}});
    EXPECT_EQ(pm::to_prometheus(),
              "# TYPE cache_hits_total counter\n"
              "cache_hits_total{type=\"lfu\"} 2\n"
              "cache_hits_total{type=\"lru\"} 5\n"
              "# TYPE jobs_total counter\n"
              "jobs_total 1\n"
              "# TYPE queue_depth gauge\n"
              "queue_depth 2.5\n"
              "# TYPE db_query summary\n"
              "db_query{table=\"users\",quantile=\"0.5\"} 0.25\n"
              "db_query{table=\"users\",quantile=\"0.95\"} 0.25\n"
              "db_query{table=\"users\",quantile=\"0.99\"} 0.25\n"
              "db_query_sum{table=\"users\"} 0.5\n"
              "db_query_count{table=\"users\"} 2\n");
}

TEST_F(Metrics, PrometheusSummaryWithoutTags) {
    pm::Snapshot s;
    s.timings.push_back({"latency", {}, stats(3, 0.75, 0.2, 0.3, 0.3)});
    EXPECT_EQ(pm::to_prometheus(s),
              "# TYPE latency summary\n"
              "latency{quantile=\"0.5\"} 0.2\n"
              "latency{quantile=\"0.95\"} 0.3\n"
              "latency{quantile=\"0.99\"} 0.3\n"
              "latency_sum 0.75\n"
              "latency_count 3\n");
}

TEST_F(Metrics, PrometheusSanitisesMetricNames) {
    pm::Snapshot s;
    s.gauges.push_back({"a.b-c/d e", {}, current(1)});
    s.gauges.push_back({"9lives", {}, current(2)});
    s.gauges.push_back({"ns:sub_x", {}, current(3)});
    s.gauges.push_back({"", {}, current(4)});
    s.gauges.push_back({"caf\xC3\xA9", {}, current(5)});
    EXPECT_EQ(pm::to_prometheus(s),
              "# TYPE a_b_c_d_e gauge\na_b_c_d_e 1\n"
              "# TYPE _9lives gauge\n_9lives 2\n"
              "# TYPE ns:sub_x gauge\nns:sub_x 3\n"
              "# TYPE _ gauge\n_ 4\n"
              "# TYPE caf__ gauge\ncaf__ 5\n");
}

TEST_F(Metrics, PrometheusEscapesLabelValues) {
    pm::Snapshot s;
    s.counters.push_back({"c", {{"path", "C:\\dir\\\"x\"\nnext"}, {"utf8", "\xC3\xA9\xFF"}}, 1});
    EXPECT_EQ(pm::to_prometheus(s),
              "# TYPE c_total counter\n"
              "c_total{path=\"C:\\\\dir\\\\\\\"x\\\"\\nnext\",utf8=\"\xC3\xA9\xEF\xBF\xBD\"} 1\n");
}

TEST_F(Metrics, PrometheusSanitisesLabelNames) {
    pm::Snapshot s;
    s.counters.push_back({"c", {{"", "e"}, {"1st", "a"}, {"__name__", "b"}, {"my.key", "c"}, {"ok_Key9", "d"}}, 1});
    EXPECT_EQ(pm::to_prometheus(s),
              "# TYPE c_total counter\n"
              "c_total{_=\"e\",_1st=\"a\",_name__=\"b\",my_key=\"c\",ok_Key9=\"d\"} 1\n");
}

TEST_F(Metrics, PrometheusKeepsCollidingLabelNamesDistinct) {
    // "a.b" and "a_b" both sanitise to a_b: within a family each key keeps its
    // own label, so the two series stay distinct.
    pm::Snapshot s;
    s.gauges.push_back({"g", {{"a.b", "1"}}, current(1)});
    s.gauges.push_back({"g", {{"a_b", "1"}}, current(2)});
    s.gauges.push_back({"g", {{"a.b", "1"}, {"a_b", "2"}}, current(3)});
    EXPECT_EQ(pm::to_prometheus(s),
              "# TYPE g gauge\n"
              "g{a_b=\"1\"} 1\n"
              "g{a_b_2=\"1\"} 2\n"
              "g{a_b=\"1\",a_b_2=\"2\"} 3\n");
}

TEST_F(Metrics, PrometheusCollisionSuffixesNeverMakeReservedLabelNames) {
    // "" and "__" both become "_"; the second must not become "__2".
    pm::Snapshot s;
    s.counters.push_back({"c", {{"", "a"}, {"__", "b"}, {"_2", "c"}}, 1});
    EXPECT_EQ(pm::to_prometheus(s), "# TYPE c_total counter\nc_total{_=\"a\",_3=\"b\",_2=\"c\"} 1\n");
}

TEST_F(Metrics, PrometheusRenamesATagCalledQuantileOnSummaries) {
    pm::Snapshot s;
    s.timings.push_back({"t", {{"quantile", "x"}}, stats(1, 1, 1, 1, 1)});
    EXPECT_EQ(pm::to_prometheus(s),
              "# TYPE t summary\n"
              "t{quantile_2=\"x\",quantile=\"0.5\"} 1\n"
              "t{quantile_2=\"x\",quantile=\"0.95\"} 1\n"
              "t{quantile_2=\"x\",quantile=\"0.99\"} 1\n"
              "t_sum{quantile_2=\"x\"} 1\n"
              "t_count{quantile_2=\"x\"} 1\n");
}

TEST_F(Metrics, PrometheusKeepsCollidingFamilyNamesDistinct) {
    pm::Snapshot s;
    s.counters.push_back({"a.b", {}, 1});
    s.counters.push_back({"a_b", {}, 2});
    s.counters.push_back({"a_b_total", {}, 3});  // the suffix is not doubled, so it collides too
    s.gauges.push_back({"a_b_total", {}, current(4)});
    s.gauges.push_back({"x_sum", {}, current(5)});
    s.timings.push_back({"x", {}, stats(1, 1, 1, 1, 1)});  // x_sum is taken
    EXPECT_EQ(pm::to_prometheus(s),
              "# TYPE a_b_total counter\na_b_total 1\n"
              "# TYPE a_b_2_total counter\na_b_2_total 2\n"
              "# TYPE a_b_3_total counter\na_b_3_total 3\n"
              "# TYPE a_b_total_2 gauge\na_b_total_2 4\n"
              "# TYPE x_sum gauge\nx_sum 5\n"
              "# TYPE x_2 summary\n"
              "x_2{quantile=\"0.5\"} 1\nx_2{quantile=\"0.95\"} 1\nx_2{quantile=\"0.99\"} 1\n"
              "x_2_sum 1\nx_2_count 1\n");
}

TEST_F(Metrics, PrometheusWritesSpecialFloats) {
    pm::Snapshot s;
    s.gauges.push_back({"g", {{"v", "nan"}}, current(std::numeric_limits<double>::quiet_NaN())});
    s.gauges.push_back({"g", {{"v", "pinf"}}, current(std::numeric_limits<double>::infinity())});
    s.gauges.push_back({"g", {{"v", "ninf"}}, current(-std::numeric_limits<double>::infinity())});
    s.gauges.push_back({"g", {{"v", "small"}}, current(-1.5e-9)});
    EXPECT_EQ(pm::to_prometheus(s),
              "# TYPE g gauge\n"
              "g{v=\"nan\"} NaN\n"
              "g{v=\"pinf\"} +Inf\n"
              "g{v=\"ninf\"} -Inf\n"
              "g{v=\"small\"} -1.5e-09\n");
}

TEST_F(Metrics, PrometheusNegativeCounterValuesAreWritten) {
    pm::decrement("balance", 4);
    EXPECT_EQ(pm::to_prometheus(), "# TYPE balance_total counter\nbalance_total -4\n");
}
