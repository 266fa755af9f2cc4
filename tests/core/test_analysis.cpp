// Grouping into tests and modules, and the per-test statistics.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "pss/scoring/advisor.hpp"
#include "pss/scoring/analyzer.hpp"

using namespace pss;

namespace {

TraceRecord rec(std::string name, std::string module, double duration, bool error = false) {
    TraceRecord r;
    r.name = std::move(name);
    r.module = std::move(module);
    r.duration = duration;
    r.error = error;
    r.memory = 1000;
    return r;
}

}  // namespace

TEST(Analysis, GroupsByModuleAndNameWorstFirst) {
    Analyzer a;
    for (int run = 0; run < 10; ++run) {
        a.add(rec("Stable.Test", "bin.Stable", 0.001));
        a.add(rec("Flaky.Test", "bin.Flaky", 0.001, run % 3 == 1));
        a.add(rec("Stable.Test", "other_bin.Stable", 0.001));  // same name, other binary
    }
    const Analysis r = a.result(ScoringConfig{});
    EXPECT_EQ(r.records, 30u);
    EXPECT_EQ(r.errors, 3u);
    ASSERT_EQ(r.tests.size(), 3u);
    EXPECT_EQ(r.tests[0].name, "Flaky.Test");
    EXPECT_EQ(r.tests[0].failures, 3u);
    EXPECT_LT(r.tests[0].score.pss, r.tests[1].score.pss);
    EXPECT_EQ(r.tests[1].runs, 10u);
    ASSERT_EQ(r.modules.size(), 3u);
    EXPECT_EQ(r.modules[0].name, "bin.Flaky");
}

TEST(Analysis, GroupsTheSameWhateverTheOrderOfTheRecords) {
    // The look-up tries the test that followed last time first: a suite in
    // the same order each run, then reversed, shuffled, with names shared
    // by two binaries and prefixes of each other, must group as one would.
    const std::vector<std::pair<std::string, std::string>> tests = {
        {"S.A", "bin"}, {"S.B", "bin"}, {"S.A", "bin2"}, {"S.AB", "bin"}, {"S.B", "bin2"}, {"S.A", "bi"}};
    std::vector<std::size_t> order = {0, 1, 2, 3, 4, 5};
    std::map<std::pair<std::string, std::string>, std::uint64_t> expected;
    Analyzer a;
    for (int run = 0; run < 30; ++run) {
        if (run == 10) std::reverse(order.begin(), order.end());
        if (run >= 20) std::rotate(order.begin(), order.begin() + run % 5, order.end());
        for (std::size_t k = 0; k < order.size() - (run % 7 == 3 ? 2 : 0); ++k) {  // now and then a short run
            const auto& [name, module] = tests[order[k]];
            a.add(rec(name, module, 0.001));
            ++expected[{module, name}];
        }
    }
    const Analysis r = a.result(ScoringConfig{});
    std::map<std::pair<std::string, std::string>, std::uint64_t> counted;
    for (const TestResult& t : r.tests) counted[{t.module, t.name}] += t.runs;
    EXPECT_EQ(counted, expected);
    EXPECT_EQ(r.tests.size(), tests.size());
}

TEST(Analysis, RecordsWithoutModuleGoToUnknown) {
    Analyzer a;
    a.add(rec("f", "", 0.1));
    const Analysis r = a.result(ScoringConfig{});
    ASSERT_EQ(r.modules.size(), 1u);
    EXPECT_EQ(r.modules[0].name, "unknown");
}

TEST(Analysis, DurationPercentilesAndFirstFailure) {
    Analyzer a;
    for (int i = 1; i <= 10; ++i) {
        TraceRecord r = rec("T", "m", i * 0.001, i == 4);
        if (i == 4) {
            r.exception_type = "assertion";
            r.exception_message = "x == 1";
        }
        r.filename = "t.cpp";
        r.lineno = 5;
        a.add(r);
    }
    const auto t = a.result(ScoringConfig{}).tests.at(0);
    EXPECT_NEAR(t.duration.p50, 0.0055, 1e-12);
    // Python's exclusive p95 of 1..10 ms is 10.45 ms, past the slowest run:
    // every output shows percentiles within the observed range.
    EXPECT_DOUBLE_EQ(t.duration.p95, 0.010);
    EXPECT_DOUBLE_EQ(t.duration.max, 0.010);
    ASSERT_EQ(t.failure_samples.size(), 1u);
    EXPECT_EQ(t.failure_samples[0].type, "assertion");
    EXPECT_EQ(t.failure_samples[0].kind, FailureKind::assertion);
    EXPECT_EQ(t.failure_samples[0].message, "x == 1");
    EXPECT_EQ(t.filename, "t.cpp");
    EXPECT_EQ(t.lineno, 5);
}

TEST(Analysis, SystemRecordsAreNotTests) {
    Analyzer a;
    a.add(rec("T", "m", 0.001));
    TraceRecord lag;
    lag.system_metric = true;
    lag.module = "m";
    lag.lag = 0.1;
    a.add(lag);
    const Analysis r = a.result(ScoringConfig{});
    EXPECT_EQ(r.tests.size(), 1u);
    EXPECT_NEAR(r.overall.score.breakdown.concurrency_chaos, 0.5, 1e-12);
    EXPECT_NEAR(r.modules.at(0).score.breakdown.concurrency_chaos, 0.5, 1e-12);
}

TEST(Advisor, FollowsPypssThresholds) {
    Score s;
    s.pss = 61;
    s.breakdown.timing_stability = 0.27;
    s.breakdown.memory_stability = 0.99;
    s.breakdown.error_volatility = 0.59;
    s.breakdown.concurrency_chaos = 0.42;
    const Advice a = advise(s, AdvisorConfig{});
    EXPECT_NE(a.summary.find("flakiness"), std::string::npos);
    ASSERT_EQ(a.observations.size(), 3u);
    EXPECT_NE(a.observations[0].find("latency jitter"), std::string::npos);
    EXPECT_NE(a.observations[1].find("error volatility"), std::string::npos);
    EXPECT_NE(a.observations[2].find("concurrency"), std::string::npos);

    Score good;
    good.pss = 98;
    EXPECT_TRUE(advise(good, AdvisorConfig{}).observations.empty());
}
