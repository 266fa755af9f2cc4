// The report files of run, merge and report, from the table of formats
// (pss/reports/formats.hpp): their options, and writing them.
#pragma once

#include <map>
#include <string>

#include "pss/reports/formats.hpp"
#include "pss/scoring/results.hpp"

namespace CLI {
class App;
}

namespace pss::cli {

struct ReportRequest {
    std::map<std::string, std::string> paths;  // by format name; empty when not asked for
    reports::RenderOptions render;
    bool any() const;
};

// --json, --junit, --markdown, --html (one per format in the table) and
// --junit-flaky-as-failure.
void add_report_options(CLI::App& cmd, ReportRequest& request);

// The table, the summary, notes and the gate's reason on stdout, fitted to
// the terminal's width and coloured as --color says; `extra` is one more
// line before the reason (the shuffle seed).
void print_results(const RunResults& results, const std::string& extra = {});

// Writes the files asked for; under GitHub Actions also prints annotations
// and appends the Markdown report to $GITHUB_STEP_SUMMARY. A file that cannot
// be written is an error (exit 3) after the others are written.
void write_reports(const RunResults& results, const ReportRequest& request);

}  // namespace pss::cli
