// Per-thread heap counters shared by the registry (pss::core) and the
// counting operator new/delete (pss::heap). Internal to pss.
#pragma once

#include <atomic>
#include <cstdint>

namespace pss::heap::detail {

// ignored: pss's own background threads (a collector's sender), whose
// allocations belong to no test (pss_heap_ignore_this_thread).
enum class ThreadState : std::uint8_t { unattached, attached, detached, ignored };

// Written only by the owning thread (relaxed load + store, no locked
// instructions); read by the registry when a window opens or closes.
struct ThreadCounters {
    std::atomic<std::int64_t> net{0};       // bytes allocated minus freed by this thread
    std::atomic<std::int64_t> baseline{0};  // net when this thread first counted in `epoch`
    std::atomic<std::int64_t> peak{0};      // highest net since then
    std::atomic<std::int64_t> allocated{0};       // bytes this thread allocated while counting, ever
    std::atomic<std::int64_t> allocated_base{0};  // `allocated` when it first counted in `epoch`
    std::atomic<std::uint64_t> epoch{0};    // 0 until attached, and again after detach
    ThreadState state = ThreadState::unattached;
    ThreadCounters* prev = nullptr;  // registry links, guarded by its mutex
    ThreadCounters* next = nullptr;
};

// The current epoch, 0 while counting is off. Read on every allocation,
// written only when counting is switched or a window opens; on a cache line
// of its own, away from anyone's hot data.
struct alignas(64) SharedState {
    std::atomic<std::uint64_t> epoch{0};
};
extern SharedState g_shared;

void attach(ThreadCounters& counters) noexcept;  // the thread counts from now on
void detach(ThreadCounters& counters) noexcept;  // at thread exit: fold into the retired totals
void count_detached(std::int64_t delta) noexcept;  // after detach (thread-exit destructors)
void mark_operators_linked() noexcept;

// First count of an attached thread in a new epoch: its level at the open.
inline void rebase(ThreadCounters& t, std::uint64_t epoch) noexcept {
    const std::int64_t net = t.net.load(std::memory_order_relaxed);
    t.baseline.store(net, std::memory_order_relaxed);
    t.peak.store(net, std::memory_order_relaxed);
    t.allocated_base.store(t.allocated.load(std::memory_order_relaxed), std::memory_order_relaxed);
    t.epoch.store(epoch, std::memory_order_release);
}

// The steady state: the thread is attached and has counted in this epoch.
inline void add(ThreadCounters& t, std::int64_t delta) noexcept {
    const std::int64_t net = t.net.load(std::memory_order_relaxed) + delta;
    t.net.store(net, std::memory_order_relaxed);
    if (delta <= 0) return;
    t.allocated.store(t.allocated.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
    if (net > t.peak.load(std::memory_order_relaxed)) t.peak.store(net, std::memory_order_relaxed);
}

}  // namespace pss::heap::detail
