// A series: one kind, one name, one canonical tag set. Series are created
// once under the registry lock and never freed nor changed afterwards (but
// for a gauge's current value), so handles and per-thread caches may keep
// pointers to them without locking.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "pss/metrics/tags.hpp"

namespace pss::metrics::detail {

enum class Kind : std::uint8_t { counter = 0, gauge = 1, timing = 2 };
constexpr int kind_count = 3;

// Series ids are dense per kind; each thread keeps its cells in pages of
// page_size, found through a fixed directory of max_pages.
constexpr std::uint32_t page_size = 256;
constexpr std::uint32_t max_pages = 64;
constexpr std::uint32_t max_series = page_size * max_pages;

struct Series {
    Kind kind = Kind::counter;
    std::uint32_t id = 0;
    std::uint64_t hash = 0;  // series_hash of name and tags
    std::string name;
    TagSet tags;  // sorted by key, keys unique
    std::atomic<double> current{0.0};  // gauges: the value set last, by any thread
};

inline std::uint64_t rotl(std::uint64_t x, int r) noexcept { return (x << r) | (x >> (64 - r)); }

// MurmurHash3's finaliser: every input bit affects every output bit.
inline std::uint64_t mix64(std::uint64_t x) noexcept {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

// Eight bytes per step: names and tags are short, and this runs on every
// string-keyed call, so a byte-at-a-time hash would dominate its cost.
inline std::uint64_t hash_bytes(std::string_view s, std::uint64_t seed) noexcept {
    const char* p = s.data();
    std::size_t n = s.size();
    std::uint64_t h = seed ^ (static_cast<std::uint64_t>(n) * 0x9e3779b97f4a7c15ULL);
    while (n >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        h = rotl(h ^ (w * 0xbf58476d1ce4e5b9ULL), 29) * 0x94d049bb133111ebULL;
        p += 8;
        n -= 8;
    }
    if (n > 0) {
        std::uint64_t w = 0;
        std::memcpy(&w, p, n);
        h = rotl(h ^ (w * 0xbf58476d1ce4e5b9ULL), 29) * 0x94d049bb133111ebULL;
    }
    return mix64(h);
}

// Tags are summed, so the hash does not depend on their order.
inline std::uint64_t series_hash(Kind kind, std::string_view name, Tags tags) noexcept {
    std::uint64_t h = hash_bytes(name, 0x5bd1e995u + static_cast<std::uint64_t>(kind));
    for (std::size_t i = 0; i < tags.size(); ++i) {
        const Tag t = tags[i];
        h += mix64(hash_bytes(t.key, 0x2545f491u) ^ rotl(hash_bytes(t.value, 0x4f1bbcdcu), 23));
    }
    return h;
}

// True when `name` and `tags` (in any order) are exactly the series' own.
// Written for the lookup cache's hit path: no allocation. Tags with a key
// given twice never match here (the caller then takes the registry path,
// which applies the last-value-wins rule).
bool same_series(const Series& series, std::string_view name, Tags tags) noexcept;

// The canonical form of `tags`: sorted by key, a repeated key keeping its
// last value. Views into the caller's strings.
std::vector<Tag> canonical_tags(Tags tags);

}  // namespace pss::metrics::detail
