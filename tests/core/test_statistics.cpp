#include <gtest/gtest.h>
#include "pss/statistics.hpp"
TEST(Stats, Placeholder) { EXPECT_EQ(pss::stats::mean(std::vector<double>{1, 2, 3}), 2.0); }
