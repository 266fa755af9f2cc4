#include <algorithm>
#include <regex>

#include <fmt/format.h>

#include "pss/ci/alerts.hpp"

namespace pss::ci {

std::string_view to_string(AlertSeverity s) {
    switch (s) {
        case AlertSeverity::info: return "info";
        case AlertSeverity::critical: return "critical";
        case AlertSeverity::warning: break;
    }
    return "warning";
}

std::optional<double> metric_value(const AlertSubject& s, std::string_view metric) {
    const SubScores& b = s.score.breakdown;
    if (metric == "pss") return s.score.pss;
    if (metric == "timing_stability") return b.timing_stability;
    if (metric == "memory_stability") return b.memory_stability;
    if (metric == "error_volatility") return b.error_volatility;
    if (metric == "branching_entropy") return b.branching_entropy;
    if (metric == "concurrency_chaos") return b.concurrency_chaos;
    if (metric == "error_rate") return s.runs ? static_cast<double>(s.failures) / static_cast<double>(s.runs) : 0.0;
    if (metric == "duration_p50") return s.duration_p50;
    if (metric == "duration_p95") return s.duration_p95;
    if (metric == "memory_peak") return s.memory_peak;
    if (metric == "runs") return static_cast<double>(s.runs);
    if (metric == "failures") return static_cast<double>(s.failures);
    return std::nullopt;
}

namespace {

// Subjects named in one alert's message; the alert lists more in `subjects`.
constexpr std::size_t named_in_message = 5;
constexpr std::size_t max_subjects = 50;

std::string format_metric(std::string_view metric, double v) {
    if (metric == "pss" || metric == "runs" || metric == "failures") return fmt::format("{:.0f}", v);
    if (metric == "error_rate") return fmt::format("{:.0f}%", v * 100);
    if (metric == "duration_p50" || metric == "duration_p95") return fmt::format("{:.3g} ms", v * 1e3);
    if (metric == "memory_peak") return fmt::format("{:.0f} KiB", v / 1024);
    return fmt::format("{:.2f}", v);
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
    const char* metric;
    double AlertConfig::*threshold;
    AlertSeverity severity;
};

// pypss's rules, names and severities.
constexpr BuiltInRule built_in_rules[] = {
    {"Timing Stability Surge", "timing_stability", &AlertConfig::threshold_ts, AlertSeverity::warning},
    {"Memory Stability Spike", "memory_stability", &AlertConfig::threshold_ms, AlertSeverity::warning},
    {"Error Burst", "error_volatility", &AlertConfig::threshold_ev, AlertSeverity::critical},
    {"Entropy Anomaly", "branching_entropy", &AlertConfig::threshold_be, AlertSeverity::warning},
    {"Concurrency Variance Spike", "concurrency_chaos", &AlertConfig::threshold_cc, AlertSeverity::warning},
};

// The run's sub-score, or any test's, below its threshold; the message names
// the tests that are, so that the reader knows where to look.
std::optional<Alert> built_in(const BuiltInRule& rule, const AlertInput& in, const AlertConfig& cfg) {
    const double run_value = *metric_value(in.run, rule.metric);
    const double threshold = cfg.*rule.threshold;
    std::vector<const AlertSubject*> below;
    for (const auto& t : in.tests)
        if (*metric_value(t, rule.metric) < threshold) below.push_back(&t);
    const bool run_below = run_value < threshold;
    if (!run_below && below.empty()) return std::nullopt;
    std::stable_sort(below.begin(), below.end(), [&](const AlertSubject* a, const AlertSubject* b) {
        return *metric_value(*a, rule.metric) < *metric_value(*b, rule.metric);
    });
    Alert a{rule.name, rule.severity, rule.metric, run_below ? run_value : *metric_value(*below.front(), rule.metric),
            threshold, {}, {}};
    std::vector<std::pair<std::string, std::string>> named;
    for (const auto* t : below) {
        if (a.subjects.size() < max_subjects) a.subjects.push_back(t->name);
        named.emplace_back(t->name, format_metric(rule.metric, *metric_value(*t, rule.metric)));
    }
    const std::string tests = fmt::format("{} test{}", below.size(), below.size() == 1 ? "" : "s");
    if (run_below) {
        a.message = fmt::format("{}: the run's {} is {:.2f}, below the threshold {:.2f}", rule.name, rule.metric,
                                run_value, threshold);
        if (!below.empty()) a.message += fmt::format("; {} below it: {}", tests, name_list(named, below.size()));
    } else {
        a.message = fmt::format("{}: {} with {} below the threshold {:.2f}: {} (the run: {:.2f})", rule.name, tests,
                                rule.metric, threshold, name_list(named, below.size()), run_value);
    }
    return a;
}

// pypss's Stability Regression (the run's PSS more than
// regression_threshold_drop below the mean of the baseline's recent runs),
// and any test that regression detection found worse than its baseline.
std::optional<Alert> stability_regression(const AlertInput& in, const HistoryConfig& history) {
    const double current = in.run.score.pss;
    const bool run_dropped = in.baseline_pss && current < *in.baseline_pss - history.regression_threshold_drop;
    if (!run_dropped && in.regressed.empty()) return std::nullopt;
    Alert a{"Stability Regression", AlertSeverity::critical, "pss", current, 0, {}, {}};
    std::vector<std::pair<std::string, std::string>> named;
    for (const auto& r : in.regressed) {
        if (a.subjects.size() < max_subjects) a.subjects.push_back(r.name);
        named.emplace_back(r.name, "(" + r.reason + ")");
    }
    const std::string tests = fmt::format("{} test{} regressed against the baseline", in.regressed.size(),
                                          in.regressed.size() == 1 ? "" : "s");
    if (run_dropped) {
        a.threshold = *in.baseline_pss - history.regression_threshold_drop;
        a.message = fmt::format("Stability Regression: the run's PSS {:.0f} is {:.1f} points below the mean {:.1f} "
                                "of its {} baseline run{} (more than the allowed {:g})",
                                current, *in.baseline_pss - current, *in.baseline_pss, in.baseline_runs,
                                in.baseline_runs == 1 ? "" : "s", history.regression_threshold_drop);
        if (!in.regressed.empty()) a.message += fmt::format("; {}: {}", tests, name_list(named, in.regressed.size()));
    } else {
        a.metric = "regressed_tests";
        a.value = static_cast<double>(in.regressed.size());
        a.message = fmt::format("Stability Regression: {}: {}", tests, name_list(named, in.regressed.size()));
    }
    return a;
}

bool holds(double v, const AlertCondition& c) {
    if (c.op == "<") return v < c.value;
    if (c.op == "<=") return v <= c.value;
    if (c.op == ">") return v > c.value;
    if (c.op == ">=") return v >= c.value;
    if (c.op == "==") return v == c.value;
    return v != c.value;
}

std::optional<Alert> custom(const CustomAlertRule& rule, const AlertInput& in) {
    std::vector<const AlertSubject*> candidates;
    const std::regex module_re(rule.module_pattern, std::regex::ECMAScript);
    const std::regex test_re(rule.test_pattern, std::regex::ECMAScript);
    if (rule.scope == "run") candidates.push_back(&in.run);
    if (rule.scope == "module")
        for (const auto& m : in.modules)
            if (std::regex_search(m.name, module_re)) candidates.push_back(&m);
    if (rule.scope == "test")
        for (const auto& t : in.tests)
            if (std::regex_search(t.module, module_re) && std::regex_search(t.name, test_re)) candidates.push_back(&t);

    std::vector<const AlertSubject*> matched;
    for (const auto* s : candidates)
        if (std::all_of(rule.conditions.begin(), rule.conditions.end(),
                        [&](const AlertCondition& c) { return holds(*metric_value(*s, c.metric), c); }))
            matched.push_back(s);
    if (matched.empty()) return std::nullopt;

    // Worst first, by the first condition: lowest for "<", highest for ">".
    const AlertCondition& first = rule.conditions.front();
    const bool low_is_bad = first.op[0] == '<';
    const bool high_is_bad = first.op[0] == '>';
    std::stable_sort(matched.begin(), matched.end(), [&](const AlertSubject* a, const AlertSubject* b) {
        const double x = *metric_value(*a, first.metric), y = *metric_value(*b, first.metric);
        return low_is_bad ? x < y : high_is_bad ? x > y : false;
    });

    std::string conditions;
    for (const auto& c : rule.conditions)
        conditions += fmt::format("{}{} {} {}", conditions.empty() ? "" : " and ", c.metric, c.op,
                                  format_metric(c.metric, c.value));
    Alert a{rule.name,
            rule.severity == "critical" ? AlertSeverity::critical
            : rule.severity == "info"   ? AlertSeverity::info
                                        : AlertSeverity::warning,
            first.metric,
            *metric_value(*matched.front(), first.metric),
            first.value,
            {},
            {}};
    std::vector<std::pair<std::string, std::string>> named;
    for (const auto* s : matched) {
        if (rule.scope != "run" && a.subjects.size() < max_subjects) a.subjects.push_back(s->name);
        std::string values;
        for (const auto& c : rule.conditions)
            values += fmt::format("{}{} {}", values.empty() ? "" : ", ", c.metric,
                                  format_metric(c.metric, *metric_value(*s, c.metric)));
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

std::vector<Alert> evaluate_alerts(const AlertInput& in, const AlertConfig& cfg, const HistoryConfig& history) {
    std::vector<Alert> out;
    for (const auto& rule : built_in_rules)
        if (auto a = built_in(rule, in, cfg)) out.push_back(std::move(*a));
    if (auto a = stability_regression(in, history)) out.push_back(std::move(*a));
    for (const auto& rule : cfg.custom_rules)
        if (auto a = custom(rule, in)) out.push_back(std::move(*a));
    return out;
}

}  // namespace pss::ci
