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

// The formulas below take the statistics they need, so that exact samples
// and sketches share them; the span functions compute the statistics exactly
// as pypss does.

// `mean` and `stdev` are used when n >= 2, `p50` and `tail` when n > 1.
double timing_score(std::size_t n, double mean, double stdev, double p50, double tail, const ScoringConfig& cfg) {
    if (n == 0) return 1.0;
    const double floor = cfg.timing_noise_floor;
    double cv = 0.0;
    if (n >= 2 && mean != 0.0) cv = std::max(0.0, stdev - floor) / mean;
    double tail_ratio = 1.0;
    if (n > 1 && p50 > 0.0) {
        // With no floor keep pypss's exact expression, bit for bit.
        tail_ratio = floor > 0.0 ? 1.0 + std::max(0.0, (tail - p50) - floor) / p50 : tail / p50;
    }
    return decay(cv, cfg.alpha) * (1.0 / (1.0 + cfg.beta * std::max(0.0, tail_ratio - 1.0)));
}

// For n >= 2: the largest value, the median and the standard deviation.
double memory_score(double peak, double median, double stdev, const ScoringConfig& cfg) {
    median += cfg.score_memory_epsilon;
    if (median <= cfg.score_memory_epsilon) return peak == 0.0 ? 1.0 : 0.0;
    const double ratio = peak / median;
    double score = decay(stdev / median + (ratio - 1.0), cfg.gamma);
    if (ratio > cfg.mem_spike_threshold_ratio) score *= decay(ratio - cfg.mem_spike_threshold_ratio, cfg.gamma);
    return score;
}

// `variance` of the 0/1 failure flags, used when n > 1 and a run failed.
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
    return score;
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

}  // namespace

namespace {

// timing_stability with the durations also given sorted.
double timing_of(std::span<const double> durations, std::span<const double> sorted, const ScoringConfig& cfg) {
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
        if (cfg.timing_noise_floor > 0.0) tail = std::min(tail, sorted.back());
    }
    return timing_score(n, mean, stdev, p50, tail, cfg);
}

SampleSet::DurationSummary summary_of_sorted(std::span<const double> sorted) {
    SampleSet::DurationSummary out;
    if (sorted.empty()) return out;
    out.mean = stats::mean(sorted);
    out.max = sorted.back();
    out.p50 = sorted.size() >= 2 ? stats::quantile_exclusive(sorted, 49) : sorted.front();
    out.p95 = sorted.size() >= 2 ? stats::quantile_exclusive(sorted, 94) : sorted.front();
    return out;
}

}  // namespace

double timing_stability(std::span<const double> durations, const ScoringConfig& cfg) {
    return timing_of(durations, durations.size() >= 2 ? sorted_copy(durations) : std::vector<double>{}, cfg);
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
        if (r.lag) add_lags(1, *r.lag);
        return;
    }
    if (r.branch_tag) ++tags_[*r.branch_tag];
    add(Run{r.duration, r.memory, r.wait_time, r.error});
}

void SampleSet::add(const Run& run) {
    memory_peak_ = has_peak_ ? std::max(memory_peak_, run.memory) : run.memory;
    has_peak_ = true;
    ++count_;
    if (run.error) {
        ++errors_;
        longest_error_run_ = std::max(longest_error_run_, ++error_run_);
    } else {
        error_run_ = 0;
    }
    if (!exact_) {
        duration_sketch_.add(run.duration);
        memory_sketch_.add(run.memory);
        duration_moments_.add(run.duration);
        memory_moments_.add(run.memory);
        wait_moments_.add(run.wait);
        return;
    }
    durations_.push_back(run.duration);
    memory_.push_back(run.memory);
    wait_.push_back(run.wait);
    const std::uint64_t i = count_ - 1;
    if (i % 64 == 0) error_bits_.push_back(0);
    if (run.error) error_bits_.back() |= std::uint64_t{1} << (i % 64);
    if (count_ > cap_) switch_to_sketches();
}

SampleSet::Run SampleSet::run(std::uint64_t i) const {
    return Run{durations_[i], memory_[i], wait_[i], ((error_bits_[i / 64] >> (i % 64)) & 1) != 0};
}

void SampleSet::add_lags(std::uint64_t count, double sum) {
    lag_count_ += count;
    lag_sum_ += sum;
}

void SampleSet::merge_values(const SampleSet& other) {
    switch_to_sketches();
    if (other.has_peak_) {
        memory_peak_ = has_peak_ ? std::max(memory_peak_, other.memory_peak_) : other.memory_peak_;
        has_peak_ = true;
    }
    if (other.exact_) {
        for (std::size_t i = 0; i < other.durations_.size(); ++i) {
            duration_sketch_.add(other.durations_[i]);
            memory_sketch_.add(other.memory_[i]);
            duration_moments_.add(other.durations_[i]);
            memory_moments_.add(other.memory_[i]);
            wait_moments_.add(other.wait_[i]);
        }
        return;
    }
    duration_sketch_.merge(other.duration_sketch_);
    memory_sketch_.merge(other.memory_sketch_);
    duration_moments_.merge(other.duration_moments_);
    memory_moments_.merge(other.memory_moments_);
    wait_moments_.merge(other.wait_moments_);
}

void SampleSet::set_runs(std::uint64_t count, std::uint64_t errors, std::uint64_t longest_error_run) {
    count_ = count;
    errors_ = errors;
    longest_error_run_ = longest_error_run;
}

void SampleSet::switch_to_sketches() {
    if (!exact_) return;
    exact_ = false;
    // Shift the moments by the exact means so far: keeps the sums small.
    if (!durations_.empty()) {
        duration_moments_ = RunningMoments(stats::mean(durations_));
        memory_moments_ = RunningMoments(stats::mean(memory_));
        wait_moments_ = RunningMoments(stats::mean(wait_));
    }
    for (std::size_t i = 0; i < durations_.size(); ++i) {
        duration_sketch_.add(durations_[i]);
        memory_sketch_.add(memory_[i]);
        duration_moments_.add(durations_[i]);
        memory_moments_.add(memory_[i]);
        wait_moments_.add(wait_[i]);
    }
    // Give the memory back, not only the size.
    std::vector<double>().swap(durations_);
    std::vector<double>().swap(memory_);
    std::vector<double>().swap(wait_);
    std::vector<std::uint64_t>().swap(error_bits_);
}

std::vector<double> SampleSet::error_flags() const {
    std::vector<double> flags;
    if (!exact_) return flags;
    flags.reserve(count_);
    for (std::uint64_t i = 0; i < count_; ++i) flags.push_back((error_bits_[i / 64] >> (i % 64)) & 1 ? 1.0 : 0.0);
    return flags;
}

SampleSet::DurationSummary SampleSet::duration_summary() const {
    if (exact_) return summary_of_sorted(sorted_copy(durations_));
    DurationSummary out;
    if (count_ == 0) return out;
    out.mean = duration_moments_.mean();
    out.max = duration_sketch_.max();
    out.p50 = count_ >= 2 ? duration_sketch_.quantile_exclusive(49) : out.max;
    out.p95 = count_ >= 2 ? duration_sketch_.quantile_exclusive(94) : out.max;
    return out;
}

Score SampleSet::score(const ScoringConfig& cfg, const std::map<std::string, std::uint64_t>& branch_tags,
                       DurationSummary* durations) const {
    if (empty()) return Score{0, SubScores{0, 0, 0, 0, 0}};
    Score out;
    SubScores& s = out.breakdown;
    const double lag_mean = lag_count_ == 0 ? 0.0 : lag_sum_ / static_cast<double>(lag_count_);
    s.branching_entropy = branching_entropy(branch_tags);
    if (exact_) {
        const auto sorted = sorted_copy(durations_);  // one sort for the score and the summary
        s.timing_stability = timing_of(durations_, sorted, cfg);
        if (durations) *durations = summary_of_sorted(sorted);
        s.memory_stability = memory_stability(memory_, cfg);
        s.error_volatility = error_volatility(error_flags(), cfg);
        const double wait_stdev = wait_.size() >= 2 ? stats::stdev(wait_) : 0.0;
        s.concurrency_chaos = concurrency_score(wait_.size(), stats::mean(wait_), wait_stdev, lag_count_, lag_mean, cfg);
    } else {
        const std::size_t n = count_;
        const int tail_k = static_cast<int>(cfg.score_latency_tail_percentile);
        double tail = duration_sketch_.quantile_exclusive(tail_k);
        if (cfg.timing_noise_floor > 0.0) tail = std::min(tail, duration_sketch_.max());  // as timing_stability
        s.timing_stability = timing_score(n, duration_moments_.mean(), std::sqrt(duration_moments_.variance()),
                                          duration_sketch_.quantile_exclusive(49), tail, cfg);
        s.memory_stability =
            n < 2 ? 1.0 : memory_score(memory_peak_, memory_sketch_.median(), std::sqrt(memory_moments_.variance()), cfg);
        // The variance of n flags of which k are 1: k (n - k) / (n (n - 1)).
        const auto nf = static_cast<double>(n), kf = static_cast<double>(errors_);
        const double variance = n > 1 ? kf * (nf - kf) / (nf * (nf - 1.0)) : 0.0;
        s.error_volatility = error_score(n, errors_, longest_error_run_, variance, cfg);
        s.concurrency_chaos = concurrency_score(n, wait_moments_.mean(), std::sqrt(wait_moments_.variance()), lag_count_,
                                                lag_mean, cfg);
    }
    if (durations && !exact_) *durations = duration_summary();
    out.pss = combine(out.breakdown, cfg);
    return out;
}

}  // namespace pss
