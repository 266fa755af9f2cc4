// Statistics must match Python's `statistics` module, which pypss uses.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "pss/stats/quantile_sketch.hpp"
#include "pss/stats/statistics.hpp"

namespace st = pss::stats;

TEST(Statistics, MeanAndSampleStdev) {
    const std::vector<double> d{2, 4, 4, 4, 5, 5, 7, 9};
    EXPECT_DOUBLE_EQ(st::mean(d), 5.0);
    // Sum of squared deviations 32, n - 1 = 7.
    EXPECT_NEAR(st::variance(d), 32.0 / 7.0, 1e-12);
    EXPECT_NEAR(st::stdev(d), 2.138089935299395, 1e-12);
}

TEST(Statistics, EmptyAndSingleValueAreZero) {
    const std::vector<double> none, one{3.0};
    EXPECT_EQ(st::mean(none), 0.0);
    EXPECT_EQ(st::stdev(one), 0.0);
    EXPECT_EQ(st::variance(one), 0.0);
    EXPECT_EQ(st::cv(one), 0.0);
}

TEST(Statistics, CvIsZeroWhenMeanIsZero) {
    const std::vector<double> d{-1, 1};
    EXPECT_EQ(st::cv(d), 0.0);
}

TEST(Statistics, ConstantDataHasZeroVarianceNotNegative) {
    const std::vector<double> d(1000, 0.1);
    EXPECT_EQ(st::variance(d), 0.0);
}

TEST(Statistics, MedianOddAndEven) {
    EXPECT_EQ(st::median_sorted(std::vector<double>{1, 3, 7}), 3.0);
    EXPECT_EQ(st::median_sorted(std::vector<double>{1, 3, 7, 10}), 5.0);
}

// Found by fuzz_trace_records: two runs with 1e308 bytes each had an
// infinite median, so the memory ratio peak / median was 0 and the memory
// sub-score e^2 (7.39) instead of at most 1; an interpolation across zero
// between -1e308 and 1e308 overflowed the same way.
TEST(Statistics, MedianAndQuantilesOfHugeValuesAreFinite) {
    EXPECT_EQ(st::median_sorted(std::vector<double>{1e308, 1e308}), 1e308);
    EXPECT_EQ(st::median_sorted(std::vector<double>{-1.5e308, 1.5e308}), 0.0);
    EXPECT_EQ(st::quantile_exclusive(std::vector<double>{-1e308, 1e308}, 49), 0.0);
    EXPECT_DOUBLE_EQ(st::quantile_exclusive(std::vector<double>{1e308, 1e308, 1e308}, 94), 1e308);
    pss::QuantileSketch s;
    s.add(1e308);
    s.add(1e308);
    EXPECT_TRUE(std::isfinite(s.median()));
    EXPECT_NEAR(s.median() / 1e308, 1.0, pss::QuantileSketch::relative_accuracy);
    EXPECT_TRUE(std::isfinite(s.quantile_exclusive(49)));
}

TEST(Statistics, QuantilesMatchPythonExclusiveMethod) {
    // statistics.quantiles(range(1, 11), n=100): [0.11, ..., 5.5 (p50), ..., 10.45 (p95), ..., 10.89]
    std::vector<double> d;
    for (int i = 1; i <= 10; ++i) d.push_back(i);
    const auto q = st::quantiles_exclusive(d, 100);
    ASSERT_EQ(q.size(), 99u);
    EXPECT_NEAR(q[0], 0.11, 1e-12);
    EXPECT_NEAR(q[49], 5.5, 1e-12);
    EXPECT_NEAR(q[94], 10.45, 1e-12);  // extrapolates beyond the largest value, as Python does
    EXPECT_NEAR(q[98], 10.89, 1e-12);
}

TEST(Statistics, QuantilesOfTwoValues) {
    // statistics.quantiles([0.5, 1.5], n=100)[49] == 1.0, [94] == 2.35
    const std::vector<double> d{0.5, 1.5};
    EXPECT_NEAR(st::quantile_exclusive(d, 49), 1.0, 1e-12);
    EXPECT_NEAR(st::quantile_exclusive(d, 94), 2.35, 1e-12);
}

TEST(Statistics, QuantilesNeedTwoValues) {
    EXPECT_THROW(st::quantile_exclusive(std::vector<double>{1.0}, 49), std::invalid_argument);
    EXPECT_THROW(st::quantile_exclusive(std::vector<double>{1.0, 2.0}, 99), std::out_of_range);
}
