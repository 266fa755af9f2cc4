// A lock for sections of a few dozen instructions taken on every test (the
// heap registry, a thread's block table): an exchange to take it and a
// store to release it, where a std::mutex costs two library calls and two
// atomic operations. A holder that is preempted makes the others yield
// rather than spin through their time slices.
#pragma once

#include <atomic>
#include <sched.h>

#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define PSS_HAVE_SINGLE_THREADED 1
#else
#define PSS_HAVE_SINGLE_THREADED 0
#endif

namespace pss::detail {

// True while the process has never started a thread (glibc's
// __libc_single_threaded); false where that is unknown.
inline bool single_threaded() noexcept {
#if PSS_HAVE_SINGLE_THREADED
    return __libc_single_threaded != 0;
#else
    return false;
#endif
}

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

class SpinLock {
public:
    void lock() noexcept {
        while (busy_.exchange(true, std::memory_order_acquire)) {
            for (int spins = 0; busy_.load(std::memory_order_relaxed); ++spins) {
                if (spins < 128) cpu_relax();
                else sched_yield();
            }
        }
    }
    void unlock() noexcept { busy_.store(false, std::memory_order_release); }

private:
    std::atomic<bool> busy_{false};
};

// Holds `lock` for its scope, unless the process never started a thread:
// then this thread is the only one that could take it, and the locked
// exchange (~20 cycles, twice a test for the heap window) is saved. Only a
// thread can start another, so none appears while this one is in the scope
// (the scopes using it start none).
class LockUnlessSingleThreaded {
public:
    explicit LockUnlessSingleThreaded(SpinLock& lock) noexcept : lock_(single_threaded() ? nullptr : &lock) {
        if (lock_ != nullptr) lock_->lock();
    }
    ~LockUnlessSingleThreaded() {
        if (lock_ != nullptr) lock_->unlock();
    }
    LockUnlessSingleThreaded(const LockUnlessSingleThreaded&) = delete;
    LockUnlessSingleThreaded& operator=(const LockUnlessSingleThreaded&) = delete;

private:
    SpinLock* lock_;
};

}  // namespace pss::detail
