// The samples of one group of records (a test, a module, a whole file), and
// their score.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pss/record/trace_record.hpp"
#include "pss/scoring/scoring.hpp"
#include "pss/stats/quantile_sketch.hpp"
#include "pss/stats/running_moments.hpp"

namespace pss {

// Exact while the group has at most `sample_cap` runs: every value is kept
// and the scores are pypss's to the bit. Past the cap, or when an Analyzer's
// memory budget calls switch_to_sketches(), it keeps bounded summaries
// instead: a QuantileSketch for durations and memory (percentiles and the
// median within QuantileSketch::relative_accuracy, 0.5%), RunningMoments for
// means and standard deviations, and exact counts, peaks, error runs and
// branch tags. Memory then depends on the spread of the values, not on their
// number.
//
// Warm-up runs (TraceRecord::warmup) count for the error score, in run
// order, and for branch tags; their time and memory are not scored.
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
        double steady = 0;  // duration less the run delay: what the machine's load did not add
        bool error = false, warmup = false;
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
    // The coarsest clock resolution of the records (TraceRecord::timing_resolution).
    void note_resolution(double seconds) { resolution_ = std::max(resolution_, seconds); }

    std::uint64_t count() const noexcept { return count_; }  // runs: non-system records, warm-ups included
    std::uint64_t measured_count() const noexcept { return count_ - warmups_; }  // runs whose time is scored
    std::uint64_t error_count() const noexcept { return errors_; }
    bool empty() const noexcept { return count_ == 0 && lag_count_ == 0; }
    bool exact() const noexcept { return exact_; }
    std::uint64_t sample_cap() const noexcept { return cap_; }
    double timing_resolution() const noexcept { return resolution_; }
    // Some record said how long its thread waited for a CPU.
    bool has_run_delay() const noexcept { return has_run_delay_; }
    // Heap bytes held by the kept samples (0 once sketched).
    std::size_t exact_bytes() const noexcept {
        return (durations_.capacity() + memory_.capacity() + wait_.capacity() + steady_.capacity() +
                error_bits_.capacity() + warmup_bits_.capacity()) *
               8;
    }

    // The measured (non-warm-up) values in run order while exact(); empty after the switch.
    std::vector<double> durations() const;
    std::vector<double> steady_durations() const;
    std::vector<double> memory() const;
    std::vector<double> wait_times() const;
    std::vector<double> error_flags() const;  // every run: 1.0 failed, 0.0 passed
    const std::map<std::string, std::uint64_t>& branch_tags() const noexcept { return tags_; }

    DurationSummary duration_summary() const;
    // Each metric the measured runs' records carried (TraceRecord::metrics),
    // by key, with its stability and its weight from custom_metric_weights.
    std::vector<MetricStability> metric_stabilities(const ScoringConfig& cfg) const;
    static constexpr std::size_t max_metrics = 64;  // distinct keys kept per set; more are ignored
    double memory_peak() const noexcept { return memory_peak_; }  // the largest measured "memory", 0 when none

    // The timing noise floor the scores use: the configured one, or the
    // records' clock resolution when coarser (1 ms for GoogleTest's output).
    double timing_floor(const ScoringConfig& cfg) const;

    // No samples at all gives PSS 0 with all sub-scores 0, as in pypss.
    Score score(const ScoringConfig& cfg) const { return score(cfg, tags_); }
    // The same with these branch tag counts instead of the set's own, and
    // when asked the duration summary too (sorting the durations once).
    Score score(const ScoringConfig& cfg, const std::map<std::string, std::uint64_t>& branch_tags,
                DurationSummary* durations = nullptr) const;
    // The score with every run's time lost to other processes (run delay)
    // taken out of its duration and wait: what the test would score on a
    // machine of its own. Equal to score() without run delays or when sketched.
    Score steady_score(const ScoringConfig& cfg) const;

private:
    bool warmup_at(std::uint64_t i) const { return ((warmup_bits_[i / 64] >> (i % 64)) & 1) != 0; }
    std::vector<double> measured(const std::vector<double>& values) const;
    Score score_of(const ScoringConfig& cfg, const std::map<std::string, std::uint64_t>& branch_tags,
                   bool steady, DurationSummary* durations) const;

    std::uint64_t cap_ = default_sample_cap;
    bool exact_ = true;
    std::uint64_t count_ = 0, errors_ = 0, warmups_ = 0;
    std::uint64_t error_run_ = 0, longest_error_run_ = 0;  // consecutive failed runs
    std::uint64_t lag_count_ = 0;
    double lag_sum_ = 0;  // in record order, as statistics.mean adds
    double memory_peak_ = 0;
    bool has_peak_ = false;
    double resolution_ = 0;
    bool has_run_delay_ = false;
    std::map<std::string, std::uint64_t> tags_;
    struct MetricValues {
        RunningMoments moments;
        double min = 0, max = 0;
    };
    std::map<std::string, MetricValues, std::less<>> metrics_;

    // Exact mode: every run, warm-ups included (flagged), so that run(i) works.
    std::vector<double> durations_, memory_, wait_, steady_;
    std::vector<std::uint64_t> error_bits_;   // bit i: run i failed
    std::vector<std::uint64_t> warmup_bits_;  // bit i: run i was a warm-up

    // Sketch mode: measured runs only.
    QuantileSketch duration_sketch_, memory_sketch_;
    RunningMoments duration_moments_, memory_moments_, wait_moments_;
};

}  // namespace pss
