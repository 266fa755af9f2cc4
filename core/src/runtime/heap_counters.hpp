// Per-thread heap counters shared by the registry (pss::core) and the
// counting operator new/delete (pss::heap). Internal to pss.
#pragma once

#include <atomic>
#include <cstdint>

namespace pss::heap::detail {

enum class ThreadState : std::uint8_t { unattached, attached, detached };

// Written only by the owning thread (relaxed load + store, no locked
// instructions); read by the registry when a window opens or closes.
struct ThreadCounters {
    std::atomic<std::int64_t> net{0};       // bytes allocated minus freed by this thread
    std::atomic<std::int64_t> baseline{0};  // net when this thread first counted in `epoch`
    std::atomic<std::int64_t> peak{0};      // highest net since then
    std::atomic<std::uint64_t> epoch{0};
    ThreadState state = ThreadState::unattached;
    ThreadCounters* prev = nullptr;  // registry links, guarded by its mutex
    ThreadCounters* next = nullptr;
};

extern std::atomic<bool> g_counting;
extern std::atomic<std::uint64_t> g_epoch;

void attach(ThreadCounters& counters) noexcept;  // the thread counts from now on
void detach(ThreadCounters& counters) noexcept;  // at thread exit: fold into the retired totals
void count_detached(std::int64_t delta) noexcept;  // after detach (thread-exit destructors)
void mark_operators_linked() noexcept;

inline void count(ThreadCounters& t, std::int64_t delta) noexcept {
    const std::uint64_t epoch = g_epoch.load(std::memory_order_relaxed);
    std::int64_t net = t.net.load(std::memory_order_relaxed);
    if (t.epoch.load(std::memory_order_relaxed) != epoch) {
        // First count since a window opened: the thread's level at open.
        t.baseline.store(net, std::memory_order_relaxed);
        t.peak.store(net, std::memory_order_relaxed);
        t.epoch.store(epoch, std::memory_order_release);
    }
    net += delta;
    t.net.store(net, std::memory_order_relaxed);
    if (net > t.peak.load(std::memory_order_relaxed)) t.peak.store(net, std::memory_order_relaxed);
}

}  // namespace pss::heap::detail
