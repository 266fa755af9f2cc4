#include "pss/stats/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace pss::stats {

namespace {

// Values this large overflow a sum or a square: such data is computed on
// values divided by a power of two (exact), then scaled back.
constexpr double huge = 1e150;

double largest_magnitude(std::span<const double> data) {
    double m = 0;
    for (double v : data) m = std::max(m, std::fabs(v));
    return m;
}

std::vector<double> scaled(std::span<const double> data, double scale) {
    std::vector<double> out(data.begin(), data.end());
    for (double& v : out) v /= scale;
    return out;
}

// A power of two near the largest value (not above it: 2^1024 is infinite).
double power_of_two_near(double m) { return std::ldexp(1.0, std::ilogb(m)); }

}  // namespace

double mean(std::span<const double> data) {
    if (data.empty()) return 0.0;
    const double m = largest_magnitude(data);
    if (m > huge) {
        const double scale = power_of_two_near(m);
        return mean(scaled(data, scale)) * scale;
    }
    double sum = 0.0;
    for (double v : data) sum += v;
    return sum / static_cast<double>(data.size());
}

double variance(std::span<const double> data) {
    if (data.size() < 2) return 0.0;
    const double magnitude = largest_magnitude(data);
    if (magnitude > huge) {
        const double scale = power_of_two_near(magnitude);
        return variance(scaled(data, scale)) * scale * scale;  // may be infinite: it is that large
    }
    // Two passes keep the result close to Python's exact-fraction variance.
    const double m = mean(data);
    double ss = 0.0, comp = 0.0;
    for (double v : data) {
        const double d = v - m;
        ss += d * d;
        comp += d;
    }
    ss -= comp * comp / static_cast<double>(data.size());
    return std::max(0.0, ss / static_cast<double>(data.size() - 1));
}

double stdev(std::span<const double> data) {
    const double magnitude = largest_magnitude(data);
    if (magnitude > huge) {  // finite even where the variance is not
        const double scale = power_of_two_near(magnitude);
        return std::sqrt(variance(scaled(data, scale))) * scale;
    }
    return std::sqrt(variance(data));
}

double cv(std::span<const double> data) {
    if (data.size() < 2) return 0.0;
    const double m = mean(data);
    if (m == 0.0) return 0.0;
    return stdev(data) / m;
}

double median_sorted(std::span<const double> sorted) {
    const std::size_t n = sorted.size();
    if (n == 0) return 0.0;
    if (n % 2 == 1) return sorted[n / 2];
    const double lo = sorted[n / 2 - 1], hi = sorted[n / 2];
    // Python's (lo + hi) / 2 is infinite for two values above 2^1023: the
    // same midpoint, each halved first (exact at that size).
    if (std::max(std::fabs(lo), std::fabs(hi)) > huge) return lo / 2.0 + hi / 2.0;
    return (lo + hi) / 2.0;
}

double quantile_exclusive(std::span<const double> sorted, int k, int n) {
    const auto ld = static_cast<long long>(sorted.size());
    if (ld < 2) throw std::invalid_argument("quantiles need at least two data points");
    if (n < 1 || k < 0 || k > n - 2) throw std::out_of_range("quantile index out of range");
    // Python's statistics.quantiles(method="exclusive"), with its integer
    // arithmetic and its interpolation expression, for identical results.
    const long long m = ld + 1;
    const long long i = k + 1;
    long long j = i * m / n;
    j = j < 1 ? 1 : (j > ld - 1 ? ld - 1 : j);
    const long long delta = i * m - j * n;
    const double lo = sorted[j - 1], hi = sorted[j];
    // Python's products would overflow here, and so would hi - lo across
    // zero: the same interpolation with each value divided first.
    if (std::max(std::fabs(lo), std::fabs(hi)) > huge)
        return lo + (hi / static_cast<double>(n) - lo / static_cast<double>(n)) * static_cast<double>(delta);
    return (lo * static_cast<double>(n - delta) + hi * static_cast<double>(delta)) / static_cast<double>(n);
}

std::vector<double> quantiles_exclusive(std::span<const double> sorted, int n) {
    std::vector<double> out;
    out.reserve(n > 1 ? n - 1 : 0);
    for (int k = 0; k + 1 < n; ++k) out.push_back(quantile_exclusive(sorted, k, n));
    return out;
}

}  // namespace pss::stats
