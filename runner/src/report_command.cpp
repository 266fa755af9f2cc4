// pss report --from results.json: renders a saved run (pss-run --json) in any
// format, exactly as the run itself would have.
#include <fstream>
#include <iterator>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli_support.hpp"
#include "commands.hpp"
#include "pss/reports/run_json_reader.hpp"
#include "pss/reports/run_report.hpp"
#include "run_pipeline.hpp"

namespace pss::cli {

namespace {

struct ReportOptions {
    std::string from, json_file, junit_file, markdown_file, html_file;
    bool junit_flaky_as_failure = false;
};

std::string read_whole_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CommandError(exit_cannot_run, fmt::format("cannot read '{}': no such file or not readable", path));
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int run_report(const ReportOptions& opt) {
    reports::RunReport report;
    try {
        report = reports::read_run_json(read_whole_file(opt.from));
    } catch (const reports::ReportFormatError& e) {
        throw CommandError(exit_cannot_run,
                           fmt::format("{}: {}. Pass a file written by pss-run --json or pss merge --json.", opt.from,
                                       e.what()));
    }
    PipelineInput in;
    in.junit_file = opt.junit_file;
    in.junit_flaky_as_failure = opt.junit_flaky_as_failure;
    in.markdown_file = opt.markdown_file;
    in.html_file = opt.html_file;
    if (!opt.json_file.empty()) write_output_file(opt.json_file, reports::render_run_json(report), "JSON results");
    write_reports(report, in);
    if (opt.json_file.empty() && opt.junit_file.empty() && opt.markdown_file.empty() && opt.html_file.empty()) {
        std::fputs(reports::render_table(report, {false, 0}).c_str(), stdout);
        fmt::print("\n{}\n{}\n", reports::render_summary_line(report), report.gate.reason);
    }
    return 0;
}

}  // namespace

void add_report_options(CLI::App& cmd, std::string& junit_file, bool& junit_flaky_as_failure,
                        std::string& markdown_file, std::string& html_file) {
    cmd.add_option("--junit", junit_file, "Write JUnit XML (one <testcase> per test, Surefire <flakyFailure>s)");
    cmd.add_flag("--junit-flaky-as-failure", junit_flaky_as_failure,
                 "In the JUnit XML, report flaky tests as <failure> instead of passes with <flakyFailure>s");
    cmd.add_option("--markdown", markdown_file,
                   "Write a Markdown report (also appended to $GITHUB_STEP_SUMMARY when that is set)");
    cmd.add_option("--html", html_file, "Write a self-contained HTML report (tables and charts, opens offline)");
}

CommandRunner add_report_command(CLI::App& app) {
    auto opt = std::make_shared<ReportOptions>();
    CLI::App* cmd = app.add_subcommand(
        "report", "Render saved results (pss-run --json) as JUnit XML, Markdown, HTML or JSON; prints the table when "
                  "no output is given");
    cmd->add_option("--from", opt->from, "Results file written by pss-run --json or pss merge --json")->required();
    cmd->add_option("--json", opt->json_file, "Write the results as JSON (the current schema) to this file");
    add_report_options(*cmd, opt->junit_file, opt->junit_flaky_as_failure, opt->markdown_file, opt->html_file);
    return [cmd, opt]() -> int { return cmd->parsed() ? run_report(*opt) : -1; };
}

}  // namespace pss::cli
