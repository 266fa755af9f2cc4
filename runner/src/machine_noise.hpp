// How noisy the machine itself is while tests run: a thread in pss-run times
// two fixed workloads at intervals.
// - A CPU workload: its wall time less its run delay (time waiting for a CPU)
//   varies only with the machine's own speed (frequency changes, a busy
//   sibling hyperthread, a hypervisor taking the CPU). Its spread (p95/p50)
//   is what a deterministic CPU-bound test would show with nothing wrong.
// - A hand-off between two threads (a condition variable, back and forth):
//   its wall time is mostly wake-up latency, which grows and scatters when
//   other processes compete for the CPUs. Its spread is what a test that
//   waits on other threads, timers or I/O would show.
// The run-delay share says how much other processes competed for the CPUs.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

#include "pss/scoring/results.hpp"

namespace pss::runner {

class NoiseProbe {
public:
    // Starts measuring: a burst of samples now, then one every `interval`.
    explicit NoiseProbe(std::chrono::milliseconds interval = std::chrono::milliseconds(25));
    ~NoiseProbe();
    NoiseProbe(const NoiseProbe&) = delete;
    NoiseProbe& operator=(const NoiseProbe&) = delete;

    // The noise over every sample so far.
    MachineNoise overall() const;
    // A position in the samples, and the noise over the samples after it
    // (the overall noise when the window has too few samples to say).
    std::size_t mark() const;
    MachineNoise since(std::size_t mark) const;

private:
    struct Sample {
        double wall = 0, run_delay = 0;  // seconds, of the CPU workload
        double handoff = 0;              // seconds, of the two-thread hand-off
    };
    void loop(std::chrono::milliseconds interval);
    Sample measure();
    double measure_handoff();
    MachineNoise summarize(std::size_t from) const;

    std::uint64_t iterations_ = 0;
    mutable std::mutex mutex_;
    std::vector<Sample> samples_;
    std::atomic<bool> stop_{false};
    std::condition_variable wake_;  // the destructor's stop, at once
    std::thread thread_;
};

// "low", "moderate" or "high" from the workload's spread and the run-delay share.
std::string noise_level(double ratio, double run_delay_share);

}  // namespace pss::runner
