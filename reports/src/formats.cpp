#include "pss/reports/formats.hpp"

#include "renderers.hpp"

namespace pss::reports {

namespace {

constexpr ReportFormat formats[] = {
    {"json", "--json", "JSON results", "Write the results as JSON (read back by pss report --from)", render_json},
    {"junit", "--junit", "JUnit XML", "Write JUnit XML for CI test reports (Jenkins, GitLab, GitHub)", render_junit},
    {"markdown", "--markdown", "Markdown report",
     "Write a Markdown report of every test (under GitHub Actions it also goes to the job summary)", render_markdown},
    {"html", "--html", "HTML report", "Write a self-contained HTML report with per-test charts", render_html},
    {"pr-comment", "--pr-comment", "PR comment",
     "Write a Markdown pull request comment that stays under GitHub's size limit", render_pr_comment},
};

}  // namespace

std::span<const ReportFormat> report_formats() { return formats; }

const ReportFormat* find_report_format(std::string_view name) {
    for (const auto& f : formats)
        if (f.name == name) return &f;
    return nullptr;
}

}  // namespace pss::reports
