// Series registration: canonical tags, the canonical key, the global state
// word.
#include "registry.hpp"

#include <algorithm>
#include <new>

#include "cells.hpp"
#include "state.hpp"

namespace pss::metrics::detail {

// Constant-initialised: no code runs before main, and recording works from
// static constructors of other translation units.
std::atomic<std::uint64_t> g_state{enabled_bit};
std::atomic<bool> g_any_series{false};

void advance_generations(bool counters, bool others) noexcept {
    std::uint64_t s = g_state.load(std::memory_order_relaxed);
    std::uint64_t next;
    do {
        next = s;
        if (counters)
            next = (next & ~counter_generation_mask) |
                   ((next + counter_generation_unit) & counter_generation_mask);
        if (others) next += other_generation_unit;  // the top field: wraps on its own
    } while (!g_state.compare_exchange_weak(s, next, std::memory_order_relaxed));
}

Registry* registry() noexcept {
    static Registry* const instance = new (std::nothrow) Registry();
    return instance;
}

ThreadState::~ThreadState() {
    for (std::uint32_t p = 0; p < max_pages; ++p) {
        delete counters[p].load(std::memory_order_relaxed);
        delete gauges[p].load(std::memory_order_relaxed);
        delete timings[p].load(std::memory_order_relaxed);
    }
}

bool same_tags_any_order(const Series& series, Tags tags) noexcept {
    const std::size_t n = tags.size();
    if (series.tags.size() != n || n > 64) return false;
    // Each given tag must be one of the series' tags, and no two the same one:
    // then the two sets are equal.
    std::uint64_t used = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const Tag t = tags[i];
        const auto it = std::lower_bound(series.tags.begin(), series.tags.end(), t.key,
                                         [](const auto& pair, std::string_view key) { return pair.first < key; });
        if (it == series.tags.end() || it->first != t.key || it->second != t.value) return false;
        const std::uint64_t bit = std::uint64_t{1} << (it - series.tags.begin());
        if (used & bit) return false;
        used |= bit;
    }
    return true;
}

std::vector<Tag> canonical_tags(Tags tags) {
    std::vector<Tag> sorted;
    sorted.reserve(tags.size());
    for (std::size_t i = 0; i < tags.size(); ++i) sorted.push_back(tags[i]);
    // Stable: among equal keys the given order survives, and the last wins.
    std::stable_sort(sorted.begin(), sorted.end(), [](const Tag& a, const Tag& b) { return a.key < b.key; });
    std::vector<Tag> unique;
    unique.reserve(sorted.size());
    for (std::size_t i = 0; i < sorted.size(); ++i)
        if (i + 1 == sorted.size() || sorted[i + 1].key != sorted[i].key) unique.push_back(sorted[i]);
    return unique;
}

namespace {

// Length-prefixed, so that no two different series share a key whatever
// bytes their names and tags hold.
void append_field(std::string& key, std::string_view field) {
    const std::uint64_t n = field.size();
    key.append(reinterpret_cast<const char*>(&n), sizeof n);
    key.append(field);
}

std::string canonical_key(Kind kind, std::string_view name, const std::vector<Tag>& tags) {
    std::string key;
    key.push_back(static_cast<char>(kind));
    append_field(key, name);
    for (const Tag& t : tags) {
        append_field(key, t.key);
        append_field(key, t.value);
    }
    return key;
}

}  // namespace

Series* find_series(Kind kind, std::string_view name, Tags tags, bool create) {
    Registry* r = registry();
    if (r == nullptr) return nullptr;
    const std::vector<Tag> canonical = canonical_tags(tags);
    std::string key = canonical_key(kind, name, canonical);
    std::lock_guard<std::mutex> lock(r->mutex);
    const auto it = r->by_key.find(key);
    if (it != r->by_key.end()) return it->second.get();
    auto& ids = r->series[static_cast<int>(kind)];
    if (!create || ids.size() >= max_series) return nullptr;

    auto series = std::make_unique<Series>();
    series->kind = kind;
    series->id = static_cast<std::uint32_t>(ids.size());
    series->name.assign(name);
    series->tags.reserve(canonical.size());
    for (const Tag& t : canonical) series->tags.emplace_back(std::string(t.key), std::string(t.value));
    series->hash = series_hash(kind, name, Tags(canonical.data(), canonical.size()));
    // Room first, so that push_back below cannot throw after the insert.
    if (ids.size() == ids.capacity()) ids.reserve(std::max<std::size_t>(16, 2 * ids.capacity()));
    Series* raw = series.get();
    r->by_key.emplace(std::move(key), std::move(series));
    ids.push_back(raw);
    g_any_series.store(true, std::memory_order_release);
    return raw;
}

Series* register_series(Kind kind, std::string_view name, Tags tags) noexcept {
    try {
        return find_series(kind, name, tags, true);
    } catch (...) {
        return nullptr;  // out of memory: this series is not recorded
    }
}

}  // namespace pss::metrics::detail
