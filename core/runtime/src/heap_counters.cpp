// The registry of per-thread heap counters and the test windows over them.
#include "pss/runtime/heap.hpp"

#include <mutex>

#include "heap_counters.hpp"
#include "spin_lock.hpp"

extern "C" __attribute__((weak)) void pss_heap_rebase_this_thread(std::uint64_t epoch) noexcept;

namespace pss::heap {

namespace detail {

SharedState g_shared;

namespace {

std::atomic<bool> g_operators_linked{false};

// Guards the thread list and the retired totals. Taken once per thread
// (attach, detach) and twice per test (a window opened and closed), never
// per allocation, for a few dozen instructions each time.
pss::detail::SpinLock g_registry_lock;
ThreadCounters* g_threads = nullptr;
std::atomic<std::int64_t> g_retired_net{0};  // net of exited threads
std::int64_t g_retired_growth = 0;                      // their peak growth in g_retired_epoch
std::int64_t g_retired_allocated = 0;                   // their bytes allocated in g_retired_epoch
std::uint64_t g_retired_epoch = 0;
std::uint64_t g_last_epoch = 0;                         // epochs handed out so far

}  // namespace

void attach(ThreadCounters& t) noexcept {
    std::lock_guard lock(g_registry_lock);
    t.state = ThreadState::attached;
    t.prev = nullptr;
    t.next = g_threads;
    if (g_threads != nullptr) g_threads->prev = &t;
    g_threads = &t;
}

void detach(ThreadCounters& t) noexcept {
    std::lock_guard lock(g_registry_lock);
    if (t.state != ThreadState::attached) return;
    g_retired_net.fetch_add(t.net.load(std::memory_order_relaxed), std::memory_order_relaxed);
    const std::uint64_t epoch = g_shared.epoch.load(std::memory_order_relaxed);
    if (epoch != 0 && t.epoch.load(std::memory_order_acquire) == epoch) {
        if (g_retired_epoch != epoch) {
            g_retired_epoch = epoch;
            g_retired_growth = 0;
            g_retired_allocated = 0;
        }
        g_retired_growth += t.peak.load(std::memory_order_relaxed) - t.baseline.load(std::memory_order_relaxed);
        g_retired_allocated +=
            t.allocated.load(std::memory_order_relaxed) - t.allocated_base.load(std::memory_order_relaxed);
    }
    if (t.prev != nullptr) t.prev->next = t.next;
    else g_threads = t.next;
    if (t.next != nullptr) t.next->prev = t.prev;
    t.prev = t.next = nullptr;
    t.state = ThreadState::detached;
    t.epoch.store(0, std::memory_order_relaxed);  // never current again: counts take the slow path
}

void count_detached(std::int64_t delta) noexcept {
    g_retired_net.fetch_add(delta, std::memory_order_relaxed);
}

void mark_operators_linked() noexcept { g_operators_linked.store(true, std::memory_order_relaxed); }

namespace {

std::int64_t live_locked() noexcept {
    std::int64_t live = g_retired_net.load(std::memory_order_relaxed);
    for (const ThreadCounters* t = g_threads; t != nullptr; t = t->next)
        live += t->net.load(std::memory_order_relaxed);
    return live;
}

}  // namespace

}  // namespace detail

bool tracking_linked() noexcept { return detail::g_operators_linked.load(std::memory_order_relaxed); }

bool counting() noexcept { return detail::g_shared.epoch.load(std::memory_order_relaxed) != 0; }

void set_counting(bool on) noexcept {
    std::lock_guard lock(detail::g_registry_lock);
    const bool is_on = detail::g_shared.epoch.load(std::memory_order_relaxed) != 0;
    if (on == is_on) return;
    detail::g_shared.epoch.store(on ? ++detail::g_last_epoch : 0, std::memory_order_relaxed);
}

Window open_window() noexcept {
    const pss::detail::LockUnlessSingleThreaded lock(detail::g_registry_lock);
    Window w;
    if (detail::g_shared.epoch.load(std::memory_order_relaxed) == 0) return w;  // not counting: epoch 0
    // A new epoch makes every thread re-base its peak on its next count; the
    // opening thread (the test's) is re-based now.
    w.epoch = ++detail::g_last_epoch;
    detail::g_shared.epoch.store(w.epoch, std::memory_order_relaxed);
    if (pss_heap_rebase_this_thread) pss_heap_rebase_this_thread(w.epoch);
    w.live_at_open = detail::live_locked();
    return w;
}

WindowResult close_window(const Window& window) noexcept {
    WindowResult result;
    if (window.epoch == 0) return result;
    const pss::detail::LockUnlessSingleThreaded lock(detail::g_registry_lock);
    std::int64_t growth = 0;
    for (const detail::ThreadCounters* t = detail::g_threads; t != nullptr; t = t->next) {
        if (t->epoch.load(std::memory_order_acquire) != window.epoch) continue;  // did not count since open
        const std::int64_t g = t->peak.load(std::memory_order_relaxed) - t->baseline.load(std::memory_order_relaxed);
        if (g > 0) growth += g;
        result.allocated +=
            t->allocated.load(std::memory_order_relaxed) - t->allocated_base.load(std::memory_order_relaxed);
    }
    if (detail::g_retired_epoch == window.epoch) {
        if (detail::g_retired_growth > 0) growth += detail::g_retired_growth;
        result.allocated += detail::g_retired_allocated;
    }
    result.live_diff = detail::live_locked() - window.live_at_open;
    result.peak_growth = growth > result.live_diff ? growth : result.live_diff;
    if (result.peak_growth < 0) result.peak_growth = 0;
    return result;
}

std::int64_t live_bytes() noexcept {
    const pss::detail::LockUnlessSingleThreaded lock(detail::g_registry_lock);
    return detail::live_locked();
}

}  // namespace pss::heap
