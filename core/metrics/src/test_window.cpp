// Per-test windows over the metrics (pss/metrics/test_window.hpp).
#include "pss/metrics/test_window.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <tuple>

#include "pss/metrics.hpp"
#include "registry.hpp"

namespace pss::metrics {

namespace {

// One window at a time: tests run one after another on the listener's thread.
struct Window {
    std::mutex mutex;
    bool open = false;
    Snapshot start;
    // Opened while no metric existed (the common case): no lock, no copy.
    std::atomic<bool> open_before_any{false};
};

Window& window() {
    static Window* const w = new Window();  // never destroyed: tests may end during static destruction
    return *w;
}

bool any_series() noexcept {
    detail::Registry* r = detail::registry();
    if (r == nullptr) return false;
    std::lock_guard<std::mutex> lock(r->mutex);
    for (const auto& kind : r->series)
        if (!kind.empty()) return true;
    return false;
}

template <class Series>
const Series* find(const std::vector<Series>& sorted, const Series& s) {
    const auto it = std::lower_bound(sorted.begin(), sorted.end(), s, [](const Series& a, const Series& b) {
        return std::tie(a.name, a.tags) < std::tie(b.name, b.tags);
    });
    return it != sorted.end() && it->name == s.name && it->tags == s.tags ? &*it : nullptr;
}

}  // namespace

std::string series_key(std::string_view name, const TagSet& tags) {
    std::string key(name);
    if (tags.empty()) return key;
    key += '{';
    for (std::size_t i = 0; i < tags.size(); ++i) {
        if (i > 0) key += ',';
        key += tags[i].first;
        key += '=';
        key += tags[i].second;
    }
    key += '}';
    return key;
}

bool series_exist() noexcept { return detail::g_any_series.load(std::memory_order_acquire); }

void test_window_open() noexcept {
    Window& w = window();
    if (!detail::g_any_series.load(std::memory_order_acquire)) {
        w.open_before_any.store(true, std::memory_order_relaxed);
        return;
    }
    w.open_before_any.store(false, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(w.mutex);
    w.open = true;
    w.start = any_series() ? all() : Snapshot{};
}

std::vector<std::pair<std::string, double>> test_window_close(std::size_t limit) noexcept {
    Window& w = window();
    std::vector<std::pair<std::string, double>> out;
    // The common case, a program without metrics: nothing to snapshot.
    if (w.open_before_any.load(std::memory_order_relaxed) && !detail::g_any_series.load(std::memory_order_acquire)) {
        w.open_before_any.store(false, std::memory_order_relaxed);
        return out;
    }
    Snapshot start;  // empty when the window opened before any metric existed
    if (w.open_before_any.exchange(false, std::memory_order_relaxed)) {
        if (!detail::g_any_series.load(std::memory_order_acquire)) return out;
    } else {
        std::lock_guard<std::mutex> lock(w.mutex);
        if (!w.open) return out;
        w.open = false;
        start = std::move(w.start);
        w.start = Snapshot{};
    }
    try {
        if (!any_series()) return out;
        const Snapshot end = all();
        for (const CounterSeries& c : end.counters) {
            const CounterSeries* before = find(start.counters, c);
            const std::int64_t from = before != nullptr ? before->value : 0;
            if (before == nullptr || c.value != from)
                out.emplace_back(series_key(c.name, c.tags), static_cast<double>(c.value - from));
        }
        for (const GaugeSeries& g : end.gauges) {
            const GaugeSeries* before = find(start.gauges, g);
            const std::uint64_t from = before != nullptr && before->stats.count <= g.stats.count ? before->stats.count : 0;
            if (g.stats.count > from) out.emplace_back(series_key(g.name, g.tags), g.stats.current);
        }
        for (const TimingSeries& t : end.timings) {
            const TimingSeries* before = find(start.timings, t);
            const bool continued = before != nullptr && before->stats.count <= t.stats.count;
            const std::uint64_t count = t.stats.count - (continued ? before->stats.count : 0);
            const double sum = t.stats.sum - (continued ? before->stats.sum : 0.0);
            if (count > 0) out.emplace_back(series_key(t.name, t.tags), sum / static_cast<double>(count));
        }
        std::sort(out.begin(), out.end());
        if (out.size() > limit) out.resize(limit);
    } catch (...) {
        out.clear();
    }
    return out;
}

}  // namespace pss::metrics
