// Replaces every form of the global operator new/delete (plain, array,
// nothrow, aligned, sized) with versions that count usable bytes per thread.
// This file is the whole `pss::heap` target; programs that must keep their
// own operator new leave it out (see the README: PSS_NO_HEAP_TRACKING).
#include <malloc.h>

#include <cstdlib>
#include <new>

#include "heap_counters.hpp"

namespace {

using pss::heap::detail::ThreadCounters;
using pss::heap::detail::ThreadState;

constinit thread_local ThreadCounters tls_counters;

// Folds the thread's counters into the registry's totals when it exits. Only
// touched when a thread first counts, so the allocation path never pays for
// its (non-trivial) thread-local destructor registration.
struct ThreadExitHook {
    bool armed = false;
    ~ThreadExitHook() {
        if (armed) pss::heap::detail::detach(tls_counters);
    }
};
thread_local ThreadExitHook tls_exit_hook;

[[gnu::noinline]] void count_slow(std::int64_t delta) noexcept {
    if (tls_counters.state == ThreadState::detached) {
        pss::heap::detail::count_detached(delta);
        return;
    }
    tls_exit_hook.armed = true;  // registers the destructor (glibc: calloc, not operator new)
    pss::heap::detail::attach(tls_counters);
    pss::heap::detail::count(tls_counters, delta);
}

inline void count(void* p, bool allocated) noexcept {
    if (!pss::heap::detail::g_counting.load(std::memory_order_relaxed)) return;
    const auto size = static_cast<std::int64_t>(malloc_usable_size(p));
    const std::int64_t delta = allocated ? size : -size;
    if (tls_counters.state == ThreadState::attached) [[likely]]
        pss::heap::detail::count(tls_counters, delta);
    else
        count_slow(delta);
}

void* allocate(std::size_t size) {
    if (size == 0) size = 1;
    for (;;) {
        if (void* p = std::malloc(size)) {
            count(p, true);
            return p;
        }
        std::new_handler handler = std::get_new_handler();
        if (handler == nullptr) throw std::bad_alloc();
        handler();
    }
}

void* allocate_aligned(std::size_t size, std::align_val_t alignment) {
    if (size == 0) size = 1;
    std::size_t align = static_cast<std::size_t>(alignment);
    if (align < sizeof(void*)) align = sizeof(void*);
    for (;;) {
        void* p = nullptr;
        if (posix_memalign(&p, align, size) == 0) {
            count(p, true);
            return p;
        }
        std::new_handler handler = std::get_new_handler();
        if (handler == nullptr) throw std::bad_alloc();
        handler();
    }
}

template <class Fn>
void* allocate_nothrow(Fn&& fn) noexcept {
    try {
        return fn();
    } catch (...) {
        return nullptr;
    }
}

inline void release(void* p) noexcept {
    if (p == nullptr) return;
    count(p, false);
    std::free(p);
}

// Runs at start-up, so pss::heap::tracking_linked() is true in this program.
[[maybe_unused]] const bool g_registered = (pss::heap::detail::mark_operators_linked(), true);

}  // namespace

// The listener targets pass -Wl,--undefined=pss_heap_tracking_anchor so the
// linker pulls this object (and with it the operators) out of the archive.
extern "C" void pss_heap_tracking_anchor() {}

void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return allocate_nothrow([&] { return allocate(size); });
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return allocate_nothrow([&] { return allocate(size); });
}
void* operator new(std::size_t size, std::align_val_t alignment) { return allocate_aligned(size, alignment); }
void* operator new[](std::size_t size, std::align_val_t alignment) { return allocate_aligned(size, alignment); }
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
    return allocate_nothrow([&] { return allocate_aligned(size, alignment); });
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
    return allocate_nothrow([&] { return allocate_aligned(size, alignment); });
}

void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }
