// The recording hot paths, the per-thread state they write into, and the
// public recording API (by name, handles, Timer).
//
// A recording call: one relaxed load of g_state (enabled? generation
// changed?), the thread-local state pointer, a page pointer, then plain
// loads and stores into cells only this thread writes. The registry lock is
// taken only on a thread's first recording, the first time it uses a
// string-keyed series, and when it exits.
#include <cmath>
#include <new>

#include "cells.hpp"
#include "pss/metrics.hpp"
#include "registry.hpp"
#include "state.hpp"

namespace pss::metrics::detail {

namespace {

constexpr auto relaxed = std::memory_order_relaxed;
constexpr auto release = std::memory_order_release;

#define PSS_METRICS_UNLIKELY(x) __builtin_expect(!!(x), 0)

// Constant-initialised (no TLS init check on the hot path); the exit hook
// below is a separate object because it needs a destructor.
thread_local ThreadState* tls_state = nullptr;
thread_local bool tls_exited = false;

// Moves the thread's cells into the registry's retired totals, so that the
// values of exited threads stay in every later read.
void retire_thread() noexcept {
    ThreadState* ts = tls_state;
    if (ts == nullptr) return;
    tls_state = nullptr;
    tls_exited = true;
    Registry* r = registry();
    try {
        std::lock_guard<std::mutex> lock(r->mutex);
        try {
            r->retired.add_thread(*ts, g_state.load(relaxed), Selection{});
        } catch (...) {
            // Out of memory: this thread's values are lost, the process goes on.
        }
        if (ts->prev != nullptr) ts->prev->next = ts->next;
        else r->threads = ts->next;
        if (ts->next != nullptr) ts->next->prev = ts->prev;
    } catch (...) {
        return;  // the lock failed: leak the state rather than free it under a reader
    }
    delete ts;
}

struct ExitHook {
    bool armed = false;
    ~ExitHook() { retire_thread(); }
};
thread_local ExitHook tls_exit_hook;

ThreadState* create_thread_state() noexcept {
    Registry* r = registry();
    if (r == nullptr) return nullptr;
    auto* ts = new (std::nothrow) ThreadState();
    if (ts == nullptr) return nullptr;
    tls_exit_hook.armed = true;  // first use constructs it and registers its destructor
    try {
        std::lock_guard<std::mutex> lock(r->mutex);
        ts->next = r->threads;
        if (r->threads != nullptr) r->threads->prev = ts;
        r->threads = ts;
    } catch (...) {
        delete ts;
        return nullptr;
    }
    tls_state = ts;
    return ts;
}

// Zeroes cells of a generation older than `state`'s, then publishes the new
// generations. Collectors skip this thread's cells until the publication.
void catch_up(ThreadState& ts, std::uint64_t state) noexcept {
    const std::uint64_t published = ts.published.load(relaxed);
    if ((published & counter_generation_mask) != (state & counter_generation_mask)) {
        for (auto& slot : ts.counters)
            if (CounterPage* page = slot.load(relaxed))
                for (CounterCell& c : page->cells) {
                    c.value.store(0, relaxed);
                    c.touched.store(0, relaxed);
                }
    }
    if ((published & other_generation_mask) != (state & other_generation_mask)) {
        for (auto& slot : ts.gauges)
            if (GaugePage* page = slot.load(relaxed))
                for (GaugeCell& c : page->cells) c.count.store(0, relaxed);
        for (auto& slot : ts.timings) {
            TimingPage* page = slot.load(relaxed);
            if (page == nullptr) continue;
            for (auto& cell_slot : page->cells) {
                TimingCell* c = cell_slot.load(relaxed);
                if (c == nullptr) continue;
                c->count.store(0, relaxed);
                c->zeros.store(0, relaxed);
                c->sum.store(0, relaxed);
                for (auto& octave : c->octaves)
                    if (OctaveCounts* counts = octave.load(relaxed))
                        for (auto& n : counts->n) n.store(0, relaxed);
            }
        }
    }
    ts.published.store(state & ~enabled_bit, release);
    ts.seen = state;
}

[[gnu::noinline]] ThreadState* thread_state_slow(std::uint64_t state) noexcept {
    ThreadState* ts = tls_state;
    if (ts == nullptr) {
        if (tls_exited) return nullptr;
        ts = create_thread_state();
        if (ts == nullptr) return nullptr;
    }
    catch_up(*ts, state);
    return ts;
}

inline ThreadState* thread_state(std::uint64_t state) noexcept {
    ThreadState* ts = tls_state;
    if (PSS_METRICS_UNLIKELY(ts == nullptr || ts->seen != state)) return thread_state_slow(state);
    return ts;
}

template <class Page>
[[gnu::noinline]] Page* new_page(std::atomic<Page*>& slot) noexcept {
    Page* page = new (std::nothrow) Page();
    if (page != nullptr) slot.store(page, release);  // collectors see initialised cells
    return page;
}

[[gnu::noinline]] TimingCell* new_timing_cell(std::atomic<TimingCell*>& slot) noexcept {
    auto* cell = new (std::nothrow) TimingCell();
    if (cell != nullptr) slot.store(cell, release);
    return cell;
}

[[gnu::noinline]] OctaveCounts* new_octave(std::atomic<OctaveCounts*>& slot) noexcept {
    auto* counts = new (std::nothrow) OctaveCounts();
    if (counts != nullptr) slot.store(counts, release);
    return counts;
}

// Records during or after this thread's exit hook: straight into the
// retired totals, under the lock. Rare, so simple.
template <class Fn>
[[gnu::noinline]] void record_retired(Fn fn) noexcept {
    Registry* r = registry();
    if (r == nullptr) return;
    try {
        std::lock_guard<std::mutex> lock(r->mutex);
        fn(r->retired);
    } catch (...) {
    }
}

// The recorders take the caller's thread state (null: record into the
// retired totals) and a series (null: nothing to record).

void add_counter(ThreadState* ts, Series* series, std::uint64_t amount) noexcept {
    if (series == nullptr) return;
    const std::uint32_t id = series->id;
    if (PSS_METRICS_UNLIKELY(ts == nullptr)) {
        record_retired([&](Totals& t) {
            if (t.counters.size() <= id) t.counters.resize(id + 1);
            t.counters[id].value += amount;
            t.counters[id].touched = true;
        });
        return;
    }
    auto& slot = ts->counters[id / page_size];
    CounterPage* page = slot.load(relaxed);
    if (PSS_METRICS_UNLIKELY(page == nullptr) && (page = new_page(slot)) == nullptr) return;
    CounterCell& cell = page->cells[id % page_size];
    cell.value.store(cell.value.load(relaxed) + amount, relaxed);
    if (PSS_METRICS_UNLIKELY(!cell.touched.load(relaxed))) cell.touched.store(1, relaxed);
}

void set_gauge(ThreadState* ts, Series* series, double value) noexcept {
    if (series == nullptr || !std::isfinite(value)) return;
    const std::uint32_t id = series->id;
    if (PSS_METRICS_UNLIKELY(ts == nullptr)) {
        record_retired([&](Totals& t) {
            if (t.gauges.size() <= id) t.gauges.resize(id + 1);
            t.gauges[id].add(1, value, value, value);
        });
    } else {
        auto& slot = ts->gauges[id / page_size];
        GaugePage* page = slot.load(relaxed);
        if (PSS_METRICS_UNLIKELY(page == nullptr) && (page = new_page(slot)) == nullptr) return;
        GaugeCell& cell = page->cells[id % page_size];
        const std::uint64_t n = cell.count.load(relaxed);
        if (n == 0 || value < cell.min.load(relaxed)) cell.min.store(value, relaxed);
        if (n == 0 || value > cell.max.load(relaxed)) cell.max.store(value, relaxed);
        cell.sum.store(n == 0 ? value : cell.sum.load(relaxed) + value, relaxed);
        cell.count.store(n + 1, release);
    }
    // The one shared write of a recording call: the current value is the
    // last set by any thread.
    series->current.store(value, relaxed);
}

void record_timing(ThreadState* ts, Series* series, double value) noexcept {
    if (series == nullptr || !std::isfinite(value)) return;
    const std::uint32_t id = series->id;
    if (PSS_METRICS_UNLIKELY(ts == nullptr)) {
        record_retired([&](Totals& t) { t.timing(id).add_value(value); });
        return;
    }
    auto& slot = ts->timings[id / page_size];
    TimingPage* page = slot.load(relaxed);
    if (PSS_METRICS_UNLIKELY(page == nullptr) && (page = new_page(slot)) == nullptr) return;
    auto& cell_slot = page->cells[id % page_size];
    TimingCell* cell = cell_slot.load(relaxed);
    if (PSS_METRICS_UNLIKELY(cell == nullptr) && (cell = new_timing_cell(cell_slot)) == nullptr) return;

    if (value > 0) {
        const std::uint32_t bucket = bucket_of(value);
        auto& octave = cell->octaves[bucket >> sub_bucket_bits];
        OctaveCounts* counts = octave.load(relaxed);
        if (PSS_METRICS_UNLIKELY(counts == nullptr) && (counts = new_octave(octave)) == nullptr) return;
        auto& n = counts->n[bucket & (sub_buckets - 1)];
        n.store(n.load(relaxed) + 1, relaxed);
    } else {
        cell->zeros.store(cell->zeros.load(relaxed) + 1, relaxed);
    }
    const std::uint64_t n = cell->count.load(relaxed);
    if (n == 0 || value < cell->min.load(relaxed)) cell->min.store(value, relaxed);
    if (n == 0 || value > cell->max.load(relaxed)) cell->max.store(value, relaxed);
    cell->sum.store(cell->sum.load(relaxed) + value, relaxed);
    cell->count.store(n + 1, release);  // collectors that see it see the rest
}

// The series for a string-keyed call: the thread's cache, else the registry.
Series* lookup(ThreadState* ts, Kind kind, std::string_view name, Tags tags) noexcept {
    const std::uint64_t hash = series_hash(kind, name, tags);
    if (ts != nullptr)
        if (Series* s = ts->cache.find(hash, kind, name, tags)) return s;
    Series* s = register_series(kind, name, tags);
    if (ts != nullptr && s != nullptr) ts->cache.insert(hash, s);
    return s;
}

// Runs `record(thread state, ...)` when metrics are enabled: the one check
// every recording call starts with.
template <class Record>
inline void if_enabled(Record record) noexcept {
    const std::uint64_t state = g_state.load(relaxed);
    if (state & enabled_bit) record(thread_state(state));
}

}  // namespace

}  // namespace pss::metrics::detail

namespace pss::metrics {

using detail::Kind;

void increment(std::string_view name, std::int64_t amount, Tags tags) noexcept {
    detail::if_enabled([&](detail::ThreadState* ts) {
        detail::add_counter(ts, detail::lookup(ts, Kind::counter, name, tags), static_cast<std::uint64_t>(amount));
    });
}
void increment(std::string_view name, Tags tags) noexcept { increment(name, 1, tags); }
void decrement(std::string_view name, std::int64_t amount, Tags tags) noexcept {
    detail::if_enabled([&](detail::ThreadState* ts) {
        detail::add_counter(ts, detail::lookup(ts, Kind::counter, name, tags), 0 - static_cast<std::uint64_t>(amount));
    });
}
void decrement(std::string_view name, Tags tags) noexcept { decrement(name, 1, tags); }

void gauge(std::string_view name, double value, Tags tags) noexcept {
    detail::if_enabled([&](detail::ThreadState* ts) {
        detail::set_gauge(ts, detail::lookup(ts, Kind::gauge, name, tags), value);
    });
}

void timing(std::string_view name, double seconds, Tags tags) noexcept {
    detail::if_enabled([&](detail::ThreadState* ts) {
        detail::record_timing(ts, detail::lookup(ts, Kind::timing, name, tags), seconds);
    });
}

Counter::Counter(std::string_view name, Tags tags) noexcept
    : series_(detail::register_series(Kind::counter, name, tags)) {}
void Counter::increment(std::int64_t amount) const noexcept {
    detail::if_enabled([&](detail::ThreadState* ts) { detail::add_counter(ts, series_, static_cast<std::uint64_t>(amount)); });
}
void Counter::decrement(std::int64_t amount) const noexcept {
    detail::if_enabled(
        [&](detail::ThreadState* ts) { detail::add_counter(ts, series_, 0 - static_cast<std::uint64_t>(amount)); });
}

Gauge::Gauge(std::string_view name, Tags tags) noexcept : series_(detail::register_series(Kind::gauge, name, tags)) {}
void Gauge::set(double value) const noexcept {
    detail::if_enabled([&](detail::ThreadState* ts) { detail::set_gauge(ts, series_, value); });
}

Timing::Timing(std::string_view name, Tags tags) noexcept
    : series_(detail::register_series(Kind::timing, name, tags)) {}
void Timing::record(double seconds) const noexcept {
    detail::if_enabled([&](detail::ThreadState* ts) { detail::record_timing(ts, series_, seconds); });
}

Timer::Timer(std::string_view name, Tags tags) noexcept {
    detail::if_enabled([&](detail::ThreadState* ts) { series_ = detail::lookup(ts, Kind::timing, name, tags); });
    if (series_ != nullptr) start_ = std::chrono::steady_clock::now();
}

Timer::Timer(const Timing& series) noexcept : series_(enabled() ? series.series_ : nullptr) {
    if (series_ != nullptr) start_ = std::chrono::steady_clock::now();
}

double Timer::elapsed() const noexcept {
    if (series_ == nullptr) return 0;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

double Timer::stop() noexcept {
    if (series_ == nullptr) return 0;
    const double seconds = elapsed();
    detail::if_enabled([&](detail::ThreadState* ts) { detail::record_timing(ts, series_, seconds); });
    series_ = nullptr;
    return seconds;
}

}  // namespace pss::metrics
