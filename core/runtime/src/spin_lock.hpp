// A lock for sections of a few dozen instructions taken on every test (the
// heap registry, a thread's block table): an exchange to take it and a
// store to release it, where a std::mutex costs two library calls and two
// atomic operations. A holder that is preempted makes the others yield
// rather than spin through their time slices.
#pragma once

#include <atomic>
#include <sched.h>

namespace pss::detail {

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

}  // namespace pss::detail
