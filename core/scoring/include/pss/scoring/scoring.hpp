// The five stability sub-scores and the PSS, as pypss 1.3.1 computes them,
// plus the timing noise floor that C++ test suites need. The formulas take
// samples; SampleSet (sample_set.hpp) collects them from records.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>


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

    // pypss's custom_metric_weights: a pss::metrics series key (as records
    // carry it, `cache.hit_rate` or `db.query{table=users}`) and its weight
    // beside w_ts..w_cc. A test whose records carry a named metric gets its
    // metric-stability score in its PSS; other tests are unchanged.
    std::map<std::string, double> custom_metric_weights;
};

// How stable one metric (TraceRecord::metrics) was across a test's measured
// runs: exp(-alpha * CV), CV = stdev / |mean| (0 with fewer than 2 values
// or a mean of 0), as pypss's plugin metrics score a series.
struct MetricStability {
    std::string name;
    std::uint64_t runs = 0;  // runs that recorded it
    double mean = 0, min = 0, max = 0, cv = 0;
    double score = 1;   // 0..1
    double weight = 0;  // from custom_metric_weights; 0 when not scored
};

double metric_stability(std::uint64_t n, double mean, double stdev, const ScoringConfig& cfg);

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

// Durations of a group's scored runs, in seconds. p50 and p95 as Python's
// statistics.quantiles computes them (the exclusive method), shown within
// the observed range: with few runs the exclusive method extrapolates past
// the slowest run, which a report should not claim was seen.
struct DurationSummary {
    double mean = 0, p50 = 0, p95 = 0, max = 0;
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
// The same with the weighted metric scores added to the mean (weight 0: left out).
int combine(const SubScores& s, const ScoringConfig& cfg, const std::vector<MetricStability>& metrics);

// 16 hex digits that change when any scoring constant changes and are the
// same in every build (FNV-1a of the values): history keeps it with each run,
// so runs scored differently can be told apart.
std::string fingerprint(const ScoringConfig& cfg);

}  // namespace pss
