// The process-wide registry: every series, every live thread's cells, and
// the merged cells of threads that have exited. Its lock is taken to create
// a series or a thread's state, when a thread exits, and to read; never to
// record into an existing series.
#pragma once

#include <atomic>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "series.hpp"
#include "totals.hpp"

namespace pss::metrics::detail {

struct ThreadState;

struct Registry {
    std::mutex mutex;
    std::unordered_map<std::string, std::unique_ptr<Series>> by_key;  // canonical key -> series
    std::vector<Series*> series[kind_count];  // by id
    ThreadState* threads = nullptr;  // live threads with cells
    Totals retired;  // cells of exited threads (and values recorded during thread exit)
};

// The registry, created on first use and never destroyed (threads may record
// during static destruction). Null only if it could not be allocated.
Registry* registry() noexcept;
// Whether any series was ever registered: one load, for the per-test window
// of a program that has no metric (most).
extern std::atomic<bool> g_any_series;

// The series for (kind, name, tags); created if `create` (nullptr when there
// are max_series of that kind already). Takes the lock. May throw bad_alloc.
Series* find_series(Kind kind, std::string_view name, Tags tags, bool create);

// find_series(create = true) that returns nullptr instead of throwing.
Series* register_series(Kind kind, std::string_view name, Tags tags) noexcept;

}  // namespace pss::metrics::detail
