// The engine from records to verdicts: groups trace records into tests and
// modules, scores each group and the whole input, and judges every test.
// Behind `pss run`, `pss merge` and `pss analyze` alike, in bounded memory.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pss/record/trace_record.hpp"
#include "pss/scoring/results.hpp"
#include "pss/scoring/sample_set.hpp"
#include "pss/scoring/scoring.hpp"
#include "pss/scoring/verdicts.hpp"

namespace pss {

struct Analysis {
    GroupResult overall;
    std::uint64_t records = 0;  // non-system records scored (skipped runs not)
    std::uint64_t errors = 0;
    std::vector<GroupResult> modules;  // by module name
    std::vector<TestResult> tests;     // least stable first, then by module and name
    std::uint64_t estimated_groups = 0;  // tests, modules and the overall group that are not exact
};

// How much an Analyzer keeps. Groups stay exact (every sample kept, scores
// identical to pypss) until they pass `sample_cap` runs, or until the kept
// samples of all groups together pass `exact_memory_bytes`; then the groups
// with the most runs switch to sketches first, until a quarter of the budget
// is free again. Memory then grows with the number of groups, not of records.
struct AnalyzerOptions {
    std::uint64_t sample_cap = SampleSet::default_sample_cap;
    // 24 MB: with two parsing threads' blocks in flight, pss analyze of a
    // 2 GB file of 1,000 tests peaks at about 54 MB (62 MB with 32).
    std::size_t exact_memory_bytes = std::size_t{24} << 20;
    // Threads that score the groups in result(), 0 for one per core (at most
    // four); the analysis is the same whatever the number.
    unsigned threads = 1;
    // Score test records only (kind "test" or none): monitored blocks are
    // parts of tests, not tests. Off for pypss's files, where a monitored
    // block is a group like any other.
    bool tests_only = false;
    // Keep each test's runs in order (TestResult::series) for the reports:
    // its first `series_cap` runs, within `series_memory_bytes` for all tests
    // (past that, the series of the test that would exceed it is dropped;
    // scores are never affected).
    bool keep_series = false;
    std::uint64_t series_cap = 2000;
    std::size_t series_memory_bytes = std::size_t{8} << 20;
    std::size_t max_failure_samples = 5;

    // Keep every sample of every group, whatever the memory.
    static AnalyzerOptions exact() {
        AnalyzerOptions o;
        o.sample_cap = SampleSet::unlimited;
        o.exact_memory_bytes = SIZE_MAX;
        return o;
    }
};

// Records without a module are grouped under this name, as pypss does.
inline constexpr const char* unknown_module = "unknown";

class Analyzer {
public:
    Analyzer() : Analyzer(AnalyzerOptions{}) {}
    explicit Analyzer(const AnalyzerOptions& options);
    // The index points at tests.
    Analyzer(const Analyzer&) = delete;
    Analyzer& operator=(const Analyzer&) = delete;
    Analyzer(Analyzer&&) = default;
    Analyzer& operator=(Analyzer&&) = default;

    // `binary`: the test binary the record came from, when known.
    void add(const TraceRecord& record, std::string_view binary = {});
    Analysis result(const ScoringConfig& scoring, const VerdictConfig& verdicts = {}) const;
    // The same, moving each test's runs and failures out instead of copying
    // them: for the last result, when memory counts. Leaves the Analyzer empty.
    Analysis finish(const ScoringConfig& scoring, const VerdictConfig& verdicts = {});

    // The fields of a record that add() reads, by JSON key: a reader may
    // leave the others out (ReadOptions::fields), which makes reading faster.
    static std::span<const std::string_view> fields_read();

    // Heap held by the exact samples of all groups.
    std::size_t exact_bytes() const noexcept { return exact_bytes_; }

private:
    static constexpr std::uint32_t no_test = UINT32_MAX;
    struct Test {
        SampleSet samples;
        std::string name, module, binary, filename;
        std::int64_t lineno = 0;
        std::uint32_t module_index = 0;
        std::uint32_t next_test = no_test;  // the test of the record after this test's last one
        std::uint64_t skipped = 0;
        TestEvidence evidence;
        std::vector<FailureSample> failures;
        std::vector<RunPoint> series;
        bool series_dropped = false;
    };
    // A module or the whole input. Per record it keeps only what depends on
    // the order of runs across its tests (counts, error runs, lags), and while
    // exact which test each run came from; its samples are its tests' samples,
    // put together at the end: in record order while exact, merged otherwise.
    struct Summary {
        std::string name;
        std::uint64_t runs = 0, errors = 0, error_run = 0, longest_error_run = 0;
        std::uint64_t lag_count = 0;
        double lag_sum = 0;  // in record order
        bool exact = true;
        std::vector<std::uint32_t> order;    // the test of each run, while exact
        std::vector<std::uint32_t> members;  // of a module: its tests
    };
    using TagCounts = std::map<std::string, std::uint64_t>;

    std::uint32_t module_of(std::string_view module);
    std::uint32_t test_of(std::string_view module, std::string_view name);
    std::uint32_t find_or_add_test(std::string_view module, std::string_view name);
    void grow_test_index();
    void add_run(Summary& s, std::uint32_t test, bool error);
    void keep_run(Test& t, const TraceRecord& r);
    void release(Summary& s);
    void release(Test& t);
    void enforce_memory_budget();
    SampleSet samples_of(const Summary& s, std::vector<std::uint64_t>& next) const;
    static GroupResult summarize(const std::string& name, const SampleSet& samples, const TagCounts& tags,
                                 const ScoringConfig& cfg);
    TestResult test_result(const Test& t, const ScoringConfig& scoring, const VerdictConfig& verdicts) const;
    bool moving_ = false;  // finish(): test_result moves the series out

    AnalyzerOptions options_;
    Summary overall_;
    std::vector<Summary> modules_;
    std::vector<Test> tests_;
    std::unordered_map<std::string, std::uint32_t> module_index_;
    // Tests by (module, name): two binaries may both have a "Suite.Test".
    // Open addressing on a hash of both, compared in place: the look-up runs
    // once per record.
    struct Slot {
        std::uint64_t hash = 0;
        std::uint32_t test = no_test;
    };
    std::vector<Slot> test_index_;
    std::uint32_t previous_test_ = no_test;  // of the last record
    std::size_t exact_bytes_ = 0;
    std::size_t budget_check_at_ = 0;  // exact_bytes_ past this: free samples (enforce_memory_budget)
    std::size_t series_bytes_ = 0;
};

}  // namespace pss
