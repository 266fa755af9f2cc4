// pss analyze --trace-file F: scores a trace file, as pypss analyze does,
// streaming it in blocks so that multi-gigabyte files fit in bounded memory.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "alert_step.hpp"
#include "cli_support.hpp"
#include "collect_command.hpp"
#include "history_step.hpp"
#include "run_metadata.hpp"
#include "commands.hpp"
#include "pss/scoring/advisor.hpp"
#include "pss/scoring/analyzer.hpp"
#include "pss/config/config.hpp"
#include "pss/reports/analysis_report.hpp"
#include "pss/scoring/gate.hpp"
#include "pss/scoring/results.hpp"
#include "pss/ingest/trace_reader.hpp"

namespace pss::cli {

namespace {

struct AnalyzeOptions {
    std::string trace_file;
    std::string json_out;
    std::string text_out;
    std::optional<int> fail_if_below;
    std::optional<std::string> config_file;
    unsigned threads = 0;  // 0: one per core
    std::uint64_t sample_cap = SampleSet::default_sample_cap;
    std::size_t sample_memory_mb = AnalyzerOptions{}.exact_memory_bytes >> 20;
    bool exact = false;
    bool no_progress = false;
    HistoryOptions history;
    bool no_alerts = false;
    std::vector<std::string> from;  // a collector's stream instead of --trace-file
    std::string run_id;
};

// The analysis as a run's results, for history and alerts: the engine's
// tests with their verdicts. Per-run durations are not kept (the file may be
// gigabytes), so history's duration test cannot use analyses; the PSS drop
// and new failures can.
RunResults as_run_results(Analysis&& a, const std::string& trace_file, int fail_below, double started_at) {
    RunResults run;
    run.meta.started_at = started_at;
    run.meta.finished_at = now_epoch();
    run.meta.host = hostname();
    run.meta.pss_version = PSS_VERSION;
    run.meta.binaries = {trace_file};
    run.meta.fail_below = fail_below;
    fill_git_metadata(run.meta);
    run.tests = std::move(a.tests);
    run.overall = a.overall.score;
    return run;
}

// "1.2 GB", "340 MB", "12 KB"
std::string bytes_text(double bytes) {
    if (bytes >= 1e9) return fmt::format("{:.2f} GB", bytes / 1e9);
    if (bytes >= 1e6) return fmt::format("{:.0f} MB", bytes / 1e6);
    return fmt::format("{:.0f} KB", bytes / 1e3);
}

// One line on stderr, redrawn in place: bytes read, records/s and the time
// left. Only on a terminal, and only once reading takes a moment.
std::function<void(const ReadProgress&)> progress_line(bool& drawn) {
    return [&drawn](const ReadProgress& p) {
        if (p.seconds < 0.5 || p.seconds <= 0) return;
        std::string line = fmt::format("  {} ", bytes_text(static_cast<double>(p.input_bytes)));
        if (p.input_size > 0) {
            const double done = std::min(1.0, static_cast<double>(p.input_bytes) / static_cast<double>(p.input_size));
            line += fmt::format("of {} ({:.0f}%)", bytes_text(static_cast<double>(p.input_size)), 100 * done);
            if (done > 0) {
                const auto left = static_cast<long>(p.seconds * (1 - done) / done + 0.5);
                line += fmt::format(", {}:{:02} left", left / 60, left % 60);
            }
        }
        line += fmt::format(", {} records, {:.2f} M records/s", p.records, static_cast<double>(p.records) / p.seconds / 1e6);
        fmt::print(stderr, "\r\x1b[2K{}", line);
        std::fflush(stderr);
        drawn = true;
    };
}

int run_analyze(AnalyzeOptions opt) {
    if (opt.trace_file.empty() == opt.from.empty() || opt.from.size() > 1)
        throw CommandError(exit_usage, "give one input: --trace-file FILE, or --from a collector (redis://...)");
    if (!opt.from.empty()) opt.trace_file = opt.from.front();  // names the input in reports and history
    const double started_at = now_epoch();
    std::optional<std::filesystem::path> explicit_config;
    if (opt.config_file) explicit_config = *opt.config_file;
    const Config config = resolve_config(explicit_config);
    for (const auto& w : config.warnings) print_warning(w);

    AnalyzerOptions limits = opt.exact ? AnalyzerOptions::exact() : AnalyzerOptions{};
    if (!opt.exact) {
        limits.sample_cap = opt.sample_cap;
        limits.exact_memory_bytes = opt.sample_memory_mb << 20;
    }
    limits.threads = opt.threads;
    Analyzer analyzer(limits);
    ReadOptions read_options;
    read_options.threads = opt.threads;
    // Fields nothing reads are still checked, but not converted or stored.
    read_options.fields.assign(Analyzer::fields_read().begin(), Analyzer::fields_read().end());
    bool progress_drawn = false;
    if (!opt.no_progress && ::isatty(STDERR_FILENO)) read_options.progress = progress_line(progress_drawn);
    ReadStats read;
    std::vector<std::string> collected_notes;
    try {
        if (opt.from.empty()) {
            read = read_trace_file(opt.trace_file, [&](const TraceRecord& r) { analyzer.add(r); }, read_options);
        } else {
            const auto run = read_collected_run(opt.from.front(), opt.run_id, collected_notes);
            read = read_trace_text(run.ndjson(), [&](const TraceRecord& r) { analyzer.add(r); }, read_options);
        }
    } catch (const TraceFileError& e) {
        if (progress_drawn) fmt::print(stderr, "\r\x1b[2K");
        throw CommandError(exit_cannot_run,
                           fmt::format("{}\n  Pass a trace file written by a pss listener, pss-run --traces, or pypss.",
                                       e.what()));
    }
    if (progress_drawn) fmt::print(stderr, "\r\x1b[2K");
    if (read.malformed > 0) print_warning(fmt::format("{}: {}", opt.trace_file, read.warning()));
    if (!read.input_problem.empty()) print_warning(fmt::format("{}: {}", opt.trace_file, read.input_problem));
    if (read.records == 0)
        throw CommandError(exit_cannot_run,
                           fmt::format("no trace records in '{}'{}. Nothing to score.", opt.trace_file,
                                       read.malformed ? fmt::format(" ({} malformed)", read.malformed) : ""));

    const int fail_below = opt.fail_if_below.value_or(static_cast<int>(config.runner.fail_below));
    VerdictConfig verdicts;
    verdicts.fail_below = fail_below;
    Analysis analysis = analyzer.result(config.scoring, verdicts);
    if (analysis.estimated_groups > 0)
        fmt::print(stderr,
                   "pss: note: {} of {} groups (tests, modules, the whole file) went past --sample-cap ({}) or "
                   "--sample-memory ({} MB): their percentiles and medians are estimates within 0.5%, PSS within "
                   "1 point. --exact keeps every sample.\n",
                   analysis.estimated_groups, analysis.tests.size() + analysis.modules.size() + 1, opt.sample_cap,
                   opt.sample_memory_mb);
    const Advice advice = advise(analysis.overall.score, config.advisor);

    // History, alerts and the gate see the analysis as a run of its tests.
    const HistorySettings history = history_settings(opt.history, config);
    const AlertConfig alerts = alert_settings(opt.no_alerts, config);
    const GroupResult overall = analysis.overall;
    const std::vector<GroupResult> modules = analysis.modules;
    const std::uint64_t records = analysis.records, errors = analysis.errors;
    RunResults run = as_run_results(std::move(analysis), opt.trace_file, fail_below, started_at);
    for (auto& n : collected_notes) run.notes.push_back(std::move(n));
    std::optional<std::string> history_error;
    if (history.enabled() || alerts.enabled) history_error = compare_with_history(run, history);
    GatePolicy gate;
    gate.per_test = false;
    gate.overall_fail_below = opt.fail_if_below;
    gate.fail_on_regression = history.fail_on_regression;
    run.gate = decide(run, gate);
    if (history_error) fail_gate_for_history(run, *history_error);

    // The report lists the tests least stable first, as the engine ordered them.
    Analysis shown{overall, records, errors, modules, run.tests, 0};
    const reports::AnalysisReport report{shown, advice, read, opt.trace_file, run.regressions};
    const std::string text = reports::render_analysis_text(report);
    const std::string on_screen = fit_lines(text, terminal_columns(STDOUT_FILENO));  // the file keeps whole lines
    std::fwrite(on_screen.data(), 1, on_screen.size(), stdout);
    if (!opt.text_out.empty()) write_output_file(opt.text_out, text, "text report");
    if (!opt.json_out.empty()) write_output_file(opt.json_out, reports::render_analysis_json(report), "JSON report");

    if (run.gate.exit_code != 0) fmt::print("\n{}\n", run.gate.reason);
    send_alerts(run, alerts, history, opt.trace_file);
    if (const auto error = store_in_history(run, history, opt.trace_file)) throw CommandError(exit_cannot_run, *error);
    if (history_error) return exit_cannot_run;
    return run.gate.exit_code == 0 ? exit_ok : exit_gate_failed;
}

}  // namespace

CommandRunner add_analyze_command(CLI::App& app) {
    auto opt = std::make_shared<AnalyzeOptions>();
    CLI::App* cmd = app.add_subcommand("analyze", "Score a trace file (NDJSON, JSON array, or pypss's traces file)");
    cmd->add_option("--trace-file", opt->trace_file, "Trace file to analyse");
    add_from_options(*cmd, opt->from, opt->run_id);
    cmd->add_option("--json", opt->json_out, "Write the report as JSON to this file");
    cmd->add_option("--output", opt->text_out, "Write the text report to this file too");
    cmd->add_option("--fail-if-below", opt->fail_if_below, "Exit 1 when the overall PSS is below this (0-100)")
        ->check(CLI::Range(0, 100));
    cmd->add_option("--config", opt->config_file, "Config file (default: $PSS_CONFIG, or pss.toml found upward)");
    cmd->add_option("--threads", opt->threads, "Threads parsing and scoring (default 0: one per core, at most 4)")
        ->check(CLI::Range(0u, 256u));
    cmd->add_option("--sample-cap", opt->sample_cap,
                    "Runs per test (or module) kept exactly; past it percentiles come from a sketch within 0.5%")
        ->default_val(SampleSet::default_sample_cap)
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--sample-memory", opt->sample_memory_mb,
                    "MB for exactly kept runs of all tests together; past it the largest tests switch to sketches")
        ->default_val(opt->sample_memory_mb)
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
    cmd->add_flag("--exact", opt->exact, "Keep every run of every test, whatever the memory (pypss's way)");
    cmd->add_flag("--no-progress", opt->no_progress, "No progress line on stderr (it is shown only on a terminal)");
    add_history_options(*cmd, opt->history);
    add_alert_options(*cmd, opt->no_alerts);
    return [cmd, opt]() -> int { return cmd->parsed() ? run_analyze(*opt) : -1; };
}

}  // namespace pss::cli
