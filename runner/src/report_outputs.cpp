#include "report_outputs.hpp"

#include <unistd.h>

#include <cstdio>
#include <utility>
#include <fstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli_support.hpp"
#include "pss/reports/table.hpp"
#include "pss/text/format.hpp"
#include "pss/text/width.hpp"
#include "run_metadata.hpp"

namespace pss::cli {

bool ReportRequest::any() const {
    for (const auto& [name, path] : paths)
        if (!path.empty()) return true;
    return false;
}

void add_report_options(CLI::App& cmd, ReportRequest& request) {
    // std::map nodes stay where they are: CLI11 may keep pointers to the strings.
    for (const auto& f : reports::report_formats())
        cmd.add_option(std::string(f.option), request.paths[std::string(f.name)], std::string(f.help));
    cmd.add_flag("--junit-flaky-as-failure", request.render.junit_flaky_as_failure,
                 "In the JUnit XML, report flaky tests as <failure> even when the gate allows them");
    cmd.add_option("--report-url", request.render.report_url,
                   "Link to the full report in the PR comment (default under GitHub Actions: the workflow run)");
}

namespace {

// Appends the Markdown report to GitHub's job summary; a failure is a warning,
// never a lost run.
void append_step_summary(const std::string& markdown) {
    const std::string file = env_or_empty("GITHUB_STEP_SUMMARY");
    if (file.empty()) return;
    std::ofstream out(file, std::ios::binary | std::ios::app);
    out << markdown << "\n";
    if (!out) print_warning(fmt::format("cannot append the Markdown report to $GITHUB_STEP_SUMMARY ('{}')", file));
}

// The workflow run's page, where its artifacts (the full reports) are.
std::string github_run_url() {
    const std::string server = env_or_empty("GITHUB_SERVER_URL"), repo = env_or_empty("GITHUB_REPOSITORY"),
                      run = env_or_empty("GITHUB_RUN_ID");
    if (server.empty() || repo.empty() || run.empty()) return {};
    return fmt::format("{}/{}/actions/runs/{}", server, repo, run);
}

}  // namespace

void print_results(const RunResults& results, const std::string& extra) {
    const std::size_t width = terminal_columns(STDOUT_FILENO);
    reports::TableStyle style;
    style.color = color_enabled(STDOUT_FILENO);
    style.width = width;
    std::string out = reports::render_table(results, style) + "\n";
    auto line = [&](const std::string& text) {
        if (width == 0) {
            out += text + "\n";
            return;
        }
        bool first = true;
        for (const auto& l : text::wrap(text, width - 2)) out += (std::exchange(first, false) ? "" : "  ") + l + "\n";
    };
    line(reports::render_summary_line(results));
    if (const std::string noise = reports::describe_machine_noise(results.meta.noise); !noise.empty()) line(noise);
    for (const auto& n : results.notes) line("note: " + text::display_text(n));
    if (!extra.empty()) line(extra);
    line(results.gate.reason);
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
}

void write_reports(const RunResults& results, const ReportRequest& request) {
    const bool github = env_or_empty("GITHUB_ACTIONS") == "true";
    reports::RenderOptions render = request.render;
    if (github && render.report_url.empty()) render.report_url = github_run_url();
    if (github) {
        std::fputs(reports::render_github_annotations(results, env_or_empty("GITHUB_WORKSPACE")).c_str(), stdout);
        std::fflush(stdout);
    }
    std::string error;
    for (const auto& [name, path] : request.paths) {
        const reports::ReportFormat* format = reports::find_report_format(name);
        if (!format || path.empty()) continue;
        const std::string content = format->render(results, render);
        try {
            write_output_file(path, content, format->what);
        } catch (const CommandError& e) {
            if (error.empty()) error = e.what();
            print_error(e.what());
        }
    }
    // The job summary, whether or not --markdown was asked for.
    if (github) append_step_summary(reports::find_report_format("markdown")->render(results, render));
    if (!error.empty()) throw CommandError(exit_cannot_run, error);
}

}  // namespace pss::cli
