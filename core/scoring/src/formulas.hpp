// The sub-score formulas on the statistics they need, shared by the span
// functions of scoring.hpp (exact samples, pypss's way) and SampleSet's
// sketch mode. Internal to pss::scoring.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "pss/scoring/scoring.hpp"

namespace pss::formulas {

std::vector<double> sorted_copy(std::span<const double> data);

// `mean` and `stdev` are used when n >= 2, `p50` and `tail` when n > 1.
// `floor`: the timing noise floor in seconds (0: pypss exactly).
double timing_score(std::size_t n, double mean, double stdev, double p50, double tail, double floor,
                    const ScoringConfig& cfg);
// For n >= 2: the largest value, the median and the standard deviation.
double memory_score(double peak, double median, double stdev, const ScoringConfig& cfg);
// `variance` of the 0/1 failure flags, used when n > 1 and a run failed.
double error_score(std::uint64_t n, std::uint64_t failures, std::uint64_t longest_run, double variance,
                   const ScoringConfig& cfg);
double concurrency_score(std::size_t wait_n, double wait_mean, double wait_stdev, std::size_t lag_n, double lag_mean,
                         const ScoringConfig& cfg);

// timing_score of exact durations, also given sorted.
double timing_of(std::span<const double> durations, std::span<const double> sorted, double floor,
                 const ScoringConfig& cfg);
DurationSummary summary_of_sorted(std::span<const double> sorted);

}  // namespace pss::formulas
