// pss run (pss-run): runs test binaries many times, scores every test, gates CI.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fnmatch.h>
#include <fstream>
#include <memory>
#include <charconv>
#include <cmath>
#include <random>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "alert_step.hpp"
#include "cli_support.hpp"
#include "commands.hpp"
#include "pss/config/config.hpp"
#include "quarantine.hpp"
#include "run_pipeline.hpp"

namespace pss::cli {

namespace {

struct RunOptions {
    std::vector<std::string> binaries;
    runner::RunPlan plan;
    std::string mode = "auto";
    int fail_below = 80;
    bool allow_flaky = false;
    std::optional<unsigned> seed;
    int shard_index = 0, shard_count = 1;
    std::string quarantine_file, traces_file;
    ReportRequest reports;
    std::optional<std::string> config_file;
    bool no_confirm = false;
    std::string repeat = "10";  // a number, or "auto"
    std::string budget;         // with --repeat auto: "90s", "2m", "500ms", or seconds
    int min_runs = 3, max_runs = 200;
    int confirm_runs = 20;
    HistoryOptions history;
    bool no_alerts = false;
    CollectOptions collect;
};

runner::DataMode parse_mode(const std::string& m) {
    if (m == "listener") return runner::DataMode::listener;
    if (m == "native") return runner::DataMode::native;
    if (m == "isolate") return runner::DataMode::isolate;
    return runner::DataMode::automatic;
}

int run_run(const CLI::App& cmd, RunOptions& opt, const std::vector<std::string>& binary_args,
            const std::vector<std::string>& argv) {
    std::optional<std::filesystem::path> explicit_config;
    if (opt.config_file) explicit_config = *opt.config_file;
    const Config config = resolve_config(explicit_config);
    for (const auto& w : config.warnings) print_warning(w);
    // pss.toml gives the defaults; the command line overrides them.
    if (!cmd.count("--repeat")) opt.repeat = config.runner.repeat_auto ? "auto" : std::to_string(config.runner.repeat);
    const bool adaptive = opt.repeat == "auto";
    if (!adaptive) {
        int repeat = 0;
        const auto [end, ec] = std::from_chars(opt.repeat.data(), opt.repeat.data() + opt.repeat.size(), repeat);
        if (ec != std::errc() || end != opt.repeat.data() + opt.repeat.size())
            throw CommandError(exit_usage,
                               fmt::format("--repeat takes a number from 1 to 100000 or auto, not '{}'.", opt.repeat));
        if (repeat < 1 || repeat > 100000)
            throw CommandError(exit_usage,
                               fmt::format("--repeat {} is out of range: give a number from 1 to 100000, or auto.",
                                           opt.repeat));
        opt.plan.repeat = repeat;
    }
    if (!adaptive && (cmd.count("--budget") || cmd.count("--min-runs") || cmd.count("--max-runs")))
        throw CommandError(exit_usage, "--budget, --min-runs and --max-runs go with --repeat auto");
    if (opt.min_runs > opt.max_runs)
        throw CommandError(exit_usage, fmt::format("--min-runs {} is more than --max-runs {}", opt.min_runs, opt.max_runs));
    if (!cmd.count("--fail-below")) opt.fail_below = static_cast<int>(config.runner.fail_below);
    if (!cmd.count("--timeout")) opt.plan.timeout = config.runner.timeout;
    if (!cmd.count("--warmup")) opt.plan.warmup = static_cast<int>(config.runner.warmup);
    if (!cmd.count("--allow-flaky")) opt.allow_flaky = config.runner.allow_flaky;
    if (!cmd.count("--quarantine")) opt.quarantine_file = config.runner.quarantine;
    if (opt.binaries.empty())
        throw CommandError(exit_usage, "no test binary given. Usage: pss-run [options] -- BINARY... [-- ARGS]");
    if (opt.shard_index < 0 || opt.shard_index >= opt.shard_count)
        throw CommandError(exit_usage, fmt::format("--shard-index {} is outside 0..{} (--shard-count {})",
                                                   opt.shard_index, opt.shard_count - 1, opt.shard_count));

    opt.plan.mode = parse_mode(opt.mode);
    opt.plan.binary_args = binary_args;
    if (opt.plan.shuffle) opt.plan.seed = opt.seed.value_or(std::random_device{}() % 99999 + 1);

    PipelineInput in;
    in.binaries = opt.binaries;
    in.plan = opt.plan;
    in.scoring = config.scoring;
    in.verdicts.fail_below = opt.fail_below;
    in.gate.fail_below = opt.fail_below;
    in.gate.allow_flaky = opt.allow_flaky;
    in.shard_index = opt.shard_index;
    in.shard_count = opt.shard_count;
    in.confirm = !opt.no_confirm;
    in.adaptive = adaptive;
    if (adaptive) {
        in.adaptive_settings.min_runs = opt.min_runs;
        in.adaptive_settings.max_runs = opt.max_runs;
        in.adaptive_settings.target_failure_rate = config.runner.auto_target_failure_rate;
        const std::string budget = cmd.count("--budget") ? opt.budget : config.runner.budget;
        if (!budget.empty()) {
            const auto seconds = parse_duration(budget);
            if (!seconds || *seconds <= 0)
                throw CommandError(exit_usage, fmt::format("--budget {}: give a duration such as 90s, 2m, 1h or "
                                                           "500ms (a plain number is seconds)",
                                                           budget));
            in.adaptive_settings.budget_seconds = *seconds;
        }
        // Warm-ups are among the first runs: at least one timed run besides.
        in.adaptive_settings.min_runs = std::max(opt.min_runs, opt.plan.warmup + 2);
    }
    in.confirm_runs = opt.confirm_runs;
    if (!opt.quarantine_file.empty()) in.quarantine = read_quarantine(opt.quarantine_file);
    in.traces_file = opt.traces_file;
    in.reports = opt.reports;
    in.history = history_settings(opt.history, config);
    in.gate.fail_on_regression = in.history.fail_on_regression;
    in.alerts = alert_settings(opt.no_alerts, config);
    in.command_line = argv;
    in.collect = collect_settings(opt.collect, config.runner.collector);
    return run_pipeline(in);
}

}  // namespace

CommandRunner add_run_command(CLI::App& app, std::vector<std::string>& binary_args,
                              const std::vector<std::string>& argv) {
    auto opt = std::make_shared<RunOptions>();
    CLI::App* cmd = app.add_subcommand("run", "Run test binaries many times, score every test, gate CI (also: pss-run)");
    cmd->add_option("binaries", opt->binaries, "Test binaries (GoogleTest or Catch2); put '-- ARGS' after them to "
                                               "pass arguments to every run");
    cmd->add_option("--repeat", opt->repeat,
                    "Runs of every test (default 10), or auto: --min-runs each, then more where verdicts need them "
                    "within --budget");
    cmd->add_option("--budget", opt->budget,
                    "With --repeat auto: time for all runs (90s, 2m, 500ms; default: what --repeat 10 would take)");
    cmd->add_option("--min-runs", opt->min_runs, "With --repeat auto: runs every test gets first (default 3)")
        ->check(CLI::Range(2, 100000));
    cmd->add_option("--max-runs", opt->max_runs, "With --repeat auto: most runs of one test (default 200)")
        ->check(CLI::Range(2, 1000000));
    cmd->add_option("--fail-below", opt->fail_below, "A test whose PSS is below this is unstable (default 80)")
        ->check(CLI::Range(0, 100));
    cmd->add_flag("--allow-flaky", opt->allow_flaky, "Report flaky tests but do not fail the gate for them");
    cmd->add_option("--timeout", opt->plan.timeout, "Seconds one test case may run before it is killed (default 60)")
        ->check(CLI::Validator(
            [](const std::string& text) -> std::string {
                double v = 0;
                const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
                if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) || v <= 0 || v > 1e6)
                    return "must be a number of seconds above 0 and at most 1000000 (a hanging test must end)";
                return {};
            },
            "SECONDS"));
    cmd->add_option("-j,--jobs", opt->plan.jobs, "Parallel processes (tests of a binary are split across them)")
        ->check(CLI::Range(1, 256));
    cmd->add_option("--mode", opt->mode,
                    "auto: listener when the binary has one, else native; listener; native (framework output, one "
                    "process per run); isolate (every test case in its own process)")
        ->check(CLI::IsMember({"auto", "listener", "native", "isolate"}));
    cmd->add_flag("--fresh-process", opt->plan.fresh_process, "One process per repetition, even with a listener");
    cmd->add_option("--filter", opt->plan.filter, "Select tests: a gtest filter (Suite.*-Suite.Slow) or a Catch2 test spec");
    cmd->add_flag("--shuffle", opt->plan.shuffle, "Shuffle test order in every run (the seed is printed for replay)");
    cmd->add_option("--seed", opt->seed, "Seed for --shuffle (1-99999), to replay an order")->check(CLI::Range(1, 99999));
    cmd->add_option("--shard-index", opt->shard_index, "This machine's shard (0-based), with --shard-count");
    cmd->add_option("--shard-count", opt->shard_count, "Split the tests across this many CI machines")
        ->check(CLI::Range(1, 10000));
    cmd->add_option("--quarantine", opt->quarantine_file,
                    "File of test names or globs (one a line): reported, never fail the gate");
    cmd->add_option("--traces", opt->traces_file, "Write every raw trace record (NDJSON) to this file");
    add_report_options(*cmd, opt->reports);
    cmd->add_option("--config", opt->config_file, "Config file (default: $PSS_CONFIG, or pss.toml found upward)");
    add_history_options(*cmd, opt->history);
    add_alert_options(*cmd, opt->no_alerts);
    add_collect_options(*cmd, opt->collect);
    cmd->add_option("--warmup", opt->plan.warmup,
                    "Runs of every test that are not scored for time and memory (their failures count; default 1)")
        ->check(CLI::Range(0, 1000));
    cmd->add_option("--confirm-runs", opt->confirm_runs,
                    "Runs of an unstable test re-run alone before it is called unstable (default 20)")
        ->check(CLI::Range(2, 10000));
    cmd->add_flag("--no-confirm", opt->no_confirm,
                  "Do not re-run failed or unstable tests alone (order dependence, machine noise)");
    return [cmd, opt, &binary_args, &argv]() -> int {
        return cmd->parsed() ? run_run(*cmd, *opt, binary_args, argv) : -1;
    };
}

}  // namespace pss::cli
