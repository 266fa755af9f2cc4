#include "sched_clock.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace pss::runtime {

RunDelayClock::~RunDelayClock() {
    if (fd_ >= 0) ::close(fd_);
}

std::int64_t RunDelayClock::now_ns() noexcept {
    if (unavailable_) return -1;
    const auto self = static_cast<pid_t>(::syscall(SYS_gettid));
    if (fd_ < 0 || owner_ != self) {
        // /proc/thread-self names the opening thread: reopen when tests move
        // to another thread.
        if (fd_ >= 0) ::close(fd_);
        fd_ = ::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
        owner_ = self;
        if (fd_ < 0) {
            unavailable_ = true;
            return -1;
        }
    }
    char text[96];
    const ssize_t n = ::pread(fd_, text, sizeof text - 1, 0);
    if (n <= 0) {
        unavailable_ = true;
        return -1;
    }
    // "<on-cpu ns> <run delay ns> <timeslices>\n": the second number.
    const char* p = text;
    const char* end = text + n;
    while (p < end && *p != ' ') ++p;
    std::int64_t value = 0;
    bool digits = false;
    for (++p; p < end && *p >= '0' && *p <= '9'; ++p) {
        value = value * 10 + (*p - '0');
        digits = true;
    }
    if (!digits) {
        unavailable_ = true;
        return -1;
    }
    return value;
}

}  // namespace pss::runtime
