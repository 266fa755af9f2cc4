// The five stability sub-scores and the PSS, as pypss 1.3.1 computes them,
// plus the timing noise floor that C++ test suites need.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "pss/ingest/quantile_sketch.hpp"
#include "pss/ingest/running_moments.hpp"
#include "pss/trace.hpp"

namespace pss {

// Every constant of the formulas; names are the config keys (pypss's names).
struct ScoringConfig {
    double w_ts = 0.30, w_ms = 0.20, w_ev = 0.20, w_be = 0.15, w_cc = 0.15;
    double alpha = 2.0;  // CV decay (timing and concurrency)
    double beta = 1.0;   // latency tail penalty
    double gamma = 2.0;  // memory decay
    double delta = 1.0;  // error decay
    double mem_spike_threshold_ratio = 1.5;
    double error_spike_threshold = 0.1;
    std::int64_t consecutive_error_threshold = 3;
    double concurrency_wait_threshold = 0.001;  // seconds of mean wait before CC applies
    std::int64_t score_latency_tail_percentile = 94;  // 0-based cut point: 94 is p95
    double score_memory_epsilon = 1e-9;
    double score_error_vmr_multiplier = 0.5;
    double score_error_spike_impact_multiplier = 0.5;
    double score_consecutive_error_decay_multiplier = 2.0;
    double score_lag_threshold = 0.01;          // seconds of mean event-loop lag
    double score_lag_penalty_multiplier = 5.0;  // penalty = min(1, mean lag * this)

    // Timing jitter (seconds) that does not lower TS: the part of the standard
    // deviation and of the p95 - p50 gap below this floor is ignored. 0 is
    // pypss exactly. The default 0.2 ms absorbs scheduler and cache noise of
    // fast tests while a 3x tail on a millisecond test still scores below 80.
    double timing_noise_floor = 0.0002;
};

struct SubScores {
    double timing_stability = 1.0;
    double memory_stability = 1.0;
    double error_volatility = 1.0;
    double branching_entropy = 1.0;
    double concurrency_chaos = 1.0;
};

struct Score {
    int pss = 0;  // 0..100
    SubScores breakdown;
};

// The sub-score formulas on raw samples, in run order.
double timing_stability(std::span<const double> durations, const ScoringConfig& cfg);
double memory_stability(std::span<const double> memory, const ScoringConfig& cfg);
double error_volatility(std::span<const double> errors, const ScoringConfig& cfg);
double branching_entropy(const std::map<std::string, std::uint64_t>& tag_counts);
double concurrency_chaos(std::span<const double> wait_times, std::span<const double> lags,
                         const ScoringConfig& cfg);
// round(100 * clamp(weighted mean, 0, 1)), rounding half to even like Python.
int combine(const SubScores& s, const ScoringConfig& cfg);

// The samples of one group of records (a test, a module, a whole file).
//
// Exact while the group has at most `sample_cap` runs: every value is kept
// and the scores are pypss's to the bit. Past the cap, or when an Analyzer's
// memory budget calls switch_to_sketches(), it keeps bounded summaries
// instead: a QuantileSketch for durations and memory (percentiles and the
// median within QuantileSketch::relative_accuracy, 0.5%), RunningMoments for
// means and standard deviations, and exact counts, peaks, error runs and
// branch tags. Memory then depends on the spread of the values, not on their
// number.
class SampleSet {
public:
    static constexpr std::uint64_t default_sample_cap = 100000;
    static constexpr std::uint64_t unlimited = UINT64_MAX;

    SampleSet() = default;
    explicit SampleSet(std::uint64_t sample_cap) : cap_(sample_cap) {}

    void add(const TraceRecord& r);
    // Drops the kept samples for summaries; later samples go to the summaries too.
    void switch_to_sketches();

    // The values of one run: what a module's or a file's set is built from,
    // out of its tests' sets, after the records have been read.
    struct Run {
        double duration = 0, memory = 0, wait = 0;
        bool error = false;
    };
    Run run(std::uint64_t i) const;  // the i-th run, while exact()
    void add(const Run& run);        // as add(record), branch tag aside
    // Lags of system records: how many, and their sum in record order.
    void add_lags(std::uint64_t count, double sum);
    // For a set in sketch mode that summarizes others: merges the value
    // statistics of `other` (durations, memory, wait, peak) as if its runs had
    // been added; the run-order statistics come from set_runs().
    void merge_values(const SampleSet& other);
    void set_runs(std::uint64_t count, std::uint64_t errors, std::uint64_t longest_error_run);

    std::uint64_t count() const noexcept { return count_; }  // non-system records
    std::uint64_t error_count() const noexcept { return errors_; }
    bool empty() const noexcept { return count_ == 0 && lag_count_ == 0; }
    bool exact() const noexcept { return exact_; }
    std::uint64_t sample_cap() const noexcept { return cap_; }
    // Heap bytes held by the kept samples (0 once sketched).
    std::size_t exact_bytes() const noexcept {
        return (durations_.capacity() + memory_.capacity() + wait_.capacity() + error_bits_.capacity()) * 8;
    }

    // Every sample in run order while exact(); empty after the switch.
    const std::vector<double>& durations() const noexcept { return durations_; }
    const std::vector<double>& memory() const noexcept { return memory_; }
    const std::vector<double>& wait_times() const noexcept { return wait_; }
    std::vector<double> error_flags() const;  // 1.0 for a failed run, 0.0 otherwise
    const std::map<std::string, std::uint64_t>& branch_tags() const noexcept { return tags_; }

    struct DurationSummary {
        double mean = 0, p50 = 0, p95 = 0, max = 0;  // seconds; p50/p95 as statistics.quantiles
    };
    DurationSummary duration_summary() const;
    double memory_peak() const noexcept { return memory_peak_; }  // the largest "memory", 0 when none

    // No samples at all gives PSS 0 with all sub-scores 0, as in pypss.
    Score score(const ScoringConfig& cfg) const { return score(cfg, tags_); }
    // The same with these branch tag counts instead of the set's own, and
    // when asked the duration summary too (sorting the durations once).
    Score score(const ScoringConfig& cfg, const std::map<std::string, std::uint64_t>& branch_tags,
                DurationSummary* durations = nullptr) const;

private:
    std::uint64_t cap_ = default_sample_cap;
    bool exact_ = true;
    std::uint64_t count_ = 0, errors_ = 0;
    std::uint64_t error_run_ = 0, longest_error_run_ = 0;  // consecutive failed runs
    std::uint64_t lag_count_ = 0;
    double lag_sum_ = 0;  // in record order, as statistics.mean adds
    double memory_peak_ = 0;
    bool has_peak_ = false;
    std::map<std::string, std::uint64_t> tags_;

    // Exact mode.
    std::vector<double> durations_, memory_, wait_;
    std::vector<std::uint64_t> error_bits_;  // bit i: run i failed

    // Sketch mode.
    QuantileSketch duration_sketch_, memory_sketch_;
    RunningMoments duration_moments_, memory_moments_, wait_moments_;
};

}  // namespace pss
