// Merging cells into totals, and quantiles from the merged buckets.
#include "totals.hpp"

#include <algorithm>

#include "cells.hpp"
#include "state.hpp"

namespace pss::metrics::detail {

namespace {
constexpr auto relaxed = std::memory_order_relaxed;
constexpr auto acquire = std::memory_order_acquire;
}  // namespace

void GaugeTotal::add(std::uint64_t n, double s, double lo, double hi) noexcept {
    if (n == 0) return;
    min = count == 0 ? lo : std::min(min, lo);
    max = count == 0 ? hi : std::max(max, hi);
    count += n;
    sum += s;
}

void TimingTotal::add_summary(std::uint64_t n, double s, double lo, double hi) noexcept {
    if (n == 0) return;
    min = count == 0 ? lo : std::min(min, lo);
    max = count == 0 ? hi : std::max(max, hi);
    count += n;
    sum += s;
}

void TimingTotal::add_bucket(std::uint32_t index, std::uint64_t n) {
    auto& octave = buckets[index >> sub_bucket_bits];
    if (!octave) octave = std::make_unique<std::array<std::uint64_t, sub_buckets>>();
    (*octave)[index & (sub_buckets - 1)] += n;
}

void TimingTotal::add_value(double value) {
    if (value > 0) add_bucket(bucket_of(value), 1);
    else ++zeros;
    add_summary(1, value, value, value);
}

void TimingTotal::merge(const TimingTotal& other) {
    add_summary(other.count, other.sum, other.min, other.max);
    zeros += other.zeros;
    for (std::uint32_t o = 0; o < octaves; ++o) {
        if (!other.buckets[o]) continue;
        for (std::uint32_t s = 0; s < sub_buckets; ++s)
            if (const std::uint64_t n = (*other.buckets[o])[s]) add_bucket((o << sub_bucket_bits) | s, n);
    }
}

double TimingTotal::quantile(double q) const noexcept {
    std::uint64_t total = zeros;
    for (const auto& octave : buckets)
        if (octave)
            for (const std::uint64_t n : *octave) total += n;
    if (total == 0) return count == 0 ? 0 : sum / static_cast<double>(count);
    const double clamped_q = std::clamp(q, 0.0, 1.0);
    const auto rank = static_cast<std::uint64_t>(clamped_q * static_cast<double>(total - 1));
    double value = 0;  // the zero bucket's value
    std::uint64_t below = zeros;
    if (rank >= below) {
        for (std::uint32_t o = 0; o < octaves && rank >= below; ++o) {
            if (!buckets[o]) continue;
            for (std::uint32_t s = 0; s < sub_buckets; ++s) {
                below += (*buckets[o])[s];
                if (rank < below) {
                    value = bucket_value((o << sub_bucket_bits) | s);
                    break;
                }
            }
        }
    }
    return std::clamp(value, min, max);
}

TimingTotal& Totals::timing(std::uint32_t id) {
    if (timings.size() <= id) timings.resize(id + 1);
    if (!timings[id]) timings[id] = std::make_unique<TimingTotal>();
    return *timings[id];
}

void Selection::range(Kind k, std::uint32_t count, std::uint32_t& begin, std::uint32_t& end) const noexcept {
    if (all) {
        begin = 0;
        end = count;
    } else if (k == kind && id < count) {
        begin = id;
        end = id + 1;
    } else {
        begin = end = 0;
    }
}

namespace {

std::uint32_t page_span(std::uint32_t end) noexcept { return (end + page_size - 1) / page_size; }

}  // namespace

void Totals::add_thread(const ThreadState& thread, std::uint64_t state, const Selection& which) {
    const std::uint64_t published = thread.published.load(acquire);
    std::uint32_t begin = 0, end = 0;

    if ((published & counter_generation_mask) == (state & counter_generation_mask)) {
        which.range(Kind::counter, max_series, begin, end);
        for (std::uint32_t p = begin / page_size; p < page_span(end); ++p) {
            const CounterPage* page = thread.counters[p].load(acquire);
            if (page == nullptr) continue;
            const std::uint32_t lo = std::max(begin, p * page_size), hi = std::min(end, (p + 1) * page_size);
            for (std::uint32_t id = lo; id < hi; ++id) {
                const CounterCell& cell = page->cells[id % page_size];
                if (!cell.touched.load(relaxed)) continue;
                if (counters.size() <= id) counters.resize(id + 1);
                counters[id].value += cell.value.load(relaxed);
                counters[id].touched = true;
            }
        }
    }
    if ((published & other_generation_mask) != (state & other_generation_mask)) return;

    which.range(Kind::gauge, max_series, begin, end);
    for (std::uint32_t p = begin / page_size; p < page_span(end); ++p) {
        const GaugePage* page = thread.gauges[p].load(acquire);
        if (page == nullptr) continue;
        const std::uint32_t lo = std::max(begin, p * page_size), hi = std::min(end, (p + 1) * page_size);
        for (std::uint32_t id = lo; id < hi; ++id) {
            const GaugeCell& cell = page->cells[id % page_size];
            const std::uint64_t n = cell.count.load(acquire);
            if (n == 0) continue;
            if (gauges.size() <= id) gauges.resize(id + 1);
            gauges[id].add(n, cell.sum.load(relaxed), cell.min.load(relaxed), cell.max.load(relaxed));
        }
    }

    which.range(Kind::timing, max_series, begin, end);
    for (std::uint32_t p = begin / page_size; p < page_span(end); ++p) {
        const TimingPage* page = thread.timings[p].load(acquire);
        if (page == nullptr) continue;
        const std::uint32_t lo = std::max(begin, p * page_size), hi = std::min(end, (p + 1) * page_size);
        for (std::uint32_t id = lo; id < hi; ++id) {
            const TimingCell* cell = page->cells[id % page_size].load(acquire);
            if (cell == nullptr) continue;
            const std::uint64_t n = cell->count.load(acquire);
            if (n == 0) continue;
            TimingTotal& total = timing(id);
            total.add_summary(n, cell->sum.load(relaxed), cell->min.load(relaxed), cell->max.load(relaxed));
            total.zeros += cell->zeros.load(relaxed);
            for (std::uint32_t o = 0; o < octaves; ++o) {
                const OctaveCounts* counts = cell->octaves[o].load(acquire);
                if (counts == nullptr) continue;
                for (std::uint32_t s = 0; s < sub_buckets; ++s)
                    if (const std::uint64_t k = counts->n[s].load(relaxed)) total.add_bucket((o << sub_bucket_bits) | s, k);
            }
        }
    }
}

void Totals::merge(const Totals& other, const Selection& which) {
    std::uint32_t begin = 0, end = 0;
    which.range(Kind::counter, static_cast<std::uint32_t>(other.counters.size()), begin, end);
    for (std::uint32_t id = begin; id < end; ++id) {
        if (!other.counters[id].touched) continue;
        if (counters.size() <= id) counters.resize(id + 1);
        counters[id].value += other.counters[id].value;
        counters[id].touched = true;
    }
    which.range(Kind::gauge, static_cast<std::uint32_t>(other.gauges.size()), begin, end);
    for (std::uint32_t id = begin; id < end; ++id) {
        const GaugeTotal& g = other.gauges[id];
        if (g.count == 0) continue;
        if (gauges.size() <= id) gauges.resize(id + 1);
        gauges[id].add(g.count, g.sum, g.min, g.max);
    }
    which.range(Kind::timing, static_cast<std::uint32_t>(other.timings.size()), begin, end);
    for (std::uint32_t id = begin; id < end; ++id)
        if (other.timings[id]) timing(id).merge(*other.timings[id]);
}

}  // namespace pss::metrics::detail
