#include "pss/results.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "pss/statistics.hpp"

namespace pss {

std::string_view to_string(Verdict v) {
    switch (v) {
        case Verdict::stable: return "stable";
        case Verdict::unstable: return "unstable";
        case Verdict::flaky: return "flaky";
        case Verdict::failing: return "failing";
        case Verdict::regressed: return "regressed";
        case Verdict::not_applicable: break;
    }
    return "n/a";
}

bool needs_attention(Verdict v) { return v != Verdict::stable && v != Verdict::not_applicable; }

void ResultsBuilder::add(const TraceRecord& r, std::string_view binary) {
    if (r.system_metric || (!r.kind.empty() && r.kind != "test")) return;
    const auto key = std::make_pair(r.module, r.name);
    auto [it, inserted] = groups_.try_emplace(key);
    if (inserted) order_.push_back(key);
    Group& g = it->second;
    if (g.binary.empty()) g.binary = binary;
    if (g.filename.empty() && !r.filename.empty()) {
        g.filename = r.filename;
        g.lineno = r.lineno;
    }
    if (r.exception_type == "skipped" && !r.error) {
        ++g.skipped;
        return;
    }
    g.runs.push_back(r);
}

void ResultsBuilder::attach_output(std::string_view module, std::string_view name, std::int64_t run,
                                   std::string output) {
    outputs_[{std::string(module), std::string(name), run}] = std::move(output);
}

Verdict classify(const TestResult& t, const VerdictConfig& cfg) {
    // A failing or flaky test is never stable, whatever its score; and that
    // holds even with one run, which is otherwise too few to judge.
    if (t.runs > 0 && t.failures == t.runs) return Verdict::failing;
    if (t.failures > 0) return Verdict::flaky;
    if (t.runs < 2) return Verdict::not_applicable;
    if (t.score.pss < cfg.fail_below) return Verdict::unstable;
    return Verdict::stable;
}

namespace {

std::string human_bytes(double b) {
    if (b >= 1024.0 * 1024.0) return fmt::format("{:.1f} MiB", b / (1024.0 * 1024.0));
    if (b >= 1024.0) return fmt::format("{:.1f} KiB", b / 1024.0);
    return fmt::format("{:.0f} B", b);
}

void observe(TestResult& t, const std::vector<TraceRecord>& runs, const ScoringConfig& scoring,
             const VerdictConfig& cfg) {
    double leaked = 0;
    for (const auto& r : runs)
        if (r.memory_diff > 0) {
            ++t.leaking_runs;
            leaked += r.memory_diff;
        }
    if (t.runs >= 2 && t.leaking_runs * 2 > t.runs && leaked / static_cast<double>(t.leaking_runs) >= cfg.leak_min_bytes)
        t.observations.push_back(fmt::format("leaks: heap grew after {} of {} runs (by {} per run on average)",
                                             t.leaking_runs, t.runs, human_bytes(leaked / t.leaking_runs)));
    if (t.runs >= 2 && t.duration_p50 > 0 && t.duration_p95 / t.duration_p50 >= cfg.tail_ratio_observation &&
        t.duration_p95 - t.duration_p50 > scoring.timing_noise_floor)
        t.observations.push_back(fmt::format("latency tail: p95 is {:.1f}x p50", t.duration_p95 / t.duration_p50));
}

}  // namespace

std::vector<TestResult> ResultsBuilder::build(const ScoringConfig& scoring, const VerdictConfig& cfg) const {
    std::vector<TestResult> out;
    for (const auto& key : order_) {
        const Group& g = groups_.at(key);
        TestResult t;
        t.module = key.first;
        t.name = key.second;
        t.binary = g.binary;
        t.filename = g.filename;
        t.lineno = g.lineno;
        t.skipped = g.skipped;
        SampleSet samples;
        for (const auto& r : g.runs) {
            samples.add(r);
            t.durations.push_back(r.duration);
            t.memory.push_back(r.memory);
            t.failed.push_back(r.error);
            if (!r.error) continue;
            ++t.failures;
            if (t.failure_samples.size() >= cfg.max_failure_samples) continue;
            FailureSample f{r.run, r.exception_type.empty() ? "error" : r.exception_type, r.exception_message,
                            r.failure_file.empty() ? r.filename : r.failure_file,
                            r.failure_file.empty() ? r.lineno : r.failure_line, {}};
            if (auto o = outputs_.find({key.first, key.second, r.run}); o != outputs_.end()) f.output = o->second;
            t.failure_samples.push_back(std::move(f));
        }
        t.runs = g.runs.size();
        t.score = samples.score(scoring);
        std::vector<double> sorted = t.durations;
        std::sort(sorted.begin(), sorted.end());
        if (!sorted.empty()) {
            t.duration_mean = stats::mean(sorted);
            t.duration_max = sorted.back();
            t.duration_p50 = sorted.size() >= 2 ? stats::quantile_exclusive(sorted, 49) : sorted.front();
            t.duration_p95 = sorted.size() >= 2 ? stats::quantile_exclusive(sorted, 94) : sorted.front();
            // Python's exclusive quantiles extrapolate past the data; a report
            // shows percentiles within the observed range.
            t.duration_p50 = std::clamp(t.duration_p50, sorted.front(), sorted.back());
            t.duration_p95 = std::clamp(t.duration_p95, sorted.front(), sorted.back());
        }
        if (!t.memory.empty()) t.memory_peak = *std::max_element(t.memory.begin(), t.memory.end());
        observe(t, g.runs, scoring, cfg);
        t.verdict = classify(t, cfg);
        out.push_back(std::move(t));
    }
    return out;
}

Score aggregate(const std::vector<TestResult>& tests) {
    Score out;
    if (tests.empty()) return Score{0, SubScores{0, 0, 0, 0, 0}};
    double pss = 0;
    SubScores sum{0, 0, 0, 0, 0};
    for (const auto& t : tests) {
        pss += t.score.pss;
        sum.timing_stability += t.score.breakdown.timing_stability;
        sum.memory_stability += t.score.breakdown.memory_stability;
        sum.error_volatility += t.score.breakdown.error_volatility;
        sum.branching_entropy += t.score.breakdown.branching_entropy;
        sum.concurrency_chaos += t.score.breakdown.concurrency_chaos;
    }
    const auto n = static_cast<double>(tests.size());
    out.pss = static_cast<int>(std::nearbyint(pss / n));
    out.breakdown = {sum.timing_stability / n, sum.memory_stability / n, sum.error_volatility / n,
                     sum.branching_entropy / n, sum.concurrency_chaos / n};
    return out;
}

RunSummary summarize(const std::vector<TestResult>& tests, const Score& overall) {
    RunSummary s;
    s.overall_pss = overall.pss;
    for (const auto& t : tests) {
        ++s.tests;
        if (t.quarantined) ++s.quarantined;
        switch (t.verdict) {
            case Verdict::stable: ++s.stable; break;
            case Verdict::unstable: ++s.unstable; break;
            case Verdict::flaky: ++s.flaky; break;
            case Verdict::failing: ++s.failing; break;
            case Verdict::regressed: ++s.regressed; break;
            case Verdict::not_applicable: ++s.not_applicable; break;
        }
    }
    return s;
}

}  // namespace pss
