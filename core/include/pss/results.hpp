// The results of a pss run: per test its runs, score, verdict and
// observations. Built from trace records by core, rendered by reports,
// compared with history by ci.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pss/scoring.hpp"
#include "pss/trace.hpp"

namespace pss {

enum class Verdict { stable, unstable, flaky, failing, regressed, not_applicable };

std::string_view to_string(Verdict v);  // "stable", ..., "n/a"
bool needs_attention(Verdict v);        // everything but stable and n/a

struct FailureSample {
    std::int64_t run = 0;
    std::string kind;  // exception_type: "assertion", "crash:SIGSEGV", "timeout", ...
    std::string message;
    std::string file;
    std::int64_t line = 0;
    std::string output;  // last lines of the failing run's output, when captured
};

struct TestResult {
    std::string name;
    std::string module;
    std::string binary;
    std::string filename;
    std::int64_t lineno = 0;

    std::uint64_t runs = 0;  // scored runs (skipped runs are not scored)
    std::uint64_t failures = 0;
    std::uint64_t skipped = 0;
    Score score;
    Verdict verdict = Verdict::not_applicable;
    std::vector<std::string> observations;  // "leaks ...", "latency tail ...", "order-dependent ..."
    bool quarantined = false;
    bool order_dependent = false;

    double duration_mean = 0, duration_p50 = 0, duration_p95 = 0, duration_max = 0;
    double memory_peak = 0;
    std::uint64_t leaking_runs = 0;  // runs whose heap after exceeded heap before

    // Per run, in run order: what charts, history and statistical tests need.
    std::vector<double> durations;
    std::vector<double> memory;
    std::vector<bool> failed;
    std::vector<FailureSample> failure_samples;  // the first few failures
};

struct VerdictConfig {
    int fail_below = 80;               // PSS below this is unstable
    double tail_ratio_observation = 2.0;  // p95/p50 at or above this is reported as a latency tail
    std::size_t max_failure_samples = 5;
    // Heap growth per run (mean over the growing runs) below this is the
    // framework's own bookkeeping, not a leak worth reporting.
    double leak_min_bytes = 1024;
};

// Groups test records (kind "test" or pypss records) by (module, name) and
// turns each group into a TestResult. Block and system records are ignored.
class ResultsBuilder {
public:
    void add(const TraceRecord& record, std::string_view binary = {});
    // Output of a failed run, attached to its FailureSample.
    void attach_output(std::string_view module, std::string_view name, std::int64_t run, std::string output);
    std::vector<TestResult> build(const ScoringConfig& scoring, const VerdictConfig& verdicts) const;

private:
    struct Group {
        std::string binary, filename;
        std::int64_t lineno = 0;
        std::vector<TraceRecord> runs;
        std::uint64_t skipped = 0;
    };
    std::map<std::pair<std::string, std::string>, Group> groups_;
    std::vector<std::pair<std::string, std::string>> order_;  // first appearance
    std::map<std::tuple<std::string, std::string, std::int64_t>, std::string> outputs_;
};

// Verdict for one test: n/a below 2 runs, failing when every run failed,
// flaky when some did, unstable below the threshold, stable otherwise.
Verdict classify(const TestResult& t, const VerdictConfig& cfg);

// What was run, for reports and history.
struct RunMetadata {
    double started_at = 0, finished_at = 0;  // seconds since the epoch
    std::string host;
    std::string pss_version;
    std::vector<std::string> binaries;
    std::vector<std::string> modes;  // per binary: "listener", "native", "isolate"
    int repeat = 0;
    bool shuffle = false;
    unsigned seed = 0;
    int fail_below = 80;
    std::string git_commit, git_branch;
    std::vector<std::string> command_line;
};

// The gate's decision and the reason, as printed and as stored.
struct GateDecision {
    int exit_code = 0;  // 0 passed, 1 failed
    std::string reason;
};

struct RunSummary {
    std::uint64_t tests = 0, stable = 0, unstable = 0, flaky = 0, failing = 0, regressed = 0, not_applicable = 0;
    std::uint64_t quarantined = 0;
    int overall_pss = 0;
};

RunSummary summarize(const std::vector<TestResult>& tests, const Score& overall);

// The score of a whole run: the mean of its tests' scores (each test counts
// once, however long or numerous its runs), rounded like the PSS.
Score aggregate(const std::vector<TestResult>& tests);

}  // namespace pss
