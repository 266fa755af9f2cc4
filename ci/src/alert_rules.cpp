#include <algorithm>

#include <fmt/format.h>

#include "pss/ci/alerts.hpp"
#include "pss/config/name_pattern.hpp"
#include "pss/text/format.hpp"

namespace pss::ci {

std::string_view to_string(AlertSeverity s) {
    switch (s) {
        case AlertSeverity::info: return "info";
        case AlertSeverity::critical: return "critical";
        case AlertSeverity::warning: break;
    }
    return "warning";
}

double metric_value(const AlertSubject& s, AlertMetric metric) {
    const SubScores& b = s.score.breakdown;
    switch (metric) {
        case AlertMetric::pss: return s.score.pss;
        case AlertMetric::timing_stability: return b.timing_stability;
        case AlertMetric::memory_stability: return b.memory_stability;
        case AlertMetric::error_volatility: return b.error_volatility;
        case AlertMetric::branching_entropy: return b.branching_entropy;
        case AlertMetric::concurrency_chaos: return b.concurrency_chaos;
        case AlertMetric::error_rate: return s.runs ? static_cast<double>(s.failures) / static_cast<double>(s.runs) : 0.0;
        case AlertMetric::duration_p50: return s.duration_p50;
        case AlertMetric::duration_p95: return s.duration_p95;
        case AlertMetric::memory_peak: return s.memory_peak;
        case AlertMetric::runs: return static_cast<double>(s.runs);
        case AlertMetric::failures: return static_cast<double>(s.failures);
    }
    return 0;
}

namespace {

// Subjects named in one alert's message; the alert lists more in `subjects`.
constexpr std::size_t named_in_message = 5;
constexpr std::size_t max_subjects = 50;

std::string format_metric(AlertMetric metric, double v) {
    switch (metric) {
        case AlertMetric::pss:
        case AlertMetric::runs:
        case AlertMetric::failures: return fmt::format("{:.0f}", v);
        case AlertMetric::error_rate: return fmt::format("{:.0f}%", v * 100);
        case AlertMetric::duration_p50:
        case AlertMetric::duration_p95: return text::format_seconds(v);
        case AlertMetric::memory_peak: return text::format_bytes(v);
        default: return fmt::format("{:.2f}", v);
    }
}

// "A 0.31, B 0.45 (and 3 more)"
std::string name_list(const std::vector<std::pair<std::string, std::string>>& named, std::size_t total) {
    std::string out;
    for (std::size_t i = 0; i < named.size() && i < named_in_message; ++i)
        out += fmt::format("{}{} {}", i ? ", " : "", named[i].first, named[i].second);
    if (total > named_in_message) out += fmt::format(" (and {} more)", total - named_in_message);
    return out;
}

struct BuiltInRule {
    const char* name;
    AlertMetric metric;
    double AlertConfig::*threshold;
    AlertSeverity severity;
};

// pypss's rules, names and severities.
constexpr BuiltInRule built_in_rules[] = {
    {"Timing Stability Surge", AlertMetric::timing_stability, &AlertConfig::threshold_ts, AlertSeverity::warning},
    {"Memory Stability Spike", AlertMetric::memory_stability, &AlertConfig::threshold_ms, AlertSeverity::warning},
    {"Error Burst", AlertMetric::error_volatility, &AlertConfig::threshold_ev, AlertSeverity::critical},
    {"Entropy Anomaly", AlertMetric::branching_entropy, &AlertConfig::threshold_be, AlertSeverity::warning},
    {"Concurrency Variance Spike", AlertMetric::concurrency_chaos, &AlertConfig::threshold_cc, AlertSeverity::warning},
};

// The run's sub-score, or any test's, below its threshold; the message names
// the tests that are, so that the reader knows where to look.
std::optional<Alert> built_in(const BuiltInRule& rule, const AlertInput& in, const AlertConfig& cfg) {
    const double run_value = metric_value(in.run, rule.metric);
    const double threshold = cfg.*rule.threshold;
    std::vector<const AlertSubject*> below;
    for (const auto& t : in.tests)
        if (metric_value(t, rule.metric) < threshold) below.push_back(&t);
    const bool run_below = run_value < threshold;
    if (!run_below && below.empty()) return std::nullopt;
    std::stable_sort(below.begin(), below.end(), [&](const AlertSubject* a, const AlertSubject* b) {
        return metric_value(*a, rule.metric) < metric_value(*b, rule.metric);
    });
    const std::string metric(to_string(rule.metric));
    Alert a{rule.name, rule.severity, metric, run_below ? run_value : metric_value(*below.front(), rule.metric),
            threshold, {}, {}};
    std::vector<std::pair<std::string, std::string>> named;
    for (const auto* t : below) {
        if (a.subjects.size() < max_subjects) a.subjects.push_back(t->name);
        named.emplace_back(t->name, format_metric(rule.metric, metric_value(*t, rule.metric)));
    }
    const std::string tests = fmt::format("{} test{}", below.size(), below.size() == 1 ? "" : "s");
    if (run_below) {
        a.message = fmt::format("{}: the run's {} is {:.2f}, below the threshold {:.2f}", rule.name, metric,
                                run_value, threshold);
        if (!below.empty()) a.message += fmt::format("; {} below it: {}", tests, name_list(named, below.size()));
    } else {
        a.message = fmt::format("{}: {} with {} below the threshold {:.2f}: {} (the run: {:.2f})", rule.name, tests,
                                metric, threshold, name_list(named, below.size()), run_value);
    }
    return a;
}

// pypss's Stability Regression: the run's PSS dropped against its baseline
// (regression detection's pss-drop without a test), and any test that
// regression detection found worse than its baseline.
std::optional<Alert> stability_regression(const AlertInput& in) {
    const Regression* run_drop = nullptr;
    std::vector<const Regression*> tests;
    for (const auto& r : in.regressions) {
        if (r.test.empty()) run_drop = &r;
        else tests.push_back(&r);
    }
    if (!run_drop && tests.empty()) return std::nullopt;
    Alert a{"Stability Regression", AlertSeverity::critical, "pss", run_drop ? run_drop->current : in.run.score.pss, 0,
            {}, {}};
    std::vector<std::pair<std::string, std::string>> named;
    for (const auto* r : tests) {
        if (a.subjects.size() < max_subjects) a.subjects.push_back(r->test);
        named.emplace_back(r->test, "(" + r->message + ")");
    }
    const std::string regressed =
        fmt::format("{} test{} regressed against the baseline", tests.size(), tests.size() == 1 ? "" : "s");
    if (run_drop) {
        a.threshold = run_drop->baseline;
        a.message = "Stability Regression: " + run_drop->message;
        if (!tests.empty()) a.message += fmt::format("; {}: {}", regressed, name_list(named, tests.size()));
    } else {
        a.metric = "regressed_tests";
        a.value = static_cast<double>(tests.size());
        a.message = fmt::format("Stability Regression: {}: {}", regressed, name_list(named, tests.size()));
    }
    return a;
}

bool holds(double v, const AlertCondition& c) {
    switch (c.op) {
        case AlertOperator::less: return v < c.value;
        case AlertOperator::less_equal: return v <= c.value;
        case AlertOperator::greater: return v > c.value;
        case AlertOperator::greater_equal: return v >= c.value;
        case AlertOperator::equal: return v == c.value;
        case AlertOperator::not_equal: break;
    }
    return v != c.value;
}

std::optional<Alert> custom(const CustomAlertRule& rule, const AlertInput& in) {
    std::vector<const AlertSubject*> candidates;
    const NamePattern module_re(rule.module_pattern);
    const NamePattern test_re(rule.test_pattern);
    if (rule.scope == "run") candidates.push_back(&in.run);
    if (rule.scope == "module")
        for (const auto& m : in.modules)
            if (module_re.found_in(m.name)) candidates.push_back(&m);
    if (rule.scope == "test")
        for (const auto& t : in.tests)
            if (module_re.found_in(t.module) && test_re.found_in(t.name)) candidates.push_back(&t);

    std::vector<const AlertSubject*> matched;
    for (const auto* s : candidates)
        if (std::all_of(rule.conditions.begin(), rule.conditions.end(),
                        [&](const AlertCondition& c) { return holds(metric_value(*s, c.metric), c); }))
            matched.push_back(s);
    if (matched.empty()) return std::nullopt;

    // Worst first, by the first condition: lowest for "<", highest for ">".
    const AlertCondition& first = rule.conditions.front();
    const bool low_is_bad = first.op == AlertOperator::less || first.op == AlertOperator::less_equal;
    const bool high_is_bad = first.op == AlertOperator::greater || first.op == AlertOperator::greater_equal;
    std::stable_sort(matched.begin(), matched.end(), [&](const AlertSubject* a, const AlertSubject* b) {
        const double x = metric_value(*a, first.metric), y = metric_value(*b, first.metric);
        return low_is_bad ? x < y : high_is_bad ? x > y : false;
    });

    std::string conditions;
    for (const auto& c : rule.conditions)
        conditions += fmt::format("{}{} {} {}", conditions.empty() ? "" : " and ", to_string(c.metric),
                                  to_string(c.op), format_metric(c.metric, c.value));
    Alert a{rule.name,
            rule.severity == "critical" ? AlertSeverity::critical
            : rule.severity == "info"   ? AlertSeverity::info
                                        : AlertSeverity::warning,
            std::string(to_string(first.metric)),
            metric_value(*matched.front(), first.metric),
            first.value,
            {},
            {}};
    std::vector<std::pair<std::string, std::string>> named;
    for (const auto* s : matched) {
        if (rule.scope != "run" && a.subjects.size() < max_subjects) a.subjects.push_back(s->name);
        std::string values;
        for (const auto& c : rule.conditions)
            values += fmt::format("{}{} {}", values.empty() ? "" : ", ", to_string(c.metric),
                                  format_metric(c.metric, metric_value(*s, c.metric)));
        named.emplace_back(s->name, "(" + values + ")");
    }
    if (rule.scope == "run")
        a.message = fmt::format("{}: {} for the run {}", rule.name, conditions, named.front().second);
    else
        a.message = fmt::format("{}: {} for {} {}{}: {}", rule.name, conditions, matched.size(), rule.scope,
                                matched.size() == 1 ? "" : "s", name_list(named, matched.size()));
    return a;
}

}  // namespace

std::vector<Alert> evaluate_alerts(const AlertInput& in, const AlertConfig& cfg) {
    std::vector<Alert> out;
    for (const auto& rule : built_in_rules)
        if (auto a = built_in(rule, in, cfg)) out.push_back(std::move(*a));
    if (auto a = stability_regression(in)) out.push_back(std::move(*a));
    for (const auto& rule : cfg.custom_rules)
        if (auto a = custom(rule, in)) out.push_back(std::move(*a));
    return out;
}

}  // namespace pss::ci
