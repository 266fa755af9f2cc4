// Report formats: one table of the formats pss can write, each with the
// command-line option that asks for it and its renderer. run, merge, report
// and analyze add the options and write the files from this table, so a new
// format is one renderer file and one row (src/formats.cpp).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pss/scoring/results.hpp"

namespace pss::reports {

struct RenderOptions {
    // JUnit: flaky tests are <failure>s too, even when the gate allows them.
    bool junit_flaky_as_failure = false;
    // The PR comment's link to the full report (empty: a placeholder,
    // PSS_REPORT_URL, for the workflow to replace).
    std::string report_url;
};

struct ReportFormat {
    std::string_view name;    // "json", "junit", ...
    std::string_view option;  // "--json"
    std::string_view what;    // "JSON results": for messages
    std::string_view help;
    std::string (*render)(const RunResults& results, const RenderOptions& options);
};

std::span<const ReportFormat> report_formats();
const ReportFormat* find_report_format(std::string_view name);

// GitHub Actions workflow commands: ::error for every test that fails the
// gate, ::warning for the others that need attention; at the failing
// assertion when it is known. Paths are relative to `workspace`, else to the
// run's repository root.
std::string render_github_annotations(const RunResults& results, const std::string& workspace = {});

// Why a test needs attention, in one line ("failed 3 of 10 runs (assertion:
// ...)"), or empty when it does not.
std::string attention_reason(const TestResult& test);

}  // namespace pss::reports
