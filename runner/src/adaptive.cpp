#include "adaptive.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "child_process.hpp"
#include "history_prior.hpp"
#include "pss/scoring/verdicts.hpp"
#include "pss/stats/intervals.hpp"
#include "pss/text/format.hpp"
#include "run_pipeline.hpp"

namespace pss::cli {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

bool decided_by_failures(const TestResult& t) { return t.verdict == Verdict::failing || t.verdict == Verdict::flaky; }

// More runs a test still needs for a confident verdict, 0 when it has them.
std::uint64_t runs_needed(const TestResult& t, std::uint64_t history_runs, const AdaptiveSettings& s,
                          const VerdictConfig& verdicts) {
    if (decided_by_failures(t)) return 0;  // a failure is a fact: more runs do not change the verdict
    const std::uint64_t target = stats::runs_to_rule_out(s.target_failure_rate);
    const std::uint64_t have = t.runs + history_runs;
    std::uint64_t need = have >= target ? 0 : target - have;
    // A PSS at the threshold, or an instability still to confirm, is sharper with more runs.
    if (t.verdict == Verdict::unstable || std::abs(t.score.pss - verdicts.fail_below) <= verdicts.threshold_margin)
        need = std::max<std::uint64_t>(need, t.runs);
    const auto max_runs = static_cast<std::uint64_t>(s.max_runs);
    return t.runs >= max_runs ? 0 : std::min(need, max_runs - t.runs);
}

bool repeats_in_process(const runner::TestBinary& b, const runner::RunPlan& plan) {
    return b.framework == runner::Framework::gtest && b.has_listener && plan.mode != runner::DataMode::native &&
           plan.mode != runner::DataMode::isolate && !plan.fresh_process;
}

}  // namespace

// Seconds the confirmation after the runs will take (re-running failed and
// unstable tests alone), so that the budget leaves room for it.
double confirmation_reserve(const std::vector<TestResult>& tests, const PipelineInput& in, double per_process) {
    if (!in.confirm) return 0;
    double seconds = 0;
    for (const auto& t : tests) {
        if (t.failures > 0) {
            const int reruns = reruns_for_order_dependence(t.failures, t.runs);
            seconds += reruns * (per_process + t.duration.mean);
        } else if (t.verdict == Verdict::unstable) {
            seconds += per_process + (in.confirm_runs + in.plan.warmup) * t.duration.mean;
        }
    }
    return seconds;
}

AdaptiveOutcome run_adaptive(RunSession& session, const std::vector<runner::TestBinary>& binaries,
                             const PipelineInput& in, const AdaptiveSettings& s, const RunResults& run) {
    AdaptiveOutcome out;
    const auto start = Clock::now();
    runner::RunPlan first = in.plan;
    first.repeat = s.min_runs;
    for (const auto& b : binaries) {
        if (b.tests.empty()) continue;
        fmt::print(stderr, "pss: running {} ({} tests x {} runs to start, then more where verdicts need them)\n",
                   b.path, b.tests.size(), s.min_runs);
        session.run(b, first, true);
        if (runner::interrupted()) break;
    }
    const double first_seconds = since(start);
    out.budget = s.budget_seconds > 0 ? s.budget_seconds : first_seconds * 10.0 / s.min_runs;

    std::vector<TestResult> tests = session.results(in.scoring, in.verdicts);
    const auto history = stable_history_runs(tests, run, in.history);
    // What a process costs besides its tests (start-up, the framework's set-up): learnt from each batch.
    double per_process = std::max(0.005, in.process_seconds);

    std::map<std::pair<std::string, std::string>, const runner::TestBinary*> owner;
    for (const auto& b : binaries)
        for (const auto& name : b.tests) owner[{b.path, name}] = &b;

    // Each round doubles the runs of the tests that still need some, cheapest first.
    int step = s.min_runs;
    while (!runner::interrupted()) {
        struct Needy {
            const TestResult* test;
            const runner::TestBinary* binary;
        };
        std::vector<Needy> needy;
        for (const auto& t : tests) {
            const auto o = owner.find({t.binary, t.name});
            if (o == owner.end()) continue;
            const auto h = history.find({t.module, t.name});
            if (runs_needed(t, h == history.end() ? 0 : h->second, s, in.verdicts) > 0) needy.push_back({&t, o->second});
        }
        if (needy.empty()) break;
        std::stable_sort(needy.begin(), needy.end(),
                         [](const Needy& a, const Needy& b) { return a.test->duration.mean < b.test->duration.mean; });
        const double reserve = confirmation_reserve(tests, in, per_process);
        bool ran = false;
        for (const auto& b : binaries) {
            // One process per binary and round: the tests that fit the time left, cheapest first.
            const int runs = step + (repeats_in_process(b, in.plan) ? in.plan.warmup : 0);
            const int processes = repeats_in_process(b, in.plan) ? 1 : runs;
            double projected = per_process * processes;
            std::vector<std::string> chosen;
            std::int64_t first_run = 0;
            for (const auto& n : needy) {
                if (n.binary != &b) continue;
                const double cost = n.test->duration.mean * runs;
                if (since(start) + projected + cost + reserve > out.budget) continue;
                projected += cost;
                chosen.push_back(n.test->name);
                first_run = std::max<std::int64_t>(first_run, static_cast<std::int64_t>(n.test->runs));
            }
            if (chosen.empty() || runner::interrupted()) continue;
            runner::RunPlan plan = in.plan;
            plan.first_run = static_cast<int>(first_run);  // run indices stay unique per test
            plan.repeat = runs;
            const auto batch_start = Clock::now();
            const std::size_t processes_before = session.processes();
            double tests_seconds = 0;
            for (const auto& n : needy)
                if (n.binary == &b && std::find(chosen.begin(), chosen.end(), n.test->name) != chosen.end())
                    tests_seconds += n.test->duration.mean * runs;
            session.run(b, plan, false, chosen);
            const auto started = session.processes() - processes_before;
            if (started > 0)
                per_process = std::max(0.002, 0.5 * per_process + 0.5 * std::max(0.0, since(batch_start) - tests_seconds) /
                                                                       static_cast<double>(started));
            ran = true;
        }
        if (!ran) break;
        ++out.rounds;
        step *= 2;
        tests = session.results(in.scoring, in.verdicts);
    }

    out.seconds = since(start);
    for (const auto& t : tests) {
        out.runs += t.runs;
        const auto h = history.find({t.module, t.name});
        const std::uint64_t prior = h == history.end() ? 0 : h->second;
        out.history_runs += std::min<std::uint64_t>(prior, stats::runs_to_rule_out(s.target_failure_rate));
        if (runs_needed(t, prior, s, in.verdicts) == 0) ++out.confident;
        else ++out.weak;
    }
    out.fixed_repeat = static_cast<int>(stats::runs_to_rule_out(s.target_failure_rate));
    out.fixed_runs = tests.size() * static_cast<std::size_t>(out.fixed_repeat);
    return out;
}

void mark_unconfident(std::vector<TestResult>& tests, const AdaptiveSettings& s, const AdaptiveOutcome&) {
    for (auto& t : tests) {
        if (decided_by_failures(t) || t.confidence.weak) continue;
        if (t.runs >= stats::runs_to_rule_out(s.target_failure_rate)) continue;
        if (t.confidence.failure_rate_high <= s.target_failure_rate) continue;
        t.confidence.weak = true;
        t.confidence.reason = fmt::format("the budget allowed {} runs: a failure rate above {:.0f}% is not ruled out",
                                          t.runs, 100 * s.target_failure_rate);
    }
}

std::string describe(const AdaptiveOutcome& o, const AdaptiveSettings& s) {
    std::string text = fmt::format(
        "adaptive repetition: {} runs in {} rounds, {:.1f} s of a {:.1f} s budget; {} verdicts confident (a failure "
        "rate above {:.0f}% ruled out, or decided by a failure), {} weak",
        o.runs, o.rounds + 1, o.seconds, o.budget, o.confident, 100 * s.target_failure_rate, o.weak);
    if (o.fixed_runs > o.runs)
        text += fmt::format("; a fixed --repeat {} would take {} runs for that confidence ({:.0f}% more)", o.fixed_repeat,
                            o.fixed_runs, 100.0 * static_cast<double>(o.fixed_runs - o.runs) / static_cast<double>(o.runs));
    if (o.history_runs > 0) text += fmt::format("; history's stable runs counted for {}", o.history_runs);
    return text;
}

}  // namespace pss::cli
