#include "scoring.hpp"

#include <algorithm>

namespace detection {

namespace {

bool has_prefix(const std::vector<std::string>& kinds, std::string_view prefix) {
    return std::any_of(kinds.begin(), kinds.end(), [&](const std::string& k) { return k.starts_with(prefix); });
}

}  // namespace

FaultCall judge_fault(const FaultTest& fault, const TestResult& result) {
    const bool failed = result.verdict == "flaky" || result.verdict == "failing";
    bool found = false;
    switch (fault.sign) {
        case FaultSign::fails: found = failed; break;
        case FaultSign::slower: found = result.verdict == "unstable"; break;
        case FaultSign::leak: found = has_prefix(result.observation_kinds, "leak"); break;  // "leaks" or "leak"
        case FaultSign::crash: found = failed && has_prefix(result.failure_kinds, "crash:"); break;
        case FaultSign::hang: found = failed && has_prefix(result.failure_kinds, "timeout"); break;
    }
    if (found) return FaultCall::found;
    return result.verdict == "stable" ? FaultCall::missed : FaultCall::wrong_kind;
}

void add_round(Tally& tally, const std::vector<TestResult>& results, double wall_seconds) {
    ++tally.rounds;
    tally.wall_seconds.push_back(wall_seconds);
    for (const auto& r : results) {
        tally.runs_used += r.runs;
        if (!r.name.starts_with(kDeterministicPrefix)) continue;
        ++tally.deterministic_verdicts;
        tally.deterministic_p50[r.name].push_back(r.p50_seconds);
        if (r.verdict == "stable") continue;
        ++tally.false_by_test[r.name][r.verdict];
        if (r.verdict == "unstable")
            ++tally.false_unstable;
        else if (r.verdict == "flaky" || r.verdict == "failing")
            ++tally.false_flaky;
        else
            ++tally.false_other;
    }
    for (std::size_t i = 0; i < kFaultCount; ++i) {
        const auto it = std::find_if(results.begin(), results.end(),
                                     [&](const TestResult& r) { return r.name == kFaultTests[i].name; });
        if (it == results.end()) continue;
        auto& f = tally.faults[i];
        ++f.rounds_present;
        const FaultCall call = judge_fault(kFaultTests[i], *it);
        if (call == FaultCall::found) ++f.found;
        if (call == FaultCall::wrong_kind) ++f.wrong_kind;
    }
}

double median(std::vector<double> values) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace detection
