// The timing sketch's buckets: log-spaced like DDSketch (Masson, Rim and Lee,
// VLDB 2019) with its "linearly interpolated" mapping, where a power of two
// is split into equal-width sub-buckets. With 64 sub-buckets the index is
// just the exponent and the top 6 mantissa bits of the double -- a shift and
// a mask, no logarithm on the hot path -- and every bucket's upper bound is at
// most 1 + 1/64 times its lower bound, so its representative (the harmonic
// mean of the bounds) is within 1/129 = 0.78% of every value in it.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace pss::metrics::detail {

constexpr int sub_bucket_bits = 6;
constexpr std::uint32_t sub_buckets = 1u << sub_bucket_bits;
constexpr int min_exponent = -32;  // buckets cover [2^-32, 2^32)
constexpr std::uint32_t octaves = 64;
constexpr std::uint32_t bucket_count = octaves * sub_buckets;

// Bucket of a positive finite value; values outside the range go to the
// first or the last bucket.
inline std::uint32_t bucket_of(double value) noexcept {
    std::uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    const int exponent = static_cast<int>(bits >> 52) - 1023;
    if (exponent < min_exponent) return 0;
    if (exponent >= min_exponent + static_cast<int>(octaves)) return bucket_count - 1;
    const auto octave = static_cast<std::uint32_t>(exponent - min_exponent);
    const auto sub = static_cast<std::uint32_t>(bits >> (52 - sub_bucket_bits)) & (sub_buckets - 1);
    return (octave << sub_bucket_bits) | sub;
}

inline double bucket_lower_bound(std::uint32_t index) noexcept {
    const int exponent = static_cast<int>(index >> sub_bucket_bits) + min_exponent;
    const double mantissa = 1.0 + static_cast<double>(index & (sub_buckets - 1)) / sub_buckets;
    return std::ldexp(mantissa, exponent);
}

// The value reported for every value in the bucket: equal relative error to
// both bounds.
inline double bucket_value(std::uint32_t index) noexcept {
    const double lo = bucket_lower_bound(index);
    const double hi = lo + std::ldexp(1.0, static_cast<int>(index >> sub_bucket_bits) + min_exponent) / sub_buckets;
    return 2 * lo * hi / (lo + hi);
}

}  // namespace pss::metrics::detail
