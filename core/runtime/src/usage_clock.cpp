#include "usage_clock.hpp"

#include <linux/perf_event.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "pss/runtime/monitor.hpp"
#include "spin_lock.hpp"

namespace pss::runtime {

namespace {

// Set in a child forked after the event was opened: the page describes the
// parent's thread there.
std::atomic<bool> g_forked{false};

void mark_forked() noexcept { g_forked.store(true, std::memory_order_relaxed); }

std::uint32_t page_lock(const void* page) noexcept {
    const auto* p = static_cast<const perf_event_mmap_page*>(page);
    return __atomic_load_n(&p->lock, __ATOMIC_ACQUIRE);
}

}  // namespace

UsageClock::~UsageClock() { close(); }

void UsageClock::close() noexcept {
    if (page_ != nullptr) ::munmap(const_cast<void*>(page_), static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)));
    if (fd_ >= 0) ::close(fd_);
    page_ = nullptr;
    fd_ = -1;
    have_reference_ = false;
}

void UsageClock::configure(bool use_perf_event) noexcept {
    close();
    if (!use_perf_event || !detail::single_threaded()) return;
    static const bool fork_handler = ::pthread_atfork(nullptr, nullptr, mark_forked) == 0;
    if (!fork_handler) return;
    const int saved_errno = errno;
    perf_event_attr attr{};
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_TASK_CLOCK;
    attr.exclude_hv = 1;
    const long fd = ::syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0) {
        errno = saved_errno;
        return;
    }
    fd_ = static_cast<int>(fd);
    const auto page_size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    void* page = ::mmap(nullptr, page_size, PROT_READ, MAP_SHARED, fd_, 0);
    if (page == MAP_FAILED) {
        ::close(fd_);
        fd_ = -1;
        errno = saved_errno;
        return;
    }
    page_ = page;
    // The fast path rests on the kernel rewriting the page when the thread
    // leaves the CPU: check it once, with a sleep (a certain switch).
    const std::uint32_t before = page_lock(page_);
    const timespec nap{0, 1000};
    ::nanosleep(&nap, nullptr);
    if (page_lock(page_) == before) close();
    errno = saved_errno;
}

const char* UsageClock::source() const noexcept { return page_ != nullptr ? "perf_event" : "getrusage"; }

Usage UsageClock::read(std::int64_t steady_now_ns) noexcept {
    // Single-threaded (no thread was ever started) and not forked since the
    // event was opened: the calling thread is the one it counts.
    if (page_ != nullptr && have_reference_ && detail::single_threaded() && !g_forked.load(std::memory_order_relaxed) &&
        steady_now_ns - reference_steady_ns_ <= max_extrapolation_ns) {
        const std::uint32_t lock = page_lock(page_);
        if (lock == reference_lock_ && (lock & 1u) == 0) {
            // Not switched out since the reference: on the CPU all along.
            Usage u = reference_;
            u.cpu_ns += steady_now_ns - reference_steady_ns_;
            return u;
        }
    }
    return read_slow();
}

Usage UsageClock::read_slow() noexcept {
    ++slow_readings_;
    // The sequence first: a switch during the reads below moves it, and the
    // next reading is a slow one again.
    const std::uint32_t lock = page_ != nullptr ? page_lock(page_) : 0;
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    const std::int64_t after_ns = detail::steady_ns();
    Usage u;
    u.cpu_ns = (static_cast<std::int64_t>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1'000'000 +
                static_cast<std::int64_t>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec)) *
               1000;
    u.voluntary = ru.ru_nvcsw;
    u.involuntary = ru.ru_nivcsw;
    u.run_delay_ns = run_delay_clock_.now_ns();
    if (page_ != nullptr && (lock & 1u) == 0) {
        have_reference_ = true;
        reference_lock_ = lock;
        reference_steady_ns_ = after_ns;
        reference_ = u;
    }
    return u;
}

}  // namespace pss::runtime
