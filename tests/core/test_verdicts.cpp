// Verdicts, their confidence and the evidence rules: warm-ups, run delay,
// re-runs alone against the machine's noise, order dependence.
#include <gtest/gtest.h>

#include <cmath>

#include "pss/scoring/analyzer.hpp"
#include "pss/scoring/gate.hpp"
#include "pss/scoring/verdicts.hpp"
#include "pss/stats/intervals.hpp"

using namespace pss;

namespace {

TraceRecord run(const char* name, std::int64_t index, double seconds, bool error = false) {
    TraceRecord r;
    r.kind = "test";
    r.name = name;
    r.module = "bin.Suite";
    r.run = index;
    r.duration = seconds;
    r.cpu_time = seconds;
    r.error = error;
    if (error) r.exception_type = "assertion";
    return r;
}

const TestResult& only(const Analysis& a) { return a.tests.at(0); }

Analysis analyse(const std::vector<TraceRecord>& records) {
    AnalyzerOptions o;
    o.tests_only = true;
    o.keep_series = true;
    Analyzer a(o);
    for (const auto& r : records) a.add(r);
    return a.result(ScoringConfig{}, VerdictConfig{});
}

}  // namespace

TEST(Wilson, IntervalsOfAProportion) {
    const auto none = stats::wilson_interval(0, 10);
    EXPECT_EQ(none.low, 0.0);
    EXPECT_NEAR(none.high, 0.2775, 1e-4);  // "0 of 10 failed: above 28% ruled out"
    const auto some = stats::wilson_interval(3, 10);
    EXPECT_NEAR(some.low, 0.1078, 1e-4);
    EXPECT_NEAR(some.high, 0.6032, 1e-4);
    const auto all = stats::wilson_interval(10, 10);
    EXPECT_NEAR(all.low, 0.7225, 1e-4);
    EXPECT_EQ(all.high, 1.0);
    EXPECT_EQ(stats::wilson_interval(0, 0).high, 1.0);  // nothing known
    EXPECT_EQ(stats::runs_to_rule_out(0.10), 35u);      // 0 of 35: upper end 9.9%
    EXPECT_LE(stats::wilson_interval(0, 35).high, 0.10);
    EXPECT_GT(stats::wilson_interval(0, 34).high, 0.10);
}

TEST(Confidence, EveryVerdictSaysHowSureItIs) {
    std::vector<TraceRecord> records;
    for (int i = 0; i < 10; ++i) records.push_back(run("T", i, 0.001));
    const TestResult t = only(analyse(records));
    EXPECT_EQ(t.verdict, Verdict::stable);
    EXPECT_FALSE(t.confidence.weak) << t.confidence.reason;
    EXPECT_EQ(describe(t.confidence), "0 of 10 runs failed: a failure rate above 28% is ruled out (95%)");

    records.clear();
    for (int i = 0; i < 10; ++i) records.push_back(run("T", i, 0.001, i % 4 == 1));
    const TestResult flaky = only(analyse(records));
    EXPECT_EQ(flaky.verdict, Verdict::flaky);
    EXPECT_EQ(describe(flaky.confidence), "3 of 10 runs failed: failure rate 11%-60% (95%)");

    records.clear();
    for (int i = 0; i < 4; ++i) records.push_back(run("T", i, 0.001));
    const TestResult few = only(analyse(records));
    EXPECT_TRUE(few.confidence.weak);
    EXPECT_EQ(few.confidence.reason, "only 4 timed runs");
}

TEST(Warmup, TheFirstRunIsNotTimedButItsFailureCounts) {
    // A cold first run 100x slower: not instability.
    std::vector<TraceRecord> records;
    for (int i = 0; i < 10; ++i) {
        TraceRecord r = run("T", i, i == 0 ? 0.1 : 0.001);
        r.warmup = i == 0;
        records.push_back(r);
    }
    const TestResult t = only(analyse(records));
    EXPECT_EQ(t.verdict, Verdict::stable);
    EXPECT_EQ(t.score.pss, 100);
    EXPECT_EQ(t.runs, 10u);
    EXPECT_EQ(t.warmup_runs, 1u);
    EXPECT_DOUBLE_EQ(t.duration.max, 0.001);
    ASSERT_TRUE(t.has(ObservationKind::cold_start));
    EXPECT_EQ(t.observations.back().text, "cold start: first run 100x the median (not scored)");
    ASSERT_EQ(t.series.size(), 10u);
    EXPECT_TRUE(t.series[0].warmup);

    // A failure in the warm-up still makes the test flaky.
    records[0].error = true;
    const TestResult failed = only(analyse(records));
    EXPECT_EQ(failed.verdict, Verdict::flaky);
    EXPECT_EQ(failed.failures, 1u);
}

TEST(Warmup, NoWarmupAndNoFloorIsPypssExactly) {
    std::vector<TraceRecord> records;
    for (int i = 0; i < 6; ++i) records.push_back(run("T", i, 0.001 * (1 + i % 3)));
    ScoringConfig pypss;
    pypss.timing_noise_floor = 0;
    Analyzer a;
    for (const auto& r : records) a.add(r);
    std::vector<double> d;
    for (const auto& r : records) d.push_back(r.duration);
    EXPECT_DOUBLE_EQ(a.result(pypss).tests[0].score.breakdown.timing_stability, timing_stability(d, pypss));
}

TEST(RunDelay, ALowScoreFromOtherProcessesIsNoisyNotUnstable) {
    // Every fifth run 5 ms longer, all of it waiting for a CPU.
    std::vector<TraceRecord> records;
    for (int i = 0; i < 20; ++i) {
        TraceRecord r = run("T", i, i % 5 == 4 ? 0.006 : 0.001);
        r.run_delay = i % 5 == 4 ? 0.005 : 0.0;
        r.warmup = i == 0;
        records.push_back(r);
    }
    const TestResult t = only(analyse(records));
    EXPECT_LT(t.score.pss, 80);
    EXPECT_GE(t.steady_score.pss, 80);
    EXPECT_EQ(t.verdict, Verdict::stable);
    ASSERT_TRUE(t.has(ObservationKind::noisy));

    // The same tail without run delay is the test's own: unstable, to be confirmed.
    for (auto& r : records) r.run_delay = 0;
    const TestResult own = only(analyse(records));
    EXPECT_EQ(own.verdict, Verdict::unstable);
    EXPECT_TRUE(needs_rerun(own));
    EXPECT_TRUE(own.confidence.weak);
    EXPECT_EQ(own.confidence.reason, "not confirmed by re-running the test alone");
}

TEST(Rerun, ATailThatReproducesBeyondTheMachinesNoiseIsConfirmed) {
    TestResult t;
    t.name = "T";
    t.runs = 10;
    t.score.pss = 70;
    t.verdict = Verdict::unstable;
    Rerun r;
    r.runs = 20;
    r.steady_score = Score{71, {0.05, 1, 1, 1, 1}};
    r.tail_ratio = 4.0;
    r.tail_seconds = 0.006;
    r.noise.measured = true;
    r.noise.ratio = 1.3;
    TestResult confirmed = t;
    apply_rerun(confirmed, r, VerdictConfig{}, ScoringConfig{});
    EXPECT_EQ(confirmed.verdict, Verdict::unstable);
    ASSERT_TRUE(confirmed.has(ObservationKind::reproduced));
    EXPECT_EQ(confirmed.observations.back().text,
              "reproduced alone: PSS 71 in 20 runs (p95/p50 4.0x; the machine's own 1.3x)");
    EXPECT_FALSE(confirmed.confidence.weak);

    // The machine's own noise as large as the tail: stable, noisy.
    r.noise.ratio = 3.5;
    TestResult noisy = t;
    apply_rerun(noisy, r, VerdictConfig{}, ScoringConfig{});
    EXPECT_EQ(noisy.verdict, Verdict::stable);
    EXPECT_EQ(noisy.observations.back().text, "noisy: p95/p50 4.0x alone, within the machine's own noise (3.5x)");
    EXPECT_TRUE(noisy.confidence.weak);

    // Not reproducing at all: stable, noisy.
    r.noise.ratio = 1.3;
    r.steady_score.pss = 96;
    TestResult gone = t;
    apply_rerun(gone, r, VerdictConfig{}, ScoringConfig{});
    EXPECT_EQ(gone.verdict, Verdict::stable);
    EXPECT_EQ(gone.observations.back().text, "noisy: PSS 70 in the suite, 96 in 20 runs alone");
}

TEST(Rerun, AWaitingTestIsComparedWithWakeUpLatencyPerWakeUp) {
    TestResult t;
    t.runs = 10;
    t.score.pss = 70;
    t.verdict = Verdict::unstable;
    Rerun r;
    r.runs = 20;
    r.steady_score = Score{70, {0.05, 1, 1, 1, 1}};
    r.tail_ratio = 6;
    r.tail_seconds = 0.004;  // 4 ms of tail
    r.waits = true;
    r.wakeups_per_run = 200;
    r.noise.measured = true;
    r.noise.ratio = 1.2;
    r.noise.wakeup_p50 = 0.0001;
    r.noise.wakeup_p95 = 0.0011;  // 1 ms more for 40 wake-ups: 5 ms for 200
    r.noise.wakeups_per_sample = 40;
    TestResult noisy = t;
    apply_rerun(noisy, r, VerdictConfig{}, ScoringConfig{});
    EXPECT_EQ(noisy.verdict, Verdict::stable);
    EXPECT_TRUE(noisy.has(ObservationKind::noisy));
    r.tail_seconds = 0.02;  // 20 ms: more than wake-ups explain
    TestResult real = t;
    apply_rerun(real, r, VerdictConfig{}, ScoringConfig{});
    EXPECT_EQ(real.verdict, Verdict::unstable);
    EXPECT_TRUE(real.has(ObservationKind::reproduced));
}

TEST(Rerun, AMemoryInstabilityIsNotExplainedByTimingNoise) {
    TestResult t;
    t.runs = 10;
    t.score.pss = 60;
    t.verdict = Verdict::unstable;
    Rerun r;
    r.runs = 20;
    r.steady_score = Score{60, {1, 0.0, 0.0, 1, 1}};  // timing is perfect: the memory is why
    r.tail_ratio = 1.0;
    r.noise.measured = true;
    r.noise.ratio = 5;
    apply_rerun(t, r, VerdictConfig{}, ScoringConfig{});
    EXPECT_EQ(t.verdict, Verdict::unstable);
}

TEST(OrderDependence, PassingReRunsProveNothingWhenChanceExplainsThem) {
    EXPECT_EQ(reruns_for_order_dependence(10, 10), 1);   // failed every run: one pass alone tells
    EXPECT_EQ(reruns_for_order_dependence(2, 10), 14);   // 0.8^14 < 5%
    EXPECT_EQ(reruns_for_order_dependence(1, 20), 20);   // 0.95^59 < 5%: capped
    TestResult always;
    always.runs = 10;
    always.failures = 10;
    apply_failure_rerun(always, 0, 1);
    EXPECT_TRUE(always.order_dependent);
    TestResult flaky;
    flaky.runs = 10;
    flaky.failures = 2;
    apply_failure_rerun(flaky, 0, 3);
    EXPECT_FALSE(flaky.order_dependent);
    ASSERT_TRUE(flaky.has(ObservationKind::inconclusive));
    EXPECT_EQ(flaky.observations.back().text,
              "passed 3 re-runs alone, which a test failing 20% of its runs does by chance 51% of the time: order "
              "dependence not shown");
    TestResult own;
    own.runs = 10;
    own.failures = 2;
    apply_failure_rerun(own, 1, 4);
    EXPECT_EQ(own.observations.back().text, "fails alone too (1 of 4 re-runs)");
}

TEST(Leaks, AreJudgedOnPassedRunsOnly) {
    std::vector<TraceRecord> records;
    for (int i = 0; i < 10; ++i) {
        TraceRecord r = run("T", i, 0.001, i % 2 == 0);
        r.memory_diff = r.error ? 64 * 1024 : 0;  // the framework keeps each failure's message
        records.push_back(r);
    }
    EXPECT_FALSE(only(analyse(records)).has(ObservationKind::leak));
    for (auto& r : records) r.memory_diff = 256 * 1024;
    EXPECT_TRUE(only(analyse(records)).has(ObservationKind::leak));
}

TEST(Gate, OneDecisionForEveryCommand) {
    RunResults results;
    TestResult stable, unstable, flaky;
    stable.verdict = Verdict::stable;
    unstable.verdict = Verdict::unstable;
    unstable.score.pss = 70;
    flaky.verdict = Verdict::flaky;
    results.tests = {stable};
    EXPECT_EQ(decide(results, GatePolicy{}).exit_code, 0);
    results.tests = {stable, unstable, flaky};
    const GateDecision d = decide(results, GatePolicy{});
    EXPECT_EQ(d.exit_code, 1);
    EXPECT_EQ(d.reason, "gate failed: 1 flaky, 1 unstable (PSS below 80) tests");
    GatePolicy allow;
    allow.allow_flaky = true;
    EXPECT_EQ(decide(results, allow).reason, "gate failed: 1 unstable (PSS below 80) test");
    results.tests[1].quarantined = true;
    EXPECT_EQ(decide(results, allow).exit_code, 0);
    // pss analyze: the overall PSS against --fail-if-below.
    GatePolicy overall;
    overall.per_test = false;
    overall.overall_fail_below = 80;
    results.overall.pss = 79;
    EXPECT_EQ(decide(results, overall).reason, "gate failed: PSS 79 is below the threshold 80");
    results.overall.pss = 80;
    EXPECT_EQ(decide(results, overall).exit_code, 0);
}
