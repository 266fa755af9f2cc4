#include "machine_noise.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>

#include "pss/stats/statistics.hpp"

namespace pss::runner {

namespace {

using Clock = std::chrono::steady_clock;

// A dependent chain the compiler cannot shorten: each step needs the last.
[[gnu::noinline]] std::uint64_t workload(std::uint64_t iterations) {
    std::uint64_t x = 0x9E3779B97F4A7C15ull;
    for (std::uint64_t i = 0; i < iterations; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    return x;
}

// The calling thread's run delay in seconds (second field of
// /proc/thread-self/schedstat), or 0 where the kernel does not say.
double run_delay_now(int fd) {
    if (fd < 0) return 0;
    char text[96];
    const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
    if (n <= 0) return 0;
    text[n] = '\0';
    char* end = nullptr;
    std::strtoull(text, &end, 10);
    return static_cast<double>(std::strtoull(end, nullptr, 10)) * 1e-9;
}

constexpr std::size_t burst = 10;
constexpr int handoff_round_trips = 20;
constexpr std::size_t min_window = 30;  // samples before a window says anything of its own (fewer: its p95 is a max)
constexpr double target_seconds = 200e-6;

thread_local int t_schedstat_fd = -1;

}  // namespace

std::string noise_level(double ratio, double share) {
    if (ratio < 1.3 && share < 0.10) return "low";
    if (ratio < 2.0 && share < 0.30) return "moderate";
    return "high";
}

NoiseProbe::NoiseProbe(std::chrono::milliseconds interval) {
    thread_ = std::thread([this, interval] { loop(interval); });
}

NoiseProbe::~NoiseProbe() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();  // not a sleep slice later: pss-run exits when its results are out
    if (thread_.joinable()) thread_.join();
}

NoiseProbe::Sample NoiseProbe::measure() {
    const double delay_before = run_delay_now(t_schedstat_fd);
    const auto start = Clock::now();
    volatile std::uint64_t sink = workload(iterations_);
    (void)sink;
    const double wall = std::chrono::duration<double>(Clock::now() - start).count();
    return {wall, std::max(0.0, run_delay_now(t_schedstat_fd) - delay_before), measure_handoff()};
}

// Round trips between this thread and a partner through a condition
// variable, as tests that wait on each other do; seconds in all.
double NoiseProbe::measure_handoff() {
    std::mutex m;
    std::condition_variable cv;
    int turn = 0;  // even: the partner's move, odd: ours
    std::thread partner([&] {
        for (int i = 0; i < handoff_round_trips; ++i) {
            std::unique_lock lock(m);
            cv.wait(lock, [&] { return turn == 2 * i; });
            ++turn;
            cv.notify_all();
        }
    });
    const auto start = Clock::now();
    for (int i = 0; i < handoff_round_trips; ++i) {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return turn == 2 * i + 1; });
        ++turn;
        cv.notify_all();
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    partner.join();
    return seconds;
}

void NoiseProbe::loop(std::chrono::milliseconds interval) {
    t_schedstat_fd = ::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
    // Size the workload to about 200 us at the fastest of a few tries; fixed from then on.
    iterations_ = 1 << 14;
    double fastest = 1e9;
    for (int i = 0; i < 5; ++i) fastest = std::min(fastest, measure().wall);
    if (fastest > 0) iterations_ = std::max<std::uint64_t>(1000, static_cast<std::uint64_t>(
                                                                    static_cast<double>(iterations_) * target_seconds / fastest));
    for (std::size_t i = 0; i < burst && !stop_; ++i) {
        const Sample s = measure();
        std::lock_guard lock(mutex_);
        samples_.push_back(s);
    }
    auto next = Clock::now() + interval;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            if (wake_.wait_until(lock, next, [&] { return stop_.load(); })) break;
        }
        next += interval;
        const Sample s = measure();
        std::lock_guard lock(mutex_);
        samples_.push_back(s);
    }
    if (t_schedstat_fd >= 0) ::close(t_schedstat_fd);
}

MachineNoise NoiseProbe::summarize(std::size_t from) const {
    std::lock_guard lock(mutex_);
    MachineNoise n;
    if (samples_.size() <= from) return n;
    std::vector<double> steady, handoff;
    double wall = 0, delay = 0;
    for (std::size_t i = from; i < samples_.size(); ++i) {
        steady.push_back(std::max(1e-9, samples_[i].wall - samples_[i].run_delay));
        handoff.push_back(samples_[i].handoff);
        wall += samples_[i].wall;
        delay += samples_[i].run_delay;
    }
    auto percentile = [](std::vector<double>& v, int k) {
        std::sort(v.begin(), v.end());
        return v.size() >= 2 ? std::clamp(stats::quantile_exclusive(v, k), v.front(), v.back()) : v.front();
    };
    n.measured = true;
    n.samples = steady.size();
    n.p50 = percentile(steady, 49);
    n.p95 = percentile(steady, 94);
    n.ratio = n.p50 > 0 ? n.p95 / n.p50 : 1;
    n.wakeup_p50 = percentile(handoff, 49);
    n.wakeup_p95 = percentile(handoff, 94);
    n.wakeup_ratio = n.wakeup_p50 > 0 ? n.wakeup_p95 / n.wakeup_p50 : 1;
    n.wakeups_per_sample = 2 * handoff_round_trips;
    n.run_delay_share = wall > 0 ? delay / wall : 0;
    n.level = noise_level(n.ratio, n.run_delay_share);
    return n;
}

MachineNoise NoiseProbe::overall() const { return summarize(0); }

std::size_t NoiseProbe::mark() const {
    std::lock_guard lock(mutex_);
    return samples_.size();
}

MachineNoise NoiseProbe::since(std::size_t mark) const {
    {
        std::lock_guard lock(mutex_);
        if (samples_.size() < mark + min_window) return MachineNoise{};
    }
    return summarize(mark);
}

}  // namespace pss::runner
