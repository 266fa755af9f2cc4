// Count, mean and sample variance of a stream of values, mergeable.
//
// Kept as sums of (x - shift) and (x - shift)^2 with the shift near the mean
// (the first value, or the mean of the samples a set held before it switched
// to sketches): as accurate as Welford's update when the shift is within a
// few standard deviations of the mean, without a division per value.
#pragma once

#include <algorithm>
#include <cstdint>

namespace pss {

class RunningMoments {
public:
    RunningMoments() = default;
    explicit RunningMoments(double shift) : shift_(shift), shift_set_(true) {}

    void add(double x) {
        if (!shift_set_) {
            shift_ = x;
            shift_set_ = true;
        }
        const double d = x - shift_;
        s1_ += d;
        s2_ += d * d;
        ++n_;
    }

    void merge(const RunningMoments& other) {
        if (other.n_ == 0) return;
        if (n_ == 0) {
            *this = other;
            return;
        }
        // Re-express the other's sums around this shift.
        const double delta = other.shift_ - shift_;
        const auto m = static_cast<double>(other.n_);
        s2_ += other.s2_ + 2.0 * delta * other.s1_ + m * delta * delta;
        s1_ += other.s1_ + m * delta;
        n_ += other.n_;
    }

    std::uint64_t count() const noexcept { return n_; }
    double mean() const noexcept { return n_ == 0 ? 0.0 : shift_ + s1_ / static_cast<double>(n_); }
    // Sample variance (n - 1), 0 for fewer than 2 values, as Python's statistics.variance.
    double variance() const noexcept {
        if (n_ < 2) return 0.0;
        const auto n = static_cast<double>(n_);
        return std::max(0.0, (s2_ - s1_ * s1_ / n) / (n - 1.0));
    }

private:
    double shift_ = 0.0;
    bool shift_set_ = false;
    double s1_ = 0.0, s2_ = 0.0;
    std::uint64_t n_ = 0;
};

}  // namespace pss
