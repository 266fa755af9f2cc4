#include "pss/scoring/gate.hpp"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace pss {

bool fails_gate(const TestResult& t, const GatePolicy& policy) {
    if (!policy.per_test || t.quarantined) return false;
    switch (t.verdict) {
        case Verdict::failing: return true;
        case Verdict::flaky: return !policy.allow_flaky;
        case Verdict::unstable: return true;
        case Verdict::regressed: return t.score.pss < policy.fail_below || policy.fail_on_regression;
        case Verdict::stable:
        case Verdict::not_applicable: return false;
    }
    return false;
}

void mark_gate_failures(std::vector<TestResult>& tests, const GatePolicy& policy) {
    for (auto& t : tests) t.fails_gate = fails_gate(t, policy);
}

GateDecision decide(const RunResults& results, const GatePolicy& policy) {
    std::vector<std::string> reasons;
    std::uint64_t failing = 0, flaky = 0, unstable = 0, regressed = 0;
    if (policy.per_test) {
        for (const auto& t : results.tests) {
            if (t.quarantined) continue;
            if (t.verdict == Verdict::failing) ++failing;
            if (t.verdict == Verdict::flaky && !policy.allow_flaky) ++flaky;
            // A regressed test below the threshold is still unstable.
            if (t.verdict == Verdict::unstable || (t.verdict == Verdict::regressed && t.score.pss < policy.fail_below))
                ++unstable;
            else if (t.verdict == Verdict::regressed && policy.fail_on_regression)
                ++regressed;
        }
    } else if (policy.fail_on_regression) {
        // Tests, not findings: one test can regress by several rules.
        std::set<std::pair<std::string, std::string>> tests;
        for (const auto& r : results.regressions)
            if (!r.test.empty()) tests.insert({r.module, r.test});
        regressed = tests.size();
    }
    bool run_regressed = false;
    for (const auto& r : results.regressions) run_regressed = run_regressed || r.test.empty();

    if (failing) reasons.push_back(fmt::format("{} failing", failing));
    if (flaky) reasons.push_back(fmt::format("{} flaky", flaky));
    if (unstable) reasons.push_back(fmt::format("{} unstable (PSS below {})", unstable, policy.fail_below));
    if (regressed) reasons.push_back(fmt::format("{} regressed", regressed));
    const std::uint64_t count = failing + flaky + unstable + regressed;

    if (policy.overall_fail_below && results.overall.pss < *policy.overall_fail_below)
        return {1, fmt::format("gate failed: PSS {} is below the threshold {}", results.overall.pss,
                               *policy.overall_fail_below)};
    if (run_regressed && policy.fail_on_regression) {
        std::string reason = "gate failed: the run's PSS regressed against its baseline";
        if (count) reason += fmt::format(" and {} test{} failed the gate", count, count == 1 ? "" : "s");
        return {1, reason};
    }
    std::string outside;  // binaries that failed outside their tests
    for (const auto& f : results.process_failures)
        outside += fmt::format("{}{} {} outside its tests", outside.empty() ? "" : ", ", f.binary, f.what);
    if (reasons.empty() && outside.empty())
        return {0, policy.per_test ? "gate passed: no failing, flaky or unstable test" : "gate passed"};
    std::string reason = "gate failed: ";
    for (std::size_t i = 0; i < reasons.size(); ++i) reason += (i ? ", " : "") + reasons[i];
    if (!reasons.empty()) reason += count == 1 ? " test" : " tests";
    if (!outside.empty()) reason += (reasons.empty() ? "" : "; ") + outside;
    return {1, reason};
}

}  // namespace pss
