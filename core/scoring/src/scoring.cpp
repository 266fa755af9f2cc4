#include "pss/scoring/scoring.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "formulas.hpp"
#include "pss/stats/statistics.hpp"

namespace pss::formulas {

namespace {

double decay(double metric, double rate) { return std::exp(-rate * metric); }

}  // namespace

std::vector<double> sorted_copy(std::span<const double> data) {
    std::vector<double> s(data.begin(), data.end());
    std::sort(s.begin(), s.end());
    return s;
}

double timing_score(std::size_t n, double mean, double stdev, double p50, double tail, double floor,
                    const ScoringConfig& cfg) {
    if (n == 0) return 1.0;
    double cv = 0.0;
    if (n >= 2 && mean != 0.0) cv = std::max(0.0, stdev - floor) / mean;
    double tail_ratio = 1.0;
    if (n > 1 && p50 > 0.0) {
        // With no floor keep pypss's exact expression, bit for bit.
        tail_ratio = floor > 0.0 ? 1.0 + std::max(0.0, (tail - p50) - floor) / p50 : tail / p50;
    }
    return decay(cv, cfg.alpha) * (1.0 / (1.0 + cfg.beta * std::max(0.0, tail_ratio - 1.0)));
}

double memory_score(double peak, double median, double stdev, const ScoringConfig& cfg) {
    median += cfg.score_memory_epsilon;
    if (median <= cfg.score_memory_epsilon) return peak == 0.0 ? 1.0 : 0.0;
    const double ratio = peak / median;
    double score = decay(stdev / median + (ratio - 1.0), cfg.gamma);
    if (ratio > cfg.mem_spike_threshold_ratio) score *= decay(ratio - cfg.mem_spike_threshold_ratio, cfg.gamma);
    // pypss's expression passes 1 when the peak is below median + epsilon:
    // barely for real heaps (1 + 2e-9 / bytes), up to e^gamma for fractions
    // of a byte, enough to outweigh every other sub-score. A sub-score is 0-1.
    return std::min(score, 1.0);
}

double error_score(std::uint64_t n, std::uint64_t failures, std::uint64_t longest_run, double variance,
                   const ScoringConfig& cfg) {
    if (n == 0) return 1.0;
    const double rate = static_cast<double>(failures) / static_cast<double>(n);
    double vmr = 0.0;
    if (n > 1 && rate > 0.0) vmr = variance / rate;

    double score = decay(rate + cfg.score_error_vmr_multiplier * vmr, cfg.delta);
    if (rate > cfg.error_spike_threshold) {
        const double impact = (rate - cfg.error_spike_threshold) / (1.0 - cfg.error_spike_threshold);
        score *= 1.0 - impact * cfg.score_error_spike_impact_multiplier;
    }
    const auto longest = static_cast<std::int64_t>(longest_run);
    if (longest >= cfg.consecutive_error_threshold) {
        const auto excess = static_cast<double>(longest - cfg.consecutive_error_threshold + 1);
        score *= decay(excess, cfg.delta * cfg.score_consecutive_error_decay_multiplier);
    }
    // A spike impact multiplier above 1 (a config value) takes the spike
    // factor below 0; a sub-score is 0-1.
    return std::max(score, 0.0);
}

double concurrency_score(std::size_t wait_n, double wait_mean, double wait_stdev, std::size_t lag_n, double lag_mean,
                         const ScoringConfig& cfg) {
    double score = 1.0;
    if (wait_n >= 2 && wait_mean > cfg.concurrency_wait_threshold)
        score = decay(wait_mean == 0.0 ? 0.0 : wait_stdev / wait_mean, cfg.alpha);
    if (lag_n > 0 && lag_mean > cfg.score_lag_threshold)
        score *= 1.0 - std::min(1.0, lag_mean * cfg.score_lag_penalty_multiplier);
    return std::max(0.0, score);
}

double timing_of(std::span<const double> durations, std::span<const double> sorted, double floor,
                 const ScoringConfig& cfg) {
    const std::size_t n = durations.size();
    double mean = 0.0, stdev = 0.0, p50 = 0.0, tail = 0.0;
    if (n >= 2) {
        mean = stats::mean(durations);
        if (mean != 0.0) stdev = stats::stdev(durations);
        p50 = stats::quantile_exclusive(sorted, 49);
        tail = stats::quantile_exclusive(sorted, static_cast<int>(cfg.score_latency_tail_percentile));
        // Beyond pypss: with few runs Python's exclusive p95 extrapolates past
        // the slowest run (1.8x its gap with 3 runs), turning one scheduler
        // hiccup into a heavy tail. With a noise floor, the tail is the
        // percentile clamped to the observed range; with none, pypss exactly.
        if (floor > 0.0) tail = std::min(tail, sorted.back());
    }
    return timing_score(n, mean, stdev, p50, tail, floor, cfg);
}

DurationSummary summary_of_sorted(std::span<const double> sorted) {
    DurationSummary out;
    if (sorted.empty()) return out;
    out.mean = stats::mean(sorted);
    out.max = sorted.back();
    out.p50 = sorted.size() >= 2 ? stats::quantile_exclusive(sorted, 49) : sorted.front();
    out.p95 = sorted.size() >= 2 ? stats::quantile_exclusive(sorted, 94) : sorted.front();
    out.p50 = std::clamp(out.p50, sorted.front(), sorted.back());
    out.p95 = std::clamp(out.p95, sorted.front(), sorted.back());
    return out;
}

}  // namespace pss::formulas

namespace pss {

using namespace formulas;

double timing_stability(std::span<const double> durations, const ScoringConfig& cfg) {
    return timing_of(durations, durations.size() >= 2 ? sorted_copy(durations) : std::vector<double>{},
                     cfg.timing_noise_floor, cfg);
}

double memory_stability(std::span<const double> memory, const ScoringConfig& cfg) {
    if (memory.size() < 2) return 1.0;
    const auto sorted = sorted_copy(memory);
    return memory_score(sorted.back(), stats::median_sorted(sorted), stats::stdev(memory), cfg);
}

double error_volatility(std::span<const double> errors, const ScoringConfig& cfg) {
    std::uint64_t failures = 0, run = 0, longest = 0;
    for (double e : errors) {
        if (e != 0.0) {
            ++failures;
            longest = std::max(longest, ++run);
        } else {
            run = 0;
        }
    }
    const double variance = errors.size() > 1 && failures > 0 ? stats::variance(errors) : 0.0;
    return error_score(errors.size(), failures, longest, variance, cfg);
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
    const double wait_mean = stats::mean(wait_times);
    const double wait_stdev = wait_times.size() >= 2 ? stats::stdev(wait_times) : 0.0;
    return concurrency_score(wait_times.size(), wait_mean, wait_stdev, lags.size(), stats::mean(lags), cfg);
}

std::string fingerprint(const ScoringConfig& c) {
    // Every field; the assertion fails when one is added without being hashed here.
    static_assert(sizeof(ScoringConfig) == 21 * 8 + sizeof(std::map<std::string, double>),
                  "ScoringConfig changed: add the new key to fingerprint()");
    std::string text = fmt::format(
        "{} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {}", c.w_ts, c.w_ms, c.w_ev, c.w_be, c.w_cc,
        c.alpha, c.beta, c.gamma, c.delta, c.mem_spike_threshold_ratio, c.error_spike_threshold,
        c.consecutive_error_threshold, c.concurrency_wait_threshold, c.score_latency_tail_percentile,
        c.score_memory_epsilon, c.score_error_vmr_multiplier, c.score_error_spike_impact_multiplier,
        c.score_consecutive_error_decay_multiplier, c.score_lag_threshold, c.score_lag_penalty_multiplier,
        c.timing_noise_floor);
    for (const auto& [name, weight] : c.custom_metric_weights) text += fmt::format(" {}={}", name, weight);
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char ch : text) h = (h ^ ch) * 0x100000001b3ull;
    return fmt::format("{:016x}", h);
}

double metric_stability(std::uint64_t n, double mean, double stdev, const ScoringConfig& cfg) {
    if (n < 2 || mean == 0.0) return 1.0;
    const double score = std::exp(-cfg.alpha * stdev / std::fabs(mean));
    return std::isfinite(score) ? std::clamp(score, 0.0, 1.0) : 0.0;
}

int combine(const SubScores& s, const ScoringConfig& cfg) { return combine(s, cfg, {}); }

int combine(const SubScores& s, const ScoringConfig& cfg, const std::vector<MetricStability>& metrics) {
    double raw = cfg.w_ts * s.timing_stability + cfg.w_ms * s.memory_stability + cfg.w_ev * s.error_volatility +
                 cfg.w_be * s.branching_entropy + cfg.w_cc * s.concurrency_chaos;
    double total = cfg.w_ts + cfg.w_ms + cfg.w_ev + cfg.w_be + cfg.w_cc;
    for (const MetricStability& m : metrics) {
        raw += m.weight * m.score;
        total += m.weight;
    }
    if (total > 0.0) raw /= total;
    // A NaN (from hostile input) is no score: it must never read as 100.
    if (!std::isfinite(raw)) raw = 0.0;
    // Python's round(): half to even, which nearbyint does in the default mode.
    return static_cast<int>(std::nearbyint(std::clamp(raw, 0.0, 1.0) * 100.0));
}

}  // namespace pss
