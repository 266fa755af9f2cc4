// Regression detection: is this run worse than its baseline in history?
// Three rules per test (pypss's PSS drop, a Mann-Whitney test on run
// durations, a new failure mode) and the PSS drop for the whole run.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pss/ci/history_store.hpp"
#include "pss/config.hpp"
#include "pss/results.hpp"

namespace pss::ci {

// The thresholds are config keys (pss.toml); see pss::HistoryConfig.
using RegressionConfig = HistoryConfig;

// Fewer runs than this on either side: the duration test is reported as weak.
inline constexpr std::size_t min_runs_for_statistics = 9;

struct Regression {
    std::string test;  // empty for the whole run
    std::string module;
    std::string rule;  // "pss-drop", "slower", "new-failure"
    std::string message;
    double baseline = 0, current = 0;  // PSS, or median duration (s) for "slower"
    double p_value = 1, relative_change = 0;
};

struct RegressionReport {
    std::vector<Regression> regressions;
    std::vector<std::string> warnings;  // too few runs, no baseline
    std::size_t baseline_runs = 0;
};

// Compares `tests` (and `overall`) with the last runs in `store` on
// `baseline_branch` (empty: any branch). Call before storing the current run.
// A median slow-down of no more than `noise_floor` seconds is never "slower"
// (the scoring's timing_noise_floor: a 1 us test 0.3 us slower is noise).
RegressionReport detect_regressions(const HistoryStore& store, const std::vector<TestResult>& tests,
                                    const Score& overall, const std::optional<std::string>& baseline_branch,
                                    const RegressionConfig& cfg, double noise_floor = 0);

// The observation apply_regressions adds to a regressed test starts with this.
inline constexpr std::string_view regressed_observation = "regressed: ";

// Marks the regressed tests (verdict `regressed` unless already flaky or
// failing) and adds the reason to their observations.
void apply_regressions(std::vector<TestResult>& tests, const RegressionReport& report);

}  // namespace pss::ci
