// pss.toml: the [pss] table of a TOML file, with pypss's key names where
// pypss has one; pypss's own [pypss] (pypss.toml) and [tool.pypss]
// (pyproject.toml) tables are read too. Found via --config, then
// $PSS_CONFIG, then pss.toml, pypss.toml or a pyproject.toml with
// [tool.pypss] in the working directory or any directory above it.
#pragma once

#include <filesystem>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pss/scoring/advisor.hpp"
#include "pss/scoring/scoring.hpp"

namespace pss {

// Defaults for `pss run`; its command-line options override them.
struct RunnerConfig {
    std::int64_t repeat = 10;
    std::int64_t fail_below = 80;
    double timeout = 60.0;  // seconds per test case
    std::int64_t warmup = 1;  // runs of every test not scored for time and memory
    bool repeat_auto = false;   // repeat = "auto"
    std::string budget;         // for repeat = "auto": "90s", "2m", ...
    double auto_target_failure_rate = 0.10;  // a verdict is confident when it rules out failure rates above this
    bool allow_flaky = false;
    std::string quarantine;  // file of test names or globs; relative to the config file
    std::string collector;   // where pss-run also sends every record (PSS_COLLECTOR's syntax); empty: nowhere
};

// Where history is kept and what counts as a regression (pypss's keys).
struct HistoryConfig {
    std::string storage_backend = "sqlite";       // or "postgresql" (storage_uri decides), or "prometheus"
    std::string storage_uri = ".pss/history.db";  // a SQLite file (relative to the config file, or to the
                                                  // working directory) or postgresql://user@host:port/db;
                                                  // for "prometheus": the Pushgateway's host:port (push)
                                                  // or the exporter's port (pull)
    std::string storage_uri_as_written;           // storage_uri as the file gives it (no path resolution)
    std::int64_t prometheus_max_tests = 500;      // tests per run in the Prometheus series (worst first)
    std::string storage_mode = "push";            // "prometheus" only: push to a Pushgateway, or "pull"
                                                  // (history stays in .pss/history.db; pss exporter serves it)
    double regression_threshold_drop = 10.0;      // PSS points below the baseline mean
    std::int64_t regression_history_limit = 5;    // baseline runs considered
    double regression_alpha = 0.05;               // Mann-Whitney significance on run durations
    double regression_min_change = 0.10;          // and at least this relative slow-down of the median
};

// The metrics an alert rule's condition may test, per run, module or test:
// pss (0-100), the five sub-scores (0-1, pypss's names), error_rate (failed
// runs / runs), duration_p50 and duration_p95 (seconds), memory_peak (bytes),
// runs and failures. The config checks names against this table and the
// rules (ci) evaluate the enum: one list for both.
enum class AlertMetric {
    pss, timing_stability, memory_stability, error_volatility, branching_entropy, concurrency_chaos,
    error_rate, duration_p50, duration_p95, memory_peak, runs, failures
};
inline constexpr std::pair<AlertMetric, std::string_view> alert_metric_names[] = {
    {AlertMetric::pss, "pss"},
    {AlertMetric::timing_stability, "timing_stability"},
    {AlertMetric::memory_stability, "memory_stability"},
    {AlertMetric::error_volatility, "error_volatility"},
    {AlertMetric::branching_entropy, "branching_entropy"},
    {AlertMetric::concurrency_chaos, "concurrency_chaos"},
    {AlertMetric::error_rate, "error_rate"},
    {AlertMetric::duration_p50, "duration_p50"},
    {AlertMetric::duration_p95, "duration_p95"},
    {AlertMetric::memory_peak, "memory_peak"},
    {AlertMetric::runs, "runs"},
    {AlertMetric::failures, "failures"},
};
std::string_view to_string(AlertMetric m);

enum class AlertOperator { less, less_equal, greater, greater_equal, equal, not_equal };
inline constexpr std::pair<AlertOperator, std::string_view> alert_operator_names[] = {
    {AlertOperator::less, "<"},    {AlertOperator::less_equal, "<="}, {AlertOperator::greater, ">"},
    {AlertOperator::greater_equal, ">="}, {AlertOperator::equal, "=="}, {AlertOperator::not_equal, "!="},
};
std::string_view to_string(AlertOperator op);

struct AlertCondition {
    AlertMetric metric = AlertMetric::pss;
    AlertOperator op = AlertOperator::less;
    double value = 0;
};

// A rule of the config's custom_alert_rules (pypss's shape): it fires when
// every condition holds for the run, or for a module or test its patterns select.
struct CustomAlertRule {
    std::string name;
    std::string severity = "warning";  // info, warning, critical
    std::string scope = "run";         // run, module, test; a pattern alone implies module or test
    std::string module_pattern;        // ECMAScript regex, searched in the module name
    std::string test_pattern;          // ECMAScript regex, searched in the test name
    std::vector<AlertCondition> conditions;
};

// Alerting (pypss's keys): rules on every run's scores, sent to chat and
// paging channels, at most once per rule and branch within the cooldown.
struct AlertConfig {
    bool enabled = false;
    std::string slack_webhook, teams_webhook, generic_webhook, alertmanager_url;
    double cooldown_seconds = 3600;
    double timeout_seconds = 10;  // per HTTP request
    std::int64_t retries = 3;     // attempts per request
    // Built-in rules: the run's sub-score below its threshold.
    double threshold_ts = 0.70, threshold_ms = 0.70, threshold_ev = 0.80, threshold_be = 0.70, threshold_cc = 0.70;
    std::vector<CustomAlertRule> custom_rules;
};

struct Config {
    ScoringConfig scoring;
    AdvisorConfig advisor;
    RunnerConfig runner;
    HistoryConfig history;
    AlertConfig alerts;

    std::filesystem::path source;       // the file read; empty when defaults
    std::vector<std::string> warnings;  // unknown keys, with the nearest known one
};

// A wrong type, an out-of-range value or an unreadable file. The message names
// the file, the line and the key.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

Config load_config_file(const std::filesystem::path& file);
Config parse_config(std::string_view toml_text, const std::filesystem::path& name_for_messages);

// pss.toml (or pypss.toml, or pyproject.toml with [tool.pypss]) in `start`
// or the nearest directory above it.
std::optional<std::filesystem::path> find_config_upward(const std::filesystem::path& start);

// --config (when given), else $PSS_CONFIG, else the upward search, else defaults.
Config resolve_config(const std::optional<std::filesystem::path>& explicit_file);

// Every key the [pss] table accepts, for messages and documentation.
std::vector<std::string> config_keys();

}  // namespace pss
