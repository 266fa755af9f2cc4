// The results of scoring: per test its runs, score, verdict with its
// confidence, and typed observations; per run the metadata, machine noise,
// regressions and the gate. Built by the Analyzer and the runner, rendered
// by reports, compared with history by ci. Plain data: no behaviour beyond
// names and counts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pss/scoring/scoring.hpp"

namespace pss {

enum class Verdict { stable, unstable, flaky, failing, regressed, not_applicable };

std::string_view to_string(Verdict v);                        // "stable", ..., "n/a"
std::optional<Verdict> verdict_from_string(std::string_view text);
bool needs_attention(Verdict v);  // everything but stable and n/a
// Presentation order, worst first: failing 0, flaky, regressed, unstable, n/a, stable 5.
int severity_rank(Verdict v);

// What kind of failure a failed run had, from its exception_type.
enum class FailureKind { assertion, exception, crash, timeout, exit, error };
std::string_view to_string(FailureKind k);  // "assertion", "exception", "crash", "timeout", "exit", "error"
// "crash:SIGSEGV" -> crash, "exception:std::bad_alloc" -> exception, "exit:3" -> exit; unknown -> error.
FailureKind failure_kind(std::string_view exception_type);

struct FailureSample {
    std::int64_t run = 0;  // the run index, 0-based as records count; reports show it from 1
    std::string type;      // exception_type as recorded: "assertion", "crash:SIGSEGV", "timeout", ...
    FailureKind kind = FailureKind::error;
    std::string message;
    std::string file;
    std::int64_t line = 0;
    std::string output;  // last lines of the failing run's output, when captured
};

// Something worth knowing about a test beyond its verdict.
enum class ObservationKind {
    leak,             // heap grew after most runs
    latency_tail,     // p95 well above p50
    cold_start,       // the warm-up runs were much slower than the rest
    noisy,            // a timing or memory instability that the machine's noise explains
    reproduced,       // an instability that reproduced when the test ran alone
    order_dependent,  // failed in the suite, passed alone (more often than chance allows)
    fails_alone,      // failed in the suite and alone
    inconclusive,     // passed its re-runs alone, but too few to tell order dependence from chance
    regressed,        // worse than its history
};
std::string_view to_string(ObservationKind k);  // "leak", "latency-tail", "cold-start", ...
std::optional<ObservationKind> observation_kind_from_string(std::string_view text);

struct Observation {
    ObservationKind kind;
    std::string text;  // one line for people: "leaks: heap grew after 10 of 10 runs (by 256.0 KiB per run)"
};

// How sure a verdict is: the runs behind it and an interval for the failure
// rate (Wilson, 95%).
struct Confidence {
    std::uint64_t runs = 0, failures = 0;
    double failure_rate_low = 0, failure_rate_high = 1;
    bool weak = false;  // too little evidence for the verdict to be trusted; `reason` says why
    std::string reason;
};

// One run of a test, in run order (what charts, history and statistical tests need).
struct RunPoint {
    std::int64_t run = 0;
    double duration = 0;  // seconds
    double memory = 0;    // bytes, peak heap growth
    bool failed = false;
    bool warmup = false;
};

struct TestResult {
    std::string name;
    std::string module;
    std::string binary;
    std::string filename;
    std::int64_t lineno = 0;

    std::uint64_t runs = 0;         // runs that count for failures (warm-ups included, skipped runs not)
    std::uint64_t warmup_runs = 0;  // of `runs`: not scored for time and memory
    std::uint64_t failures = 0;
    std::uint64_t skipped = 0;
    Score score;
    // The score with the time other processes took (run delay) taken out;
    // equal to `score` when the records do not say.
    Score steady_score;
    Verdict verdict = Verdict::not_applicable;
    Confidence confidence;
    std::vector<Observation> observations;
    bool quarantined = false;
    bool order_dependent = false;

    DurationSummary duration;
    double memory_peak = 0;          // bytes; measured runs
    bool heap_measured = true;       // false where the records cannot know the heap (native mode)
    std::uint64_t leaking_runs = 0;  // runs whose heap after exceeded heap before
    double timing_resolution = 0;    // seconds; the records' clock resolution when coarse
    bool exact = true;               // every run kept: percentiles exact, not estimated

    std::vector<RunPoint> series;  // per run when kept (pss run, merge); may be empty
    std::vector<FailureSample> failure_samples;  // the first few failures
    std::optional<int> baseline_pss;             // the test's PSS in history's baseline
    // pypss's formula alone, when pss's PSS differs from it (a test cannot
    // score above its pass rate: see cap_by_pass_rate).
    std::optional<int> pypss_pss;
    bool fails_gate = false;     // counted against the run by the gate (mark_gate_failures)
    std::vector<int> pss_trend;  // the test's PSS in earlier runs of the baseline, oldest first
    // The pss::metrics series its records carried, with their stability;
    // those with a weight (custom_metric_weights) are part of `score`.
    std::vector<MetricStability> metrics;

    bool has(ObservationKind kind) const;
    double pass_rate() const;  // passed runs / runs, 0 when nothing ran
};

// A module (a suite or a source file) or the whole input: what `pss analyze`
// reports beside its tests.
struct GroupResult {
    std::string name;
    std::uint64_t runs = 0, failures = 0;
    Score score;
    DurationSummary duration;
    double memory_peak = 0;
    bool exact = true;
};

// How noisy the machine itself was while the tests ran, from a fixed
// calibration workload timed at intervals (runner/src/machine_noise.cpp).
struct MachineNoise {
    bool measured = false;
    std::uint64_t samples = 0;
    double p50 = 0, p95 = 0;  // seconds the calibration workload took
    // p95 / p50 of the workload's times with the time other processes took
    // out (the machine's own speed varying), and the share of wall time the
    // calibration thread waited for a CPU (other processes' load).
    double ratio = 1;
    double run_delay_share = 0;
    // A hand-off between two threads (wakeups_per_sample wake-ups): its p95 /
    // p50 and the seconds of each, the spread of wake-up latency that tests
    // waiting on threads, timers or I/O see.
    double wakeup_ratio = 1;
    double wakeup_p50 = 0, wakeup_p95 = 0;
    int wakeups_per_sample = 40;
    std::string level;  // "low", "moderate", "high"
    bool high() const { return level == "high"; }
};

// A regression against history, found by ci and handed to the alert step
// and the reports as data.
enum class RegressionRule { pss_drop, slower, new_failure };
std::string_view to_string(RegressionRule r);  // "pss-drop", "slower", "new-failure"

struct Regression {
    std::string test;  // empty for the whole run
    std::string module;
    RegressionRule rule = RegressionRule::pss_drop;
    std::string message;
    double baseline = 0, current = 0;  // PSS, or median duration (s) for slower
    double p_value = 1, relative_change = 0;
};

// What was run, for reports and history.
struct RunMetadata {
    double started_at = 0, finished_at = 0;  // seconds since the epoch
    std::string host;
    std::string pss_version;
    std::vector<std::string> binaries;
    std::vector<std::string> modes;  // per binary: "listener", "native", "isolate"
    int repeat = 0;                  // runs per test asked for (0 with --repeat auto)
    int warmup = 0;                  // warm-up runs per test and process
    bool adaptive = false;           // --repeat auto
    bool shuffle = false;
    unsigned seed = 0;
    int fail_below = 80;
    std::string git_commit, git_branch;
    // The checkout's top folder (GITHUB_WORKSPACE, CI_PROJECT_DIR, git):
    // reports show source paths relative to it.
    std::string repository_root;
    std::vector<std::string> command_line;
    MachineNoise noise;
};

// The gate's decision and the reason, as printed and as stored.
struct GateDecision {
    int exit_code = 0;  // 0 passed, 1 failed
    std::string reason;
};

// A test process that failed outside every test: LeakSanitizer's exit code
// after the last test, abort() in a static destructor, a crash after a test's
// "[       OK ]" line. No test is to blame, but the binary does not pass as
// ctest would run it, so neither does the gate.
struct ProcessFailure {
    std::string binary;
    std::string what;              // "exited with code 23", "was killed by SIGABRT"
    std::uint64_t processes = 0;   // how many of the run's processes ended so
    std::string output;            // the last lines of the first one's output
};

// Adds `f` to `failures`, counting its processes into an entry of the same
// binary and ending when there is one.
void add_process_failure(std::vector<ProcessFailure>& failures, ProcessFailure f);

struct RunSummary {
    std::uint64_t tests = 0, stable = 0, unstable = 0, flaky = 0, failing = 0, regressed = 0, not_applicable = 0;
    std::uint64_t quarantined = 0, weak = 0;
    std::uint64_t skipped = 0;  // tests skipped in every run (within not_applicable)
    int overall_pss = 0;
};

// Everything a run produced: what every output is rendered from.
struct RunResults {
    RunMetadata meta;
    std::vector<TestResult> tests;  // worst first once sorted for presentation
    Score overall;
    RunSummary summary;
    GateDecision gate;
    std::vector<std::string> notes;
    std::vector<Regression> regressions;
    std::vector<ProcessFailure> process_failures;
    std::size_t baseline_runs = 0;  // history runs the regressions were judged against
    std::string baseline_branch;    // the branch of those runs ("" any)
    std::optional<int> baseline_pss;  // the newest baseline run's PSS
    int mean_pss = 0;               // the plain mean of the tests' PSS (see aggregate)
};

RunSummary summarize(const std::vector<TestResult>& tests, const Score& overall);

// A test cannot be more stable than its pass rate: its PSS is at most the
// percentage of its runs that passed (rounded down), so a test that failed
// every run scores 0, not the 80 that pypss's formula gives it (errors weigh
// only 20%). pypss's number stays in `pypss_pss` when it differs.
void cap_by_pass_rate(TestResult& test);

// The score of a whole run: the mean of its tests' PSS (each test counts once,
// however long or numerous its runs), rounded like the PSS; but never above
// the PSS of a test that fails the gate (TestResult::fails_gate), so a run
// that fails reads as failing. The sub-scores are the tests' means. Tests
// skipped in every run measured nothing and are left out.
Score aggregate(const std::vector<TestResult>& tests);
// The plain mean of the tests' PSS, without the gate's cap.
int mean_pss(const std::vector<TestResult>& tests);

// Failing, flaky, regressed, unstable, n/a, stable; then by PSS; stable within.
void sort_worst_first(std::vector<TestResult>& tests);

}  // namespace pss
