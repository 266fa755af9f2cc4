// What the runner makes of a test end in native mode (runner::native_record),
// scored: the numbers a test binary prints (a duration
// of "nan" or "1e999" ms) reach the Analyzer as they would in pss run.
#pragma once

#include <cstdint>
#include <vector>

#include "output_parsers.hpp"
#include "pss/scoring/analyzer.hpp"
#include "score_checks.hpp"

namespace pss::fuzz {

inline TraceRecord native_record(const runner::TestEnd& e, std::int64_t run, double timing_resolution) {
    TraceRecord r = runner::native_record(e, run);
    r.module = "fuzz";
    r.timing_resolution = timing_resolution;
    return r;
}

inline void score(const std::vector<TraceRecord>& records) {
    AnalyzerOptions options;
    options.tests_only = true;
    options.keep_series = true;
    Analyzer analyzer(options);
    for (const auto& r : records) analyzer.add(r);
    check_scores(analyzer.finish(ScoringConfig{}, VerdictConfig{}));
}

}  // namespace pss::fuzz
