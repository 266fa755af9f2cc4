#include "pss/reports/formats.hpp"

#include "renderers.hpp"

namespace pss::reports {

namespace {

constexpr ReportFormat formats[] = {
    {"json", "--json", "JSON results", "Write the results as JSON (read back by pss report --from)", render_json},
    {"junit", "--junit", "JUnit XML", "Write JUnit XML for CI test reports (Jenkins, GitLab, GitHub)", render_junit},
    {"markdown", "--markdown", "Markdown report",
     "Write a Markdown report (also appended to $GITHUB_STEP_SUMMARY when set)", render_markdown},
    {"html", "--html", "HTML report", "Write a self-contained HTML report with per-test charts", render_html},
};

}  // namespace

std::span<const ReportFormat> report_formats() { return formats; }

const ReportFormat* find_report_format(std::string_view name) {
    for (const auto& f : formats)
        if (f.name == name) return &f;
    return nullptr;
}

}  // namespace pss::reports
