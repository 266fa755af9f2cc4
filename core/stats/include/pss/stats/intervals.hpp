// Confidence intervals for how often something happens: a test's failure
// rate from k failures in n runs.
#pragma once

#include <cstdint>

namespace pss::stats {

struct Interval {
    double low = 0, high = 1;
};

// The Wilson score interval for a proportion (k successes in n trials) at
// the confidence given by `z` (1.96: 95%, two-sided). Unlike the normal
// approximation it stays inside [0, 1] and is honest for k = 0 and k = n,
// which is what a test suite mostly has: 0 of 10 failed gives [0, 0.278].
// n = 0 gives [0, 1]: nothing is known.
Interval wilson_interval(std::uint64_t k, std::uint64_t n, double z = 1.959963984540054);

// The fewest runs, all passing, after which the Wilson interval's upper end
// is at most `rate` (for example 30 runs to rule out a failure rate above
// 11%). Used to plan repetitions.
std::uint64_t runs_to_rule_out(double rate, double z = 1.959963984540054);

}  // namespace pss::stats
