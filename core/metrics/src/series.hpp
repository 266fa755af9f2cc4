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

inline std::uint64_t load64(const char* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
}

inline std::uint64_t load32(const char* p) noexcept {
    std::uint32_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
}

// One multiply per word keeps the dependency chain short; series_hash's
// final mix64 spreads the bits.
inline std::uint64_t hash_step(std::uint64_t h, std::uint64_t w) noexcept {
    return rotl((h ^ w) * 0x94d049bb133111ebULL, 29);
}

// Eight bytes per step: names and tags are short, and this runs on every
// string-keyed call. The tail is read with overlapping loads (as wyhash
// does), never copied byte by byte into a word: that costs a
// store-forwarding stall per string. Not mixed: series_hash mixes once.
inline std::uint64_t hash_chain(std::string_view s, std::uint64_t seed) noexcept {
    const char* p = s.data();
    std::size_t n = s.size();
    std::uint64_t h = seed ^ (static_cast<std::uint64_t>(n) * 0x9e3779b97f4a7c15ULL);
    if (n >= 8) {
        for (; n > 8; p += 8, n -= 8) h = hash_step(h, load64(p));
        h = hash_step(h, load64(p + n - 8));  // the last 8 bytes
    } else if (n >= 4) {
        h = hash_step(h, (load32(p) << 32) | load32(p + n - 4));
    } else if (n > 0) {
        const auto byte = [&](std::size_t i) { return static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])); };
        h = hash_step(h, (byte(0) << 16) | (byte(n >> 1) << 8) | byte(n - 1));
    }
    return h;
}

// Tags are summed, so the hash does not depend on their order; each is
// mixed first so that the sum stays well spread.
inline std::uint64_t series_hash(Kind kind, std::string_view name, Tags tags) noexcept {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < tags.size(); ++i) {
        sum += mix64(hash_chain(tags.key(i), 0x2545f491u) + rotl(hash_chain(tags.value(i), 0x4f1bbcdcu), 23));
    }
    return mix64(hash_chain(name, 0x5bd1e995u + static_cast<std::uint64_t>(kind)) ^ sum);
}

// Byte equality for the short strings of names and tags, inline: a call to
// memcmp costs more than the comparison.
inline bool same_bytes(std::string_view a, std::string_view b) noexcept {
    std::size_t n = a.size();
    if (n != b.size()) return false;
    const char* p = a.data();
    const char* q = b.data();
    if (n > 64) return std::memcmp(p, q, n) == 0;
    if (n >= 8) {
        for (; n > 8; p += 8, q += 8, n -= 8)
            if (load64(p) != load64(q)) return false;
        return load64(p + n - 8) == load64(q + n - 8);
    }
    if (n >= 4) return load32(p) == load32(q) && load32(p + n - 4) == load32(q + n - 4);
    for (std::size_t i = 0; i < n; ++i)
        if (p[i] != q[i]) return false;
    return true;
}

bool same_tags_any_order(const Series& series, Tags tags) noexcept;

// True when `name` and `tags` (in any order) are exactly the series' own.
// For the lookup cache's hit path: no allocation. Tags with a key given
// twice never match here (the caller then takes the registry path, which
// applies the last-value-wins rule).
inline bool same_series(const Series& series, std::string_view name, Tags tags) noexcept {
    const std::size_t n = tags.size();
    if (series.tags.size() != n || !same_bytes(series.name, name)) return false;
    // Usually the tags come in the series' (sorted) order: then equal sizes
    // and pairwise equality mean equal sets.
    std::size_t i = 0;
    for (; i < n; ++i) {
        if (!same_bytes(series.tags[i].first, tags.key(i)) || !same_bytes(series.tags[i].second, tags.value(i))) break;
    }
    return i == n || same_tags_any_order(series, tags);
}

// The canonical form of `tags`: sorted by key, a repeated key keeping its
// last value. Views into the caller's strings.
std::vector<Tag> canonical_tags(Tags tags);

}  // namespace pss::metrics::detail
