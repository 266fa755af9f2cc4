// pss report --from results.json: renders a saved run (pss-run --json) in any
// format, exactly as the run itself would have.
#include <fstream>
#include <iterator>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli_support.hpp"
#include "commands.hpp"
#include "pss/reports/json_reader.hpp"
#include "pss/reports/table.hpp"
#include "report_outputs.hpp"

namespace pss::cli {

namespace {

struct ReportOptions {
    std::string from;
    ReportRequest reports;
};

std::string read_whole_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CommandError(exit_cannot_run, fmt::format("cannot read '{}': no such file or not readable", path));
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int run_report(const ReportOptions& opt) {
    RunResults results;
    try {
        results = reports::read_run_json(read_whole_file(opt.from));
    } catch (const reports::ReportFormatError& e) {
        throw CommandError(exit_cannot_run,
                           fmt::format("{}: {}. Pass a file written by pss-run --json or pss merge --json.", opt.from,
                                       e.what()));
    }
    write_reports(results, opt.reports);
    if (!opt.reports.any()) print_results(results);
    return 0;
}

}  // namespace

CommandRunner add_report_command(CLI::App& app) {
    auto opt = std::make_shared<ReportOptions>();
    CLI::App* cmd = app.add_subcommand(
        "report", "Render saved results (pss-run --json) as JUnit XML, Markdown, HTML or JSON; prints the table when "
                  "no output is given");
    cmd->add_option("--from", opt->from, "Results file written by pss-run --json or pss merge --json")->required();
    add_report_options(*cmd, opt->reports);
    return [cmd, opt]() -> int { return cmd->parsed() ? run_report(*opt) : -1; };
}

}  // namespace pss::cli
