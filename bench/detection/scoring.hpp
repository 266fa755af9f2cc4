// Scoring pss-run's verdicts against the suite's ground truth
// (detection_catalog.hpp), summed over the rounds of one condition and
// strategy.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "detection_catalog.hpp"
#include "results_json.hpp"

namespace detection {

enum class FaultCall {
    found,       // shown the way the catalog expects
    missed,      // reported stable
    wrong_kind,  // flagged, but not as its fault (e.g. a failing fault as `unstable`)
};

FaultCall judge_fault(const FaultTest& fault, const TestResult& result);

struct FaultTally {
    int rounds_present = 0;
    int found = 0;
    int wrong_kind = 0;
};

struct Tally {
    int rounds = 0;
    int deterministic_verdicts = 0;  // deterministic tests x rounds
    int false_unstable = 0;
    int false_flaky = 0;  // flaky or failing
    int false_other = 0;  // anything else but stable (n/a, regressed)
    std::map<std::string, std::map<std::string, int>> false_by_test;  // test -> verdict -> rounds
    std::map<std::string, std::vector<double>> deterministic_p50;    // test -> p50 per round (s)
    std::array<FaultTally, kFaultCount> faults{};
    long runs_used = 0;                // sum of every test's `runs`
    std::vector<double> wall_seconds;  // pss-run's wall time per round
};

void add_round(Tally& tally, const std::vector<TestResult>& results, double wall_seconds);

double median(std::vector<double> values);  // 0 for none

}  // namespace detection
