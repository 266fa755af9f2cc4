// Renderers for the results of a pss run: one small renderer per format, all
// fed by the same RunReport.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pss/results.hpp"

namespace pss::reports {

struct RunReport {
    RunMetadata meta;
    std::vector<TestResult> tests;  // worst first
    Score overall;
    RunSummary summary;
    GateDecision gate;
    std::vector<std::string> notes;
    // PSS of each test in history's baseline, keyed by (module, name); filled
    // by ci when history has one. Reports show the change against it.
    std::map<std::pair<std::string, std::string>, int> baseline_pss;
};

std::optional<int> baseline_of(const RunReport& report, const TestResult& test);

struct TableStyle {
    bool color = false;
    std::size_t max_rows = 0;  // 0: all
};

// The terminal table: test, runs, pass rate, PSS, p50, p95, verdict, notes.
std::string render_table(const RunReport& report, const TableStyle& style);
// "12 tests: 9 stable, 1 flaky, ... | PSS 87"
std::string render_summary_line(const RunReport& report);

// The full results as JSON (schema_version 1); `pss report --from` reads it back.
std::string render_run_json(const RunReport& report);

// Text from traces made safe for a terminal: control characters (escape
// sequences included) shown as \xNN, invalid UTF-8 replaced.
std::string display_text(std::string_view text);

// Orders tests for presentation: failing, flaky, regressed, unstable, n/a, stable; then by PSS.
void sort_worst_first(std::vector<TestResult>& tests);

}  // namespace pss::reports
