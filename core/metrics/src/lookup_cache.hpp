// A thread's map from (kind, name, tags) to series, so that string-keyed
// calls take the registry lock only the first time a thread uses a series.
// Open addressing on the order-independent series hash; a hit is verified
// against the series' own name and tags, so a hash collision costs time,
// never a wrong series.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "pss/metrics/tags.hpp"
#include "series.hpp"

namespace pss::metrics::detail {

class LookupCache {
public:
    Series* find(std::uint64_t hash, Kind kind, std::string_view name, Tags tags) const noexcept {
        if (mask_ == 0) return nullptr;
        for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
            const Entry& e = entries_[i];
            if (e.series == nullptr) return nullptr;
            if (e.hash == hash && e.series->kind == kind && same_series(*e.series, name, tags)) return e.series;
        }
    }
    // Remembers `series` under `hash`; silently does nothing without memory.
    void insert(std::uint64_t hash, Series* series) noexcept;

private:
    struct Entry {
        std::uint64_t hash = 0;
        Series* series = nullptr;
    };
    bool grow() noexcept;

    std::unique_ptr<Entry[]> entries_;
    std::size_t mask_ = 0;  // capacity - 1 (a power of two), 0 before the first insert
    std::size_t size_ = 0;
};

}  // namespace pss::metrics::detail
