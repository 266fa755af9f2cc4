// What the runner makes of a test end in native mode (as executor.cpp's
// native_record does), scored: the numbers a test binary prints (a duration
// of "nan" or "1e999" ms) reach the Analyzer as they would in pss run.
#pragma once

#include <cstdint>
#include <vector>

#include "output_parsers.hpp"
#include "pss/scoring/analyzer.hpp"
#include "score_checks.hpp"

namespace pss::fuzz {

inline TraceRecord native_record(const runner::TestEnd& e, std::int64_t run, double timing_resolution) {
    TraceRecord r;
    r.kind = "test";
    r.name = e.name;
    r.module = "fuzz";
    r.run = run;
    r.duration = e.seconds;
    r.cpu_time = e.seconds;
    r.error = e.failed;
    r.exception_type = e.failed ? e.kind : (e.skipped ? "skipped" : "");
    r.exception_message = e.message;
    r.filename = e.file;
    r.lineno = e.line;
    r.failure_file = e.failure_file;
    r.failure_line = e.failure_line;
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
