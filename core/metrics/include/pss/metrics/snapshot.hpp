// What pss::metrics reports: statistics per series and a snapshot of every
// series, with its three text forms.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pss/metrics/tags.hpp"

namespace pss::metrics {

// Quantiles of timings come from log-spaced buckets (64 per power of two):
// each reported quantile is within this relative error of the exact order
// statistic of rank floor(q * (count - 1)), for values in [2^-32, 2^32)
// (0.23 ns to 136 years when the values are seconds). Values outside that
// range keep their exact min, max and sum; their quantiles are only clamped
// into [min, max]. Zero and negative values share one bucket, read as 0.
inline constexpr double timing_relative_accuracy = 1.0 / 129;  // 0.78%

struct GaugeStats {
    double current = 0;  // the value set last, by any thread
    double min = 0;
    double max = 0;
    double mean = 0;  // of every value set
    std::uint64_t count = 0;  // how many values were set
};

struct TimingStats {
    std::uint64_t count = 0;
    double sum = 0;  // exact, like min and max
    double min = 0;
    double max = 0;
    double mean = 0;
    double p50 = 0;  // within timing_relative_accuracy
    double p95 = 0;
    double p99 = 0;
};

struct CounterSeries {
    std::string name;
    TagSet tags;
    std::int64_t value = 0;
};

struct GaugeSeries {
    std::string name;
    TagSet tags;
    GaugeStats stats;
};

struct TimingSeries {
    std::string name;
    TagSet tags;
    TimingStats stats;
};

// Every series recorded since the last reset, each kind sorted by name, then
// tags. A series that was registered (or reset) but not recorded since is
// left out.
struct Snapshot {
    std::vector<CounterSeries> counters;
    std::vector<GaugeSeries> gauges;
    std::vector<TimingSeries> timings;

    bool empty() const noexcept { return counters.empty() && gauges.empty() && timings.empty(); }
};

// One line of compact JSON:
//   {"counters":[{"name":"hits","tags":{"type":"cache"},"value":5}],
//    "gauges":[{"name":..,"tags":{..},"current":..,"min":..,"max":..,"mean":..,"count":..}],
//    "timings":[{"name":..,"tags":{..},"count":..,"sum":..,"min":..,"max":..,"mean":..,
//                "p50":..,"p95":..,"p99":..}]}
// Strings are escaped and made valid UTF-8 (U+FFFD for bad bytes); numbers are
// the shortest form that reads back exactly.
std::string to_json(const Snapshot& snapshot) noexcept;

// Prometheus text exposition format 0.0.4: counters as `<name>_total`
// (counter), gauges with their current value (gauge), timings as summaries
// (quantile 0.5, 0.95, 0.99, `_sum`, `_count`). Names become
// [a-zA-Z_:][a-zA-Z0-9_:]* (other bytes turn into '_'), tag keys label
// names [a-zA-Z_][a-zA-Z0-9_]* not starting with "__"; a name or label that
// would collide with another after that gets a suffix `_2`, `_3`, ... so
// that the output always parses. Label values are escaped (\\, \", \n).
std::string to_prometheus(const Snapshot& snapshot) noexcept;

// A few aligned lines for people: one per series, timings in s/ms/us/ns.
std::string summary(const Snapshot& snapshot) noexcept;

}  // namespace pss::metrics
