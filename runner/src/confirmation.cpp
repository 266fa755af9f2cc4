#include "confirmation.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "child_process.hpp"
#include "executor.hpp"
#include "pss/scoring/analyzer.hpp"
#include "pss/stats/statistics.hpp"
#include "run_pipeline.hpp"

namespace pss::cli {

namespace {

// Each kind of confirmation re-runs at most this many tests; the others keep
// their verdict, marked weak.
constexpr int max_confirmed_tests = 20;

const runner::TestBinary* binary_of(const std::vector<runner::TestBinary>& binaries, const TestResult& t) {
    for (const auto& b : binaries)
        if (b.path == t.binary && std::find(b.tests.begin(), b.tests.end(), t.name) != b.tests.end()) return &b;
    return nullptr;
}

// A failed test: its failed runs again, alone, with the same run index,
// until one fails or enough have passed to rule out chance (at most 20).
void confirm_failures(TestResult& t, const runner::TestBinary& bin, const PipelineInput& in,
                      const std::filesystem::path& work_dir) {
    std::vector<std::int64_t> failed_runs;
    // A hang would only hang again, at the cost of the timeout.
    for (const auto& f : t.failure_samples)
        if (f.kind != FailureKind::timeout) failed_runs.push_back(f.run);
    if (failed_runs.empty()) return;
    const int wanted = reruns_for_order_dependence(t.failures, t.runs);
    int reruns = 0, alone = 0;
    while (reruns < wanted && alone == 0 && !runner::interrupted()) {
        const std::vector<std::int64_t> runs{failed_runs[static_cast<std::size_t>(reruns) % failed_runs.size()]};
        alone += runner::failures_in_isolation(bin, in.plan, t.name, runs, work_dir);
        ++reruns;
    }
    apply_failure_rerun(t, alone, reruns);
}

// Runs at the start of a process that are much slower than the rest (an
// allocator or a cache filling up over the first runs, beyond --warmup): the
// leading runs, at most three, each over twice the median of the runs after
// them. They become warm-ups; returns how many.
std::size_t mark_cold_start(std::vector<TraceRecord>& records) {
    std::vector<TraceRecord*> timed;
    for (auto& r : records)
        if (!r.warmup) timed.push_back(&r);
    std::size_t cold = 0;
    while (cold < 3 && cold + 8 <= timed.size()) {
        std::vector<double> rest;
        for (std::size_t i = cold + 1; i < timed.size(); ++i)
            rest.push_back(std::max(0.0, timed[i]->duration - timed[i]->run_delay));
        std::sort(rest.begin(), rest.end());
        const double median = stats::median_sorted(rest);
        const double first = std::max(0.0, timed[cold]->duration - timed[cold]->run_delay);
        if (!(first > 2 * median)) break;
        timed[cold]->warmup = true;
        ++cold;
    }
    return cold;
}

// An unstable test without failures: confirm_runs fresh runs alone, scored
// like the suite's, against the machine's noise meanwhile.
void confirm_instability(TestResult& t, const runner::TestBinary& bin, const PipelineInput& in,
                         const runner::NoiseProbe& noise, const std::filesystem::path& work_dir) {
    const std::size_t mark = noise.mark();
    runner::RunPlan plan = in.plan;
    plan.on_progress = nullptr;
    std::vector<TraceRecord> records = runner::run_alone(bin, plan, t.name, in.confirm_runs + plan.warmup, work_dir);
    const std::size_t cold = mark_cold_start(records);
    AnalyzerOptions options;
    options.tests_only = true;
    Analyzer analyzer(options);
    for (const auto& r : records) analyzer.add(r, bin.path);
    const Analysis a = analyzer.result(in.scoring, in.verdicts);
    if (a.tests.size() != 1) return;
    const TestResult& alone = a.tests.front();
    if (alone.failures > 0) {
        // It failed when re-run: not a timing question any more. The failure
        // counts, as every failure does.
        t.failures += alone.failures;
        t.runs += alone.runs;
        t.verdict = Verdict::flaky;
        t.observations.push_back({ObservationKind::fails_alone,
                                  fmt::format("failed {} of {} runs when re-run alone", alone.failures, alone.runs)});
        return;
    }
    Rerun rerun;
    rerun.runs = alone.runs - alone.warmup_runs;
    rerun.score = alone.score;
    rerun.steady_score = alone.steady_score;
    // The steady durations' tail: what the noise comparison looks at.
    std::vector<double> steady, waits;
    for (const auto& r : records) {
        if (r.warmup) continue;
        steady.push_back(std::max(0.0, r.duration - r.run_delay));
        waits.push_back(static_cast<double>(r.voluntary_context_switches));
    }
    std::sort(steady.begin(), steady.end());
    std::sort(waits.begin(), waits.end());
    if (!waits.empty()) {
        rerun.wakeups_per_run = stats::median_sorted(waits);
        rerun.waits = rerun.wakeups_per_run > 0;
    }
    // Without a listener the records have no CPU time, run delay or context switches.
    rerun.waits_unknown = std::all_of(records.begin(), records.end(), [](const TraceRecord& r) {
        return r.voluntary_context_switches == 0 && r.involuntary_context_switches == 0 && r.run_delay == 0 &&
               r.wait_time == 0;
    });
    if (steady.size() >= 2) {
        const double p50 = stats::quantile_exclusive(steady, 49);
        const double p95 = std::min(stats::quantile_exclusive(steady, 94), steady.back());
        rerun.tail_ratio = p50 > 0 ? p95 / p50 : 1;
        rerun.tail_seconds = std::max(0.0, p95 - p50);
    }
    rerun.noise = noise.since(mark);
    if (!rerun.noise.measured) rerun.noise = noise.overall();
    apply_rerun(t, rerun, in.verdicts, in.scoring);
    if (cold > 0 && t.verdict == Verdict::stable)
        t.observations.push_back({ObservationKind::cold_start,
                                  fmt::format("cold start: the first {} runs of a process are slower than the rest "
                                              "(not scored; --warmup {} would leave them out everywhere)",
                                              cold + static_cast<std::size_t>(plan.warmup), cold + plan.warmup)});
}

}  // namespace

void confirm_verdicts(RunResults& results, const std::vector<runner::TestBinary>& binaries, const PipelineInput& in,
                      const runner::NoiseProbe& noise, const std::filesystem::path& work_dir) {
    int failures = 0, instabilities = 0;
    for (auto& t : results.tests) {
        if (runner::interrupted()) return;
        const runner::TestBinary* bin = binary_of(binaries, t);
        if (!bin) continue;
        if (t.failures > 0 && failures < max_confirmed_tests) {
            ++failures;
            confirm_failures(t, *bin, in, work_dir);
        } else if (needs_rerun(t)) {
            if (instabilities++ >= max_confirmed_tests) {
                t.confidence.weak = true;
                t.confidence.reason = fmt::format("not re-run alone: more than {} tests to confirm", max_confirmed_tests);
                continue;
            }
            confirm_instability(t, *bin, in, noise, work_dir);
        }
    }
}

}  // namespace pss::cli
