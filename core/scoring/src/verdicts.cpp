#include "pss/scoring/verdicts.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "pss/stats/intervals.hpp"
#include "pss/text/format.hpp"

namespace pss {

namespace {

// A re-run's tail is the machine's noise when within this factor of the
// calibration workload's own p95/p50.
constexpr double noise_allowance = 1.25;

std::string percent(double rate) {
    const double p = 100 * rate;
    return p < 1 && p > 0 ? fmt::format("{:.1f}%", p) : fmt::format("{:.0f}%", p);
}

void observe(TestResult& t, const TestEvidence& e, const VerdictConfig& cfg, double floor) {
    if (e.passed_runs >= 2 && e.leaking_runs * 2 > e.passed_runs &&
        e.leaked_bytes / static_cast<double>(e.leaking_runs) >= cfg.leak_min_bytes)
        t.observations.push_back(
            {ObservationKind::leak,
             fmt::format("leaks: heap grew after {} of {} passed runs (by {} per run on average)", e.leaking_runs,
                         e.passed_runs, text::format_bytes(e.leaked_bytes / static_cast<double>(e.leaking_runs)))});
    const DurationSummary& d = t.duration;
    const std::uint64_t measured = t.runs - t.warmup_runs;
    if (measured >= 2 && d.p50 > 0 && d.p95 / d.p50 >= cfg.tail_ratio_observation && d.p95 - d.p50 > floor)
        t.observations.push_back({ObservationKind::latency_tail, fmt::format("latency tail: p95 is {:.1f}x p50", d.p95 / d.p50)});
    if (e.slowest_warmup > 0 && d.p50 > 0 && e.slowest_warmup >= cfg.cold_start_ratio * d.p50 &&
        e.slowest_warmup - d.p50 > floor)
        t.observations.push_back(
            {ObservationKind::cold_start,
             fmt::format("cold start: {} {:.0f}x the median (not scored)",
                         t.warmup_runs == 1 ? "first run" : "slowest warm-up run", e.slowest_warmup / d.p50)});
}

// The PSS with the sub-scores that timing drives (TS, CC) at their best:
// when even that is below the threshold, timing is not why the test is unstable.
int pss_with_perfect_timing(const Score& s, const ScoringConfig& scoring) {
    SubScores b = s.breakdown;
    b.timing_stability = 1;
    b.concurrency_chaos = 1;
    return combine(b, scoring);
}

}  // namespace

Verdict classify(const TestResult& t, const VerdictConfig& cfg) {
    // A failing or flaky test is never stable, whatever its score; and that
    // holds even with one run, which is otherwise too few to judge.
    if (t.runs > 0 && t.failures == t.runs) return Verdict::failing;
    if (t.failures > 0) return Verdict::flaky;
    if (t.runs < 2) return Verdict::not_applicable;
    if (t.score.pss < cfg.fail_below) return Verdict::unstable;
    return Verdict::stable;
}

void judge(TestResult& t, const TestEvidence& e, const VerdictConfig& cfg, const ScoringConfig& scoring) {
    const double floor = std::max(scoring.timing_noise_floor, t.timing_resolution);
    observe(t, e, cfg, floor);
    t.verdict = classify(t, cfg);
    // Low only because other processes took the CPU: the test itself is stable.
    if (t.verdict == Verdict::unstable && t.steady_score.pss >= cfg.fail_below) {
        t.verdict = Verdict::stable;
        t.observations.push_back(
            {ObservationKind::noisy, fmt::format("noisy: PSS {} from wall time, {} without the time other processes "
                                                 "took (machine load, not the test)",
                                                 t.score.pss, t.steady_score.pss)});
    }
    t.confidence = assess_confidence(t, cfg, false);
}

Confidence assess_confidence(const TestResult& t, const VerdictConfig& cfg, bool confirmed, const MachineNoise& noise) {
    Confidence c;
    c.runs = t.runs;
    c.failures = t.failures;
    const stats::Interval i = stats::wilson_interval(t.failures, t.runs);
    c.failure_rate_low = i.low;
    c.failure_rate_high = i.high;
    auto weak = [&](std::string reason) {
        c.weak = true;
        c.reason = std::move(reason);
    };
    const std::uint64_t timed = t.runs - t.warmup_runs;
    const bool by_score = t.verdict == Verdict::stable || t.verdict == Verdict::unstable;
    if (t.runs == 0 && t.skipped > 0) {
        // Skipped (GTEST_SKIP, Catch2's SKIP): no verdict, nor a weak one.
        c.reason = fmt::format("skipped in every run ({})", t.skipped);
    } else if (t.runs < 2) {
        weak(fmt::format("{} run{}: too few to judge", t.runs, t.runs == 1 ? "" : "s"));
    } else if (by_score && timed < cfg.min_confident_runs) {
        weak(fmt::format("only {} timed run{}", timed, timed == 1 ? "" : "s"));
    } else if (t.verdict == Verdict::unstable && !confirmed) {
        weak("not confirmed by re-running the test alone");
    } else if (by_score && std::abs(t.score.pss - cfg.fail_below) <= cfg.threshold_margin && !confirmed) {
        weak(fmt::format("PSS {} is within {} points of the threshold {}", t.score.pss, cfg.threshold_margin,
                         cfg.fail_below));
    } else if (t.verdict == Verdict::stable && noise.high() && t.has(ObservationKind::noisy)) {
        weak("timing measured on a noisy machine");
    }
    return c;
}

std::string describe(const Confidence& c) {
    if (c.runs == 0) return "no runs";
    if (c.failures == 0)
        return fmt::format("0 of {} runs failed: a failure rate above {} is ruled out (95%)", c.runs,
                           percent(c.failure_rate_high));
    if (c.failures == c.runs)
        return fmt::format("{} of {} runs failed: a pass rate above {} is ruled out (95%)", c.failures, c.runs,
                           percent(1 - c.failure_rate_low));
    return fmt::format("{} of {} runs failed: failure rate {}-{} (95%)", c.failures, c.runs,
                       percent(c.failure_rate_low), percent(c.failure_rate_high));
}

bool needs_rerun(const TestResult& t) { return t.verdict == Verdict::unstable && t.failures == 0; }

void apply_rerun(TestResult& t, const Rerun& r, const VerdictConfig& cfg, const ScoringConfig& scoring) {
    if (!needs_rerun(t) || r.runs < 2) return;
    const bool timing_driven = pss_with_perfect_timing(r.steady_score, scoring) >= cfg.fail_below;
    // A CPU-bound test's noise is the machine's speed varying: compare ratios.
    // A waiting test's is wake-up latency, which adds time per wake-up: compare
    // the tail in seconds with the hand-off's, scaled to the test's wake-ups.
    const double machine = r.noise.ratio;
    const double wakeup_excess = (r.noise.wakeup_p95 - r.noise.wakeup_p50) *
                                 std::max(1.0, r.wakeups_per_run / std::max(1, r.noise.wakeups_per_sample));
    bool within_noise = false;
    if (timing_driven && r.noise.measured) {
        const bool cpu_noise = r.tail_ratio <= noise_allowance * std::max(1.0, machine);
        const bool wakeup_noise = r.tail_ratio <= noise_allowance * std::max(1.0, r.noise.wakeup_ratio);
        within_noise = r.waits_unknown ? cpu_noise || wakeup_noise
                       : r.waits       ? r.tail_seconds <= noise_allowance * wakeup_excess
                                       : cpu_noise;
    }
    if (r.steady_score.pss < cfg.fail_below && !within_noise) {
        std::string evidence = fmt::format("reproduced alone: PSS {} in {} runs", r.steady_score.pss, r.runs);
        if (timing_driven && r.noise.measured && r.waits)
            evidence += fmt::format(" (p95 {} above p50; the machine's wake-ups account for {})",
                                    text::format_seconds(r.tail_seconds), text::format_seconds(wakeup_excess));
        else if (timing_driven && r.noise.measured)
            evidence += fmt::format(" (p95/p50 {:.1f}x; the machine's own {:.1f}x)", r.tail_ratio, machine);
        t.observations.push_back({ObservationKind::reproduced, std::move(evidence)});
        t.confidence = assess_confidence(t, cfg, true, r.noise);
        return;
    }
    t.verdict = Verdict::stable;
    if (r.steady_score.pss >= cfg.fail_below)
        t.observations.push_back({ObservationKind::noisy, fmt::format("noisy: PSS {} in the suite, {} in {} runs alone",
                                                                      t.score.pss, r.steady_score.pss, r.runs)});
    else if (r.waits)
        t.observations.push_back(
            {ObservationKind::noisy,
             fmt::format("noisy: p95 {} above p50 alone, within what the machine's wake-up latency gives {} "
                         "wake-ups a run ({})",
                         text::format_seconds(r.tail_seconds), static_cast<long>(r.wakeups_per_run),
                         text::format_seconds(wakeup_excess))});
    else
        t.observations.push_back(
            {ObservationKind::noisy, fmt::format("noisy: p95/p50 {:.1f}x alone, within the machine's own noise ({:.1f}x)",
                                                 r.tail_ratio, machine)});
    t.confidence = assess_confidence(t, cfg, true, r.noise);
    if (within_noise) {
        // Neither shown nor ruled out: the machine is as noisy as the test.
        t.confidence.weak = true;
        t.confidence.reason = "the machine's own noise is as large as the test's tail; run it on a quieter machine to "
                              "tell";
    }
}

int reruns_for_order_dependence(std::uint64_t failures, std::uint64_t runs, int cap) {
    if (runs == 0 || failures == 0) return 0;
    const double rate = static_cast<double>(failures) / static_cast<double>(runs);
    if (rate >= 1) return 1;
    // (1 - rate)^n < 0.05: a test this flaky passes n runs in a row by chance less than 1 time in 20.
    const double n = std::ceil(std::log(0.05) / std::log(1 - rate));
    return static_cast<int>(std::clamp(n, 1.0, static_cast<double>(cap)));
}

void apply_failure_rerun(TestResult& t, int failed_alone, int reruns, bool parallel) {
    if (reruns <= 0) return;
    if (failed_alone > 0) {
        t.observations.push_back(
            {ObservationKind::fails_alone, fmt::format("fails alone too ({} of {} re-runs)", failed_alone, reruns)});
        return;
    }
    const double rate = static_cast<double>(t.failures) / static_cast<double>(std::max<std::uint64_t>(1, t.runs));
    const double chance = std::pow(1 - std::min(rate, 1.0), reruns);
    if (chance < 0.05) {
        t.order_dependent = true;
        t.observations.push_back(
            {ObservationKind::order_dependent,
             fmt::format("{}: failed {} of {} runs in the suite, passed all {} re-runs alone with the same run index "
                         "(by chance: {:.1g}){}",
                         parallel ? "order- or parallel-dependent" : "order-dependent", t.failures, t.runs, reruns,
                         chance,
                         parallel ? "; with -j the tests ran in several processes at once: it may share files, "
                                    "ports or other state with tests running meanwhile"
                                  : "")});
    } else {
        t.observations.push_back(
            {ObservationKind::inconclusive,
             fmt::format("passed {} re-run{} alone, which a test failing {:.0f}% of its runs does by chance {:.0f}% of "
                         "the time: order dependence not shown",
                         reruns, reruns == 1 ? "" : "s", 100 * rate, 100 * chance)});
    }
}

}  // namespace pss
