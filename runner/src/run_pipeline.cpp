#include "run_pipeline.hpp"

#include <fnmatch.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include <fmt/format.h>

#include "child_process.hpp"
#include "cli_support.hpp"
#include "confirmation.hpp"
#include "pss/ingest/trace_reader.hpp"
#include "pss/record/trace_writer.hpp"
#include "pss/reports/table.hpp"
#include "machine_noise.hpp"
#include "pss/scoring/analyzer.hpp"
#include "run_metadata.hpp"

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

bool use_color() {
    const char* no_color = std::getenv("NO_COLOR");
    return ::isatty(STDOUT_FILENO) && !(no_color && *no_color);
}

// The engine as run and merge use it: tests only, with their runs in order.
AnalyzerOptions run_analyzer_options() {
    AnalyzerOptions o;
    o.tests_only = true;
    o.keep_series = true;
    o.threads = 0;
    return o;
}

RunMetadata base_metadata(const PipelineInput& in) {
    RunMetadata m;
    m.host = hostname();
    m.pss_version = PSS_VERSION;
    m.fail_below = in.verdicts.fail_below;
    m.command_line = in.command_line;
    fill_git_metadata(m);
    return m;
}

// Quarantine, history, order, gate, print, write: the end of every run and merge.
int finish(RunResults& results, const PipelineInput& in) {
    for (auto& t : results.tests) t.quarantined = quarantined(in.quarantine, t);
    const bool interrupted = runner::interrupted();
    std::optional<std::string> history_error;
    if (!interrupted && (in.history.enabled() || in.alerts.enabled))
        history_error = compare_with_history(results, in.history);
    sort_worst_first(results.tests);
    results.summary = summarize(results.tests, results.overall);
    results.gate = decide(results, in.gate);
    if (history_error) fail_gate_for_history(results, *history_error);
    results.meta.finished_at = now_epoch();
    if (results.meta.started_at == 0) results.meta.started_at = results.meta.finished_at;
    if (interrupted) {
        results.gate = {128 + runner::interrupt_signal(),
                        fmt::format("interrupted by {}: results so far are reported and kept",
                                    runner::signal_name(runner::interrupt_signal()))};
    }

    std::fputs(reports::render_table(results, {use_color(), 0}).c_str(), stdout);
    fmt::print("\n{}\n", reports::render_summary_line(results));
    if (const std::string noise = reports::describe_machine_noise(results.meta.noise); !noise.empty())
        fmt::print("{}\n", noise);
    for (const auto& n : results.notes) fmt::print("note: {}\n", text::display_text(n));
    if (in.plan.shuffle) fmt::print("shuffle seed: {}\n", in.plan.seed);
    fmt::print("{}\n", results.gate.reason);
    std::fflush(stdout);

    write_reports(results, in.reports);
    if (!interrupted) {
        std::string source;
        for (const auto& b : results.meta.binaries) source += (source.empty() ? "" : " ") + b;
        send_alerts(results, in.alerts, in.history, source);
        // Written reports are kept; a run that was asked to be stored and
        // was not is an error, not a warning (issue 15, item 7).
        if (const auto error = store_in_history(results, in.history, source))
            throw CommandError(exit_cannot_run, *error);
    }
    return results.gate.exit_code;
}

// The last lines of a failed run's output, kept by the executor, onto its failure sample.
void attach_outputs(std::vector<TestResult>& tests, const std::vector<runner::RunOutput>& outputs,
                    const std::string& binary) {
    std::map<std::pair<std::string, std::int64_t>, const std::string*> by_run;
    for (const auto& o : outputs) by_run[{o.name, o.run}] = &o.output;
    for (auto& t : tests) {
        if (t.binary != binary) continue;
        for (auto& f : t.failure_samples)
            if (auto it = by_run.find({t.name, f.run}); it != by_run.end()) f.output = *it->second;
    }
}

}  // namespace

int run_pipeline(const PipelineInput& in) {
    runner::install_interrupt_handlers();
    ScratchDir scratch;
    const runner::NoiseProbe noise;
    RunResults results;
    results.meta = base_metadata(in);
    results.meta.started_at = now_epoch();
    results.meta.binaries = in.binaries;
    results.meta.repeat = in.plan.repeat;
    results.meta.warmup = in.plan.warmup;
    results.meta.shuffle = in.plan.shuffle;
    results.meta.seed = in.plan.seed;

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

    std::unique_ptr<RunPublisher> publisher;
    if (!in.collect.collector.empty())
        publisher = std::make_unique<RunPublisher>(in.collect, in.shard_index, in.shard_count);

    Analyzer analyzer(run_analyzer_options());
    std::vector<std::pair<std::string, std::vector<runner::RunOutput>>> outputs;
    std::set<std::string> native_binaries;  // no listener: the heap is not known
    for (const auto& b : binaries) {
        if (b.tests.empty()) {
            results.notes.push_back(fmt::format("{}: no tests selected", b.path));
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
        results.meta.modes.push_back(outcome.mode);
        if (outcome.mode == "native" || (outcome.mode == "isolate" && !b.has_listener)) native_binaries.insert(b.path);
        for (const auto& r : outcome.records) {
            if (traces) traces->write(r);
            if (publisher) publisher->publish(r);
            analyzer.add(r, b.path);
        }
        outputs.emplace_back(b.path, std::move(outcome.outputs));
        for (auto& n : outcome.notes) results.notes.push_back(std::move(n));
        if (runner::interrupted()) break;
    }

    Analysis analysis = analyzer.result(in.scoring, in.verdicts);
    results.tests = std::move(analysis.tests);
    for (const auto& [binary, outs] : outputs) attach_outputs(results.tests, outs, binary);
    for (auto& t : results.tests) t.heap_measured = !native_binaries.count(t.binary);
    results.meta.noise = noise.overall();
    for (auto& t : results.tests)  // the machine's noise can make a stable verdict on timing weak
        if (!t.confidence.weak) t.confidence = assess_confidence(t, in.verdicts, false, results.meta.noise);
    if (in.confirm && !runner::interrupted()) confirm_verdicts(results, binaries, in, noise, scratch.path);
    results.overall = aggregate(results.tests);
    if (publisher)
        if (auto dropped = publisher->finish()) results.notes.push_back(std::move(*dropped));
    return finish(results, in);
}

int merge_traces(const std::vector<std::string>& trace_files, const PipelineInput& in) {
    RunResults results;
    results.meta = base_metadata(in);
    Analyzer analyzer(run_analyzer_options());
    std::set<std::int64_t> runs;
    ReadOptions read_options;
    read_options.threads = 0;
    for (const auto& file : trace_files) {
        ReadStats read;
        try {
            read = read_trace_file(file, [&](const TraceRecord& r) {
                analyzer.add(r);
                if ((r.kind.empty() || r.kind == "test") && runs.size() < 100000) runs.insert(r.run);
            }, read_options);
        } catch (const TraceFileError& e) {
            throw CommandError(exit_cannot_run, e.what());
        }
        if (read.malformed) print_warning(fmt::format("{}: {}", file, read.warning()));
        results.meta.binaries.push_back(file);
    }
    for (const auto& [from, ndjson] : in.collected) {
        const ReadStats read = read_trace_text(ndjson, [&](const TraceRecord& r) {
            analyzer.add(r);
            if ((r.kind.empty() || r.kind == "test") && runs.size() < 100000) runs.insert(r.run);
        }, read_options);
        if (read.malformed) print_warning(fmt::format("{}: {}", from, read.warning()));
        results.meta.binaries.push_back(from);
    }
    for (const auto& n : in.notes) results.notes.push_back(n);
    results.meta.repeat = static_cast<int>(runs.size());
    Analysis analysis = analyzer.result(in.scoring, in.verdicts);
    results.tests = std::move(analysis.tests);
    results.overall = aggregate(results.tests);
    if (results.tests.empty())
        throw CommandError(exit_cannot_run, "no test records in the given trace files or collector; pass the files "
                                            "written by pss-run --traces on each shard, or --from the collector "
                                            "their --collector sent to (with their --run-id)");
    return finish(results, in);
}

}  // namespace pss::cli
