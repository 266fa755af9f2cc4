// The Mann-Whitney U test: are two samples (run durations now and in the
// baseline) drawn from the same distribution? Rank-based, so robust to the
// outliers that timing data is full of.
#pragma once

#include <span>

namespace pss::stats {

struct MannWhitneyResult {
    double u = 0;        // U of the first sample
    double z = 0;        // normal approximation, tie- and continuity-corrected
    double p_value = 1;  // two-sided
    bool valid = false;  // false when a sample is empty or all values are tied
};

MannWhitneyResult mann_whitney_u(std::span<const double> a, std::span<const double> b);

}  // namespace pss::stats
