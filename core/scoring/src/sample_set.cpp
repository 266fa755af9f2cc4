#include "pss/scoring/sample_set.hpp"

#include <algorithm>
#include <cmath>

#include "formulas.hpp"
#include "pss/stats/statistics.hpp"

namespace pss {

using namespace formulas;

void SampleSet::add(const TraceRecord& r) {
    if (r.system_metric) {
        if (r.lag) add_lags(1, *r.lag);
        return;
    }
    if (r.branch_tag && !r.branch_tag->empty()) ++tags_[*r.branch_tag];
    note_resolution(r.timing_resolution);
    if (r.run_delay > 0) has_run_delay_ = true;
    if (!r.warmup)
        for (const RecordMetric& m : r.metrics) {
            auto it = metrics_.find(m.name);
            if (it == metrics_.end()) {
                if (metrics_.size() >= max_metrics) continue;
                it = metrics_.emplace(m.name, MetricValues{RunningMoments{}, m.value, m.value}).first;
            }
            it->second.moments.add(m.value);
            it->second.min = std::min(it->second.min, m.value);
            it->second.max = std::max(it->second.max, m.value);
        }
    const double steady = std::max(0.0, r.duration - std::max(0.0, r.run_delay));
    add(Run{r.duration, r.memory, r.wait_time, steady, r.error, r.warmup});
}

void SampleSet::add(const Run& run) {
    ++count_;
    if (run.error) {
        ++errors_;
        longest_error_run_ = std::max(longest_error_run_, ++error_run_);
    } else {
        error_run_ = 0;
    }
    if (run.warmup) {
        ++warmups_;
    } else {
        memory_peak_ = has_peak_ ? std::max(memory_peak_, run.memory) : run.memory;
        has_peak_ = true;
    }
    if (!exact_) {
        if (run.warmup) return;
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
    steady_.push_back(run.steady);
    const std::uint64_t i = count_ - 1;
    if (i % 64 == 0) {
        error_bits_.push_back(0);
        warmup_bits_.push_back(0);
    }
    if (run.error) error_bits_.back() |= std::uint64_t{1} << (i % 64);
    if (run.warmup) warmup_bits_.back() |= std::uint64_t{1} << (i % 64);
    if (measured_count() > cap_) switch_to_sketches();
}

SampleSet::Run SampleSet::run(std::uint64_t i) const {
    return Run{durations_[i], memory_[i], wait_[i], steady_[i], ((error_bits_[i / 64] >> (i % 64)) & 1) != 0,
               warmup_at(i)};
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
    resolution_ = std::max(resolution_, other.resolution_);
    has_run_delay_ = has_run_delay_ || other.has_run_delay_;
    if (other.exact_) {
        for (std::size_t i = 0; i < other.durations_.size(); ++i) {
            if (other.warmup_at(i)) continue;
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
    // The merged values are measured runs only; the warm-ups are the difference.
    warmups_ = count >= duration_moments_.count() ? count - duration_moments_.count() : 0;
    count_ = count;
    errors_ = errors;
    longest_error_run_ = longest_error_run;
}

void SampleSet::switch_to_sketches() {
    if (!exact_) return;
    exact_ = false;
    const auto d = durations(), m = memory(), w = wait_times();
    // Shift the moments by the exact means so far: keeps the sums small.
    if (!d.empty()) {
        duration_moments_ = RunningMoments(stats::mean(d));
        memory_moments_ = RunningMoments(stats::mean(m));
        wait_moments_ = RunningMoments(stats::mean(w));
    }
    for (std::size_t i = 0; i < d.size(); ++i) {
        duration_sketch_.add(d[i]);
        memory_sketch_.add(m[i]);
        duration_moments_.add(d[i]);
        memory_moments_.add(m[i]);
        wait_moments_.add(w[i]);
    }
    // Give the memory back, not only the size.
    std::vector<double>().swap(durations_);
    std::vector<double>().swap(memory_);
    std::vector<double>().swap(wait_);
    std::vector<double>().swap(steady_);
    std::vector<std::uint64_t>().swap(error_bits_);
    std::vector<std::uint64_t>().swap(warmup_bits_);
}

std::vector<double> SampleSet::measured(const std::vector<double>& values) const {
    if (warmups_ == 0) return values;
    std::vector<double> out;
    out.reserve(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!warmup_at(i)) out.push_back(values[i]);
    return out;
}

std::vector<double> SampleSet::durations() const { return measured(durations_); }
std::vector<double> SampleSet::steady_durations() const { return measured(steady_); }
std::vector<double> SampleSet::memory() const { return measured(memory_); }
std::vector<double> SampleSet::wait_times() const { return measured(wait_); }

std::vector<double> SampleSet::error_flags() const {
    std::vector<double> flags;
    if (!exact_) return flags;
    flags.reserve(count_);
    for (std::uint64_t i = 0; i < count_; ++i) flags.push_back((error_bits_[i / 64] >> (i % 64)) & 1 ? 1.0 : 0.0);
    return flags;
}

double SampleSet::timing_floor(const ScoringConfig& cfg) const { return std::max(cfg.timing_noise_floor, resolution_); }

DurationSummary SampleSet::duration_summary() const {
    if (exact_) return summary_of_sorted(sorted_copy(durations()));
    DurationSummary out;
    if (measured_count() == 0) return out;
    out.mean = duration_moments_.mean();
    out.max = duration_sketch_.max();
    const bool two = duration_sketch_.count() >= 2;
    out.p50 = std::clamp(two ? duration_sketch_.quantile_exclusive(49) : out.max, duration_sketch_.min(), out.max);
    out.p95 = std::clamp(two ? duration_sketch_.quantile_exclusive(94) : out.max, duration_sketch_.min(), out.max);
    return out;
}

std::vector<MetricStability> SampleSet::metric_stabilities(const ScoringConfig& cfg) const {
    std::vector<MetricStability> out;
    out.reserve(metrics_.size());
    for (const auto& [name, v] : metrics_) {
        MetricStability m;
        m.name = name;
        m.runs = v.moments.count();
        m.mean = v.moments.mean();
        m.min = v.min;
        m.max = v.max;
        const double stdev = std::sqrt(v.moments.variance());
        m.cv = m.runs < 2 || m.mean == 0.0 ? 0.0 : stdev / std::fabs(m.mean);
        m.score = metric_stability(m.runs, m.mean, stdev, cfg);
        if (const auto w = cfg.custom_metric_weights.find(name); w != cfg.custom_metric_weights.end()) m.weight = w->second;
        out.push_back(std::move(m));
    }
    return out;
}

Score SampleSet::score(const ScoringConfig& cfg, const std::map<std::string, std::uint64_t>& branch_tags,
                       DurationSummary* durations) const {
    return score_of(cfg, branch_tags, false, durations);
}

Score SampleSet::steady_score(const ScoringConfig& cfg) const {
    return score_of(cfg, tags_, exact_ && has_run_delay_, nullptr);
}

Score SampleSet::score_of(const ScoringConfig& cfg, const std::map<std::string, std::uint64_t>& branch_tags,
                          bool steady, DurationSummary* summary) const {
    if (empty()) return Score{0, SubScores{0, 0, 0, 0, 0}};
    Score out;
    SubScores& s = out.breakdown;
    const double floor = timing_floor(cfg);
    const double lag_mean = lag_count_ == 0 ? 0.0 : lag_sum_ / static_cast<double>(lag_count_);
    s.branching_entropy = branching_entropy(branch_tags);
    if (exact_) {
        const std::vector<double> wall = durations();
        const std::vector<double> timed = steady ? steady_durations() : wall;
        const auto sorted = sorted_copy(timed);  // one sort for the score and the summary
        s.timing_stability = timing_of(timed, sorted, floor, cfg);
        if (summary) *summary = steady ? summary_of_sorted(sorted_copy(wall)) : summary_of_sorted(sorted);
        s.memory_stability = memory_stability(memory(), cfg);
        s.error_volatility = error_volatility(error_flags(), cfg);
        std::vector<double> waits = wait_times();
        if (steady)  // the run delay is part of the wait: take it out too
            for (std::size_t i = 0; i < waits.size(); ++i) waits[i] = std::max(0.0, waits[i] - (wall[i] - timed[i]));
        const double wait_stdev = waits.size() >= 2 ? stats::stdev(waits) : 0.0;
        s.concurrency_chaos = concurrency_score(waits.size(), stats::mean(waits), wait_stdev, lag_count_, lag_mean, cfg);
    } else {
        const std::size_t n = measured_count();
        const int tail_k = static_cast<int>(cfg.score_latency_tail_percentile);
        double tail = duration_sketch_.quantile_exclusive(tail_k);
        if (floor > 0.0) tail = std::min(tail, duration_sketch_.max());  // as timing_of
        s.timing_stability = timing_score(n, duration_moments_.mean(), std::sqrt(duration_moments_.variance()),
                                          duration_sketch_.quantile_exclusive(49), tail, floor, cfg);
        s.memory_stability =
            n < 2 ? 1.0 : memory_score(memory_peak_, memory_sketch_.median(), std::sqrt(memory_moments_.variance()), cfg);
        // The variance of n flags of which k are 1: k (n - k) / (n (n - 1)).
        const auto nf = static_cast<double>(count_), kf = static_cast<double>(errors_);
        const double variance = count_ > 1 ? kf * (nf - kf) / (nf * (nf - 1.0)) : 0.0;
        s.error_volatility = error_score(count_, errors_, longest_error_run_, variance, cfg);
        s.concurrency_chaos = concurrency_score(n, wait_moments_.mean(), std::sqrt(wait_moments_.variance()), lag_count_,
                                                lag_mean, cfg);
        if (summary) *summary = duration_summary();
    }
    // Past the sketches' sums (values near 1e308: inf - inf) a sub-score can
    // be NaN. Whatever those numbers were, they were not stable: 0, so that
    // reports and the JSON get a number and the other sub-scores still count.
    for (double* sub : {&s.timing_stability, &s.memory_stability, &s.error_volatility, &s.branching_entropy,
                        &s.concurrency_chaos})
        if (std::isnan(*sub)) *sub = 0.0;
    out.pss = cfg.custom_metric_weights.empty() || metrics_.empty() ? combine(out.breakdown, cfg)
                                                                    : combine(out.breakdown, cfg, metric_stabilities(cfg));
    return out;
}

}  // namespace pss
