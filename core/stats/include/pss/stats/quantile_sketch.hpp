// A mergeable quantile sketch with a relative-error guarantee, in the style of
// DDSketch (Masson, Rim and Lee, VLDB 2019): values fall into logarithmic
// buckets, and the estimate of any rank is within `relative_accuracy` of the
// true value at that rank. Memory grows with the spread of the values (the
// ratio of largest to smallest), not with their number.
#pragma once

#include <cstdint>
#include <vector>

namespace pss {

class QuantileSketch {
public:
    // Each power of two is split into this many buckets whose bounds grow by
    // r = 2^(1/70); the middle of a bucket is within (r-1)/(r+1) of every
    // value in it.
    static constexpr int buckets_per_octave = 70;
    static constexpr double relative_accuracy = 0.004952;  // (r-1)/(r+1), rounded up: 0.5%
    // Per sign. 4096 buckets span a ratio of 2^58 (3e17: 1 ns to 10 years, 1
    // byte to 300 PB). Values spread wider than that fold the end with fewer
    // values into its neighbour, so that outliers arriving after the bulk move
    // and the bulk keeps its accuracy; min() and max() stay exact.
    static constexpr std::size_t max_buckets = 4096;

    void add(double value);
    void merge(const QuantileSketch& other);

    std::uint64_t count() const noexcept { return count_; }
    double min() const noexcept { return min_; }  // exact; 0 when empty
    double max() const noexcept { return max_; }  // exact; 0 when empty

    // The value with 0-based rank `rank` in sorted order (rank < count()),
    // within relative_accuracy, and never outside [min(), max()].
    double value_at_rank(std::uint64_t rank) const;

    // What Python's statistics.quantiles(data, n=n)[k] (the exclusive method)
    // and statistics.median give on the values, computed from the estimated
    // order statistics with the same interpolation: within relative_accuracy
    // when the cut point lies between two values (p95 from 19 values on),
    // a little more where Python extrapolates past the data. With fewer than
    // 2 values both give the only value (0 when empty).
    double quantile_exclusive(int k, int n = 100) const;
    double median() const;

    std::size_t bucket_count() const noexcept { return positive_.counts.size() + negative_.counts.size(); }
    std::size_t heap_bytes() const noexcept {
        return (positive_.counts.capacity() + negative_.counts.capacity()) * sizeof(std::uint32_t);
    }

    // Bucket index of a magnitude >= the smallest normal double, and the
    // representative (middle) value of a bucket. Public for the tests.
    static int bucket_of(double magnitude);
    static double bucket_value(int index);

private:
    // Counts of consecutive buckets first_index, first_index + 1, ...; 32
    // bits keep a test's sketch small, and a bucket stops counting at 2^32 - 1
    // values (a few terabytes of traces of one test).
    struct Store {
        int first_index = 0;
        std::vector<std::uint32_t> counts;
        void add(int index, std::uint64_t n);
        void merge(const Store& other);

    private:
        void cover(int lo, int hi);
        void fold_to_width();
    };

    Store positive_, negative_;  // negative_ holds magnitudes of negative values
    std::uint64_t zeros_ = 0, count_ = 0;
    double min_ = 0, max_ = 0;
};

}  // namespace pss
