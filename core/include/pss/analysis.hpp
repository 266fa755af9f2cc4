// Groups trace records into tests and modules and scores each group and the
// whole input. The unit of work behind `pss analyze` and the runner.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pss/scoring.hpp"
#include "pss/trace.hpp"

namespace pss {

struct GroupResult {
    std::string name;    // the test's name, or the module's
    std::string module;  // for a test: its module
    std::uint64_t records = 0;
    std::uint64_t errors = 0;
    Score score;
    double duration_mean = 0, duration_p50 = 0, duration_p95 = 0, duration_max = 0;  // seconds
    double memory_peak = 0;  // bytes, the largest "memory" of any run
    std::string filename;    // where the test is defined (first record that says)
    std::int64_t lineno = 0;
    std::string first_failure;  // "exception_type: message" of the first failed run
    // Every sample kept: scores as pypss's. False past the sample cap or the
    // memory budget: percentiles and medians within QuantileSketch::relative_accuracy.
    bool exact = true;
};

struct Analysis {
    Score overall;
    std::uint64_t records = 0;  // non-system records
    std::uint64_t errors = 0;
    std::vector<GroupResult> modules;  // by module name
    std::vector<GroupResult> tests;    // least stable first
    bool overall_exact = true;
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

    // Keep every sample of every group, whatever the memory.
    static AnalyzerOptions exact() { return {SampleSet::unlimited, SIZE_MAX, 1}; }
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

    void add(const TraceRecord& record);
    Analysis result(const ScoringConfig& cfg) const;

    // The fields of a record that add() reads, by JSON key: a reader may
    // leave the others out (ReadOptions::fields), which makes reading faster.
    static std::span<const std::string_view> fields_read();

    // Heap held by the exact samples of all groups.
    std::size_t exact_bytes() const noexcept { return exact_bytes_; }

private:
    static constexpr std::uint32_t no_test = UINT32_MAX;
    struct Test {
        SampleSet samples;
        std::string name, module, filename, first_failure;
        std::int64_t lineno = 0;
        std::uint32_t module_index = 0;
        std::uint32_t next_test = no_test;  // the test of the record after this test's last one
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
    void release(Summary& s);
    void release(Test& t);
    void enforce_memory_budget();
    SampleSet samples_of(const Summary& s, std::vector<std::uint64_t>& next) const;
    static GroupResult summarize(const std::string& name, const std::string& module, const SampleSet& samples,
                                 const TagCounts& tags, const ScoringConfig& cfg);

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
};

}  // namespace pss
