#include "run_pipeline.hpp"

#include <fnmatch.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "alert_step.hpp"
#include "child_process.hpp"
#include "run_metadata.hpp"
#include "cli_support.hpp"
#include "pss/reports/run_html.hpp"
#include "pss/reports/run_junit.hpp"
#include "pss/reports/run_markdown.hpp"
#include "pss/reports/run_report.hpp"
#include "pss/trace_reader.hpp"
#include "pss/trace_writer.hpp"

namespace pss::cli {

namespace fs = std::filesystem;

namespace {

bool quarantined(const std::vector<std::string>& patterns, const TestResult& t) {
    for (const auto& p : patterns)
        if (p == t.name || ::fnmatch(p.c_str(), t.name.c_str(), 0) == 0) return true;
    return false;
}

// A scratch directory for attempt files, removed at the end.
struct ScratchDir {
    fs::path path;
    ScratchDir() {
        std::string templ = (fs::temp_directory_path() / "pss-run-XXXXXX").string();
        if (!::mkdtemp(templ.data())) throw CommandError(exit_cannot_run, "cannot create a temporary directory");
        path = templ;
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

GateDecision decide(const std::vector<TestResult>& tests, bool allow_flaky, int fail_below, bool fail_on_regression,
                    bool run_regressed) {
    std::vector<std::string> reasons;
    std::uint64_t failing = 0, flaky = 0, unstable = 0, regressed = 0;
    for (const auto& t : tests) {
        if (t.quarantined) continue;
        if (t.verdict == Verdict::failing) ++failing;
        if (t.verdict == Verdict::flaky && !allow_flaky) ++flaky;
        // A regressed test below the threshold is still unstable.
        if (t.verdict == Verdict::unstable || (t.verdict == Verdict::regressed && t.score.pss < fail_below))
            ++unstable;
        else if (t.verdict == Verdict::regressed && fail_on_regression)
            ++regressed;
    }
    if (failing) reasons.push_back(fmt::format("{} failing", failing));
    if (flaky) reasons.push_back(fmt::format("{} flaky", flaky));
    if (unstable) reasons.push_back(fmt::format("{} unstable (PSS below {})", unstable, fail_below));
    if (regressed) reasons.push_back(fmt::format("{} regressed", regressed));
    const std::uint64_t count = failing + flaky + unstable + regressed;
    if (run_regressed && fail_on_regression) {
        std::string reason = "gate failed: the run's PSS regressed against its baseline";
        if (count) reason += fmt::format(" and {} test{} failed the gate", count, count == 1 ? "" : "s");
        return {1, reason};
    }
    if (reasons.empty()) return {0, "gate passed: no failing, flaky or unstable test"};
    std::string reason = "gate failed: ";
    for (std::size_t i = 0; i < reasons.size(); ++i) reason += (i ? ", " : "") + reasons[i];
    reason += count == 1 ? " test" : " tests";
    return {1, reason};
}

// Appends the Markdown report to GitHub's job summary; a failure is a warning,
// never a lost run.
void append_step_summary(const std::string& markdown) {
    const std::string file = env_or_empty("GITHUB_STEP_SUMMARY");
    if (file.empty()) return;
    std::ofstream out(file, std::ios::binary | std::ios::app);
    out << markdown << "\n";
    if (!out) print_warning(fmt::format("cannot append the Markdown report to $GITHUB_STEP_SUMMARY ('{}')", file));
}

// The report files asked for, and GitHub annotations under GitHub Actions.
void write_report_files(const reports::RunReport& report, const PipelineInput& in) {
    if (env_or_empty("GITHUB_ACTIONS") == "true") {
        std::fputs(reports::render_github_annotations(report, env_or_empty("GITHUB_WORKSPACE")).c_str(), stdout);
        std::fflush(stdout);
    }
    if (!in.junit_file.empty())
        write_output_file(in.junit_file, reports::render_run_junit(report, {in.junit_flaky_as_failure}), "JUnit XML");
    if (!in.markdown_file.empty()) {
        const std::string markdown = reports::render_run_markdown(report);
        write_output_file(in.markdown_file, markdown, "Markdown report");
        append_step_summary(markdown);
    }
    if (!in.html_file.empty()) write_output_file(in.html_file, reports::render_run_html(report), "HTML report");
}

bool use_color() {
    const char* no_color = std::getenv("NO_COLOR");
    return ::isatty(STDOUT_FILENO) && !(no_color && *no_color);
}

// Quarantine, order, gate, print, write: the end of every run and merge.
int finish(reports::RunReport& report, const PipelineInput& in) {
    for (auto& t : report.tests) t.quarantined = quarantined(in.quarantine, t);
    HistoryOutcome history;
    if (in.history.enabled() && !runner::interrupted()) history = compare_with_history(report, in.history);
    reports::sort_worst_first(report.tests);
    report.summary = summarize(report.tests, report.overall);
    report.gate = decide(report.tests, in.allow_flaky, in.verdicts.fail_below, in.history.fail_on_regression,
                         history.run_regressed);
    report.meta.finished_at = now_epoch();
    if (report.meta.started_at == 0) report.meta.started_at = report.meta.finished_at;

    const bool interrupted = runner::interrupted();
    if (interrupted) {
        report.gate = {128 + runner::interrupt_signal(),
                       fmt::format("interrupted by {}: results so far are reported and kept",
                                   runner::signal_name(runner::interrupt_signal()))};
    }

    std::fputs(reports::render_table(report, {use_color(), 0}).c_str(), stdout);
    fmt::print("\n{}\n", reports::render_summary_line(report));
    for (const auto& n : report.notes) fmt::print("note: {}\n", n);
    if (in.plan.shuffle) fmt::print("shuffle seed: {}\n", in.plan.seed);
    fmt::print("{}\n", report.gate.reason);
    std::fflush(stdout);

    if (!in.json_file.empty()) write_output_file(in.json_file, reports::render_run_json(report), "JSON results");
    write_report_files(report, in);
    if (!interrupted) {
        std::string source;
        for (const auto& b : report.meta.binaries) source += (source.empty() ? "" : " ") + b;
        send_alerts(report, in.alerts, in.history, source);
        store_in_history(report, in.history, source);
    }
    return report.gate.exit_code;
}

}  // namespace

void write_reports(const reports::RunReport& report, const PipelineInput& in) { write_report_files(report, in); }


int run_pipeline(const PipelineInput& in) {
    runner::install_interrupt_handlers();
    ScratchDir scratch;
    reports::RunReport report;
    report.meta.started_at = now_epoch();
    report.meta.host = hostname();
    report.meta.pss_version = PSS_VERSION;
    report.meta.binaries = in.binaries;
    report.meta.repeat = in.plan.repeat;
    report.meta.shuffle = in.plan.shuffle;
    report.meta.seed = in.plan.seed;
    report.meta.fail_below = in.verdicts.fail_below;
    report.meta.command_line = in.command_line;
    fill_git_metadata(report.meta);

    // Inspect everything first: a missing binary fails before any test runs.
    std::vector<runner::TestBinary> binaries;
    std::size_t global_index = 0;
    for (const auto& path : in.binaries) {
        runner::TestBinary b = runner::inspect_binary(path, in.plan.filter);
        if (in.shard_count > 1) {
            std::vector<std::string> mine;
            for (auto& t : b.tests)
                if (global_index++ % static_cast<std::size_t>(in.shard_count) ==
                    static_cast<std::size_t>(in.shard_index))
                    mine.push_back(t);
            b.tests = std::move(mine);
        }
        binaries.push_back(std::move(b));
    }

    if (in.plan.shuffle)
        fmt::print(stderr, "pss: shuffling with seed {} (replay this order with --shuffle --seed {})\n", in.plan.seed,
                   in.plan.seed);

    std::unique_ptr<TraceWriter> traces;
    if (!in.traces_file.empty()) {
        std::error_code ec;
        fs::remove(in.traces_file, ec);
        try {
            traces = std::make_unique<TraceWriter>(in.traces_file);
        } catch (const std::system_error& e) {
            throw CommandError(exit_cannot_run, e.what());
        }
    }

    std::vector<std::pair<const runner::TestBinary*, std::string>> owners;
    for (const auto& b : binaries) {
        if (b.tests.empty()) {
            report.notes.push_back(fmt::format("{}: no tests selected", b.path));
            continue;
        }
        fmt::print(stderr, "pss: running {} ({} tests x {} runs, {} mode{})\n", b.path, b.tests.size(),
                   in.plan.repeat,
                   in.plan.mode == runner::DataMode::isolate  ? "isolate"
                   : in.plan.mode == runner::DataMode::native ? "native"
                   : b.has_listener                           ? "listener"
                                                              : "native",
                   in.plan.jobs > 1 ? fmt::format(", {} processes", in.plan.jobs) : "");
        runner::RunPlan plan = in.plan;
        const std::size_t planned = b.tests.size() * static_cast<std::size_t>(plan.repeat);
        auto last_draw = std::chrono::steady_clock::time_point{};
        if (::isatty(STDERR_FILENO)) {
            // One line, redrawn at most ten times a second.
            plan.on_progress = [&, planned](std::size_t done, std::size_t, std::size_t failed) {
                const auto now = std::chrono::steady_clock::now();
                if (now - last_draw < std::chrono::milliseconds(100) && done < planned) return;
                last_draw = now;
                fmt::print(stderr, "\r\x1b[2K  {}/{} runs ({:.0f}%), {} failed", done, planned,
                           planned ? 100.0 * static_cast<double>(done) / static_cast<double>(planned) : 100.0, failed);
            };
        }
        runner::BinaryOutcome outcome = runner::execute(b, plan, scratch.path);
        if (plan.on_progress) fmt::print(stderr, "\r\x1b[2K");
        ResultsBuilder builder;
        report.meta.modes.push_back(outcome.mode);
        for (auto& r : outcome.records) {
            if (traces) traces->write(r);
            builder.add(r, b.path);
        }
        for (auto& o : outcome.outputs) {
            std::string module;
            for (const auto& r : outcome.records)
                if (r.name == o.name) {
                    module = r.module;
                    break;
                }
            builder.attach_output(module, o.name, o.run, std::move(o.output));
        }
        for (auto& n : outcome.notes) report.notes.push_back(std::move(n));
        // Durations known only to the millisecond cannot show sub-millisecond jitter.
        ScoringConfig scoring = in.scoring;
        scoring.timing_noise_floor = std::max(scoring.timing_noise_floor, outcome.timing_resolution);
        for (auto& t : builder.build(scoring, in.verdicts)) report.tests.push_back(std::move(t));
        for (const auto& t : b.tests) owners.emplace_back(&b, t);
        if (runner::interrupted()) break;
    }

    report.overall = aggregate(report.tests);

    // A test that failed in the suite but passes alone depends on the order
    // or state of other tests rather than being flaky on its own.
    if (in.confirm_failures && !runner::interrupted()) {
        int confirmed = 0;
        for (auto& t : report.tests) {
            if (t.failures == 0 || confirmed >= 20) continue;
            const runner::TestBinary* bin = nullptr;
            for (const auto& [b, name] : owners)
                if (name == t.name && b->path == t.binary) bin = b;
            if (!bin) continue;
            ++confirmed;
            std::vector<std::int64_t> failed_runs;
            // At most three re-runs a test; a hang would only hang again, at the cost of the timeout.
            for (const auto& f : t.failure_samples)
                if (f.kind != "not-run" && f.kind != "timeout" && failed_runs.size() < 3) failed_runs.push_back(f.run);
            if (failed_runs.empty()) continue;
            const int times = static_cast<int>(failed_runs.size());
            const int alone = runner::failures_in_isolation(*bin, in.plan, t.name, failed_runs, scratch.path);
            if (alone == 0) {
                t.order_dependent = true;
                t.observations.push_back(fmt::format(
                    "order-dependent: failed {} of {} runs in the suite, passed alone when re-run with the same "
                    "run index ({} of {})",
                    t.failures, t.runs, times, times));
            } else {
                t.observations.push_back(
                    fmt::format("fails alone too ({} of {} re-runs)", alone, times));
            }
        }
    }
    return finish(report, in);
}

}  // namespace pss::cli

namespace pss::cli {

int merge_traces(const std::vector<std::string>& trace_files, const PipelineInput& in) {
    reports::RunReport report;
    report.meta.host = hostname();
    report.meta.pss_version = PSS_VERSION;
    report.meta.fail_below = in.verdicts.fail_below;
    report.meta.command_line = in.command_line;
    fill_git_metadata(report.meta);
    ResultsBuilder builder;
    std::set<std::int64_t> runs;
    for (const auto& file : trace_files) {
        ReadStats read;
        try {
            read = read_trace_file(file, [&](const TraceRecord& r) {
                builder.add(r);
                if (r.kind.empty() || r.kind == "test") runs.insert(r.run);
            });
        } catch (const TraceFileError& e) {
            throw CommandError(exit_cannot_run, e.what());
        }
        if (read.malformed) print_warning(fmt::format("{}: {}", file, read.warning()));
        report.meta.binaries.push_back(file);
    }
    report.meta.repeat = static_cast<int>(runs.size());
    report.tests = builder.build(in.scoring, in.verdicts);
    report.overall = aggregate(report.tests);
    if (report.tests.empty())
        throw CommandError(exit_cannot_run, "no test records in the given trace files; pass the files written by "
                                            "pss-run --traces on each shard");
    return finish(report, in);
}

}  // namespace pss::cli
