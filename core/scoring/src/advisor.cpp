#include "pss/scoring/advisor.hpp"

namespace pss {

Advice advise(const Score& score, const AdvisorConfig& cfg) {
    Advice a;
    const auto pss = static_cast<double>(score.pss);
    if (pss >= cfg.advisor_threshold_excellent)
        a.summary = "Exceptionally stable: timing, memory and outcomes repeat run after run.";
    else if (pss >= cfg.advisor_threshold_good)
        a.summary = "Stable, with minor variance in some areas.";
    else if (pss >= cfg.advisor_threshold_warning)
        a.summary = "Significant flakiness: results vary between runs and reliability is at risk.";
    else
        a.summary = "Critically unstable: fix before trusting these tests.";

    const SubScores& s = score.breakdown;
    auto note = [&](std::string observation, std::initializer_list<const char*> advice) {
        a.observations.push_back(std::move(observation));
        for (const char* r : advice) a.recommendations.emplace_back(r);
    };

    const double correlated = cfg.advisor_metric_score_critical + 0.1;
    if (s.timing_stability < correlated && s.memory_stability < correlated)
        note("Correlated volatility in timing and memory.",
             {"Heavy or varying allocation may be slowing runs (allocator contention, page faults); "
              "profile allocations with heaptrack."});

    if (s.timing_stability < cfg.advisor_metric_score_critical)
        note("Severe latency jitter (high variance or a heavy tail).",
             {"Look for blocking I/O, sleeps or lock waits on the test's path.",
              "Give slow dependencies a timeout budget, or fake them in unit tests."});
    else if (s.timing_stability < cfg.advisor_metric_score_warning)
        note("Moderate timing inconsistency.",
             {"Check for contention on CPU or disk causing sporadic delays (parallel jobs, shared fixtures)."});

    if (s.memory_stability < cfg.advisor_metric_score_critical)
        note("Critical memory instability (spikes or growth between runs).",
             {"A leak or an unusually large allocation in some runs; run the test under valgrind or ASan."});
    else if (s.memory_stability < cfg.advisor_metric_score_warning)
        note("Memory use fluctuates more than expected.",
             {"Check for caches or inputs whose size differs from run to run."});

    if (s.error_volatility < cfg.advisor_error_critical)
        note("High error volatility: failures are bursty and unpredictable.",
             {"Suggests a race condition, shared state between tests, or a flaky external dependency."});
    else if (s.error_volatility < cfg.advisor_error_warning)
        note("Occasional failures lower stability.", {});

    if (s.branching_entropy < cfg.advisor_entropy_threshold)
        note("High branching entropy: runs take unpredictable code paths.",
             {"Make the paths deterministic (fixed seeds, fixed time, ordered containers) or test each path "
              "on its own."});

    if (s.concurrency_chaos < cfg.advisor_metric_score_critical)
        note("Severe concurrency chaos: wait times vary widely between runs.",
             {"High contention on locks or shared resources; review critical sections and thread pools."});
    else if (s.concurrency_chaos < cfg.advisor_metric_score_warning)
        note("Mild waiting overhead (locks, sleeps or I/O).", {});
    return a;
}

}  // namespace pss
