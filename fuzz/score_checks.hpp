// What every analysis must satisfy whatever the records held, so that the
// fuzz targets find wrong numbers as well as crashes: scores in range and
// never NaN (a NaN compares false with every threshold, so a gate would
// pass it), and no test more stable than its pass rate (README, "How the
// numbers read"), each sub-score within 0-1 (docs/SCORING.md). A violation
// names the group and aborts, as a crash would.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "pss/scoring/analyzer.hpp"

namespace pss::fuzz {

[[noreturn]] inline void violated(const std::string& group, const char* what, double value) {
    std::fprintf(stderr, "score check: %s of '%s' is %.17g\n", what, group.c_str(), value);
    std::abort();
}

inline void check_score(const std::string& group, const Score& s) {
    if (s.pss < 0 || s.pss > 100) violated(group, "pss", s.pss);
    const auto& b = s.breakdown;
    const std::pair<const char*, double> subs[] = {{"timing_stability", b.timing_stability},
                                                   {"memory_stability", b.memory_stability},
                                                   {"error_volatility", b.error_volatility},
                                                   {"branching_entropy", b.branching_entropy},
                                                   {"concurrency_chaos", b.concurrency_chaos}};
    for (const auto& [what, value] : subs)
        if (!(value >= 0.0 && value <= 1.0)) violated(group, what, value);
}

inline void check_scores(const Analysis& analysis) {
    check_score("overall", analysis.overall.score);
    for (const auto& m : analysis.modules) check_score(m.name, m.score);
    for (const auto& t : analysis.tests) {
        check_score(t.name, t.score);
        check_score(t.name + " (steady)", t.steady_score);
        if (t.runs > 0 && t.score.pss > static_cast<int>(100 * (t.runs - t.failures) / t.runs))
            violated(t.name, "pss above the pass rate", t.score.pss);
    }
}

}  // namespace pss::fuzz
