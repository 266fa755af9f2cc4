// From a test's score to its verdict, observations and confidence. One place
// decides, whatever produced the records (pss run, merge, analyze).
//
// A test is unstable only on evidence that survives the machine's own noise:
// warm-up runs are not scored for time and memory; a score that is low only
// because other processes took the CPU (run delay) is `stable` with a
// `noisy` note; and the runner re-runs a test alone before it calls a timing
// or memory instability confirmed (apply_rerun). Failures are never
// explained away by noise: a test that failed is flaky or failing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "pss/scoring/results.hpp"
#include "pss/scoring/scoring.hpp"

namespace pss {

struct VerdictConfig {
    int fail_below = 80;                   // PSS below this is unstable
    double tail_ratio_observation = 2.0;   // p95/p50 at or above this is reported as a latency tail
    std::size_t max_failure_samples = 5;
    // Heap growth per run (mean over the growing runs) below this is the
    // framework's own bookkeeping, not a leak worth reporting.
    double leak_min_bytes = 1024;
    // Warm-up runs this many times slower than the median are a cold start.
    double cold_start_ratio = 3.0;
    // Fewer runs than this (time-scored runs for a stable verdict) make a weak verdict.
    std::uint64_t min_confident_runs = 5;
    // A stable or unstable PSS within this many points of fail_below is weak.
    int threshold_margin = 3;
};

// What the engine saw of a test beyond its samples, for the observations.
struct TestEvidence {
    std::uint64_t leaking_runs = 0;   // passed runs whose heap after exceeded the heap before
    std::uint64_t passed_runs = 0;    // measured runs that passed (leaks are judged on these)
    double leaked_bytes = 0;          // summed over the leaking runs
    double slowest_warmup = 0;        // seconds, the slowest warm-up run; 0 without warm-ups
};

// The verdict from the counts and the score alone: failing when every run
// failed, flaky when some did (both even with one run), n/a below 2 runs,
// unstable below fail_below, stable otherwise.
Verdict classify(const TestResult& test, const VerdictConfig& cfg);

// Sets the verdict, the observations (leak, latency tail, cold start, noisy)
// and the confidence of a scored test.
void judge(TestResult& test, const TestEvidence& evidence, const VerdictConfig& cfg, const ScoringConfig& scoring);

// How sure the verdict is: the Wilson interval of the failure rate, and
// whether it is weak (few runs, a PSS near the threshold, an unconfirmed
// instability). Called by judge() and again after re-runs.
Confidence assess_confidence(const TestResult& test, const VerdictConfig& cfg, bool instability_confirmed,
                             const MachineNoise& noise = {});

// "0 of 10 runs failed: a failure rate above 28% is ruled out (95%)" or
// "3 of 10 runs failed: failure rate 11%-60% (95%)".
std::string describe(const Confidence& c);

// The test's timing or memory instability needs confirming: it is unstable
// with no failures.
bool needs_rerun(const TestResult& test);

// What re-running an unstable test alone showed.
struct Rerun {
    std::uint64_t runs = 0;  // time-scored runs
    Score score;             // of the re-runs, wall time
    Score steady_score;      // of the re-runs, without run delay
    double tail_ratio = 1;   // p95/p50 of the re-runs' steady durations
    double tail_seconds = 0;  // p95 - p50 of the re-runs' steady durations
    // The test waits (voluntary context switches in most runs): its noise is
    // wake-up latency. Its tail is compared with the machine's hand-off
    // spread, scaled by how many times a run waits (wake-ups per run).
    bool waits = false;
    double wakeups_per_run = 0;
    // Whether it waits is unknown (no listener: the framework's own output says
    // nothing of it): the larger of the two kinds of noise is allowed.
    bool waits_unknown = false;
    MachineNoise noise;      // the machine while they ran
};

// Confirms the instability (unstable, with the evidence as a `reproduced`
// observation) or explains it away (stable, with a `noisy` observation):
// it reproduces when the re-runs score below fail_below and their tail is
// beyond what the machine's noise gives a fixed workload.
void apply_rerun(TestResult& test, const Rerun& rerun, const VerdictConfig& cfg, const ScoringConfig& scoring);

// Failed runs re-run alone: `failed_alone` of `reruns` failed again.
// Passing every re-run shows order dependence only when a test failing as
// often as it did in the suite would rarely pass that many by chance (below
// 5%); otherwise the re-runs prove nothing and say so.
void apply_failure_rerun(TestResult& test, int failed_alone, int reruns);

// How many passing re-runs alone make order dependence the likely reason a
// test failed `failures` of `runs` in the suite (chance below 5%), at most `cap`.
int reruns_for_order_dependence(std::uint64_t failures, std::uint64_t runs, int cap = 20);

}  // namespace pss
