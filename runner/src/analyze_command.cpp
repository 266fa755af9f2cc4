// pss analyze --trace-file F: scores a trace file, as pypss analyze does.
#include <cstdio>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli_support.hpp"
#include "commands.hpp"
#include "pss/advisor.hpp"
#include "pss/analysis.hpp"
#include "pss/config.hpp"
#include "pss/reports/analysis_report.hpp"
#include "pss/trace_reader.hpp"

namespace pss::cli {

namespace {

struct AnalyzeOptions {
    std::string trace_file;
    std::string json_out;
    std::string text_out;
    std::optional<int> fail_if_below;
    std::optional<std::string> config_file;
};

int run_analyze(const AnalyzeOptions& opt) {
    std::optional<std::filesystem::path> explicit_config;
    if (opt.config_file) explicit_config = *opt.config_file;
    const Config config = resolve_config(explicit_config);
    for (const auto& w : config.warnings) print_warning(w);

    Analyzer analyzer;
    ReadStats read;
    try {
        read = read_trace_file(opt.trace_file, [&](const TraceRecord& r) { analyzer.add(r); });
    } catch (const TraceFileError& e) {
        throw CommandError(exit_cannot_run,
                           fmt::format("{}\n  Pass a trace file written by a pss listener, pss-run --traces, or pypss.",
                                       e.what()));
    }
    if (read.malformed > 0) print_warning(fmt::format("{}: {}", opt.trace_file, read.warning()));
    if (read.records == 0)
        throw CommandError(exit_cannot_run,
                           fmt::format("no trace records in '{}'{}. Nothing to score.", opt.trace_file,
                                       read.malformed ? fmt::format(" ({} malformed)", read.malformed) : ""));

    const Analysis analysis = analyzer.result(config.scoring);
    const Advice advice = advise(analysis.overall, config.advisor);
    const reports::AnalysisReport report{analysis, advice, read, opt.trace_file};

    const std::string text = reports::render_analysis_text(report);
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (!opt.text_out.empty()) write_output_file(opt.text_out, text, "text report");
    if (!opt.json_out.empty()) write_output_file(opt.json_out, reports::render_analysis_json(report), "JSON report");

    if (opt.fail_if_below && analysis.overall.pss < *opt.fail_if_below) {
        fmt::print("\nGate failed: PSS {} is below the threshold {} (--fail-if-below).\n", analysis.overall.pss,
                   *opt.fail_if_below);
        return exit_gate_failed;
    }
    return exit_ok;
}

}  // namespace

CommandRunner add_analyze_command(CLI::App& app) {
    auto opt = std::make_shared<AnalyzeOptions>();
    CLI::App* cmd = app.add_subcommand("analyze", "Score a trace file (NDJSON, JSON array, or pypss's traces file)");
    cmd->add_option("--trace-file", opt->trace_file, "Trace file to analyse")->required();
    cmd->add_option("--json", opt->json_out, "Write the report as JSON to this file");
    cmd->add_option("--output", opt->text_out, "Write the text report to this file too");
    cmd->add_option("--fail-if-below", opt->fail_if_below, "Exit 1 when the overall PSS is below this (0-100)")
        ->check(CLI::Range(0, 100));
    cmd->add_option("--config", opt->config_file, "Config file (default: $PSS_CONFIG, or pss.toml found upward)");
    return [cmd, opt]() -> int { return cmd->parsed() ? run_analyze(*opt) : -1; };
}

}  // namespace pss::cli
