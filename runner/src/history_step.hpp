// The history part of a run: compare with the baseline before the gate,
// store the run after it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pss/config/config.hpp"
#include "pss/scoring/results.hpp"

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
    // storage_backend "prometheus", storage_mode "push": --store-history
    // pushes to this Pushgateway (host:port) instead of writing a database
    // (unless --db names one too).
    std::string pushgateway;
    bool store_in_database = true;
    bool enabled() const { return store || baseline_branch || fail_on_regression; }
};

// The history database: --db, else storage_uri, else (storage_backend
// "prometheus", whose storage_uri is the gateway or a port) .pss/history.db.
std::string history_database(const Config& config, const std::string& db_option);

// The branch whose recent runs are the baseline: --baseline-branch, else the
// run's own branch, else none (any branch).
std::optional<std::string> baseline_branch(const RunResults& results, const HistorySettings& settings);

// Finds the regressions against the baseline (ci/regression.hpp) and hands
// them to the results: regressed tests marked, each test's baseline PSS,
// results.regressions for the gate, the reports and the alert step. Prints
// the findings.
// A history that cannot be read (unreachable server, locked past the busy
// timeout, corrupt, newer schema) is a warning when nothing depends on it;
// with --store-history or --fail-on-regression the run must not pass
// silently, so the error is returned: give it to fail_gate_for_history.
std::optional<std::string> compare_with_history(RunResults& results, const HistorySettings& settings);

// The gate becomes exit 3 ("could not do what was asked") with the history
// error as its reason, so the table, the reports and the exit code say it.
void fail_gate_for_history(RunResults& results, const std::string& error);

// Stores the run (one transaction). Returns the error when it could not be
// stored: the caller exits 3 after the reports are written (nothing lost).
std::optional<std::string> store_in_history(const RunResults& results, const HistorySettings& settings,
                                            const std::string& source);

// The options resolved against pss.toml.
HistorySettings history_settings(const HistoryOptions& options, const Config& config);

}  // namespace pss::cli
