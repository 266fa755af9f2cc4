// What history says about a test before it runs: its recent stored runs, for
// adaptive repetition (a test stable for a while needs fewer runs).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "history_step.hpp"
#include "pss/scoring/results.hpp"

namespace pss::cli {

// Per (module, name): the runs of the test's last regression_history_limit
// stored results, when none of them failed and its verdicts were stable;
// tests that failed, regressed or are new get nothing. An unreadable or
// missing history gives an empty map (and no warning: it is only a saving).
std::map<std::pair<std::string, std::string>, std::uint64_t> stable_history_runs(const std::vector<TestResult>& tests,
                                                                                const RunResults& run,
                                                                                const HistorySettings& settings);

}  // namespace pss::cli
