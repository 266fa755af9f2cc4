// Reading back: merging the live threads' cells with the retired totals,
// snapshots, reset and the enabled switch.
#include <algorithm>
#include <tuple>

#include "cells.hpp"
#include "pss/metrics.hpp"
#include "registry.hpp"
#include "state.hpp"

namespace pss::metrics {

namespace {

using detail::Kind;
using detail::Registry;
using detail::Selection;
using detail::Totals;

// Merges retired and live values of the selected series. Takes the registry
// lock: threads cannot exit (and free their cells) meanwhile.
void gather(Registry& r, const Selection& which, Totals& out) {
    std::lock_guard<std::mutex> lock(r.mutex);
    const std::uint64_t state = detail::g_state.load(std::memory_order_relaxed);
    out.merge(r.retired, which);
    for (const detail::ThreadState* t = r.threads; t != nullptr; t = t->next) out.add_thread(*t, state, which);
}

GaugeStats gauge_stats(const detail::GaugeTotal& g, const detail::Series& s) {
    GaugeStats stats;
    stats.current = s.current.load(std::memory_order_relaxed);
    stats.min = g.min;
    stats.max = g.max;
    stats.count = g.count;
    stats.mean = g.sum / static_cast<double>(g.count);
    return stats;
}

TimingStats timing_stats(const detail::TimingTotal& t) {
    TimingStats stats;
    stats.count = t.count;
    stats.sum = t.sum;
    stats.min = t.min;
    stats.max = t.max;
    stats.mean = t.sum / static_cast<double>(t.count);
    stats.p50 = t.quantile(0.50);
    stats.p95 = t.quantile(0.95);
    stats.p99 = t.quantile(0.99);
    return stats;
}

// The series (null if unknown) after merging its values into `totals`.
detail::Series* find_one(Kind kind, std::string_view name, Tags tags, Totals& totals) {
    detail::Series* s = detail::find_series(kind, name, tags, false);
    if (s == nullptr) return nullptr;
    gather(*detail::registry(), Selection::one(kind, s->id), totals);
    return s;
}

template <class T>
bool by_name_and_tags(const T& a, const T& b) {
    return std::tie(a.name, a.tags) < std::tie(b.name, b.tags);
}

}  // namespace

std::optional<std::int64_t> get_counter(std::string_view name, Tags tags) noexcept {
    try {
        Totals totals;
        const detail::Series* s = find_one(Kind::counter, name, tags, totals);
        if (s == nullptr || totals.counters.size() <= s->id || !totals.counters[s->id].touched) return std::nullopt;
        return static_cast<std::int64_t>(totals.counters[s->id].value);
    } catch (...) {
        return std::nullopt;
    }
}

std::optional<GaugeStats> get_gauge(std::string_view name, Tags tags) noexcept {
    try {
        Totals totals;
        const detail::Series* s = find_one(Kind::gauge, name, tags, totals);
        if (s == nullptr || totals.gauges.size() <= s->id || totals.gauges[s->id].count == 0) return std::nullopt;
        return gauge_stats(totals.gauges[s->id], *s);
    } catch (...) {
        return std::nullopt;
    }
}

std::optional<TimingStats> get_timing(std::string_view name, Tags tags) noexcept {
    try {
        Totals totals;
        const detail::Series* s = find_one(Kind::timing, name, tags, totals);
        if (s == nullptr || totals.timings.size() <= s->id || !totals.timings[s->id]) return std::nullopt;
        return timing_stats(*totals.timings[s->id]);
    } catch (...) {
        return std::nullopt;
    }
}

Snapshot all() noexcept {
    Snapshot snapshot;
    Registry* r = detail::registry();
    if (r == nullptr) return snapshot;
    try {
        Totals totals;
        gather(*r, Selection{}, totals);
        // Series are never removed and their names never change, so reading
        // them without the lock is safe; the vectors themselves may grow, so
        // copy the pointers under it.
        std::vector<detail::Series*> series[detail::kind_count];
        {
            std::lock_guard<std::mutex> lock(r->mutex);
            for (int k = 0; k < detail::kind_count; ++k) series[k] = r->series[k];
        }
        for (std::size_t id = 0; id < totals.counters.size(); ++id)
            if (totals.counters[id].touched) {
                const detail::Series& s = *series[static_cast<int>(Kind::counter)][id];
                snapshot.counters.push_back({s.name, s.tags, static_cast<std::int64_t>(totals.counters[id].value)});
            }
        for (std::size_t id = 0; id < totals.gauges.size(); ++id)
            if (totals.gauges[id].count != 0) {
                const detail::Series& s = *series[static_cast<int>(Kind::gauge)][id];
                snapshot.gauges.push_back({s.name, s.tags, gauge_stats(totals.gauges[id], s)});
            }
        for (std::size_t id = 0; id < totals.timings.size(); ++id)
            if (totals.timings[id]) {
                const detail::Series& s = *series[static_cast<int>(Kind::timing)][id];
                snapshot.timings.push_back({s.name, s.tags, timing_stats(*totals.timings[id])});
            }
        std::sort(snapshot.counters.begin(), snapshot.counters.end(), by_name_and_tags<CounterSeries>);
        std::sort(snapshot.gauges.begin(), snapshot.gauges.end(), by_name_and_tags<GaugeSeries>);
        std::sort(snapshot.timings.begin(), snapshot.timings.end(), by_name_and_tags<TimingSeries>);
    } catch (...) {
        return Snapshot{};
    }
    return snapshot;
}

std::string to_json() noexcept { return to_json(all()); }
std::string to_prometheus() noexcept { return to_prometheus(all()); }
std::string summary() noexcept { return summary(all()); }

namespace {

void reset_kinds(bool counters, bool others) noexcept {
    Registry* r = detail::registry();
    if (r == nullptr) return;
    try {
        // Under the lock, so that no exiting thread merges cells of the old
        // generation into the retired totals after they are cleared.
        std::lock_guard<std::mutex> lock(r->mutex);
        detail::advance_generations(counters, others);
        if (counters) r->retired.clear_counters();
        if (others) r->retired.clear_others();
    } catch (...) {
    }
}

}  // namespace

void reset() noexcept { reset_kinds(true, true); }
void reset_counters() noexcept { reset_kinds(true, false); }

void set_enabled(bool on) noexcept {
    if (on) detail::g_state.fetch_or(detail::enabled_bit, std::memory_order_relaxed);
    else detail::g_state.fetch_and(~detail::enabled_bit, std::memory_order_relaxed);
}

bool enabled() noexcept { return (detail::g_state.load(std::memory_order_relaxed) & detail::enabled_bit) != 0; }

}  // namespace pss::metrics
