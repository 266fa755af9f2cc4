// The timing sketch's error bound against exact quantiles (fixed seeds).
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "metrics_test.hpp"

namespace {

// The definition the sketch promises: the 0-based order statistic of rank
// floor(q * (n - 1)).
double exact_quantile(std::vector<double> values, double q) {
    const auto rank = static_cast<std::size_t>(q * static_cast<double>(values.size() - 1));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank), values.end());
    return values[rank];
}

double relative_error(double estimate, double exact) { return std::fabs(estimate - exact) / std::fabs(exact); }

void expect_within_bound(const std::string& name, const std::vector<double>& values) {
    const auto t = pm::get_timing(name);
    ASSERT_TRUE(t) << name;
    ASSERT_EQ(t->count, values.size());
    const std::pair<double, double> checks[] = {{0.50, t->p50}, {0.95, t->p95}, {0.99, t->p99}};
    for (const auto& [q, estimate] : checks) {
        const double exact = exact_quantile(values, q);
        EXPECT_LE(relative_error(estimate, exact), 0.01) << name << " q=" << q << " exact=" << exact << " got=" << estimate;
        EXPECT_LE(relative_error(estimate, exact), pm::timing_relative_accuracy + 1e-12) << name << " q=" << q;
    }
    EXPECT_EQ(t->min, *std::min_element(values.begin(), values.end()));
    EXPECT_EQ(t->max, *std::max_element(values.begin(), values.end()));
}

template <class Draw>
std::vector<double> sample(std::size_t n, Draw draw) {
    std::vector<double> values(n);
    for (double& v : values) v = draw();
    return values;
}

void record(const std::string& name, const std::vector<double>& values) {
    for (const double v : values) pm::timing(name, v);
}

}  // namespace

TEST_F(Metrics, SketchWithinOnePercentOnUniform) {
    std::mt19937_64 rng(20240617);
    std::uniform_real_distribution<double> dist(1e-4, 1e-2);
    const auto values = sample(200000, [&] { return dist(rng); });
    record("uniform", values);
    expect_within_bound("uniform", values);
}

TEST_F(Metrics, SketchWithinOnePercentOnLognormal) {
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> dist(std::log(1e-3), 1.5);
    const auto values = sample(200000, [&] { return dist(rng); });
    record("lognormal", values);
    expect_within_bound("lognormal", values);
}

TEST_F(Metrics, SketchWithinOnePercentOnBimodal) {
    // Mostly fast, a tail of slow: p50 in the first mode, p99 in the second.
    std::mt19937_64 rng(7);
    std::normal_distribution<double> fast(2e-3, 2e-4), slow(50e-3, 5e-3);
    std::bernoulli_distribution is_slow(0.1);
    const auto values = sample(200000, [&] { return std::max(1e-6, is_slow(rng) ? slow(rng) : fast(rng)); });
    record("bimodal", values);
    expect_within_bound("bimodal", values);
}

TEST_F(Metrics, SketchWithinOnePercentAcrossManyDecades) {
    std::mt19937_64 rng(99);
    std::uniform_real_distribution<double> exponent(-9, 4);  // 1 ns to 3 hours
    const auto values = sample(100000, [&] { return std::pow(10.0, exponent(rng)); });
    record("decades", values);
    expect_within_bound("decades", values);
}

TEST_F(Metrics, SketchWithinOnePercentWhenMergedFromThreads) {
    std::mt19937_64 rng(1234);
    std::lognormal_distribution<double> dist(std::log(2e-4), 0.8);
    const auto values = sample(80000, [&] { return dist(rng); });
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < 8; ++t)
        threads.emplace_back([&values, t] {
            for (std::size_t i = t; i < values.size(); i += 8) pm::timing("merged", values[i]);
        });
    for (auto& t : threads) t.join();
    expect_within_bound("merged", values);
}

TEST_F(Metrics, SketchBoundHoldsAcrossItsWholeRange) {
    // p50 of {tiny, v, v, v, huge} is v's bucket value, unclamped: check it
    // for values spread over every bucket width in [2^-32, 2^32).
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> exponent(-32, 32);
    double worst = 0;
    for (int i = 0; i < 3000; ++i) {
        const double v = std::exp2(exponent(rng));
        const std::string name = "range";
        pm::reset();
        pm::timing(name, 1e-300);
        for (int k = 0; k < 3; ++k) pm::timing(name, v);
        pm::timing(name, 1e300);
        worst = std::max(worst, relative_error(pm::get_timing(name)->p50, v));
    }
    EXPECT_LE(worst, pm::timing_relative_accuracy + 1e-12);
    EXPECT_GT(worst, 0.5 * pm::timing_relative_accuracy);  // the bound is tight, not vacuous
}

TEST_F(Metrics, QuantilesOfFewValuesFollowTheRankRule) {
    for (const double v : {0.010, 0.020}) pm::timing("two", v);
    const auto t = pm::get_timing("two");
    // n = 2: rank floor(q) = 0 for every q < 1.
    EXPECT_EQ(t->p50, 0.010);  // bucket value clamped into [min, max]
    EXPECT_EQ(t->p99, 0.010);
    for (int i = 1; i <= 100; ++i) pm::timing("hundred", 0.001 * i);
    const auto h = pm::get_timing("hundred");
    EXPECT_NEAR(h->p50, 0.050, 0.050 * pm::timing_relative_accuracy);  // rank 49
    EXPECT_NEAR(h->p95, 0.095, 0.095 * pm::timing_relative_accuracy);  // rank 94
    EXPECT_NEAR(h->p99, 0.099, 0.099 * pm::timing_relative_accuracy);  // rank 98
}

TEST_F(Metrics, OutOfRangeValuesKeepExactExtremes) {
    pm::timing("wide", 1e-15);
    pm::timing("wide", 1e12);
    const auto t = pm::get_timing("wide");
    EXPECT_EQ(t->min, 1e-15);
    EXPECT_EQ(t->max, 1e12);
    EXPECT_GE(t->p50, t->min);  // clamped into [min, max]
    EXPECT_LE(t->p99, t->max);
}
