#include "pss/stats/intervals.hpp"

#include <algorithm>
#include <cmath>

namespace pss::stats {

Interval wilson_interval(std::uint64_t k, std::uint64_t n, double z) {
    if (n == 0) return {0, 1};
    const double nf = static_cast<double>(n);
    const double p = static_cast<double>(std::min(k, n)) / nf;
    const double z2 = z * z;
    const double denominator = 1 + z2 / nf;
    const double centre = (p + z2 / (2 * nf)) / denominator;
    const double half = z * std::sqrt(p * (1 - p) / nf + z2 / (4 * nf * nf)) / denominator;
    // Exact at the ends: no failure seen means a lower end of 0, and so on.
    return {k == 0 ? 0.0 : std::max(0.0, centre - half), k >= n ? 1.0 : std::min(1.0, centre + half)};
}

std::uint64_t runs_to_rule_out(double rate, double z) {
    if (rate >= 1) return 0;
    if (rate <= 0) return UINT64_MAX;
    // With k = 0 the upper end is z^2 / (n + z^2): solve for n.
    const double n = z * z * (1 - rate) / rate;
    return static_cast<std::uint64_t>(std::ceil(n - 1e-9));
}

}  // namespace pss::stats
