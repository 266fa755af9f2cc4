// The history part of a run: compare with the baseline before the gate,
// store the run after it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pss/config.hpp"
#include "pss/reports/run_report.hpp"

namespace CLI {
class App;
}

namespace pss::cli {

// The history options of run, merge and analyze, as given on the command line.
struct HistoryOptions {
    bool store = false;
    std::optional<std::string> baseline_branch;
    bool fail_on_regression = false;
    std::string db;
};
void add_history_options(CLI::App& cmd, HistoryOptions& options);

struct HistorySettings {
    bool store = false;                          // --store-history
    std::optional<std::string> baseline_branch;  // --baseline-branch (default: the run's own branch)
    bool fail_on_regression = false;             // --fail-on-regression
    HistoryConfig config;                        // storage_uri and regression thresholds
    double timing_noise_floor = 0;               // the scoring's: smaller slow-downs are not regressions
    std::string config_hash;
    bool enabled() const { return store || baseline_branch || fail_on_regression; }
};

struct HistoryOutcome {
    std::size_t regressions = 0;  // tests (and the run) found regressed
    bool run_regressed = false;   // the whole run's PSS dropped
    std::vector<std::string> messages;  // "Suite.Test: message (rule)", one per regression
};

// The branch whose recent runs are the baseline: --baseline-branch, else the
// run's own branch, else none (any branch).
std::optional<std::string> baseline_branch(const reports::RunReport& report, const HistorySettings& settings);

// Marks regressed tests, fills the report's baselines, prints the findings.
// A database that cannot be read is a warning: history never loses a run.
HistoryOutcome compare_with_history(reports::RunReport& report, const HistorySettings& settings);

// Stores the run (one transaction); a failure is a warning, not an error.
void store_in_history(const reports::RunReport& report, const HistorySettings& settings, const std::string& source);

// The options resolved against pss.toml.
HistorySettings history_settings(const HistoryOptions& options, const Config& config);

}  // namespace pss::cli
