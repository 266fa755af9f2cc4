// Alert rules: which stability problems of a run are worth telling someone
// about. pypss's built-in rules (a sub-score of the run below its threshold,
// the run's PSS far below its baseline) and the config's custom rules on the
// run, its modules or its tests. Sending is alert_dispatch.hpp's part.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pss/config/config.hpp"
#include "pss/scoring/results.hpp"
#include "pss/scoring/scoring.hpp"

namespace pss::ci {

enum class AlertSeverity { info, warning, critical };
std::string_view to_string(AlertSeverity s);  // "info", "warning", "critical"

// What a rule looks at: the whole run, one module or one test.
struct AlertSubject {
    std::string name;    // the test's or module's name; the run's source for the run
    std::string module;  // for a test
    Score score;
    std::uint64_t runs = 0, failures = 0;
    double duration_p50 = 0, duration_p95 = 0;  // seconds
    double memory_peak = 0;                     // bytes
};

struct AlertInput {
    AlertSubject run;
    std::vector<AlertSubject> modules, tests;  // quarantined tests left out
    // What regression detection found against history (ci/regression.hpp):
    // the run's PSS drop (a regression without a test) and regressed tests.
    std::vector<Regression> regressions;
};

struct Alert {
    std::string rule;  // "Timing Stability Surge", or a custom rule's name
    AlertSeverity severity = AlertSeverity::warning;
    std::string metric;  // "timing_stability", "pss", "regressed_tests", ...
    double value = 0;    // of the run, or of the worst subject for a custom rule
    double threshold = 0;
    std::string message;                // one line, plain text
    std::vector<std::string> subjects;  // the tests or modules concerned, worst first
};

// The value of an alert metric for a subject.
double metric_value(const AlertSubject& subject, AlertMetric metric);

// Every rule that fires for `input`, built-in rules first, in a fixed order.
// For a test suite the built-in rules look at the tests as well as the run:
// a sub-score rule fires when the run's score or any test's is below its
// threshold (one flaky test among a thousand is worth hearing about), and
// Stability Regression when regression detection found the run's PSS dropped
// (pypss's rule) or any test regressed against history.
std::vector<Alert> evaluate_alerts(const AlertInput& input, const AlertConfig& alerts);

}  // namespace pss::ci
