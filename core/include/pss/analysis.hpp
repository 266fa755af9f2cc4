// Groups trace records into tests and modules and scores each group and the
// whole input. The unit of work behind `pss analyze` and the runner.
#pragma once

#include <cstdint>
#include <map>
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
    std::size_t exact_memory_bytes = std::size_t{32} << 20;

    // Keep every sample of every group, whatever the memory.
    static AnalyzerOptions exact() { return {SampleSet::unlimited, SIZE_MAX}; }
};

// Records without a module are grouped under this name, as pypss does.
inline constexpr const char* unknown_module = "unknown";

class Analyzer {
public:
    Analyzer() : Analyzer(AnalyzerOptions{}) {}
    explicit Analyzer(const AnalyzerOptions& options);
    // Tests point at their module's group: moving keeps those, copying would not.
    Analyzer(Analyzer&&) = default;
    Analyzer& operator=(Analyzer&&) = default;
    Analyzer(const Analyzer&) = delete;
    Analyzer& operator=(const Analyzer&) = delete;

    void add(const TraceRecord& record);
    Analysis result(const ScoringConfig& cfg) const;

    // Heap held by the exact samples of all groups.
    std::size_t exact_bytes() const noexcept { return exact_bytes_; }

private:
    struct Group {
        SampleSet samples;
        std::string name, module, filename, first_failure;
        std::int64_t lineno = 0;
        Group* module_group = nullptr;  // for a test
    };
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    using GroupMap = std::unordered_map<std::string, Group, KeyHash, std::equal_to<>>;

    Group& module_group(std::string_view module);
    void add_to(Group& g, const TraceRecord& r);
    void enforce_memory_budget();
    static GroupResult summarize(const Group& g, const ScoringConfig& cfg);

    AnalyzerOptions options_;
    Group overall_;
    GroupMap modules_;  // by module name
    // Keyed by (module, name): two binaries may both have a "Suite.Test".
    GroupMap tests_;
    std::string key_;  // scratch for look-ups
    std::size_t exact_bytes_ = 0;
};

}  // namespace pss
