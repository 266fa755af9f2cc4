// Alert rules: pypss's built-in rules at and around their thresholds, the
// Stability Regression rule against a baseline, and custom rules.
#include <gtest/gtest.h>

#include "pss/ci/alerts.hpp"

using namespace pss;
using namespace pss::ci;

namespace {

AlertSubject subject(std::string name, int pss, SubScores s, std::uint64_t runs = 10, std::uint64_t failures = 0,
                     std::string module = "bin.Suite") {
    return {std::move(name), std::move(module), Score{pss, s}, runs, failures, 0.001, 0.002, 4096};
}

const SubScores healthy{0.95, 0.95, 0.95, 0.95, 0.95};

AlertInput healthy_run() {
    AlertInput in;
    in.run = subject("build/unit_tests", 95, healthy, 30);
    in.tests = {subject("A.One", 95, healthy), subject("A.Two", 95, healthy), subject("B.Three", 95, healthy, 10, 0, "bin.B")};
    in.modules = {subject("bin.Suite", 95, healthy, 20), subject("bin.B", 95, healthy, 10)};
    return in;
}

std::vector<std::string> rules(const std::vector<Alert>& alerts) {
    std::vector<std::string> out;
    for (const auto& a : alerts) out.push_back(a.rule);
    return out;
}

}  // namespace

TEST(AlertRules, HealthyRunFiresNothing) {
    EXPECT_TRUE(evaluate_alerts(healthy_run(), AlertConfig{}).empty());
}

TEST(AlertRules, EachBuiltInRuleFiresOnItsSubScoreBelowItsThresholdOnly) {
    struct Case {
        double SubScores::*score;
        const char* rule;
        const char* metric;
        double threshold;
        AlertSeverity severity;
    };
    const Case cases[] = {
        {&SubScores::timing_stability, "Timing Stability Surge", "timing_stability", 0.70, AlertSeverity::warning},
        {&SubScores::memory_stability, "Memory Stability Spike", "memory_stability", 0.70, AlertSeverity::warning},
        {&SubScores::error_volatility, "Error Burst", "error_volatility", 0.80, AlertSeverity::critical},
        {&SubScores::branching_entropy, "Entropy Anomaly", "branching_entropy", 0.70, AlertSeverity::warning},
        {&SubScores::concurrency_chaos, "Concurrency Variance Spike", "concurrency_chaos", 0.70, AlertSeverity::warning},
    };
    for (const auto& c : cases) {
        AlertInput at = healthy_run();
        at.run.score.breakdown.*c.score = c.threshold;  // at the threshold: not below
        EXPECT_TRUE(evaluate_alerts(at, AlertConfig{}).empty()) << c.rule;

        AlertInput below = healthy_run();
        below.run.score.breakdown.*c.score = c.threshold - 0.01;
        const auto alerts = evaluate_alerts(below, AlertConfig{});
        ASSERT_EQ(rules(alerts), std::vector<std::string>{c.rule});
        EXPECT_EQ(alerts[0].metric, c.metric);
        EXPECT_EQ(alerts[0].severity, c.severity);
        EXPECT_DOUBLE_EQ(alerts[0].threshold, c.threshold);
        EXPECT_DOUBLE_EQ(alerts[0].value, c.threshold - 0.01);
    }
}

TEST(AlertRules, ThresholdsComeFromTheConfig) {
    AlertInput in = healthy_run();
    in.run.score.breakdown.timing_stability = 0.90;
    AlertConfig cfg;
    cfg.threshold_ts = 0.92;
    EXPECT_EQ(rules(evaluate_alerts(in, cfg)), std::vector<std::string>{"Timing Stability Surge"});
}

TEST(AlertRules, BuiltInMessageNamesTheTestsBelowTheThresholdWorstFirst) {
    AlertInput in = healthy_run();
    in.run.score.breakdown.error_volatility = 0.5;
    in.tests[1].score.breakdown.error_volatility = 0.21;
    in.tests[2].score.breakdown.error_volatility = 0.40;
    const auto alerts = evaluate_alerts(in, AlertConfig{});
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].subjects, (std::vector<std::string>{"A.Two", "B.Three"}));
    EXPECT_EQ(alerts[0].message,
              "Error Burst: the run's error_volatility is 0.50, below the threshold 0.80; 2 tests below it: A.Two 0.21, "
              "B.Three 0.40");
}

TEST(AlertRules, OneBadTestFiresTheRuleEvenWhenTheRunsMeanIsFine) {
    AlertInput in = healthy_run();
    in.run.score.breakdown.error_volatility = 0.85;  // the mean hides it
    in.tests[2].score.breakdown.error_volatility = 0.42;
    const auto alerts = evaluate_alerts(in, AlertConfig{});
    ASSERT_EQ(rules(alerts), std::vector<std::string>{"Error Burst"});
    EXPECT_DOUBLE_EQ(alerts[0].value, 0.42);
    EXPECT_EQ(alerts[0].subjects, std::vector<std::string>{"B.Three"});
    EXPECT_EQ(alerts[0].message,
              "Error Burst: 1 test with error_volatility below the threshold 0.80: B.Three 0.42 (the run: 0.85)");
}

TEST(AlertRules, RegressedTestsFireStabilityRegression) {
    AlertInput in = healthy_run();
    Regression slower;
    slower.test = "A.Two";
    slower.module = "bin.Suite";
    slower.rule = RegressionRule::slower;
    slower.message = "median duration 4 ms, +300% against the baseline's 1 ms (Mann-Whitney p = 0.0002)";
    in.regressions = {slower};
    const auto alerts = evaluate_alerts(in, AlertConfig{});
    ASSERT_EQ(rules(alerts), std::vector<std::string>{"Stability Regression"});
    EXPECT_EQ(alerts[0].severity, AlertSeverity::critical);
    EXPECT_EQ(alerts[0].metric, "regressed_tests");
    EXPECT_DOUBLE_EQ(alerts[0].value, 1);
    EXPECT_EQ(alerts[0].subjects, std::vector<std::string>{"A.Two"});
    EXPECT_EQ(alerts[0].message,
              "Stability Regression: 1 test regressed against the baseline: A.Two (median duration 4 ms, +300% against "
              "the baseline's 1 ms (Mann-Whitney p = 0.0002))");
}

TEST(AlertRules, StabilityRegressionFiresOnTheRunsPssDropFoundByRegressionDetection) {
    // The drop itself is judged once, by regression detection (test_regression.cpp);
    // the rule reports what it found.
    AlertInput in = healthy_run();
    in.run.score.pss = 80;
    EXPECT_TRUE(evaluate_alerts(in, AlertConfig{}).empty());
    Regression drop;
    drop.rule = RegressionRule::pss_drop;
    drop.baseline = 90.4;
    drop.current = 80;
    drop.message = "the run's PSS 80 is 10.4 points below the mean 90.4 of its 5 baseline runs (more than the allowed 10)";
    in.regressions = {drop};
    const auto alerts = evaluate_alerts(in, AlertConfig{});
    ASSERT_EQ(rules(alerts), std::vector<std::string>{"Stability Regression"});
    EXPECT_EQ(alerts[0].severity, AlertSeverity::critical);
    EXPECT_DOUBLE_EQ(alerts[0].value, 80);
    EXPECT_DOUBLE_EQ(alerts[0].threshold, 90.4);
    EXPECT_EQ(alerts[0].message, "Stability Regression: " + drop.message);
}

TEST(AlertRules, CustomRuleOnModulesNeedsEveryConditionAndItsPattern) {
    AlertConfig cfg;
    CustomAlertRule rule;
    rule.name = "Critical Auth Service Failure";
    rule.severity = "critical";
    rule.scope = "module";
    rule.module_pattern = "^auth";
    rule.conditions = {{AlertMetric::pss, AlertOperator::less, 70},
                       {AlertMetric::error_volatility, AlertOperator::less, 0.6}};
    cfg.custom_rules.push_back(rule);

    AlertInput in = healthy_run();
    in.modules = {subject("auth_service.Login", 55, {0.9, 0.9, 0.41, 1, 1}, 10, 4),
                  subject("auth_service.Tokens", 65, {0.9, 0.9, 0.7, 1, 1}),  // EV not below 0.6
                  subject("billing.Invoices", 40, {0.9, 0.9, 0.1, 1, 1})};     // pattern does not match
    auto alerts = evaluate_alerts(in, cfg);
    ASSERT_EQ(rules(alerts), std::vector<std::string>{"Critical Auth Service Failure"});
    EXPECT_EQ(alerts[0].severity, AlertSeverity::critical);
    EXPECT_EQ(alerts[0].subjects, std::vector<std::string>{"auth_service.Login"});
    EXPECT_EQ(alerts[0].metric, "pss");
    EXPECT_DOUBLE_EQ(alerts[0].value, 55);
    EXPECT_EQ(alerts[0].message,
              "Critical Auth Service Failure: pss < 70 and error_volatility < 0.60 for 1 module: auth_service.Login "
              "(pss 55, error_volatility 0.41)");

    in.modules.pop_back();
    in.modules[0].score.pss = 75;
    EXPECT_TRUE(evaluate_alerts(in, cfg).empty());
}

TEST(AlertRules, CustomRuleOnTestsSortsWorstFirstAndOnTheRunUsesItsTotals) {
    AlertConfig cfg;
    CustomAlertRule tests;
    tests.name = "Slow storage tests";
    tests.scope = "test";
    tests.test_pattern = "Storage";
    tests.conditions = {{AlertMetric::duration_p95, AlertOperator::greater, 0.05}};
    CustomAlertRule run;
    run.name = "Too many failures";
    run.severity = "info";
    run.conditions = {{AlertMetric::error_rate, AlertOperator::greater_equal, 0.1}};
    cfg.custom_rules = {tests, run};

    AlertInput in = healthy_run();
    in.tests.push_back(subject("Storage.Writes", 90, healthy));
    in.tests.back().duration_p95 = 0.08;
    in.tests.push_back(subject("Storage.Reads", 90, healthy));
    in.tests.back().duration_p95 = 0.2;
    in.tests.push_back(subject("Network.Storage", 90, healthy));
    in.tests.back().duration_p95 = 0.01;
    in.run.runs = 50;
    in.run.failures = 5;
    const auto alerts = evaluate_alerts(in, cfg);
    ASSERT_EQ(rules(alerts), (std::vector<std::string>{"Slow storage tests", "Too many failures"}));
    EXPECT_EQ(alerts[0].subjects, (std::vector<std::string>{"Storage.Reads", "Storage.Writes"}));
    EXPECT_NE(alerts[0].message.find("duration_p95 > 50.00 ms for 2 tests: Storage.Reads (duration_p95 200.00 ms)"),
              std::string::npos)
        << alerts[0].message;
    EXPECT_EQ(alerts[1].severity, AlertSeverity::info);
    EXPECT_EQ(alerts[1].message, "Too many failures: error_rate >= 10% for the run (error_rate 10%)");
}

TEST(AlertRules, EveryConfigMetricHasAValue) {
    const AlertSubject s = subject("T", 50, healthy, 8, 2);
    EXPECT_EQ(std::size(alert_metric_names), 12u);
    for (const auto& [m, name] : alert_metric_names) EXPECT_EQ(to_string(m), name);
    EXPECT_DOUBLE_EQ(metric_value(s, AlertMetric::error_rate), 0.25);
    EXPECT_DOUBLE_EQ(metric_value(s, AlertMetric::pss), 50);
    EXPECT_DOUBLE_EQ(metric_value(s, AlertMetric::failures), 2);
}

// Found by the adversarial probe's follow-up: std::regex searched recursively,
// one stack frame a character, so a 100 KB test name overflowed the stack
// (a crash of the whole run) and a pattern like (a|aa)*c took exponential
// time. Patterns now match in linear time, in Python's syntax (named groups).
TEST(AlertRules, CustomRulePatternsSurviveHugeNamesAndSpeakPythonSyntax) {
    AlertConfig cfg;
    CustomAlertRule rule;
    rule.name = "Long names";
    rule.scope = "test";
    rule.test_pattern = "(?P<suite>a)(a|aa)*c|a.*b$";
    rule.conditions = {{AlertMetric::pss, AlertOperator::less, 100}};
    cfg.custom_rules.push_back(rule);

    AlertInput in = healthy_run();
    in.tests.push_back(subject(std::string(10'000'000, 'a'), 90, healthy));  // no match
    in.tests.push_back(subject(std::string(1'000'000, 'a') + "b", 90, healthy));  // matches
    const auto alerts = evaluate_alerts(in, cfg);
    ASSERT_EQ(rules(alerts), std::vector<std::string>{"Long names"});
    ASSERT_EQ(alerts[0].subjects.size(), 1u);
    EXPECT_EQ(alerts[0].subjects[0].size(), 1'000'001u);
}
