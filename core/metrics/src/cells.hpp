// Per-thread cells. Only the owning thread writes them (a relaxed load and a
// store: no locked instruction), collectors read them under the registry
// lock. Everything a collector may read is atomic, and pages are published
// with release stores, so reading while the owner records is well defined.
#pragma once

#include <atomic>
#include <cstdint>

#include "buckets.hpp"
#include "lookup_cache.hpp"
#include "series.hpp"

namespace pss::metrics::detail {

struct CounterCell {
    std::atomic<std::uint64_t> value{0};  // unsigned: wraps instead of overflowing
    std::atomic<std::uint32_t> touched{0};  // recorded since the last reset (the value may be 0)
};

struct GaugeCell {
    std::atomic<std::uint64_t> count{0};  // stored last (release): a reader that sees it sees the rest
    std::atomic<double> sum{0};
    std::atomic<double> min{0};
    std::atomic<double> max{0};
};

struct OctaveCounts {
    std::atomic<std::uint64_t> n[sub_buckets] = {};
};

// About 560 bytes plus 512 per power of two that received a value.
struct TimingCell {
    std::atomic<std::uint64_t> count{0};  // stored last (release)
    std::atomic<std::uint64_t> zeros{0};  // values <= 0
    std::atomic<double> sum{0};
    std::atomic<double> min{0};
    std::atomic<double> max{0};
    std::atomic<OctaveCounts*> octaves[detail::octaves] = {};

    TimingCell() = default;
    TimingCell(const TimingCell&) = delete;
    TimingCell& operator=(const TimingCell&) = delete;
    ~TimingCell() {
        for (auto& o : octaves) delete o.load(std::memory_order_relaxed);
    }
};

struct CounterPage {
    CounterCell cells[page_size];
};
struct GaugePage {
    GaugeCell cells[page_size];
};
struct TimingPage {
    std::atomic<TimingCell*> cells[page_size] = {};  // allocated on first use: timing cells are large
    TimingPage() = default;
    TimingPage(const TimingPage&) = delete;
    TimingPage& operator=(const TimingPage&) = delete;
    ~TimingPage() {
        for (auto& c : cells) delete c.load(std::memory_order_relaxed);
    }
};

struct ThreadState {
    std::atomic<CounterPage*> counters[max_pages] = {};
    std::atomic<GaugePage*> gauges[max_pages] = {};
    std::atomic<TimingPage*> timings[max_pages] = {};

    // The generations (g_state without the enabled bit) the cells belong to;
    // collectors skip the cells of an older generation.
    std::atomic<std::uint64_t> published{0};
    std::uint64_t seen = 0;  // owner only: the g_state the thread caught up with
    LookupCache cache;  // owner only

    ThreadState* prev = nullptr;  // registry list, under the registry lock
    ThreadState* next = nullptr;

    ThreadState() = default;
    ThreadState(const ThreadState&) = delete;
    ThreadState& operator=(const ThreadState&) = delete;
    ~ThreadState();
};

}  // namespace pss::metrics::detail
