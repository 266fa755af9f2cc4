// Descriptive statistics with the exact semantics of Python's `statistics`
// module, so that scores match pypss bit for bit where it matters.
#pragma once

#include <span>
#include <vector>

namespace pss::stats {

double mean(std::span<const double> data);  // 0 for empty data
// Sample standard deviation / variance (n - 1); 0 for fewer than 2 values.
double stdev(std::span<const double> data);
double variance(std::span<const double> data);
// Coefficient of variation, stdev / mean; 0 when n < 2 or the mean is 0.
double cv(std::span<const double> data);

// Median of already sorted data (mean of the middle two for even n).
double median_sorted(std::span<const double> sorted);

// statistics.quantiles(data, n=n) with the default "exclusive" method, on
// already sorted data with at least 2 values: the n - 1 cut points.
std::vector<double> quantiles_exclusive(std::span<const double> sorted, int n = 100);

// One cut point of quantiles_exclusive: index k is 0-based, so k = 94 is p95.
double quantile_exclusive(std::span<const double> sorted, int k, int n = 100);

}  // namespace pss::stats
