// JUnit XML (the Maven Surefire dialect that CI systems read).
#pragma once

#include <string>

#include "pss/reports/run_report.hpp"

namespace pss::reports {

struct JUnitOptions {
    // Flaky tests are passes with one <flakyFailure> per failed run (Surefire's
    // convention); with this set they are <failure>s instead.
    bool flaky_as_failure = false;
};

// One <testsuite> per module, one <testcase> per test (time = median run).
std::string render_run_junit(const RunReport& report, const JUnitOptions& options = {});

}  // namespace pss::reports
