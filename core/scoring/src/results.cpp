#include "pss/scoring/results.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace pss {

namespace {

constexpr std::array<std::pair<Verdict, std::string_view>, 6> verdict_names{{
    {Verdict::stable, "stable"},
    {Verdict::unstable, "unstable"},
    {Verdict::flaky, "flaky"},
    {Verdict::failing, "failing"},
    {Verdict::regressed, "regressed"},
    {Verdict::not_applicable, "n/a"},
}};

constexpr std::array<std::pair<ObservationKind, std::string_view>, 9> observation_names{{
    {ObservationKind::leak, "leak"},
    {ObservationKind::latency_tail, "latency-tail"},
    {ObservationKind::cold_start, "cold-start"},
    {ObservationKind::noisy, "noisy"},
    {ObservationKind::reproduced, "reproduced"},
    {ObservationKind::order_dependent, "order-dependent"},
    {ObservationKind::fails_alone, "fails-alone"},
    {ObservationKind::inconclusive, "inconclusive"},
    {ObservationKind::regressed, "regressed"},
}};

template <class Table, class Key>
std::string_view name_in(const Table& table, Key key) {
    for (const auto& [k, name] : table)
        if (k == key) return name;
    return "?";
}

}  // namespace

std::string_view to_string(Verdict v) { return name_in(verdict_names, v); }

std::optional<Verdict> verdict_from_string(std::string_view text) {
    for (const auto& [v, name] : verdict_names)
        if (name == text) return v;
    return std::nullopt;
}

bool needs_attention(Verdict v) { return v != Verdict::stable && v != Verdict::not_applicable; }

int severity_rank(Verdict v) {
    switch (v) {
        case Verdict::failing: return 0;
        case Verdict::flaky: return 1;
        case Verdict::regressed: return 2;
        case Verdict::unstable: return 3;
        case Verdict::not_applicable: return 4;
        case Verdict::stable: return 5;
    }
    return 6;
}

std::string_view to_string(FailureKind k) {
    switch (k) {
        case FailureKind::assertion: return "assertion";
        case FailureKind::exception: return "exception";
        case FailureKind::crash: return "crash";
        case FailureKind::timeout: return "timeout";
        case FailureKind::exit: return "exit";
        case FailureKind::error: break;
    }
    return "error";
}

FailureKind failure_kind(std::string_view type) {
    const std::string_view head = type.substr(0, type.find(':'));
    if (head == "assertion") return FailureKind::assertion;
    if (head == "exception") return FailureKind::exception;
    if (head == "crash") return FailureKind::crash;
    if (head == "timeout") return FailureKind::timeout;
    if (head == "exit") return FailureKind::exit;
    return FailureKind::error;
}

std::string_view to_string(ObservationKind k) { return name_in(observation_names, k); }

std::optional<ObservationKind> observation_kind_from_string(std::string_view text) {
    for (const auto& [k, name] : observation_names)
        if (name == text) return k;
    return std::nullopt;
}

std::string_view to_string(RegressionRule r) {
    switch (r) {
        case RegressionRule::pss_drop: return "pss-drop";
        case RegressionRule::slower: return "slower";
        case RegressionRule::new_failure: return "new-failure";
    }
    return "?";
}

bool TestResult::has(ObservationKind kind) const {
    return std::any_of(observations.begin(), observations.end(),
                       [kind](const Observation& o) { return o.kind == kind; });
}

double TestResult::pass_rate() const {
    return runs ? static_cast<double>(runs - failures) / static_cast<double>(runs) : 0.0;
}

void cap_by_pass_rate(TestResult& t) {
    if (t.runs == 0) return;
    const auto cap = static_cast<int>((100 * (t.runs - t.failures)) / t.runs);
    if (t.score.pss <= cap) return;
    t.pypss_pss = t.score.pss;
    t.score.pss = cap;
}

int mean_pss(const std::vector<TestResult>& tests) {
    double pss = 0;
    std::size_t counted = 0;
    for (const auto& t : tests) {
        if (t.runs == 0) continue;  // skipped in every run: nothing was measured, it is not a score of 0
        pss += t.score.pss;
        ++counted;
    }
    return counted == 0 ? 0 : static_cast<int>(std::nearbyint(pss / static_cast<double>(counted)));
}

Score aggregate(const std::vector<TestResult>& tests) {
    Score out;
    SubScores sum{0, 0, 0, 0, 0};
    std::size_t counted = 0;
    out.pss = mean_pss(tests);
    for (const auto& t : tests) {
        if (t.runs == 0) continue;
        ++counted;
        if (t.fails_gate) out.pss = std::min(out.pss, t.score.pss);
        sum.timing_stability += t.score.breakdown.timing_stability;
        sum.memory_stability += t.score.breakdown.memory_stability;
        sum.error_volatility += t.score.breakdown.error_volatility;
        sum.branching_entropy += t.score.breakdown.branching_entropy;
        sum.concurrency_chaos += t.score.breakdown.concurrency_chaos;
    }
    if (counted == 0) return Score{0, SubScores{0, 0, 0, 0, 0}};
    const auto n = static_cast<double>(counted);
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
        if (t.confidence.weak) ++s.weak;
        if (t.runs == 0 && t.skipped > 0) ++s.skipped;
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

void sort_worst_first(std::vector<TestResult>& tests) {
    std::stable_sort(tests.begin(), tests.end(), [](const TestResult& a, const TestResult& b) {
        if (severity_rank(a.verdict) != severity_rank(b.verdict))
            return severity_rank(a.verdict) < severity_rank(b.verdict);
        return a.score.pss < b.score.pss;
    });
}

void add_process_failure(std::vector<ProcessFailure>& failures, ProcessFailure f) {
    for (auto& same : failures)
        if (same.binary == f.binary && same.what == f.what) {
            same.processes += f.processes;
            return;
        }
    failures.push_back(std::move(f));
}

}  // namespace pss
