// Groups trace records into tests and modules and scores each group and the
// whole input. The unit of work behind `pss analyze` and the runner.
#pragma once

#include <cstdint>
#include <map>
#include <string>
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
};

struct Analysis {
    Score overall;
    std::uint64_t records = 0;  // non-system records
    std::uint64_t errors = 0;
    std::vector<GroupResult> modules;  // by module name
    std::vector<GroupResult> tests;    // least stable first
};

// Records without a module are grouped under this name, as pypss does.
inline constexpr const char* unknown_module = "unknown";

class Analyzer {
public:
    void add(const TraceRecord& record);
    Analysis result(const ScoringConfig& cfg) const;

private:
    struct Group {
        SampleSet samples;
        std::string module, filename, first_failure;
        std::int64_t lineno = 0;
    };
    static GroupResult summarize(const std::string& name, const Group& g, const ScoringConfig& cfg);

    SampleSet overall_;
    std::map<std::string, Group> modules_;
    // Keyed by (module, name): two binaries may both have a "Suite.Test".
    std::map<std::pair<std::string, std::string>, Group> tests_;
};

}  // namespace pss
