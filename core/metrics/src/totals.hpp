// Merged values of many threads' cells: what collectors compute and where the
// cells of exited threads are kept. Plain data, used under the registry lock.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "buckets.hpp"
#include "series.hpp"

namespace pss::metrics::detail {

struct ThreadState;

struct CounterTotal {
    std::uint64_t value = 0;
    bool touched = false;
};

struct GaugeTotal {
    std::uint64_t count = 0;
    double sum = 0;
    double min = 0;
    double max = 0;
    void add(std::uint64_t n, double s, double lo, double hi) noexcept;
};

struct TimingTotal {
    std::uint64_t count = 0;
    std::uint64_t zeros = 0;
    double sum = 0;
    double min = 0;
    double max = 0;
    std::array<std::unique_ptr<std::array<std::uint64_t, sub_buckets>>, octaves> buckets;

    void add_value(double value);  // one value (exited threads record here)
    void add_summary(std::uint64_t n, double s, double lo, double hi) noexcept;
    void add_bucket(std::uint32_t index, std::uint64_t n);
    void merge(const TimingTotal& other);
    // The value of 0-based rank floor(q * (n - 1)) among the n bucketed
    // values, within timing_relative_accuracy, clamped into [min, max].
    double quantile(double q) const noexcept;
};

// Which series to merge: every series, or one.
struct Selection {
    bool all = true;
    Kind kind = Kind::counter;
    std::uint32_t id = 0;

    static Selection one(Kind k, std::uint32_t i) noexcept { return {false, k, i}; }
    // Ids [begin, end) of `k` to merge, given how many series `k` has.
    void range(Kind k, std::uint32_t count, std::uint32_t& begin, std::uint32_t& end) const noexcept;
};

struct Totals {
    std::vector<CounterTotal> counters;  // by series id
    std::vector<GaugeTotal> gauges;
    std::vector<std::unique_ptr<TimingTotal>> timings;  // null: nothing recorded

    // Adds the cells of `thread` whose generation matches `state` (g_state).
    void add_thread(const ThreadState& thread, std::uint64_t state, const Selection& which);
    void merge(const Totals& other, const Selection& which);
    TimingTotal& timing(std::uint32_t id);  // created on first use
    void clear_counters() noexcept { counters.clear(); }
    void clear_others() noexcept {
        gauges.clear();
        timings.clear();
    }
};

}  // namespace pss::metrics::detail
