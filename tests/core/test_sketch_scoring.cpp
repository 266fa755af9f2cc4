// Scores at scale: identical to the exact path while a group is under the
// sample cap, and within the stated tolerance past it.
//
// Tolerance past the cap (QuantileSketch::relative_accuracy a = 0.5%): p50,
// p95 and the memory median are each within a, so TS moves by at most ~2a of
// itself and MS by at most ~gamma * a * (stdev + peak) / median of itself,
// 0.02 for any realistic memory profile; EV, BE and CC use exact counts, runs
// and moments (equal up to rounding, 1e-9). PSS stays within +-1.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <utility>
#include <vector>

#include "pss/scoring/analyzer.hpp"
#include "pss/scoring/sample_set.hpp"
#include "pss/scoring/scoring.hpp"

using namespace pss;

namespace {

constexpr double sub_score_tolerance = 0.02;
constexpr double exact_tolerance = 1e-9;

// One test's runs: lognormal durations around `median` with `sigma`, a slow
// run now and then, memory with occasional spikes, failures in bursts.
struct Profile {
    double median = 0.002, sigma = 0.2, slow_rate = 0.02, slow_factor = 4;
    double memory = 1 << 20, memory_jitter = 0.01, spike_rate = 0.01;
    double error_rate = 0.0, burst = 0.0;  // chance that a failure is followed by another
    double wait_share = 0.1;
    int tags = 1;
};

std::vector<TraceRecord> runs(const Profile& p, std::size_t n, unsigned seed, const std::string& name = "T",
                              const std::string& module = "m") {
    std::mt19937_64 rng(seed);
    std::lognormal_distribution<double> dur(std::log(p.median), p.sigma);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<TraceRecord> out(n);
    bool failed = false;
    for (std::size_t i = 0; i < n; ++i) {
        TraceRecord& r = out[i];
        r.name = name;
        r.module = module;
        r.run = static_cast<std::int64_t>(i);
        r.duration = dur(rng) * (u(rng) < p.slow_rate ? p.slow_factor : 1.0);
        r.wait_time = r.duration * p.wait_share * u(rng);
        r.cpu_time = r.duration - r.wait_time;
        r.memory = std::round(p.memory * (1 + p.memory_jitter * u(rng)) * (u(rng) < p.spike_rate ? 3 : 1));
        failed = failed ? u(rng) < p.burst : u(rng) < p.error_rate;
        r.error = failed;
        if (p.tags > 1) r.branch_tag = "path" + std::to_string(static_cast<int>(u(rng) * p.tags));
    }
    return out;
}

std::vector<Profile> profiles() {
    std::vector<Profile> v(8);
    v[1].sigma = 0.6;
    v[2].median = 40e-6;  // fast test: the noise floor matters
    v[3].error_rate = 0.05;
    v[3].burst = 0.6;
    v[4].tags = 3;
    v[4].wait_share = 0.8;
    v[4].median = 0.05;
    v[5].memory_jitter = 0.5;
    v[5].spike_rate = 0.1;
    v[6].slow_rate = 0.2;
    v[6].slow_factor = 10;
    v[7].memory = 0;  // memory not tracked
    v[7].spike_rate = 0;
    return v;
}

void expect_same(const Score& a, const Score& b) {
    EXPECT_EQ(a.pss, b.pss);
    EXPECT_EQ(a.breakdown.timing_stability, b.breakdown.timing_stability);
    EXPECT_EQ(a.breakdown.memory_stability, b.breakdown.memory_stability);
    EXPECT_EQ(a.breakdown.error_volatility, b.breakdown.error_volatility);
    EXPECT_EQ(a.breakdown.branching_entropy, b.breakdown.branching_entropy);
    EXPECT_EQ(a.breakdown.concurrency_chaos, b.breakdown.concurrency_chaos);
}

void expect_close(const Score& estimate, const Score& exact, const std::string& what) {
    EXPECT_LE(std::abs(estimate.pss - exact.pss), 1) << what;
    EXPECT_NEAR(estimate.breakdown.timing_stability, exact.breakdown.timing_stability, sub_score_tolerance) << what;
    EXPECT_NEAR(estimate.breakdown.memory_stability, exact.breakdown.memory_stability, sub_score_tolerance) << what;
    EXPECT_NEAR(estimate.breakdown.error_volatility, exact.breakdown.error_volatility, exact_tolerance) << what;
    EXPECT_NEAR(estimate.breakdown.branching_entropy, exact.breakdown.branching_entropy, exact_tolerance) << what;
    EXPECT_NEAR(estimate.breakdown.concurrency_chaos, exact.breakdown.concurrency_chaos, exact_tolerance) << what;
}

ScoringConfig pypss() {
    ScoringConfig c;
    c.timing_noise_floor = 0;
    return c;
}

}  // namespace

TEST(SampleSetCap, UnderTheCapEverythingIsIdenticalToKeepingAll) {
    const auto all = profiles();
    for (std::size_t i = 0; i < all.size(); ++i) {
        const auto records = runs(all[i], 5000, static_cast<unsigned>(i));
        SampleSet capped(5000), unlimited(SampleSet::unlimited);
        for (const auto& r : records) capped.add(r), unlimited.add(r);
        ASSERT_TRUE(capped.exact());
        expect_same(capped.score(ScoringConfig{}), unlimited.score(ScoringConfig{}));
        expect_same(capped.score(pypss()), unlimited.score(pypss()));
        // And identical to the sub-score functions on the raw samples.
        std::vector<double> d, m, e;
        for (const auto& r : records) d.push_back(r.duration), m.push_back(r.memory), e.push_back(r.error ? 1 : 0);
        EXPECT_EQ(capped.score(pypss()).breakdown.timing_stability, timing_stability(d, pypss()));
        EXPECT_EQ(capped.score(pypss()).breakdown.memory_stability, memory_stability(m, pypss()));
        EXPECT_EQ(capped.score(pypss()).breakdown.error_volatility, error_volatility(e, pypss()));
        EXPECT_EQ(capped.error_flags(), e);
    }
}

TEST(SampleSetCap, PastTheCapScoresStayWithinTolerance) {
    const auto all = profiles();
    for (std::size_t i = 0; i < all.size(); ++i) {
        for (std::uint64_t cap : {0u, 100u, 2000u}) {
            const auto records = runs(all[i], 20000, static_cast<unsigned>(100 + i));
            SampleSet capped(cap), exact(SampleSet::unlimited);
            for (const auto& r : records) capped.add(r), exact.add(r);
            ASSERT_FALSE(capped.exact());
            EXPECT_TRUE(capped.durations().empty());
            EXPECT_EQ(capped.exact_bytes(), 0u);
            const std::string what = "profile " + std::to_string(i) + " cap " + std::to_string(cap);
            expect_close(capped.score(ScoringConfig{}), exact.score(ScoringConfig{}), what);
            expect_close(capped.score(pypss()), exact.score(pypss()), what + " (pypss)");
            EXPECT_EQ(capped.count(), exact.count());
            EXPECT_EQ(capped.error_count(), exact.error_count());
            EXPECT_EQ(capped.memory_peak(), exact.memory_peak());

            const auto ds = capped.duration_summary(), de = exact.duration_summary();
            EXPECT_NEAR(ds.mean, de.mean, 1e-12 * de.mean) << what;
            EXPECT_EQ(ds.max, de.max) << what;
            EXPECT_LE(std::fabs(ds.p50 - de.p50), QuantileSketch::relative_accuracy * de.p50) << what;
            EXPECT_LE(std::fabs(ds.p95 - de.p95), QuantileSketch::relative_accuracy * de.p95) << what;
        }
    }
}

TEST(SampleSetCap, ConsecutiveErrorRunsSurviveTheSwitch) {
    SampleSet capped(10), exact(SampleSet::unlimited);
    for (int i = 0; i < 40; ++i) {
        TraceRecord r;
        r.duration = 0.001;
        r.error = i >= 8 && i < 13;  // a run of 5 failures across the switch at 11
        capped.add(r);
        exact.add(r);
    }
    EXPECT_NEAR(capped.score(pypss()).breakdown.error_volatility, exact.score(pypss()).breakdown.error_volatility,
                1e-12);
}

TEST(SampleSetCap, SystemRecordsAndTinySets) {
    SampleSet s(0);
    TraceRecord lag;
    lag.system_metric = true;
    lag.lag = 0.1;
    s.add(lag);
    EXPECT_NEAR(s.score(pypss()).breakdown.concurrency_chaos, 0.5, 1e-12);
    TraceRecord one;
    one.duration = 0.002;
    one.memory = 100;
    s.add(one);  // one run, sketched
    EXPECT_FALSE(s.exact());
    const Score score = s.score(pypss());
    EXPECT_EQ(score.breakdown.timing_stability, 1.0);
    EXPECT_EQ(score.breakdown.memory_stability, 1.0);
    EXPECT_EQ(s.duration_summary().p95, 0.002);
}

// Found by fuzz_trace_records (the long run): durations of 1e308 and 0 in
// sketched groups overflowed the running sums (inf - inf) when the whole
// input's group merged them, and its timing sub-score was NaN (null in the
// JSON, "nan" in the reports).
TEST(SampleSetCap, OverflowingSumsGiveASubScoreOfZeroNotNaN) {
    AnalyzerOptions options;
    options.sample_cap = 4;
    Analyzer analyzer(options);
    const std::vector<std::pair<const char*, double>> runs{
        {"A", 0.1}, {"B", 1e308}, {"B", 0}, {"B", 1e308}, {"B", 0}, {"B", 1e308}, {"B", 0},
        {"B", 0},   {"B", 1e308}, {"B", 0}, {"C", 1e308}, {"B", 0}};
    for (const auto& [name, duration] : runs) {
        TraceRecord r;
        r.name = name;
        r.duration = duration;
        analyzer.add(r);
    }
    const Analysis a = analyzer.finish(ScoringConfig{}, VerdictConfig{});
    ASSERT_GT(a.estimated_groups, 0u);  // the sketches' path
    EXPECT_EQ(a.overall.score.breakdown.timing_stability, 0.0);
    EXPECT_FALSE(std::isnan(a.overall.score.breakdown.concurrency_chaos));
    // The other sub-scores still count: not the PSS of a NaN (0).
    EXPECT_GT(a.overall.score.pss, 0);
    EXPECT_LE(a.overall.score.pss, 70);
}

TEST(AnalyzerBudget, UnderTheCapTheAnalysisIsIdenticalToTheExactOne) {
    Analyzer bounded, exact(AnalyzerOptions::exact());
    const auto all = profiles();
    std::vector<std::vector<TraceRecord>> tests;
    for (std::size_t i = 0; i < all.size(); ++i)
        tests.push_back(runs(all[i], 300, static_cast<unsigned>(i), "T" + std::to_string(i), "m" + std::to_string(i % 3)));
    for (std::size_t run = 0; run < 300; ++run)
        for (const auto& t : tests) bounded.add(t[run]), exact.add(t[run]);
    const Analysis a = bounded.result(ScoringConfig{}), b = exact.result(ScoringConfig{});
    EXPECT_EQ(a.estimated_groups, 0u);
    EXPECT_TRUE(a.overall.exact);
    expect_same(a.overall.score, b.overall.score);
    ASSERT_EQ(a.tests.size(), b.tests.size());
    for (std::size_t i = 0; i < a.tests.size(); ++i) {
        EXPECT_EQ(a.tests[i].name, b.tests[i].name);
        expect_same(a.tests[i].score, b.tests[i].score);
        EXPECT_EQ(a.tests[i].duration.p95, b.tests[i].duration.p95);
        EXPECT_EQ(a.tests[i].duration.mean, b.tests[i].duration.mean);
    }
    ASSERT_EQ(a.modules.size(), 3u);
    for (std::size_t i = 0; i < a.modules.size(); ++i) expect_same(a.modules[i].score, b.modules[i].score);

    // And identical to one set fed every record in order, as the exact path does.
    SampleSet whole(SampleSet::unlimited), m1(SampleSet::unlimited);
    for (std::size_t run = 0; run < 300; ++run) {
        for (const auto& t : tests) {
            whole.add(t[run]);
            if (t[run].module == "m1") m1.add(t[run]);
        }
    }
    expect_same(a.overall.score, whole.score(ScoringConfig{}));
    expect_same(a.modules[1].score, m1.score(ScoringConfig{}));
    EXPECT_EQ(a.modules[1].duration.p95, m1.duration_summary().p95);
    EXPECT_EQ(a.modules[1].memory_peak, m1.memory_peak());
}

TEST(AnalyzerBudget, TheBudgetBoundsMemoryAndSketchesTheLargestGroupsFirst) {
    AnalyzerOptions opt;
    opt.exact_memory_bytes = 256 << 10;
    Analyzer bounded(opt), exact(AnalyzerOptions::exact());
    const auto all = profiles();
    std::vector<std::vector<TraceRecord>> tests;
    for (std::size_t i = 0; i < all.size(); ++i)
        tests.push_back(runs(all[i], 4000, static_cast<unsigned>(i), "T" + std::to_string(i), "m" + std::to_string(i % 3)));
    auto small = runs(Profile{}, 50, 99, "Small", "m0");
    for (std::size_t run = 0; run < 4000; ++run) {
        for (const auto& t : tests) bounded.add(t[run]), exact.add(t[run]);
        if (run < small.size()) bounded.add(small[run]), exact.add(small[run]);
        ASSERT_LE(bounded.exact_bytes(), opt.exact_memory_bytes);
    }
    const Analysis a = bounded.result(ScoringConfig{}), b = exact.result(ScoringConfig{});
    EXPECT_FALSE(a.overall.exact);
    EXPECT_GT(a.estimated_groups, 0u);
    expect_close(a.overall.score, b.overall.score, "overall");
    ASSERT_EQ(a.tests.size(), b.tests.size());
    for (std::size_t i = 0; i < a.tests.size(); ++i) {
        const auto& t = a.tests[i];
        const auto& e = *std::find_if(b.tests.begin(), b.tests.end(), [&](const auto& x) { return x.name == t.name; });
        expect_close(t.score, e.score, t.name);
        EXPECT_EQ(t.runs, e.runs);
        if (t.name == "Small") {
            EXPECT_TRUE(t.exact);  // the groups with the most runs went first
        }
    }
    for (std::size_t i = 0; i < a.modules.size(); ++i) expect_close(a.modules[i].score, b.modules[i].score, a.modules[i].name);
}
