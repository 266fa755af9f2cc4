// Mann-Whitney U, checked against values computed by hand from its definition
// (normal approximation with tie and continuity corrections, as SciPy's
// mannwhitneyu(method="asymptotic") computes it).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "pss/stats/mann_whitney.hpp"

using pss::stats::mann_whitney_u;

TEST(MannWhitney, CompletelySeparatedSamples) {
    // Every a below every b: U = 0, mean 15, variance 5*6*12/12 = 30,
    // z = (0 - 15 + 0.5)/sqrt(30) = -2.6473, p = erfc(2.6473/sqrt 2) = 0.008113
    const std::vector<double> a{1.1, 2.2, 3.3, 4.4, 5.5}, b{6.6, 7.7, 8.8, 9.9, 10.1, 11.2};
    const auto r = mann_whitney_u(a, b);
    ASSERT_TRUE(r.valid);
    EXPECT_DOUBLE_EQ(r.u, 0.0);
    EXPECT_NEAR(r.z, -2.647325694608303, 1e-12);
    EXPECT_NEAR(r.p_value, 0.008113117265565782, 1e-12);
}

TEST(MannWhitney, IdenticalDistributionsAreNotDifferent) {
    const std::vector<double> a{1, 3, 5, 7, 9}, b{2, 4, 6, 8, 10};
    const auto r = mann_whitney_u(a, b);
    EXPECT_GT(r.p_value, 0.5);
}

TEST(MannWhitney, TiesAreAveraged) {
    // a = [1, 2, 2], b = [2, 3]: ranks 1, 3, 3 | 3, 5 -> R_a = 7, U_a = 7 - 6 = 1
    // ties: one group of 3 -> 24; var = 3*2/12 * (6 - 24/20) = 2.4
    // z = (1 - 3 + 0.5)/sqrt(2.4) = -0.96825
    const std::vector<double> a{1, 2, 2}, b{2, 3};
    const auto r = mann_whitney_u(a, b);
    EXPECT_DOUBLE_EQ(r.u, 1.0);
    EXPECT_NEAR(r.z, -1.5 / std::sqrt(2.4), 1e-12);
}

TEST(MannWhitney, EmptyOrAllTiedIsNotValid) {
    EXPECT_FALSE(mann_whitney_u(std::vector<double>{}, std::vector<double>{1.0}).valid);
    const auto tied = mann_whitney_u(std::vector<double>{2, 2}, std::vector<double>{2, 2, 2});
    EXPECT_FALSE(tied.valid);
    EXPECT_EQ(tied.p_value, 1.0);
}
