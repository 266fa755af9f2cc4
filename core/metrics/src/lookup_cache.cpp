#include "lookup_cache.hpp"

#include <new>

#include "series.hpp"

namespace pss::metrics::detail {

namespace {
// Beyond this many entries the cache starts over rather than grow: entries
// are bounded by the series count unless a caller keeps repeating a tag key
// in ever new ways (such calls never hit, see same_series).
constexpr std::size_t max_entries = 4 * max_series;
}  // namespace

void LookupCache::insert(std::uint64_t hash, Series* series) noexcept {
    if ((size_ + 1) * 2 > mask_ + 1 && !grow()) return;  // load factor at most 1/2
    std::size_t i = hash & mask_;
    while (entries_[i].series != nullptr) {
        if (entries_[i].hash == hash && entries_[i].series == series) return;
        i = (i + 1) & mask_;
    }
    entries_[i] = Entry{hash, series};
    ++size_;
}

bool LookupCache::grow() noexcept {
    const std::size_t old_capacity = mask_ == 0 ? 0 : mask_ + 1;
    if (old_capacity >= 2 * max_entries) {  // start over
        for (std::size_t i = 0; i < old_capacity; ++i) entries_[i] = Entry{};
        size_ = 0;
        return true;
    }
    const std::size_t capacity = old_capacity == 0 ? 32 : 2 * old_capacity;
    std::unique_ptr<Entry[]> fresh(new (std::nothrow) Entry[capacity]);
    if (!fresh) return false;
    const std::size_t mask = capacity - 1;
    for (std::size_t j = 0; j < old_capacity; ++j) {
        const Entry& e = entries_[j];
        if (e.series == nullptr) continue;
        std::size_t i = e.hash & mask;
        while (fresh[i].series != nullptr) i = (i + 1) & mask;
        fresh[i] = e;
    }
    entries_ = std::move(fresh);
    mask_ = mask;
    return true;
}

}  // namespace pss::metrics::detail
