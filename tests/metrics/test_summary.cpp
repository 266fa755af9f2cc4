// summary(): the text for people.
#include <string>

#include "metrics_test.hpp"

TEST_F(Metrics, SummaryOfNothing) { EXPECT_EQ(pm::summary(), "no metrics recorded\n"); }

TEST_F(Metrics, SummaryGolden) {
    pm::increment("cache.hits", 1520, {{"type", "lru"}});
    for (const double v : {3.0, 0.0, 12.0, 2.0}) pm::gauge("queue.depth", v);
    pm::timing("db.query", 0.00125, {{"table", "users"}});
    pm::timing("parse", 2.5);
    pm::timing("tick", 250e-9);
    EXPECT_EQ(pm::summary(),
              "counters\n"
              "  cache.hits{type=lru}   1520\n"
              "gauges\n"
              "  queue.depth            current 2  min 0  max 12  mean 4.25  (n=4)\n"
              "timings\n"
              "  db.query{table=users}  n=1  mean 1.25 ms  p50 1.25 ms  p95 1.25 ms  p99 1.25 ms  min 1.25 ms"
              "  max 1.25 ms\n"
              "  parse                  n=1  mean 2.50 s  p50 2.50 s  p95 2.50 s  p99 2.50 s  min 2.50 s  max 2.50 s\n"
              "  tick                   n=1  mean 250.00 ns  p50 250.00 ns  p95 250.00 ns  p99 250.00 ns"
              "  min 250.00 ns  max 250.00 ns\n");
}

TEST_F(Metrics, SummaryKeepsOneLinePerSeries) {
    pm::increment("evil\nname", 1, {{"k\t", "v\x01"}});
    EXPECT_EQ(pm::summary(), "counters\n  evil\\nname{k\\t=v?}  1\n");
}
