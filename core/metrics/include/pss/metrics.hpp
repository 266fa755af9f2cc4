// pss::metrics: counters, gauges and timings with tags, for code under test.
//
//   #include <pss/metrics.hpp>
//   namespace pm = pss::metrics;
//
//   pm::increment("cache.hits", 1, {{"type", "lru"}});       // by name: a per-thread lookup
//   pm::gauge("queue.depth", double(queue.size()));
//   pm::timing("db.query", 0.0031, {{"table", "users"}});   // seconds
//   { pm::Timer t("db.query", {{"table", "users"}}); run_query(); }  // records on destruction
//   { PSS_TIME("parse"); parse(); }                        // the same, cached per call site
//
//   static const pm::Counter hits("cache.hits", {{"type", "lru"}});  // handles: the fastest path
//   hits.increment();
//
//   pm::get_timing("db.query", {{"table", "users"}})->p99;
//   std::cout << pm::summary() << pm::to_prometheus() << pm::to_json();
//
// Same name and tags (in any order) = same series. Every call is thread-safe
// and noexcept: recording never throws, never blocks on another thread's
// recording, and drops the sample if memory runs out. Each thread records
// into its own cells; reading (get_*, all, exports) merges them, including
// those of threads that have exited. With set_enabled(false) every recording
// call returns after one load.
//
// Limits: 16384 series per kind (more are not recorded); counters wrap at
// 64 bits; non-finite gauge and timing values are ignored.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pss/metrics/snapshot.hpp"
#include "pss/metrics/tags.hpp"

namespace pss::metrics {

namespace detail {
struct Series;
}

// --- Recording by name --------------------------------------------------

void increment(std::string_view name, std::int64_t amount = 1, Tags tags = {}) noexcept;
void increment(std::string_view name, Tags tags) noexcept;
void decrement(std::string_view name, std::int64_t amount = 1, Tags tags = {}) noexcept;
void decrement(std::string_view name, Tags tags) noexcept;

// Sets a gauge: its current value, and the min, max and mean of every value set.
void gauge(std::string_view name, double value, Tags tags = {}) noexcept;

// Records one duration in seconds (or any value whose quantiles matter).
void timing(std::string_view name, double seconds, Tags tags = {}) noexcept;
template <class Rep, class Period>
void timing(std::string_view name, std::chrono::duration<Rep, Period> duration, Tags tags = {}) noexcept {
    timing(name, std::chrono::duration<double>(duration).count(), tags);
}

// --- Handles: a series looked up once -------------------------------------
// Creating a handle registers the series (taking a lock once); using it costs
// a few nanoseconds. Handles are small values, valid for the whole process
// and across reset(). A default-constructed handle records nothing.

class Counter {
public:
    Counter() noexcept = default;
    explicit Counter(std::string_view name, Tags tags = {}) noexcept;
    void increment(std::int64_t amount = 1) const noexcept;
    void decrement(std::int64_t amount = 1) const noexcept;
    explicit operator bool() const noexcept { return series_ != nullptr; }

private:
    detail::Series* series_ = nullptr;
};

inline Counter counter(std::string_view name, Tags tags = {}) noexcept { return Counter(name, tags); }

class Gauge {
public:
    Gauge() noexcept = default;
    explicit Gauge(std::string_view name, Tags tags = {}) noexcept;
    void set(double value) const noexcept;
    explicit operator bool() const noexcept { return series_ != nullptr; }

private:
    detail::Series* series_ = nullptr;
};

class Timer;

class Timing {
public:
    Timing() noexcept = default;
    explicit Timing(std::string_view name, Tags tags = {}) noexcept;
    void record(double seconds) const noexcept;
    template <class Rep, class Period>
    void record(std::chrono::duration<Rep, Period> duration) const noexcept {
        record(std::chrono::duration<double>(duration).count());
    }
    Timer time() const noexcept;  // a Timer on this series
    explicit operator bool() const noexcept { return series_ != nullptr; }

private:
    friend class Timer;
    detail::Series* series_ = nullptr;
};

// Measures from construction to destruction (or stop()) with
// std::chrono::steady_clock and records the time as a timing. If metrics are
// disabled at construction it measures nothing.
class Timer {
public:
    explicit Timer(std::string_view name, Tags tags = {}) noexcept;
    explicit Timer(const Timing& series) noexcept;
    ~Timer() { stop(); }
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    // Records now and returns the seconds recorded (0 when not measuring);
    // afterwards the timer is inactive and its destruction records nothing.
    double stop() noexcept;
    // Stops without recording (say, on an error path that should not count).
    void cancel() noexcept { series_ = nullptr; }
    // Seconds since construction (0 when not measuring).
    double elapsed() const noexcept;

private:
    detail::Series* series_ = nullptr;
    std::chrono::steady_clock::time_point start_{};
};

inline Timer Timing::time() const noexcept { return Timer(*this); }

// --- Reading back ---------------------------------------------------------
// nullopt when the series has recorded nothing since the last reset.

std::optional<std::int64_t> get_counter(std::string_view name, Tags tags = {}) noexcept;
std::optional<GaugeStats> get_gauge(std::string_view name, Tags tags = {}) noexcept;
std::optional<TimingStats> get_timing(std::string_view name, Tags tags = {}) noexcept;

Snapshot all() noexcept;

// The exports of all() (see snapshot.hpp for the formats).
std::string to_json() noexcept;
std::string to_prometheus() noexcept;
std::string summary() noexcept;

// --- Control --------------------------------------------------------------

// Forgets every value (series and handles stay valid). A value recorded
// concurrently with the reset may land on either side of it.
void reset() noexcept;
// Forgets counters only; gauges and timings keep their values.
void reset_counters() noexcept;

// On by default. While off, recording calls and new Timers do nothing.
void set_enabled(bool on) noexcept;
bool enabled() noexcept;

}  // namespace pss::metrics

#define PSS_METRICS_CONCAT2(a, b) a##b
#define PSS_METRICS_CONCAT(a, b) PSS_METRICS_CONCAT2(a, b)

// Times the rest of the enclosing scope as the timing `name` (a string
// literal). The series is looked up once per call site; for tags, use
// pss::metrics::Timer.
#define PSS_TIME(name)                                                                            \
    static const ::pss::metrics::Timing PSS_METRICS_CONCAT(pss_metrics_timing_, __LINE__){"" name}; \
    const ::pss::metrics::Timer PSS_METRICS_CONCAT(pss_metrics_timer_, __LINE__) {                \
        PSS_METRICS_CONCAT(pss_metrics_timing_, __LINE__)                                         \
    }
