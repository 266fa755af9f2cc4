#include "pss/scoring/analyzer.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>
#include <tuple>

namespace pss {

namespace {

// A fast hash of (module, name), eight bytes at a time: the test look-up
// runs once per record. The length goes in with each part, so that
// ("ab", "c") and ("a", "bc") differ.
std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
    h = (h ^ v) * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}

template <typename T>
std::uint64_t load(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

std::uint64_t hash_part(std::uint64_t h, std::string_view s) {
    const char* p = s.data();
    std::size_t n = s.size();
    for (; n >= 8; p += 8, n -= 8) h = mix(h, load<std::uint64_t>(p));
    // The last 0..7 bytes in fixed-size loads (overlapping when they must):
    // a copy of variable length into a word stalls the load that follows it.
    std::uint64_t tail = 0;
    if (n >= 4) {
        tail = load<std::uint32_t>(p) << 32 | load<std::uint32_t>(p + n - 4);
    } else if (n > 0) {
        tail = load<std::uint8_t>(p) << 16 | load<std::uint8_t>(p + n / 2) << 8 | load<std::uint8_t>(p + n - 1);
    }
    return mix(mix(h, tail), s.size());
}

std::uint64_t test_hash(std::string_view module, std::string_view name) {
    return hash_part(hash_part(0x243F6A8885A308D3ull, module), name);
}

// f(i, worker) for every i in [0, n), on up to `threads` threads. Each i
// writes its own result, so the output does not depend on the threads.
template <typename F>
void for_each_index(std::size_t n, unsigned threads, F&& f) {
    threads = static_cast<unsigned>(std::min<std::size_t>(std::max(1u, threads), n / 16 + 1));
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto work = [&](unsigned worker) {
        try {
            for (std::size_t i; (i = next.fetch_add(1)) < n;) f(i, worker);
        } catch (...) {
            std::lock_guard lock(error_mutex);
            if (!error) error = std::current_exception();
            next = n;
        }
    };
    std::vector<std::thread> helpers;
    for (unsigned w = 1; w < threads; ++w) helpers.emplace_back(work, w);
    work(0);
    for (auto& h : helpers) h.join();
    if (error) std::rethrow_exception(error);
}

}  // namespace

Analyzer::Analyzer(const AnalyzerOptions& options)
    : options_(options), test_index_(1024), budget_check_at_(options.exact_memory_bytes) {}

std::uint32_t Analyzer::module_of(std::string_view module) {
    const std::string key(module);
    if (auto it = module_index_.find(key); it != module_index_.end()) return it->second;
    const auto index = static_cast<std::uint32_t>(modules_.size());
    module_index_.emplace(key, index);
    modules_.emplace_back().name = key;
    return index;
}

std::uint32_t Analyzer::test_of(std::string_view module, std::string_view name) {
    // The runs of a suite usually come in the same order each time: the test
    // that followed the previous record's test last time is tried first.
    if (previous_test_ != no_test) {
        const std::uint32_t guess = tests_[previous_test_].next_test;
        if (guess != no_test && tests_[guess].name == name && tests_[guess].module == module)
            return previous_test_ = guess;
    }
    const std::uint32_t found = find_or_add_test(module, name);
    if (previous_test_ != no_test) tests_[previous_test_].next_test = found;
    return previous_test_ = found;
}

std::uint32_t Analyzer::find_or_add_test(std::string_view module, std::string_view name) {
    const std::uint64_t hash = test_hash(module, name);
    std::size_t mask = test_index_.size() - 1;
    std::size_t i = hash & mask;
    for (;; i = (i + 1) & mask) {
        const Slot& slot = test_index_[i];
        if (slot.test == no_test) break;
        const Test& t = tests_[slot.test];
        if (slot.hash == hash && t.name == name && t.module == module) return slot.test;
    }
    const auto index = static_cast<std::uint32_t>(tests_.size());
    const std::uint32_t m = module_of(module);
    Test& t = tests_.emplace_back();
    t.samples = SampleSet(options_.sample_cap);
    t.name = name;
    t.module = module;
    t.module_index = m;
    modules_[m].members.push_back(index);
    if (tests_.size() * 2 > test_index_.size()) {
        grow_test_index();
        mask = test_index_.size() - 1;
        for (i = hash & mask; test_index_[i].test != no_test;) i = (i + 1) & mask;
    }
    test_index_[i] = Slot{hash, index};
    return index;
}

void Analyzer::grow_test_index() {
    std::vector<Slot> bigger(test_index_.size() * 2);
    const std::size_t mask = bigger.size() - 1;
    for (const Slot& slot : test_index_) {
        if (slot.test == no_test) continue;
        std::size_t i = slot.hash & mask;
        while (bigger[i].test != no_test) i = (i + 1) & mask;
        bigger[i] = slot;
    }
    test_index_ = std::move(bigger);
}

void Analyzer::add_run(Summary& s, std::uint32_t test, bool error) {
    ++s.runs;
    if (error) {
        ++s.errors;
        s.longest_error_run = std::max(s.longest_error_run, ++s.error_run);
    } else {
        s.error_run = 0;
    }
    if (!s.exact) return;
    if (s.runs > options_.sample_cap) return release(s);
    const std::size_t before = s.order.capacity();
    s.order.push_back(test);
    exact_bytes_ += (s.order.capacity() - before) * sizeof(std::uint32_t);
}

void Analyzer::release(Summary& s) {
    if (!s.exact) return;
    s.exact = false;
    exact_bytes_ -= s.order.capacity() * sizeof(std::uint32_t);
    std::vector<std::uint32_t>().swap(s.order);
}

void Analyzer::release(Test& t) {
    exact_bytes_ -= t.samples.exact_bytes();
    t.samples.switch_to_sketches();
    // Its module and the whole input can no longer be rebuilt run by run.
    release(modules_[t.module_index]);
    release(overall_);
}

std::span<const std::string_view> Analyzer::fields_read() {
    // What add() and SampleSet::add() read; keep in step with them (tested:
    // an analysis of records read with these fields equals one with all).
    static constexpr std::string_view fields[] = {
        "name",         "module",       "run",       "duration",          "wait_time",     "memory",
        "memory_diff",  "error",        "exception_type", "exception_message", "branch_tag", "filename",
        "lineno",       "kind",         "failure_file", "failure_line",  "run_delay",     "warmup",
        "timing_resolution", "system_metric", "metadata", "metrics"};
    return fields;
}

void Analyzer::add(const TraceRecord& r, std::string_view binary) {
    const std::string_view module = r.module.empty() ? std::string_view(unknown_module) : std::string_view(r.module);
    if (r.system_metric) {  // event-loop records are not tests; their lag counts
        if (r.lag) {
            for (Summary* s : {&overall_, &modules_[module_of(module)]}) {
                ++s->lag_count;
                s->lag_sum += *r.lag;
            }
        }
        return;
    }
    if (options_.tests_only && !r.kind.empty() && r.kind != "test") return;
    const std::uint32_t index = test_of(module, r.name);
    Test& t = tests_[index];
    if (t.binary.empty() && !binary.empty()) t.binary = binary;
    if (t.filename.empty() && !r.filename.empty()) {
        t.filename = r.filename;
        t.lineno = r.lineno;
    }
    if (r.exception_type == "skipped" && !r.error) {  // not run: nothing to score
        ++t.skipped;
        return;
    }
    const std::size_t before = t.samples.exact_bytes();
    const bool was_exact = t.samples.exact();
    t.samples.add(r);
    exact_bytes_ = exact_bytes_ - before + t.samples.exact_bytes();
    if (was_exact && !t.samples.exact()) {  // past the cap
        release(modules_[t.module_index]);
        release(overall_);
    }
    add_run(modules_[t.module_index], index, r.error);
    add_run(overall_, index, r.error);
    keep_run(t, r);
    if (exact_bytes_ > budget_check_at_) enforce_memory_budget();
}

// What the verdict's observations and the reports need beyond the samples.
void Analyzer::keep_run(Test& t, const TraceRecord& r) {
    TestEvidence& e = t.evidence;
    if (r.warmup) {
        e.slowest_warmup = std::max(e.slowest_warmup, r.duration);
    } else if (!r.error) {
        // A failed run's heap holds the framework's failure message: only
        // passed runs tell whether the test leaks.
        ++e.passed_runs;
        if (r.memory_diff > 0) {
            ++e.leaking_runs;
            e.leaked_bytes += r.memory_diff;
        }
    }
    if (r.error && t.failures.size() < options_.max_failure_samples) {
        FailureSample f;
        f.run = r.run;
        f.type = r.exception_type.empty() ? "error" : r.exception_type;
        f.kind = failure_kind(f.type);
        f.message = r.exception_message;
        f.file = r.failure_file.empty() ? r.filename : r.failure_file;
        f.line = r.failure_file.empty() ? r.lineno : r.failure_line;
        t.failures.push_back(std::move(f));
    }
    if (!options_.keep_series || t.series_dropped) return;
    if (t.series.size() >= options_.series_cap) return;  // the first series_cap runs are enough for charts
    if (series_bytes_ + sizeof(RunPoint) > options_.series_memory_bytes) {
        series_bytes_ -= t.series.capacity() * sizeof(RunPoint);
        std::vector<RunPoint>().swap(t.series);
        t.series_dropped = true;
        return;
    }
    const std::size_t before = t.series.capacity();
    t.series.push_back(RunPoint{r.run, r.duration, r.memory, r.error, r.warmup});
    series_bytes_ += (t.series.capacity() - before) * sizeof(RunPoint);
}

// Frees kept samples until a quarter of the budget is free: the groups with
// the most runs first, in an order that does not depend on hashing.
void Analyzer::enforce_memory_budget() {
    struct Candidate {
        std::uint64_t runs;
        int kind;  // 0 the whole input, 1 a module, 2 a test
        std::uint32_t index;
    };
    std::vector<Candidate> candidates;
    if (overall_.exact) candidates.push_back({overall_.runs, 0, 0});
    for (std::uint32_t i = 0; i < modules_.size(); ++i)
        if (modules_[i].exact && !modules_[i].order.empty()) candidates.push_back({modules_[i].runs, 1, i});
    // A test with few runs stays exact: its sketch would take more memory
    // than its samples (a million single-run tests went 2.2x slower so).
    constexpr std::uint64_t worth_a_sketch = 64;
    for (std::uint32_t i = 0; i < tests_.size(); ++i)
        if (tests_[i].samples.exact() && tests_[i].samples.exact_bytes() > 0 &&
            tests_[i].samples.count() >= worth_a_sketch)
            candidates.push_back({tests_[i].samples.count(), 2, i});
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
        return std::tie(b.runs, a.kind, a.index) < std::tie(a.runs, b.kind, b.index);
    });
    const std::size_t target = options_.exact_memory_bytes / 4 * 3;
    for (const Candidate& c : candidates) {
        if (exact_bytes_ <= target) break;
        if (c.kind == 0) release(overall_);
        if (c.kind == 1) release(modules_[c.index]);
        if (c.kind == 2) release(tests_[c.index]);
    }
    // What stays is small groups' samples, which sketches would not shrink:
    // look again only once they have grown by half, not on every record.
    budget_check_at_ = std::max(options_.exact_memory_bytes, exact_bytes_ + exact_bytes_ / 2);
}

// The samples of a module or of the whole input, from its tests' samples.
// `next`: one zero per test, left zero.
SampleSet Analyzer::samples_of(const Summary& s, std::vector<std::uint64_t>& next) const {
    SampleSet out(SampleSet::unlimited);
    if (s.exact) {
        // Run by run in record order: exactly the set the records would have built.
        for (std::uint32_t t : s.order) out.add(tests_[t].samples.run(next[t]++));
        for (std::uint32_t t : s.order) {
            next[t] = 0;
            out.note_resolution(tests_[t].samples.timing_resolution());
        }
    } else {
        auto merge = [&](const Test& t) { out.merge_values(t.samples); };
        if (&s == &overall_) {
            for (const Test& t : tests_) merge(t);
        } else {
            for (std::uint32_t t : s.members) merge(tests_[t]);
        }
        out.set_runs(s.runs, s.errors, s.longest_error_run);
    }
    out.add_lags(s.lag_count, s.lag_sum);
    return out;
}

GroupResult Analyzer::summarize(const std::string& name, const SampleSet& samples, const TagCounts& tags,
                                const ScoringConfig& cfg) {
    GroupResult out;
    out.name = name;
    out.runs = samples.count();
    out.failures = samples.error_count();
    out.score = samples.score(cfg, tags, &out.duration);
    out.exact = samples.exact();
    out.memory_peak = samples.memory_peak();
    return out;
}

TestResult Analyzer::test_result(const Test& t, const ScoringConfig& scoring, const VerdictConfig& verdicts) const {
    TestResult r;
    r.name = t.name;
    r.module = t.module;
    r.binary = t.binary;
    r.filename = t.filename;
    r.lineno = t.lineno;
    r.runs = t.samples.count();
    r.warmup_runs = t.samples.count() - t.samples.measured_count();
    r.failures = t.samples.error_count();
    r.skipped = t.skipped;
    r.score = t.samples.score(scoring, t.samples.branch_tags(), &r.duration);
    r.steady_score = t.samples.has_run_delay() ? t.samples.steady_score(scoring) : r.score;
    r.memory_peak = t.samples.memory_peak();
    r.metrics = t.samples.metric_stabilities(scoring);
    r.leaking_runs = t.evidence.leaking_runs;
    r.timing_resolution = t.samples.timing_resolution();
    r.exact = t.samples.exact();
    if (moving_) {
        r.series = std::move(const_cast<Test&>(t).series);
        r.failure_samples = std::move(const_cast<Test&>(t).failures);
    } else {
        r.series = t.series;
        r.failure_samples = t.failures;
    }
    judge(r, t.evidence, verdicts, scoring);
    cap_by_pass_rate(r);  // after the verdict: failed runs decide it, the cap only changes the number shown
    return r;
}

Analysis Analyzer::finish(const ScoringConfig& cfg, const VerdictConfig& verdicts) {
    moving_ = true;
    Analysis a = result(cfg, verdicts);
    *this = Analyzer(options_);
    return a;
}

Analysis Analyzer::result(const ScoringConfig& cfg, const VerdictConfig& verdicts) const {
    // A module's and the whole input's branch tags are their tests' tags.
    std::vector<TagCounts> module_tags(modules_.size());
    TagCounts overall_tags;
    for (const Test& t : tests_) {
        for (const auto& [tag, n] : t.samples.branch_tags()) {
            module_tags[t.module_index][tag] += n;
            overall_tags[tag] += n;
        }
    }

    const unsigned threads =
        options_.threads == 0 ? std::clamp(std::thread::hardware_concurrency(), 1u, 4u) : options_.threads;
    std::vector<std::vector<std::uint64_t>> next(std::max(1u, threads), std::vector<std::uint64_t>(tests_.size(), 0));
    Analysis a;
    {
        const SampleSet overall = samples_of(overall_, next[0]);
        a.overall = summarize("overall", overall, overall_tags, cfg);
        a.overall.exact = overall_.exact;
        a.records = overall.count();
        a.errors = overall.error_count();
    }

    std::vector<std::uint32_t> modules(modules_.size());
    for (std::uint32_t i = 0; i < modules.size(); ++i) modules[i] = i;
    std::sort(modules.begin(), modules.end(),
              [this](std::uint32_t x, std::uint32_t y) { return modules_[x].name < modules_[y].name; });
    a.modules.resize(modules.size());
    for_each_index(modules.size(), threads, [&](std::size_t k, unsigned worker) {
        const Summary& m = modules_[modules[k]];
        a.modules[k] = summarize(m.name, samples_of(m, next[worker]), module_tags[modules[k]], cfg);
        a.modules[k].exact = m.exact;
    });

    std::vector<const Test*> tests;
    for (const Test& t : tests_)
        if (t.samples.count() > 0 || t.skipped > 0) tests.push_back(&t);
    std::sort(tests.begin(), tests.end(),
              [](const Test* x, const Test* y) { return std::tie(x->module, x->name) < std::tie(y->module, y->name); });
    a.tests.resize(tests.size());
    for_each_index(tests.size(), threads,
                   [&](std::size_t k, unsigned) { a.tests[k] = test_result(*tests[k], cfg, verdicts); });

    a.estimated_groups = a.overall.exact ? 0 : 1;
    for (const GroupResult& r : a.modules) a.estimated_groups += r.exact ? 0 : 1;
    for (const TestResult& r : a.tests) a.estimated_groups += r.exact ? 0 : 1;
    std::stable_sort(a.tests.begin(), a.tests.end(),
                     [](const TestResult& x, const TestResult& y) { return x.score.pss < y.score.pss; });
    return a;
}

}  // namespace pss
