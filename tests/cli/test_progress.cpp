// The progress bar and the plain log line, as drawn for a given state.
#include <gtest/gtest.h>

#include "progress.hpp"

using pss::cli::Progress;

TEST(Progress, BarShowsRunsFailuresAndTimeLeftWithinTheWidth) {
    const std::string bar = Progress::bar(100, 400, 3, 30.0, 78, false);
    EXPECT_EQ(bar.rfind("[########.", 0), 0u) << bar;  // a quarter of the cells filled
    EXPECT_NE(bar.find("] 100/400 runs  25%  3 failed  1:30 left"), std::string::npos) << bar;
    EXPECT_LE(bar.size(), 78u);
    // No time left is claimed before there is anything to go by.
    EXPECT_EQ(Progress::bar(0, 400, 0, 0.2, 78, false).find("left"), std::string::npos);
    EXPECT_NE(Progress::bar(10, 400, 1, 2, 78, true).find("\x1b[31m"), std::string::npos);  // red once a run failed
}

TEST(Progress, LogLineForCiLogs) {
    EXPECT_EQ(Progress::log_line("unit_tests", 120, 400, 2, 60.0),
              "pss: unit_tests: 120/400 runs (30%), 2 failed, about 2:20 left");
}
