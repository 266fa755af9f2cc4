// Renders an Analysis (from `pss analyze`) as text or JSON.
#pragma once

#include <string>
#include <vector>

#include "pss/scoring/advisor.hpp"
#include "pss/scoring/analyzer.hpp"
#include "pss/ingest/trace_reader.hpp"

namespace pss::reports {

struct AnalysisReport {
    const Analysis& analysis;
    const Advice& advice;
    const ReadStats& read;
    std::string source;  // the trace file
    // Found against history (--store-history, --baseline-branch).
    std::vector<Regression> regressions;
};

// Like pypss's text report, with modules and the least stable tests.
std::string render_analysis_text(const AnalysisReport& report, std::size_t max_tests = 10);

// Top-level "pss" and "breakdown" with pypss's keys, then "modules" and "tests".
std::string render_analysis_json(const AnalysisReport& report);

}  // namespace pss::reports
