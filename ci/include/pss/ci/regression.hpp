// Regression detection: is this run worse than its baseline in history?
// Three rules per test (pypss's PSS drop, a Mann-Whitney test on run
// durations, a new failure mode) and the PSS drop for the whole run.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pss/ci/history_store.hpp"
#include "pss/config/config.hpp"
#include "pss/scoring/results.hpp"

namespace pss::ci {

// The thresholds are config keys (pss.toml); see pss::HistoryConfig.
using RegressionConfig = HistoryConfig;

// Fewer runs than this on either side: the duration test is reported as
// weak. With 9 against 9, the Mann-Whitney U test's smallest two-sided p
// value (complete separation) is about 4e-5 with the normal approximation
// used here, and the approximation is within a few percent of the exact
// distribution from about n = 8 per side on (Mann and Whitney's table); below
// that a "significant" p can be an artefact of the approximation.
inline constexpr std::size_t min_runs_for_statistics = 9;

struct RegressionReport {
    std::vector<Regression> regressions;  // pss::Regression, see pss/scoring/results.hpp
    std::vector<std::string> warnings;    // too few runs, no baseline
    std::size_t baseline_runs = 0;
    // Each test's PSS in the newest baseline run that has it, by (module, name).
    std::vector<std::pair<std::pair<std::string, std::string>, int>> baseline_pss;
};

// A test's run durations, warm-ups left out: what the Mann-Whitney test and
// history keep.
std::vector<double> measured_durations(const TestResult& test);

// Compares `tests` (and `overall`) with the last runs in `store` on
// `baseline_branch` (empty: any branch). Call before storing the current run.
// A median slow-down of no more than `noise_floor` seconds is never "slower"
// (the scoring's timing_noise_floor: a 1 us test 0.3 us slower is noise).
RegressionReport detect_regressions(const HistoryStore& store, const std::vector<TestResult>& tests,
                                    const Score& overall, const std::optional<std::string>& baseline_branch,
                                    const RegressionConfig& cfg, double noise_floor = 0);

// Marks the regressed tests (verdict `regressed` unless already flaky or
// failing, with a `regressed` observation), sets each test's baseline PSS,
// and hands the regressions to the results (the alert step and the reports
// read them there).
void apply_regressions(RunResults& results, const RegressionReport& report);

}  // namespace pss::ci
