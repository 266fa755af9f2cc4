#include "pss/scoring.hpp"

#include <algorithm>
#include <cfenv>
#include <cmath>

#include "pss/statistics.hpp"

namespace pss {

namespace {

double decay(double metric, double rate) { return std::exp(-rate * metric); }

std::vector<double> sorted_copy(std::span<const double> data) {
    std::vector<double> s(data.begin(), data.end());
    std::sort(s.begin(), s.end());
    return s;
}

}  // namespace

double timing_stability(std::span<const double> durations, const ScoringConfig& cfg) {
    if (durations.empty()) return 1.0;
    const double floor = cfg.timing_noise_floor;

    double cv = 0.0;
    if (durations.size() >= 2) {
        const double m = stats::mean(durations);
        if (m != 0.0) cv = std::max(0.0, stats::stdev(durations) - floor) / m;
    }

    double tail_ratio = 1.0;
    if (durations.size() > 1) {
        const auto sorted = sorted_copy(durations);
        const double p50 = stats::quantile_exclusive(sorted, 49);
        const double tail = stats::quantile_exclusive(sorted, static_cast<int>(cfg.score_latency_tail_percentile));
        if (p50 > 0.0) {
            // With no floor keep pypss's exact expression, bit for bit.
            tail_ratio = floor > 0.0 ? 1.0 + std::max(0.0, (tail - p50) - floor) / p50 : tail / p50;
        }
    }
    return decay(cv, cfg.alpha) * (1.0 / (1.0 + cfg.beta * std::max(0.0, tail_ratio - 1.0)));
}

double memory_stability(std::span<const double> memory, const ScoringConfig& cfg) {
    if (memory.size() < 2) return 1.0;
    const auto sorted = sorted_copy(memory);
    const double peak = sorted.back();
    const double median = stats::median_sorted(sorted) + cfg.score_memory_epsilon;
    if (median <= cfg.score_memory_epsilon) return peak == 0.0 ? 1.0 : 0.0;

    const double ratio = peak / median;
    double score = decay(stats::stdev(memory) / median + (ratio - 1.0), cfg.gamma);
    if (ratio > cfg.mem_spike_threshold_ratio) score *= decay(ratio - cfg.mem_spike_threshold_ratio, cfg.gamma);
    return score;
}

double error_volatility(std::span<const double> errors, const ScoringConfig& cfg) {
    if (errors.empty()) return 1.0;
    const double n = static_cast<double>(errors.size());
    double failures = 0.0;
    std::int64_t run = 0, longest = 0;
    for (double e : errors) {
        if (e != 0.0) {
            failures += 1.0;
            longest = std::max(longest, ++run);
        } else {
            run = 0;
        }
    }
    const double rate = failures / n;
    double vmr = 0.0;
    if (errors.size() > 1 && rate > 0.0) vmr = stats::variance(errors) / rate;

    double score = decay(rate + cfg.score_error_vmr_multiplier * vmr, cfg.delta);
    if (rate > cfg.error_spike_threshold) {
        const double impact = (rate - cfg.error_spike_threshold) / (1.0 - cfg.error_spike_threshold);
        score *= 1.0 - impact * cfg.score_error_spike_impact_multiplier;
    }
    if (longest >= cfg.consecutive_error_threshold) {
        const auto excess = static_cast<double>(longest - cfg.consecutive_error_threshold + 1);
        score *= decay(excess, cfg.delta * cfg.score_consecutive_error_decay_multiplier);
    }
    return score;
}

double branching_entropy(const std::map<std::string, std::uint64_t>& tag_counts) {
    if (tag_counts.size() <= 1) return 1.0;
    double total = 0.0;
    for (const auto& [tag, count] : tag_counts) total += static_cast<double>(count);
    double entropy = 0.0;
    for (const auto& [tag, count] : tag_counts) {
        if (count == 0) continue;
        const double p = static_cast<double>(count) / total;
        entropy -= p * std::log2(p);
    }
    return 1.0 - entropy / std::log2(static_cast<double>(tag_counts.size()));
}

double concurrency_chaos(std::span<const double> wait_times, std::span<const double> lags,
                         const ScoringConfig& cfg) {
    double score = 1.0;
    if (wait_times.size() >= 2 && stats::mean(wait_times) > cfg.concurrency_wait_threshold)
        score = decay(stats::cv(wait_times), cfg.alpha);
    if (!lags.empty()) {
        const double mean_lag = stats::mean(lags);
        if (mean_lag > cfg.score_lag_threshold)
            score *= 1.0 - std::min(1.0, mean_lag * cfg.score_lag_penalty_multiplier);
    }
    return std::max(0.0, score);
}

int combine(const SubScores& s, const ScoringConfig& cfg) {
    double raw = cfg.w_ts * s.timing_stability + cfg.w_ms * s.memory_stability + cfg.w_ev * s.error_volatility +
                 cfg.w_be * s.branching_entropy + cfg.w_cc * s.concurrency_chaos;
    const double total = cfg.w_ts + cfg.w_ms + cfg.w_ev + cfg.w_be + cfg.w_cc;
    if (total > 0.0) raw /= total;
    // Python's round(): half to even, which nearbyint does in the default mode.
    return static_cast<int>(std::nearbyint(std::clamp(raw, 0.0, 1.0) * 100.0));
}

void SampleSet::add(const TraceRecord& r) {
    if (r.system_metric) {
        if (r.lag) lags_.push_back(*r.lag);
        return;
    }
    durations_.push_back(r.duration);
    memory_.push_back(r.memory);
    memory_diff_.push_back(r.memory_diff);
    wait_.push_back(r.wait_time);
    error_flags_.push_back(r.error ? 1.0 : 0.0);
    if (r.error) ++errors_;
    if (r.branch_tag) ++tags_[*r.branch_tag];
}

Score SampleSet::score(const ScoringConfig& cfg) const {
    if (empty()) return Score{0, SubScores{0, 0, 0, 0, 0}};
    Score out;
    out.breakdown.timing_stability = timing_stability(durations_, cfg);
    out.breakdown.memory_stability = memory_stability(memory_, cfg);
    out.breakdown.error_volatility = error_volatility(error_flags_, cfg);
    out.breakdown.branching_entropy = branching_entropy(tags_);
    out.breakdown.concurrency_chaos = concurrency_chaos(wait_, lags_, cfg);
    out.pss = combine(out.breakdown, cfg);
    return out;
}

}  // namespace pss
