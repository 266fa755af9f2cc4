// The run delay of the calling thread: nanoseconds it was ready to run but
// waited for a CPU, from /proc/thread-self/schedstat (Linux with
// CONFIG_SCHED_INFO, which distribution kernels have). Other processes'
// load shows up here and not in the test's own work, so a test run's wall
// time minus its run delay is what the machine's load did not add.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace pss::runtime {

class RunDelayClock {
public:
    RunDelayClock() = default;
    ~RunDelayClock();
    RunDelayClock(const RunDelayClock&) = delete;
    RunDelayClock& operator=(const RunDelayClock&) = delete;

    // The calling thread's total run delay in nanoseconds, or -1 when the
    // kernel does not provide it. One pread(2) on a file kept open per thread.
    std::int64_t now_ns() noexcept;

private:
    int fd_ = -1;
    pid_t owner_ = 0;  // the thread the file describes
    bool unavailable_ = false;
};

}  // namespace pss::runtime
