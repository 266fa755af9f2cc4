// The detection benchmark's ground truth, shared by the suite (which injects
// the faults with these probabilities) and the driver (which scores pss-run's
// verdicts against them), so the two cannot drift apart.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace detection {

// Every test of the suite whose name starts with this is deterministic: the
// same work in every run, so its true verdict is `stable`.
inline constexpr std::string_view kDeterministicPrefix = "Deterministic.";

// How pss-run is expected to show a fault (the driver's scoring rule).
enum class FaultSign {
    fails,   // verdict flaky or failing
    slower,  // verdict unstable
    leak,    // a leak observation, whatever the verdict
    crash,   // flaky/failing with a `crash:` failure kind
    hang,    // flaky/failing with a `timeout` failure kind
};

struct FaultTest {
    std::string_view name;          // GoogleTest name in the suite
    std::string_view true_verdict;  // what a perfect pss-run reports
    FaultSign sign;
    double probability;  // chance that one run shows the fault
};

inline constexpr FaultTest kFailsOneIn5{"Fault.FailsOneIn5", "flaky", FaultSign::fails, 1.0 / 5};
inline constexpr FaultTest kFailsOneIn20{"Fault.FailsOneIn20", "flaky", FaultSign::fails, 1.0 / 20};
inline constexpr FaultTest kFailsOneIn50{"Fault.FailsOneIn50", "flaky", FaultSign::fails, 1.0 / 50};
inline constexpr FaultTest kFourTimesSlower{"Fault.FourTimesSlowerOneIn5", "unstable", FaultSign::slower, 1.0 / 5};
inline constexpr FaultTest kLeaks{"Fault.Leaks256KiBPerRun", "(leak observation)", FaultSign::leak, 1.0};
inline constexpr FaultTest kCrashes{"Fault.CrashesEveryRun", "failing", FaultSign::crash, 1.0};
inline constexpr FaultTest kHangs{"Fault.HangsOneIn5", "flaky", FaultSign::hang, 1.0 / 5};

inline constexpr std::array kFaultTests{kFailsOneIn5, kFailsOneIn20, kFailsOneIn50, kFourTimesSlower,
                                        kLeaks,       kCrashes,      kHangs};
inline constexpr std::size_t kFaultCount = kFaultTests.size();

constexpr std::size_t fault_index(std::string_view name) {
    for (std::size_t i = 0; i < kFaultCount; ++i)
        if (kFaultTests[i].name == name) return i;
    return kFaultCount;
}

// The plain baseline runs the suite directly, so it leaves out the tests
// that would kill or block it (a gtest filter's negative part).
inline constexpr std::string_view kBaselineExclusions = "Fault.CrashesEveryRun:Fault.HangsOneIn5";

}  // namespace detection
