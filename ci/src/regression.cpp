#include "pss/ci/regression.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "pss/stats/mann_whitney.hpp"
#include "pss/stats/statistics.hpp"

namespace pss::ci {

namespace {

double median_of(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return stats::median_sorted(v);
}

}  // namespace

std::vector<double> measured_durations(const TestResult& t) {
    std::vector<double> out;
    for (const auto& p : t.series)
        if (!p.warmup) out.push_back(p.duration);
    return out;
}

RegressionReport detect_regressions(const HistoryStore& store, const std::vector<TestResult>& tests,
                                    const Score& overall, const std::optional<std::string>& baseline_branch,
                                    const RegressionConfig& cfg, double noise_floor) {
    RegressionReport out;
    RunQuery q;
    q.limit = static_cast<std::size_t>(cfg.regression_history_limit);
    q.branch = baseline_branch;
    const auto baseline_runs = store.runs(q);
    out.baseline_runs = baseline_runs.size();
    if (baseline_runs.empty()) {
        out.warnings.push_back(baseline_branch ? fmt::format("no baseline: no stored run on branch '{}'", *baseline_branch)
                                               : "no baseline: the history has no runs yet");
        return out;
    }

    double mean_pss = 0;
    for (const auto& r : baseline_runs) mean_pss += r.pss;
    mean_pss /= static_cast<double>(baseline_runs.size());
    if (mean_pss - overall.pss > cfg.regression_threshold_drop)
        out.regressions.push_back(
            {"", "", RegressionRule::pss_drop,
             fmt::format("the run's PSS {} is {:.1f} points below the mean {:.1f} of its {} baseline run{} (more than "
                         "the allowed {:g})",
                         overall.pss, mean_pss - overall.pss, mean_pss, baseline_runs.size(),
                         baseline_runs.size() == 1 ? "" : "s", cfg.regression_threshold_drop),
             mean_pss, static_cast<double>(overall.pss), 1, 0});

    for (const auto& t : tests) {
        const auto history = store.test_history(t.name, q);
        std::vector<const StoredTest*> same;
        for (const auto& h : history)
            if (h.module == t.module) same.push_back(&h);
        if (same.empty()) continue;  // a new test has no baseline
        out.baseline_pss.push_back({{t.module, t.name}, same.front()->pss});

        double base_pss = 0;
        bool ever_failed = false;
        std::vector<double> base_durations;
        for (const auto* h : same) {
            base_pss += h->pss;
            ever_failed = ever_failed || h->failures > 0;
            base_durations.insert(base_durations.end(), h->durations.begin(), h->durations.end());
        }
        base_pss /= static_cast<double>(same.size());

        if (base_pss - t.score.pss > cfg.regression_threshold_drop)
            out.regressions.push_back({t.name, t.module, RegressionRule::pss_drop,
                                       fmt::format("PSS {} is {:.1f} points below its baseline mean {:.1f}",
                                                   t.score.pss, base_pss - t.score.pss, base_pss),
                                       base_pss, static_cast<double>(t.score.pss), 1, 0});

        if (!ever_failed && (t.verdict == Verdict::flaky || t.verdict == Verdict::failing))
            out.regressions.push_back({t.name, t.module, RegressionRule::new_failure,
                                       fmt::format("now {} ({} of {} runs failed); it never failed in the baseline",
                                                   to_string(t.verdict), t.failures, t.runs),
                                       0, static_cast<double>(t.failures), 1, 0});

        const std::vector<double> durations = measured_durations(t);
        if (durations.empty() || base_durations.empty()) continue;
        if (durations.size() < min_runs_for_statistics || base_durations.size() < min_runs_for_statistics)
            out.warnings.push_back(fmt::format("{}: {} runs now and {} in the baseline; the duration test needs {} "
                                               "on each side to be reliable",
                                               t.name, durations.size(), base_durations.size(),
                                               min_runs_for_statistics));
        const auto mw = stats::mann_whitney_u(durations, base_durations);
        const double now = median_of(durations), before = median_of(base_durations);
        const double change = before > 0 ? now / before - 1.0 : 0.0;
        if (mw.valid && mw.p_value < cfg.regression_alpha && change > cfg.regression_min_change &&
            now - before > noise_floor)
            out.regressions.push_back({t.name, t.module, RegressionRule::slower,
                                       fmt::format("median duration {:.3g} ms, {:+.0f}% against the baseline's "
                                                   "{:.3g} ms (Mann-Whitney p = {:.2g})",
                                                   now * 1e3, change * 100, before * 1e3, mw.p_value),
                                       before, now, mw.p_value, change});
    }
    return out;
}

void apply_regressions(RunResults& results, const RegressionReport& report) {
    for (const auto& [key, pss] : report.baseline_pss)
        for (auto& t : results.tests)
            if (t.module == key.first && t.name == key.second) t.baseline_pss = pss;
    for (const auto& r : report.regressions) {
        results.regressions.push_back(r);
        if (r.test.empty()) continue;
        for (auto& t : results.tests) {
            if (t.name != r.test || t.module != r.module) continue;
            if (t.verdict != Verdict::flaky && t.verdict != Verdict::failing) t.verdict = Verdict::regressed;
            t.observations.push_back({ObservationKind::regressed, "regressed: " + r.message});
        }
    }
    results.baseline_runs = report.baseline_runs;
}

}  // namespace pss::ci
