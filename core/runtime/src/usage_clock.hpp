// CPU time, context switches and run delay of the test process, read at the
// start and end of every test, without a system call in the common case.
//
// How: a perf event (task-clock, this thread, perf_event_open once) is
// mapped read-only; the kernel rewrites its perf_event_mmap_page, bumping
// the page's `lock` sequence, whenever the thread is switched out or in. So
// while `lock` keeps the value it had at the last real reading, the thread
// has not left the CPU since: its context switch counts and run delay are
// unchanged and its CPU time grew exactly as the wall clock did. A reading
// then costs two loads and a clock_gettime(CLOCK_MONOTONIC) the vDSO answers.
// When `lock` moved (the thread slept, was preempted) the values are read
// with system calls, as before: getrusage(RUSAGE_SELF) and
// /proc/thread-self/schedstat, and become the new reference.
//
// The fast path holds only where thread and process are the same thing: a
// single-threaded process (glibc's __libc_single_threaded; once a process
// started a thread, every reading is a system call, since other threads' CPU
// time and switches belong to the process's figures; so the one thread is
// the one that opened the event), not in a child forked after it, and within
// `max_extrapolation_ns` of the reference. Where perf_event_open is refused
// (perf_event_paranoid 3 or more on some kernels, seccomp in containers), the
// page is not updated on a switch (checked once with a short sleep), or
// PSS_NO_PERF_EVENT=1 asks so, every reading is the system-call one.
#pragma once

#include <cstdint>

#include "sched_clock.hpp"

namespace pss::runtime {

struct Usage {
    std::int64_t cpu_ns = 0;  // process CPU time, user + system
    std::int64_t voluntary = 0;
    std::int64_t involuntary = 0;
    std::int64_t run_delay_ns = -1;  // the thread's; -1: unknown
};

class UsageClock {
public:
    UsageClock() = default;
    ~UsageClock();
    UsageClock(const UsageClock&) = delete;
    UsageClock& operator=(const UsageClock&) = delete;

    // Opens (use_perf_event) or closes the perf event, on the calling thread.
    void configure(bool use_perf_event) noexcept;

    // The usage now; `steady_now_ns` is detail::steady_ns() read just before.
    Usage read(std::int64_t steady_now_ns) noexcept;

    // "perf_event" when readings can skip the system calls, else "getrusage".
    const char* source() const noexcept;
    // Readings so far that made system calls (tests and benchmarks).
    std::uint64_t slow_readings() const noexcept { return slow_readings_; }

    // A reading extrapolated further than this from its reference is made
    // with system calls anyway (a safety net costing nothing on short tests).
    static constexpr std::int64_t max_extrapolation_ns = 50'000'000;

private:
    Usage read_slow() noexcept;
    void close() noexcept;

    int fd_ = -1;
    const void* page_ = nullptr;  // perf_event_mmap_page, read-only
    RunDelayClock run_delay_clock_;
    bool have_reference_ = false;
    std::uint32_t reference_lock_ = 0;
    std::int64_t reference_steady_ns_ = 0;
    Usage reference_;
    std::uint64_t slow_readings_ = 0;
};

}  // namespace pss::runtime
