// Replaces every form of the global operator new/delete (plain, array,
// nothrow, aligned, sized) with versions that count usable bytes per thread.
// This file is the whole `pss::heap` target; programs that must keep their
// own operator new leave it out (see the README: PSS_NO_HEAP_TRACKING).
#include <dlfcn.h>
#include <malloc.h>

#include <cstdint>
#include <cstdlib>
#include <new>
#include <string_view>

#include "heap_counters.hpp"

namespace {

using pss::heap::detail::ThreadCounters;
using pss::heap::detail::ThreadState;

thread_local ThreadCounters tls_counters;

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

// Every count that is not the steady state: the thread's first count, the
// first in a new epoch, or a count after the thread's exit hook ran.
[[gnu::noinline]] void count_slow(std::uint64_t epoch, std::int64_t delta) noexcept {
    using namespace pss::heap::detail;
    switch (tls_counters.state) {
        case ThreadState::detached:
            count_detached(delta);
            return;
        case ThreadState::ignored:
            return;
        case ThreadState::unattached:
            tls_exit_hook.armed = true;  // registers the destructor (glibc: calloc, not operator new)
            attach(tls_counters);
            break;
        case ThreadState::attached:
            break;
    }
    rebase(tls_counters, epoch);
    add(tls_counters, delta);
}

}  // namespace

// Called first thing by pss's own background threads (pss::collect declares
// it weak: without pss::heap there is nothing to ignore). Their epoch never
// matches, so every count takes the slow path above and stops there.
extern "C" void pss_heap_ignore_this_thread() noexcept {
    if (tls_counters.state == ThreadState::unattached) tls_counters.state = ThreadState::ignored;
}

// Called by open_window on the thread that opens it (the test's): its
// counters are re-based for the new epoch now, as its first count in the
// window would do, so that count takes the fast path (a test's first
// allocation was an out-of-line call otherwise). Weak in pss::runtime:
// without pss::heap there is nothing to re-base.
extern "C" void pss_heap_rebase_this_thread(std::uint64_t epoch) noexcept {
    if (tls_counters.state == ThreadState::attached) pss::heap::detail::rebase(tls_counters, epoch);
}

namespace {

// Block sizes. malloc_usable_size() is a library call that also inspects the
// next chunk; it made up half the tracking cost. With glibc's own malloc the
// size sits in the word before the block, so we read it there, after checking
// at start-up that malloc is glibc's (not jemalloc, tcmalloc, a sanitizer or
// valgrind) and that both ways agree. Both give identical values, so which one
// a block was counted with never matters.
bool g_read_glibc_header = false;

inline std::size_t glibc_header_size(const void* p) noexcept {
    const auto header_address = reinterpret_cast<std::uintptr_t>(p) - sizeof(std::size_t);
    const std::size_t header = *reinterpret_cast<const std::size_t*>(header_address);
    const std::size_t chunk = header & ~std::size_t{7};
    return (header & 2) != 0 ? chunk - 2 * sizeof(std::size_t)  // mmapped chunk
                             : chunk - sizeof(std::size_t);
}

bool glibc_malloc_in_use() noexcept {
#if defined(__GLIBC__) && (defined(__x86_64__) || defined(__aarch64__))
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&malloc), &info) == 0 || info.dli_fname == nullptr) return false;
    if (std::string_view(info.dli_fname).find("/libc.so") == std::string_view::npos) return false;
    for (const std::size_t n : {1, 8, 24, 25, 100, 1000, 4096, 70000, 300000}) {
        void* p = std::malloc(n);
        const bool agree = p != nullptr && glibc_header_size(p) == malloc_usable_size(p);
        std::free(p);
        if (!agree) return false;
    }
    return true;
#else
    return false;
#endif
}

inline std::int64_t block_size(void* p) noexcept {
    return static_cast<std::int64_t>(g_read_glibc_header ? glibc_header_size(p) : malloc_usable_size(p));
}

// The fast paths below (glibc's malloc, a thread that already counted in
// this epoch) make no calls besides malloc/free, so they need no saved
// registers; everything else goes through the out-of-line *_slow functions.

[[gnu::noinline]] void* counted_slow(void* p, std::uint64_t epoch) noexcept {
    const std::int64_t size = block_size(p);
    if (tls_counters.epoch.load(std::memory_order_relaxed) == epoch) pss::heap::detail::add(tls_counters, size);
    else count_slow(epoch, size);
    return p;
}

// Counts a block just allocated; returns it.
inline void* counted(void* p) noexcept {
    const std::uint64_t epoch = pss::heap::detail::g_shared.epoch.load(std::memory_order_relaxed);
    if (epoch == 0) return p;  // counting is off
    if (__builtin_expect(!g_read_glibc_header || tls_counters.epoch.load(std::memory_order_relaxed) != epoch, 0))
        return counted_slow(p, epoch);
    const auto size = static_cast<std::int64_t>(glibc_header_size(p));
    const std::int64_t net = tls_counters.net.load(std::memory_order_relaxed) + size;
    tls_counters.net.store(net, std::memory_order_relaxed);
    tls_counters.allocated.store(tls_counters.allocated.load(std::memory_order_relaxed) + size,
                                 std::memory_order_relaxed);
    if (net > tls_counters.peak.load(std::memory_order_relaxed)) tls_counters.peak.store(net, std::memory_order_relaxed);
    return p;
}

[[gnu::noinline]] void release_slow(void* p, std::uint64_t epoch) noexcept {
    const std::int64_t size = block_size(p);
    if (tls_counters.epoch.load(std::memory_order_relaxed) == epoch) pss::heap::detail::add(tls_counters, -size);
    else count_slow(epoch, -size);
    std::free(p);
}

// Counts a block about to be freed, then frees it.
inline void release(void* p) noexcept {
    if (p == nullptr) return;
    const std::uint64_t epoch = pss::heap::detail::g_shared.epoch.load(std::memory_order_relaxed);
    if (epoch != 0) {
        if (__builtin_expect(!g_read_glibc_header || tls_counters.epoch.load(std::memory_order_relaxed) != epoch, 0)) {
            release_slow(p, epoch);
            return;
        }
        // Freeing never raises the peak.
        const auto size = static_cast<std::int64_t>(glibc_header_size(p));
        tls_counters.net.store(tls_counters.net.load(std::memory_order_relaxed) - size, std::memory_order_relaxed);
    }
    std::free(p);
}

[[gnu::noinline]] void* allocate_with_handler(std::size_t size) {
    for (;;) {
        std::new_handler handler = std::get_new_handler();
        if (handler == nullptr) throw std::bad_alloc();
        handler();
        if (void* p = std::malloc(size)) return counted(p);
    }
}

inline void* allocate(std::size_t size) {
    if (size == 0) size = 1;
    void* p = std::malloc(size);
    if (__builtin_expect(p == nullptr, 0))
        return allocate_with_handler(size);
    return counted(p);
}

void* allocate_aligned(std::size_t size, std::align_val_t alignment) {
    if (size == 0) size = 1;
    std::size_t align = static_cast<std::size_t>(alignment);
    if (align < sizeof(void*)) align = sizeof(void*);
    for (;;) {
        void* p = nullptr;
        if (posix_memalign(&p, align, size) == 0) return counted(p);
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

// Runs at start-up: pss::heap::tracking_linked() is true in this program.
[[maybe_unused]] const bool g_registered = [] {
    g_read_glibc_header = glibc_malloc_in_use();
    pss::heap::detail::mark_operators_linked();
    return true;
}();

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
