// The gate: does a run pass? One decision for pss run, merge and analyze.
#pragma once

#include <optional>

#include "pss/scoring/results.hpp"

namespace pss {

struct GatePolicy {
    int fail_below = 80;  // a test below this is unstable (its verdict says so)
    // Judge every test's verdict (pss run and merge). pss analyze judges the
    // overall PSS instead, as pypss's --fail-if-below does.
    bool per_test = true;
    std::optional<int> overall_fail_below;  // the whole run's PSS must not be below this
    bool allow_flaky = false;               // flaky tests are reported but pass
    bool fail_on_regression = false;        // a regression against history fails the run
};

// Quarantined tests never fail the gate. The reason names what failed and
// how many, e.g. "gate failed: 1 failing, 2 unstable (PSS below 80) tests".
GateDecision decide(const RunResults& results, const GatePolicy& policy);

// Whether this test counts against the run (per-test policies only): what
// decide() counts, one test at a time, so JUnit's <failure>s and GitHub's
// ::error lines agree with the gate.
bool fails_gate(const TestResult& test, const GatePolicy& policy);
// Sets TestResult::fails_gate on every test.
void mark_gate_failures(std::vector<TestResult>& tests, const GatePolicy& policy);

}  // namespace pss
