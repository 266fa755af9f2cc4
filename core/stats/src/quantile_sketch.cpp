#include "pss/stats/quantile_sketch.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cfloat>
#include <cmath>

namespace pss {

namespace {

constexpr int per_octave = QuantileSketch::buckets_per_octave;
constexpr int mantissa_bits = 52;
// Values this large overflow a sum or a product in the interpolation (as in
// statistics.cpp).
constexpr double huge = 1e150;
constexpr int cell_bits = 12;  // cells of the mantissa finer than any bucket (1/4096 < 2^(1/70) - 1)

// Bucket bounds inside one octave as 52-bit mantissas, and for every cell of
// the mantissa the bucket its start falls in: bucket_of() is then a table
// look-up and one comparison instead of a logarithm.
struct OctaveTable {
    std::array<std::uint64_t, per_octave + 1> bound{};
    std::array<std::uint8_t, std::size_t{1} << cell_bits> cell_bucket{};
    std::array<double, per_octave> middle{};  // representative value of bucket j in [1, 2)

    OctaveTable() {
        const double r = std::exp2(1.0 / per_octave);
        for (int j = 0; j < per_octave; ++j) {
            const double lower = std::exp2(static_cast<double>(j) / per_octave);
            bound[j] = static_cast<std::uint64_t>(std::ceil((lower - 1.0) * 0x1p52));
            middle[j] = lower * 2.0 * r / (1.0 + r);
        }
        bound[per_octave] = std::uint64_t{1} << mantissa_bits;  // 2.0: the next octave
        int j = 0;
        for (std::size_t c = 0; c < cell_bucket.size(); ++c) {
            const std::uint64_t start = static_cast<std::uint64_t>(c) << (mantissa_bits - cell_bits);
            while (start >= bound[j + 1]) ++j;
            cell_bucket[c] = static_cast<std::uint8_t>(j);
        }
    }
};

// Built at start-up (no static of the library uses a sketch before main).
const OctaveTable octave_table_instance;
const OctaveTable& octave_table() { return octave_table_instance; }

int floor_div(int a, int b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

void add_count(std::uint32_t& count, std::uint64_t n) {
    count = static_cast<std::uint32_t>(std::min<std::uint64_t>(std::uint64_t{count} + n, UINT32_MAX));
}

}  // namespace

int QuantileSketch::bucket_of(double magnitude) {
    const auto& t = octave_table();
    const auto bits = std::bit_cast<std::uint64_t>(magnitude);
    const int exponent = static_cast<int>((bits >> mantissa_bits) & 0x7ff) - 1023;
    const std::uint64_t mantissa = bits & ((std::uint64_t{1} << mantissa_bits) - 1);
    int j = t.cell_bucket[mantissa >> (mantissa_bits - cell_bits)];
    if (mantissa >= t.bound[j + 1]) ++j;
    return exponent * per_octave + j;
}

double QuantileSketch::bucket_value(int index) {
    const int octave = floor_div(index, per_octave);
    return std::ldexp(octave_table().middle[index - octave * per_octave], octave);
}

void QuantileSketch::Store::cover(int lo, int hi) {
    if (counts.empty()) {
        first_index = lo;
        counts.assign(static_cast<std::size_t>(hi - lo + 1), 0);
        return;
    }
    const int last = first_index + static_cast<int>(counts.size()) - 1;
    if (lo >= first_index && hi <= last) return;
    // Grow with some slack: a new extreme is often followed by its neighbours.
    constexpr int slack = 8;
    const int new_lo = lo < first_index ? lo - slack : first_index;
    const int new_hi = hi > last ? hi + slack : last;
    std::vector<std::uint32_t> grown(static_cast<std::size_t>(new_hi - new_lo + 1), 0);
    std::copy(counts.begin(), counts.end(), grown.begin() + (first_index - new_lo));
    counts = std::move(grown);
    first_index = new_lo;
}

void QuantileSketch::Store::add(int index, std::uint64_t n) {
    if (counts.empty() || index < first_index || index >= first_index + static_cast<int>(counts.size()))
        cover(index, index);
    add_count(counts[static_cast<std::size_t>(index - first_index)], n);
    if (counts.size() > max_buckets) fold_to_width();
}

void QuantileSketch::Store::fold_to_width() {
    std::size_t lo = 0, hi = counts.size();
    while (lo < hi && counts[lo] == 0) ++lo;
    while (hi > lo && counts[hi - 1] == 0) --hi;
    counts.resize(hi);
    counts.erase(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(lo));
    first_index += static_cast<int>(lo);
    if (counts.size() <= max_buckets) return;
    // Fold the end holding fewer values into its neighbour: a few outliers
    // move, the bulk of the values keeps its accuracy.
    const std::size_t drop = counts.size() - max_buckets;
    std::uint64_t low = 0, high = 0;
    for (std::size_t i = 0; i < drop; ++i) {
        low += counts[i];
        high += counts[counts.size() - 1 - i];
    }
    if (low <= high) {
        add_count(counts[drop], low);
        counts.erase(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(drop));
        first_index += static_cast<int>(drop);
    } else {
        add_count(counts[counts.size() - 1 - drop], high);
        counts.resize(counts.size() - drop);
    }
}

void QuantileSketch::Store::merge(const Store& other) {
    for (std::size_t i = 0; i < other.counts.size(); ++i)
        if (other.counts[i] != 0) add(other.first_index + static_cast<int>(i), other.counts[i]);
}

void QuantileSketch::add(double value) {
    if (std::isnan(value)) value = 0.0;
    if (count_ == 0) {
        min_ = max_ = value;
    } else {
        min_ = std::min(min_, value);
        max_ = std::max(max_, value);
    }
    ++count_;
    const double magnitude = std::min(std::fabs(value), DBL_MAX);
    if (magnitude < DBL_MIN) {
        ++zeros_;
    } else if (value > 0) {
        positive_.add(bucket_of(magnitude), 1);
    } else {
        negative_.add(bucket_of(magnitude), 1);
    }
}

void QuantileSketch::merge(const QuantileSketch& other) {
    if (other.count_ == 0) return;
    if (count_ == 0) {
        min_ = other.min_;
        max_ = other.max_;
    } else {
        min_ = std::min(min_, other.min_);
        max_ = std::max(max_, other.max_);
    }
    count_ += other.count_;
    zeros_ += other.zeros_;
    positive_.merge(other.positive_);
    negative_.merge(other.negative_);
}

double QuantileSketch::value_at_rank(std::uint64_t rank) const {
    if (count_ == 0) return 0.0;
    if (rank == 0) return min_;
    if (rank + 1 >= count_) return max_;
    auto clamp = [this](double v) { return std::clamp(v, min_, max_); };
    std::uint64_t seen = 0;
    // Negative values first, largest magnitude first.
    for (std::size_t i = negative_.counts.size(); i-- > 0;) {
        seen += negative_.counts[i];
        if (rank < seen) return clamp(-bucket_value(negative_.first_index + static_cast<int>(i)));
    }
    seen += zeros_;
    if (rank < seen) return clamp(0.0);
    for (std::size_t i = 0; i < positive_.counts.size(); ++i) {
        seen += positive_.counts[i];
        if (rank < seen) return clamp(bucket_value(positive_.first_index + static_cast<int>(i)));
    }
    return max_;
}

double QuantileSketch::quantile_exclusive(int k, int n) const {
    if (count_ < 2) return value_at_rank(0);
    // The index arithmetic of stats::quantile_exclusive, on estimated order statistics.
    const auto ld = static_cast<long long>(count_);
    const long long m = ld + 1;
    const long long i = k + 1;
    long long j = i * m / n;
    j = j < 1 ? 1 : (j > ld - 1 ? ld - 1 : j);
    const long long delta = i * m - j * n;
    const double lo = value_at_rank(static_cast<std::uint64_t>(j - 1));
    const double hi = value_at_rank(static_cast<std::uint64_t>(j));
    if (std::max(std::fabs(lo), std::fabs(hi)) > huge)  // the products would overflow: each value divided first
        return lo + (hi / static_cast<double>(n) - lo / static_cast<double>(n)) * static_cast<double>(delta);
    return (lo * static_cast<double>(n - delta) + hi * static_cast<double>(delta)) / static_cast<double>(n);
}

double QuantileSketch::median() const {
    if (count_ < 2) return value_at_rank(0);
    const std::uint64_t half = count_ / 2;
    if (count_ % 2 == 1) return value_at_rank(half);
    const double lo = value_at_rank(half - 1), hi = value_at_rank(half);
    if (std::max(std::fabs(lo), std::fabs(hi)) > huge) return lo / 2.0 + hi / 2.0;  // lo + hi would overflow
    return (lo + hi) / 2.0;
}

}  // namespace pss
