// pss merge: combines the --traces files of CI shards into one result and gate.
#include <memory>

#include <CLI/CLI.hpp>

#include "alert_step.hpp"
#include "cli_support.hpp"
#include "commands.hpp"
#include "collect_command.hpp"
#include "history_step.hpp"
#include "pss/config/config.hpp"
#include "quarantine.hpp"
#include "run_pipeline.hpp"

namespace pss::cli {

namespace {

struct MergeOptions {
    std::vector<std::string> trace_files;
    int fail_below = 80;
    bool allow_flaky = false;
    std::string quarantine_file;
    ReportRequest reports;
    std::optional<std::string> config_file;
    HistoryOptions history;
    bool no_alerts = false;
    std::vector<std::string> from;  // collectors' streams or files
    std::string run_id;
};

int run_merge(const CLI::App& cmd, MergeOptions& opt, const std::vector<std::string>& argv) {
    std::optional<std::filesystem::path> explicit_config;
    if (opt.config_file) explicit_config = *opt.config_file;
    const Config config = resolve_config(explicit_config);
    for (const auto& w : config.warnings) print_warning(w);
    PipelineInput in;
    in.scoring = config.scoring;
    in.verdicts.fail_below = cmd.count("--fail-below") ? opt.fail_below : static_cast<int>(config.runner.fail_below);
    in.gate.fail_below = in.verdicts.fail_below;
    in.gate.allow_flaky = cmd.count("--allow-flaky") ? opt.allow_flaky : config.runner.allow_flaky;
    const std::string quarantine = cmd.count("--quarantine") ? opt.quarantine_file : config.runner.quarantine;
    if (!quarantine.empty()) in.quarantine = read_quarantine(quarantine);
    in.reports = opt.reports;
    in.history = history_settings(opt.history, config);
    in.gate.fail_on_regression = in.history.fail_on_regression;
    in.alerts = alert_settings(opt.no_alerts, config);
    in.command_line = argv;
    if (opt.trace_files.empty() && opt.from.empty())
        throw CommandError(exit_usage, "nothing to merge: give the shards' --traces files, or --from the collector "
                                       "their pss-run --collector sent to");
    read_collected_runs(opt.from, opt.run_id, in);
    return merge_traces(opt.trace_files, in);
}

}  // namespace

CommandRunner add_merge_command(CLI::App& app, const std::vector<std::string>& argv) {
    auto opt = std::make_shared<MergeOptions>();
    CLI::App* cmd = app.add_subcommand("merge", "Combine the --traces files of CI shards into one result and gate");
    cmd->add_option("traces", opt->trace_files, "Trace files written by pss-run --traces on each shard");
    add_from_options(*cmd, opt->from, opt->run_id);
    cmd->add_option("--fail-below", opt->fail_below, "A test whose PSS is below this is unstable (default 80)")
        ->check(CLI::Range(0, 100));
    cmd->add_flag("--allow-flaky", opt->allow_flaky, "Report flaky tests but do not fail the gate for them");
    cmd->add_option("--quarantine", opt->quarantine_file, "File of test names or globs that never fail the gate");
    add_report_options(*cmd, opt->reports);
    cmd->add_option("--config", opt->config_file, "Config file (default: $PSS_CONFIG, or pss.toml found upward)");
    add_history_options(*cmd, opt->history);
    add_alert_options(*cmd, opt->no_alerts);
    return [cmd, opt, &argv]() -> int { return cmd->parsed() ? run_merge(*cmd, *opt, argv) : -1; };
}

}  // namespace pss::cli
