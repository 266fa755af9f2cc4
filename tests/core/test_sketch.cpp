// The quantile sketch and the running moments behind scoring at scale: their
// error bounds, merging, and the edges (zeros, negatives, huge spreads).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "pss/stats/quantile_sketch.hpp"
#include "pss/stats/running_moments.hpp"
#include "pss/stats/statistics.hpp"

using namespace pss;

namespace {

constexpr double alpha = QuantileSketch::relative_accuracy;

double relative_error(double estimate, double truth) {
    if (truth == 0.0) return std::fabs(estimate);
    return std::fabs(estimate - truth) / std::fabs(truth);
}

std::vector<double> lognormal(std::size_t n, double median, double sigma, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::lognormal_distribution<double> dist(std::log(median), sigma);
    std::vector<double> v(n);
    for (auto& x : v) x = dist(rng);
    return v;
}

QuantileSketch sketch_of(const std::vector<double>& values) {
    QuantileSketch s;
    for (double v : values) s.add(v);
    return s;
}

}  // namespace

TEST(QuantileSketch, StatedAccuracyCoversTheBucketWidth) {
    const double r = std::exp2(1.0 / QuantileSketch::buckets_per_octave);
    EXPECT_GE(alpha, (r - 1) / (r + 1));
    EXPECT_LT(alpha, 0.005);
}

TEST(QuantileSketch, EveryBucketValueIsWithinTheAccuracyOfItsMembers) {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> exponent(-40, 40);
    int previous_index = INT32_MIN;
    double previous = 0;
    std::vector<double> values;
    for (int i = 0; i < 200000; ++i) values.push_back(std::exp2(exponent(rng)));
    values.push_back(1.0);
    values.push_back(2.0);
    values.push_back(std::nextafter(2.0, 0.0));
    std::sort(values.begin(), values.end());
    for (double v : values) {
        const int index = QuantileSketch::bucket_of(v);
        ASSERT_LE(relative_error(QuantileSketch::bucket_value(index), v), alpha) << v;
        if (v > previous) {
            ASSERT_GE(index, previous_index) << "bucket index must not decrease, at " << v;
        }
        previous = v;
        previous_index = index;
    }
}

TEST(QuantileSketch, EveryRankIsWithinTheAccuracy) {
    for (unsigned seed : {1u, 2u, 3u}) {
        auto values = lognormal(20000, 0.004, 0.8, seed);
        const QuantileSketch s = sketch_of(values);
        std::sort(values.begin(), values.end());
        ASSERT_EQ(s.count(), values.size());
        EXPECT_EQ(s.min(), values.front());
        EXPECT_EQ(s.max(), values.back());
        for (std::size_t rank = 0; rank < values.size(); rank += 7)
            ASSERT_LE(relative_error(s.value_at_rank(rank), values[rank]), alpha) << "rank " << rank;
    }
}

TEST(QuantileSketch, PythonQuantilesAndMedianWithinTheAccuracy) {
    for (std::size_t n : {2u, 3u, 10u, 101u, 5000u}) {
        auto values = lognormal(n, 1e6, 0.3, static_cast<unsigned>(n));
        const QuantileSketch s = sketch_of(values);
        std::sort(values.begin(), values.end());
        for (int k : {0, 24, 49, 94, 98}) {
            // Python extrapolates past the data for few values (negative
            // weights); the bound is then alpha times the weighted magnitudes.
            const long long m = static_cast<long long>(n) + 1, i = k + 1;
            const long long j = std::clamp<long long>(i * m / 100, 1, static_cast<long long>(n) - 1);
            const long long delta = i * m - j * 100;
            const auto d = static_cast<double>(delta);
            const double bound = alpha * (std::fabs(100.0 - d) * values[j - 1] + std::fabs(d) * values[j]) / 100;
            const double truth = stats::quantile_exclusive(values, k);
            EXPECT_LE(std::fabs(s.quantile_exclusive(k) - truth), bound * (1 + 1e-12)) << "n " << n << " k " << k;
            if (delta >= 0 && delta <= 100) {
                EXPECT_LE(relative_error(s.quantile_exclusive(k), truth), alpha);
            }
        }
        EXPECT_LE(relative_error(s.median(), stats::median_sorted(values)), alpha) << "n " << n;
    }
}

TEST(QuantileSketch, ConstantValuesAreExact) {
    QuantileSketch s;
    for (int i = 0; i < 1000; ++i) s.add(0.0015);
    // Clamped to [min, max], then interpolated exactly as Python does.
    const std::vector<double> same(1000, 0.0015);
    EXPECT_EQ(s.quantile_exclusive(49), stats::quantile_exclusive(same, 49));
    EXPECT_EQ(s.quantile_exclusive(94), stats::quantile_exclusive(same, 94));
    EXPECT_EQ(s.median(), 0.0015);
}

TEST(QuantileSketch, ZerosAndNegativesKeepTheirOrder) {
    std::vector<double> values{-5, -0.5, 0, 0, 0, 1e-3, 3, 300, -1e4, 0};
    const QuantileSketch s = sketch_of(values);
    std::sort(values.begin(), values.end());
    for (std::size_t rank = 0; rank < values.size(); ++rank)
        EXPECT_LE(relative_error(s.value_at_rank(rank), values[rank]), alpha) << "rank " << rank;
}

TEST(QuantileSketch, MergeEqualsAddingEverything) {
    const auto a = lognormal(3000, 0.01, 1.0, 11), b = lognormal(5000, 0.2, 0.5, 12);
    QuantileSketch merged = sketch_of(a);
    merged.merge(sketch_of(b));
    QuantileSketch all = sketch_of(a);
    for (double v : b) all.add(v);
    ASSERT_EQ(merged.count(), all.count());
    EXPECT_EQ(merged.min(), all.min());
    EXPECT_EQ(merged.max(), all.max());
    for (std::uint64_t rank = 0; rank < all.count(); rank += 13) ASSERT_EQ(merged.value_at_rank(rank), all.value_at_rank(rank));
    QuantileSketch empty;
    empty.merge(all);
    EXPECT_EQ(empty.median(), all.median());
}

TEST(QuantileSketch, WideButRealSpreadsKeepEveryRank) {
    std::vector<double> values{1e-9, 3e-9, 1e-3, 0.5, 1, 10, 3e4, 3e8};  // 1 ns to 10 years
    const QuantileSketch s = sketch_of(values);
    for (std::size_t rank = 0; rank < values.size(); ++rank)
        EXPECT_LE(relative_error(s.value_at_rank(rank), values[rank]), alpha) << "rank " << rank;
}

TEST(QuantileSketch, AbsurdSpreadsStayBoundedAndLateOutliersFold) {
    std::vector<double> bulk = lognormal(5000, 0.002, 0.5, 21), outliers;
    for (int e = -300; e <= 300; e += 10) outliers.push_back(std::pow(10.0, e));  // 600 decades, 61 values
    QuantileSketch s;
    for (double v : bulk) s.add(v);
    for (double v : outliers) s.add(v);
    EXPECT_LE(s.bucket_count(), QuantileSketch::max_buckets);
    EXPECT_EQ(s.min(), 1e-300);
    EXPECT_EQ(s.max(), 1e300);
    std::vector<double> all = bulk;
    all.insert(all.end(), outliers.begin(), outliers.end());
    std::sort(all.begin(), all.end());
    // The middle 90% of the ranks are bulk values and keep the accuracy.
    for (std::size_t rank = all.size() / 20; rank < all.size() * 19 / 20; ++rank)
        ASSERT_LE(relative_error(s.value_at_rank(rank), all[rank]), alpha) << "rank " << rank;

    QuantileSketch early;  // outliers first: memory stays bounded, ranks are what they are
    for (double v : outliers) early.add(v);
    for (double v : bulk) early.add(v);
    EXPECT_LE(early.bucket_count(), QuantileSketch::max_buckets);
    EXPECT_EQ(early.count(), all.size());
}

TEST(RunningMoments, MatchesTwoPassStatistics) {
    for (double offset : {0.0, 1e9}) {
        auto values = lognormal(10000, 0.002, 0.4, 5);
        for (auto& v : values) v += offset;
        RunningMoments m;
        for (double v : values) m.add(v);
        EXPECT_EQ(m.count(), values.size());
        EXPECT_NEAR(m.mean(), stats::mean(values), 1e-12 * std::max(1.0, offset));
        EXPECT_NEAR(std::sqrt(m.variance()), stats::stdev(values), 1e-9 * stats::stdev(values)) << offset;
    }
}

TEST(RunningMoments, MergeMatchesOneStream) {
    const auto a = lognormal(1000, 5.0, 0.2, 8), b = lognormal(3000, 50.0, 0.2, 9);
    RunningMoments ma, mb, all;
    for (double v : a) ma.add(v), all.add(v);
    for (double v : b) mb.add(v), all.add(v);
    ma.merge(mb);
    EXPECT_EQ(ma.count(), all.count());
    EXPECT_NEAR(ma.mean(), all.mean(), 1e-12 * all.mean());
    EXPECT_NEAR(ma.variance(), all.variance(), 1e-9 * all.variance());
}

TEST(RunningMoments, FewValues) {
    RunningMoments m;
    EXPECT_EQ(m.mean(), 0.0);
    EXPECT_EQ(m.variance(), 0.0);
    m.add(3.0);
    EXPECT_EQ(m.mean(), 3.0);
    EXPECT_EQ(m.variance(), 0.0);
    m.add(5.0);
    EXPECT_DOUBLE_EQ(m.variance(), 2.0);
}
