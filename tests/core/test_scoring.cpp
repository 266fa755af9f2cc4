// Every sub-score formula at its edges, with expected values derived by hand
// from the formulas of docs/SCORING.md (pypss 1.3.1).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "pss/scoring/sample_set.hpp"
#include "pss/scoring/scoring.hpp"

using namespace pss;

namespace {

ScoringConfig pypss() {
    ScoringConfig c;
    c.timing_noise_floor = 0.0;  // pypss exactly
    return c;
}

std::vector<double> errors_from(std::initializer_list<int> flags) {
    std::vector<double> v;
    for (int f : flags) v.push_back(f);
    return v;
}

}  // namespace

// ---- TS -------------------------------------------------------------------

TEST(TimingStability, EmptyAndSingleSampleAreStable) {
    EXPECT_EQ(timing_stability({}, pypss()), 1.0);
    const std::vector<double> one{0.5};
    EXPECT_EQ(timing_stability(one, pypss()), 1.0);
}

TEST(TimingStability, ConstantDurationsScoreOne) {
    const std::vector<double> d(10, 0.01);
    EXPECT_DOUBLE_EQ(timing_stability(d, pypss()), 1.0);
}

TEST(TimingStability, HandDerivedVector) {
    // [1,2,3,4]: CV = 1.2909944/2.5 = 0.5163978; p50 = 2.5; p95 = (3*-75 + 4*175)/100 = 4.75
    // TS = exp(-2*0.5163978) / (1 + (4.75/2.5 - 1)) = 0.3560103 / 1.9 = 0.1873739
    const std::vector<double> d{1, 2, 3, 4};
    EXPECT_NEAR(timing_stability(d, pypss()), 0.18737385278102522, 1e-12);
}

TEST(TimingStability, ZeroMedianSkipsTailPenalty) {
    // p50 = 0: only the CV part applies. CV = stdev([0,0,0,1]) / 0.25 = 0.5 / 0.25 = 2.
    const std::vector<double> d{0, 0, 0, 1};
    EXPECT_NEAR(timing_stability(d, pypss()), std::exp(-4.0), 1e-12);
}

TEST(TimingStability, TailPercentileIsConfigurable) {
    std::vector<double> d;
    for (int i = 1; i <= 10; ++i) d.push_back(i);
    ScoringConfig p99 = pypss();
    p99.score_latency_tail_percentile = 98;
    EXPECT_LT(timing_stability(d, p99), timing_stability(d, pypss()));  // p99 10.89 > p95 10.45
}

TEST(TimingNoiseFloor, HealthyFastTestOnBusyMachineScoresAtLeast95) {
    // A 50 us unit test: a cold first run, scheduler noise of tens of microseconds.
    const std::vector<double> d{180e-6, 52e-6, 48e-6, 61e-6, 50e-6, 47e-6, 95e-6, 49e-6, 51e-6, 120e-6,
                                50e-6,  46e-6, 70e-6, 49e-6, 53e-6, 48e-6, 50e-6, 140e-6, 47e-6, 52e-6};
    SampleSet s;
    for (double x : d) {
        TraceRecord r;
        r.duration = x;
        r.cpu_time = x;
        r.memory = 4096;
        s.add(r);
    }
    const ScoringConfig defaults;
    EXPECT_GE(s.score(defaults).pss, 95);
    EXPECT_DOUBLE_EQ(s.score(defaults).breakdown.timing_stability, 1.0);
    // Without the floor (pypss) the same healthy test looks unstable.
    EXPECT_LT(s.score(pypss()).pss, 95);
}

TEST(TimingNoiseFloor, MillisecondTestWithThreeTimesTailStillScoresBelow80) {
    // 1 ms, every 5th run 3 ms. With the 0.2 ms floor:
    // stdev 0.8208 ms -> CV (0.8208-0.2)/1.4 = 0.4434; tail 1 + (2-0.2)/1 = 2.8
    // TS = exp(-0.8868) / 2.8 = 0.147; PSS = 70 + 30*0.147 = 74
    SampleSet s;
    for (int run = 0; run < 20; ++run) {
        TraceRecord r;
        r.duration = run % 5 == 4 ? 3e-3 : 1e-3;
        r.cpu_time = r.duration;
        s.add(r);
    }
    const Score score = s.score(ScoringConfig{});
    EXPECT_NEAR(score.breakdown.timing_stability, 0.147, 0.002);
    EXPECT_LT(score.pss, 80);
    EXPECT_EQ(score.pss, 74);
}

TEST(TimingNoiseFloor, ZeroFloorIsPypssBitForBit) {
    const std::vector<double> d{0.0011, 0.0012, 0.0009, 0.0031, 0.0010};
    ScoringConfig zero;
    zero.timing_noise_floor = 0.0;
    // The pypss expression: exp(-alpha*CV) * 1/(1 + beta*(p95/p50 - 1)), no floor arithmetic at all.
    EXPECT_EQ(timing_stability(d, zero), timing_stability(d, pypss()));
}

// ---- MS -------------------------------------------------------------------

TEST(MemoryStability, FewerThanTwoSamplesIsStable) {
    const std::vector<double> one{1e9};
    EXPECT_EQ(memory_stability(one, pypss()), 1.0);
}

TEST(MemoryStability, ZeroMedian) {
    EXPECT_EQ(memory_stability(std::vector<double>{0, 0, 0}, pypss()), 1.0);  // nothing allocated: stable
    EXPECT_EQ(memory_stability(std::vector<double>{0, 0, 5}, pypss()), 0.0);  // median 0, a peak: unstable
}

TEST(MemoryStability, BelowSpikeThreshold) {
    // [100,120,110,140]: median 115, stdev 17.078, peak/median 1.2174 (< 1.5: no spike penalty)
    // MS = exp(-2*(17.078/115 + 0.2174)) = 0.48104
    EXPECT_NEAR(memory_stability(std::vector<double>{100, 120, 110, 140}, pypss()), 0.4810444149567653, 1e-9);
}

TEST(MemoryStability, AboveSpikeThresholdAddsPenalty) {
    // [100,100,100,200]: median 100, stdev 50, peak/median 2.0 > 1.5
    // MS = exp(-2*(0.5 + 1.0)) * exp(-2*(2.0 - 1.5)) = exp(-3) * exp(-1) = exp(-4)
    EXPECT_NEAR(memory_stability(std::vector<double>{100, 100, 100, 200}, pypss()), std::exp(-4.0), 1e-9);
}

TEST(MemoryStability, ConstantMemoryScoresOne) {
    EXPECT_NEAR(memory_stability(std::vector<double>{4096, 4096, 4096}, pypss()), 1.0, 1e-9);
}

// Found by fuzz_trace_records: pypss's expression is above 1 when the peak is
// below median + 1e-9, e^2 = 7.39 for heaps of a fraction of a byte, which
// outweighed every other sub-score (PSS 100 whatever the timing).
TEST(MemoryStability, NeverAboveOne) {
    EXPECT_EQ(memory_stability(std::vector<double>{1e-12, 1e-12, 1e-12}, pypss()), 1.0);
    EXPECT_EQ(memory_stability(std::vector<double>{4096, 4096, 4096}, pypss()), 1.0);
    EXPECT_LT(memory_stability(std::vector<double>{4096, 4096, 8192}, pypss()), 1.0);  // a real spike still counts
}

// ---- EV -------------------------------------------------------------------

TEST(ErrorVolatility, NoErrorsScoresOne) {
    EXPECT_EQ(error_volatility(errors_from({0, 0, 0, 0}), pypss()), 1.0);
    EXPECT_EQ(error_volatility({}, pypss()), 1.0);
}

TEST(ErrorVolatility, OneInTenAtTheSpikeThreshold) {
    // r = 0.1, variance = 0.1*0.9*10/9 = 0.1, VMR = 1 -> exp(-(0.1 + 0.5)) ; r is not > 0.1: no spike penalty
    EXPECT_NEAR(error_volatility(errors_from({0, 0, 0, 0, 0, 0, 0, 0, 0, 1}), pypss()), std::exp(-0.6), 1e-12);
}

TEST(ErrorVolatility, SpikeAboveThreshold) {
    // r = 0.3 spread out (longest run 1): VMR = (0.3*0.7*10/9)/0.3 = 0.7778
    // exp(-(0.3 + 0.3889)) * (1 - 0.5*(0.3-0.1)/0.9) = 0.50215 * 0.88889 = 0.44634
    EXPECT_NEAR(error_volatility(errors_from({1, 0, 0, 1, 0, 0, 1, 0, 0, 0}), pypss()), 0.44634105381246547, 1e-12);
}

TEST(ErrorVolatility, ConsecutiveErrorsBelowThresholdHaveNoExtraPenalty) {
    EXPECT_NEAR(error_volatility(errors_from({0, 0, 0, 0, 0, 0, 0, 0, 1, 1}), pypss()), 0.49578998548486247, 1e-12);
}

TEST(ErrorVolatility, ConsecutiveErrorsAtAndAboveThreshold) {
    // 3 in a row (= threshold): extra factor exp(-2*1); 4 in a row: exp(-2*2)
    EXPECT_NEAR(error_volatility(errors_from({0, 0, 0, 0, 0, 0, 0, 1, 1, 1}), pypss()), 0.06040569293783821, 1e-12);
    EXPECT_NEAR(error_volatility(errors_from({0, 0, 0, 0, 0, 0, 1, 1, 1, 1}), pypss()), 0.007330915375921256, 1e-12);
}

// Found with fuzz_config's score checks: score_error_spike_impact_multiplier
// may be any number >= 0, and above 1 the spike factor 1 - impact * m went
// below 0, and the sub-score with it (-0.34 with 10 and a 25% failure rate).
TEST(ErrorVolatility, NeverBelowZero) {
    ScoringConfig c = pypss();
    c.score_error_spike_impact_multiplier = 10;
    EXPECT_EQ(error_volatility(errors_from({1, 0, 0, 1, 0, 0, 1, 0, 0, 0}), c), 0.0);
    EXPECT_EQ(error_volatility(errors_from({1, 1, 1, 1, 1}), c), 0.0);
}

TEST(ErrorVolatility, AlwaysFailing) {
    // r = 1, variance 0 -> exp(-1) * (1 - 0.5) * exp(-2*3) for 5 in a row
    EXPECT_NEAR(error_volatility(errors_from({1, 1, 1, 1, 1}), pypss()), std::exp(-1.0) * 0.5 * std::exp(-6.0), 1e-12);
}

// ---- BE -------------------------------------------------------------------

TEST(BranchingEntropy, NoTagsOrOneTagScoresOne) {
    EXPECT_EQ(branching_entropy({}), 1.0);
    EXPECT_EQ(branching_entropy({{"hit", 10}}), 1.0);
}

TEST(BranchingEntropy, UniformTagsScoreZero) {
    EXPECT_NEAR(branching_entropy({{"a", 5}, {"b", 5}}), 0.0, 1e-12);
}

TEST(BranchingEntropy, SkewedTags) {
    // 3:1 -> H = 0.811278, k = 2 -> 1 - 0.811278 = 0.188722
    EXPECT_NEAR(branching_entropy({{"a", 3}, {"b", 1}}), 0.18872187554086717, 1e-12);
    // 1:1:2 -> H = 1.5, log2(3) = 1.58496 -> 0.053605
    EXPECT_NEAR(branching_entropy({{"a", 1}, {"b", 1}, {"c", 2}}), 0.053605369642813816, 1e-12);
}

// ---- CC -------------------------------------------------------------------

TEST(ConcurrencyChaos, ZeroOrSmallMeanWaitScoresOne) {
    EXPECT_EQ(concurrency_chaos(std::vector<double>{0, 0, 0}, {}, pypss()), 1.0);
    EXPECT_EQ(concurrency_chaos(std::vector<double>{0.0001, 0.0019}, {}, pypss()), 1.0);  // mean 1 ms: not above
    EXPECT_EQ(concurrency_chaos(std::vector<double>{0.5}, {}, pypss()), 1.0);  // one sample
}

TEST(ConcurrencyChaos, VaryingWaitAboveThreshold) {
    // [2,4,6] ms: CV = 2/4 = 0.5 -> exp(-1)
    EXPECT_NEAR(concurrency_chaos(std::vector<double>{0.002, 0.004, 0.006}, {}, pypss()), std::exp(-1.0), 1e-12);
}

TEST(ConcurrencyChaos, EventLoopLagPenalty) {
    // mean lag 0.1 s > 10 ms: factor 1 - min(1, 0.1*5) = 0.5; lag >= 0.2 s: 0
    EXPECT_NEAR(concurrency_chaos({}, std::vector<double>{0.1}, pypss()), 0.5, 1e-12);
    EXPECT_EQ(concurrency_chaos({}, std::vector<double>{0.3}, pypss()), 0.0);
    EXPECT_EQ(concurrency_chaos({}, std::vector<double>{0.005}, pypss()), 1.0);
}

// ---- PSS ------------------------------------------------------------------

TEST(Combine, WeightsAndPythonRounding) {
    ScoringConfig only_ts = pypss();
    only_ts.w_ms = only_ts.w_ev = only_ts.w_be = only_ts.w_cc = 0;
    only_ts.w_ts = 2.0;  // normalised by the weight sum
    SubScores s;
    s.timing_stability = 0.375;  // 37.5 -> 38 (half to even)
    EXPECT_EQ(combine(s, only_ts), 38);
    s.timing_stability = 0.625;  // 62.5 -> 62
    EXPECT_EQ(combine(s, only_ts), 62);
    EXPECT_EQ(combine(SubScores{}, pypss()), 100);
}

TEST(SampleSetScore, NoRecordsScoresZero) {
    SampleSet empty;
    const Score s = empty.score(pypss());
    EXPECT_EQ(s.pss, 0);
    EXPECT_EQ(s.breakdown.timing_stability, 0.0);
    EXPECT_EQ(s.breakdown.concurrency_chaos, 0.0);
}

TEST(SampleSetScore, SystemRecordsFeedOnlyTheLagPenalty) {
    SampleSet s;
    TraceRecord lag;
    lag.system_metric = true;
    lag.lag = 0.1;
    lag.duration = 99;  // ignored: system records are not runs
    s.add(lag);
    EXPECT_EQ(s.count(), 0u);
    const Score score = s.score(pypss());
    EXPECT_NEAR(score.breakdown.concurrency_chaos, 0.5, 1e-12);
    EXPECT_EQ(score.pss, 92);  // (0.85 + 0.15*0.5) = 0.92499999999999993 in doubles -> 92, as in Python
}

TEST(SampleSetScore, FlakyTestHandDerived) {
    // 10 runs, 1 ms each, memory constant, failing in runs 3 and 7, no tags, no wait:
    // TS 1, MS 1, BE 1, CC 1; EV: r = 0.2, var = 0.2*0.8*10/9 = 0.17778, VMR 0.88889
    // exp(-(0.2 + 0.44444)) * (1 - 0.5*0.1/0.9) = 0.52496 * 0.94444 = 0.49580
    // PSS = 100 * (0.3 + 0.2 + 0.2*0.49580 + 0.15 + 0.15) = 89.9 -> 90
    SampleSet s;
    for (int run = 0; run < 10; ++run) {
        TraceRecord r;
        r.duration = 0.001;
        r.memory = 1000;
        r.error = run == 3 || run == 7;
        s.add(r);
    }
    const Score score = s.score(pypss());
    EXPECT_NEAR(score.breakdown.error_volatility, 0.49578998548486247, 1e-12);
    EXPECT_EQ(score.pss, 90);
    EXPECT_EQ(s.error_count(), 2u);
}

TEST(TimingNoiseFloor, TailIsClampedToTheSlowestRunWithFewRuns) {
    // [1, 1, 3] ms: Python's exclusive p95 is 4.6 ms (extrapolated). With the
    // floor the tail is the slowest run, 3 ms: tail = 1 + (2 - 0.2)/1 = 2.8.
    const std::vector<double> d{1e-3, 1e-3, 3e-3};
    const ScoringConfig defaults;
    const double cv = std::max(0.0, 0.0011547005383792516 - 0.0002) / (5e-3 / 3);
    EXPECT_NEAR(timing_stability(d, defaults), std::exp(-2 * cv) / 2.8, 1e-9);
    // pypss (no floor): p95/p50 = 4.6, unclamped.
    EXPECT_NEAR(timing_stability(d, pypss()), std::exp(-2 * 0.0011547005383792516 / (5e-3 / 3)) / 4.6, 1e-9);
}
