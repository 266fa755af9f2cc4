// Markdown for pull requests and GitHub's job summary, and GitHub Actions
// annotations.
#pragma once

#include <string>

#include "pss/reports/run_report.hpp"

namespace pss::reports {

// Headline verdict, the tests that need attention, all tests in <details>.
std::string render_run_markdown(const RunReport& report);

// One "::error file=...,line=...::..." or "::warning ...::..." line per test
// that needs attention. `workspace` ($GITHUB_WORKSPACE) is stripped from
// absolute file names so the annotation lands on the file in the diff.
std::string render_github_annotations(const RunReport& report, const std::string& workspace = {});

// Why a test needs attention, in a few words ("flaky: failed 2 of 10 runs
// (assertion)"); empty when it does not. Leaking tests need attention too.
std::string attention_reason(const TestResult& test);

}  // namespace pss::reports
