// --repeat auto: every test gets --min-runs, then runs go where they change a
// verdict or make it sure, cheapest first, until every verdict is confident
// or the --budget is spent. A verdict is confident when its failure rate's
// Wilson interval rules out the target rate (auto_target_failure_rate, 10%:
// 35 passing runs) and its PSS is not at the threshold; a failing or flaky
// verdict is certain as soon as it is seen. With history, a test's recent
// stored runs without a failure count toward its confidence, so a test that
// has been stable for a while needs fewer runs than a new or changed one.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "pss/scoring/results.hpp"
#include "run_session.hpp"
#include "test_binary.hpp"

namespace pss::cli {

struct PipelineInput;

struct AdaptiveSettings {
    double budget_seconds = 0;  // 0: as long as a fixed --repeat 10 would take
    int min_runs = 3;           // per test, warm-ups included
    int max_runs = 200;
    double target_failure_rate = 0.10;
};

struct AdaptiveOutcome {
    std::size_t runs = 0;            // test runs, warm-ups included
    std::size_t rounds = 0;          // batches after the first runs
    double seconds = 0, budget = 0;  // spent on runs, and the budget
    std::size_t confident = 0, weak = 0;
    std::size_t history_runs = 0;  // stored runs that counted toward confidence
    // A fixed --repeat that gives every test the same confidence, and its runs.
    int fixed_repeat = 0;
    std::size_t fixed_runs = 0;
};

// Runs the binaries' tests adaptively through `session`. `run` says which
// branch's history counts (its metadata).
AdaptiveOutcome run_adaptive(RunSession& session, const std::vector<runner::TestBinary>& binaries,
                             const PipelineInput& in, const AdaptiveSettings& settings, const RunResults& run);

// Marks the verdicts that did not reach the target as weak, with the reason.
void mark_unconfident(std::vector<TestResult>& tests, const AdaptiveSettings& settings,
                      const AdaptiveOutcome& outcome);

// "adaptive repetition: 412 runs in 9.6 s of a 10.0 s budget ..." for the run's notes.
std::string describe(const AdaptiveOutcome& outcome, const AdaptiveSettings& settings);

}  // namespace pss::cli
