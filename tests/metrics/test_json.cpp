// to_json(): golden strings, escaping, numbers.
#include <limits>
#include <string>

#include "metrics_test.hpp"

TEST_F(Metrics, JsonOfNothing) {
    EXPECT_EQ(pm::to_json(), R"({"counters":[],"gauges":[],"timings":[]})");
}

TEST_F(Metrics, JsonGolden) {
    pm::increment("cache.hits", 5, {{"type", "lru"}});
    pm::increment("jobs");
    pm::gauge("queue.depth", 4);
    pm::gauge("queue.depth", 2);
    pm::timing("db.query", 0.5, {{"table", "users"}, {"op", "read"}});
    EXPECT_EQ(pm::to_json(),
              R"({"counters":[{"name":"cache.hits","tags":{"type":"lru"},"value":5},)"
              R"({"name":"jobs","tags":{},"value":1}],)"
              R"("gauges":[{"name":"queue.depth","tags":{},"current":2,"min":2,"max":4,"mean":3,"count":2}],)"
              R"("timings":[{"name":"db.query","tags":{"op":"read","table":"users"},"count":1,"sum":0.5,)"
              R"("min":0.5,"max":0.5,"mean":0.5,"p50":0.5,"p95":0.5,"p99":0.5}]})");
}

TEST_F(Metrics, JsonNumbersRoundTripAndNegativeCounters) {
    pm::decrement("down", 3);
    pm::gauge("tiny", 1e-7);
    pm::gauge("third", 1.0 / 3);
    const std::string json = pm::to_json();
    EXPECT_NE(json.find(R"("value":-3)"), std::string::npos) << json;
    EXPECT_NE(json.find(R"("current":1e-07)"), std::string::npos) << json;
    EXPECT_NE(json.find(R"("current":0.3333333333333333)"), std::string::npos) << json;
}

TEST_F(Metrics, JsonEscapesHostileStrings) {
    pm::Snapshot s;
    s.counters.push_back({"q\"uote\\back\nline\ttab\x01\x1f", {{"k\"", "v\r\b\f"}}, 1});
    EXPECT_EQ(pm::to_json(s),
              R"({"counters":[{"name":"q\"uote\\back\nline\ttab\u0001\u001f","tags":{"k\"":"v\r\b\f"},"value":1}],)"
              R"("gauges":[],"timings":[]})");
}

TEST_F(Metrics, JsonKeepsUtf8AndReplacesInvalidBytes) {
    pm::Snapshot s;
    s.counters.push_back({"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", {}, 1});  // é € 😀: kept
    s.counters.push_back({"bad\xFF\xC3(\xED\xA0\x80\xC0\xAF", {}, 2});  // stray, truncated, surrogate, overlong
    const std::string json = pm::to_json(s);
    EXPECT_NE(json.find("\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\""), std::string::npos) << json;
    EXPECT_NE(json.find(R"("bad\ufffd\ufffd(\ufffd\ufffd\ufffd\ufffd\ufffd")"), std::string::npos) << json;
}

TEST_F(Metrics, JsonWritesNonFiniteNumbersAsNull) {
    pm::Snapshot s;
    pm::TimingStats stats;
    stats.count = 2;
    stats.sum = std::numeric_limits<double>::infinity();
    stats.mean = std::numeric_limits<double>::quiet_NaN();
    s.timings.push_back({"t", {}, stats});
    EXPECT_EQ(pm::to_json(s), R"({"counters":[],"gauges":[],"timings":[{"name":"t","tags":{},"count":2,"sum":null,)"
                              R"("min":0,"max":0,"mean":null,"p50":0,"p95":0,"p99":0}]})");
}

TEST_F(Metrics, JsonOfAnOverflowingSumIsStillValid) {
    pm::timing("huge", 1e308);
    pm::timing("huge", 1e308);
    EXPECT_NE(pm::to_json().find(R"("sum":null)"), std::string::npos);
}
