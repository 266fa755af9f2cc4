#include "run_pipeline.hpp"

#include <fnmatch.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
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
#include "progress.hpp"
#include "run_metadata.hpp"
#include "run_session.hpp"

namespace pss::cli {

namespace fs = std::filesystem;

namespace {

bool quarantined(const std::vector<std::string>& patterns, const TestResult& t) {
    for (const auto& p : patterns)
        if (p == t.name || ::fnmatch(p.c_str(), t.name.c_str(), 0) == 0) return true;
    return false;
}

// "; its output ends: SUMMARY: AddressSanitizer: 4 byte(s) leaked", or nothing.
std::string last_output_line(const std::string& output) {
    const std::size_t end = output.find_last_not_of(" \t\r\n");
    if (end == std::string::npos) return {};
    const std::size_t nl = output.rfind('\n', end);
    const std::size_t start = nl == std::string::npos ? 0 : nl + 1;
    return "; its output ends: " + output.substr(start, end + 1 - start);
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

// The engine as merge uses it: tests only, with their runs in order.
AnalyzerOptions merge_analyzer_options() {
    AnalyzerOptions o;
    o.tests_only = true;
    o.keep_series = true;
    o.threads = 0;
    // The runs kept for the reports take their share of the memory a merge of
    // large shard files may use (64 MB for a gigabyte).
    o.exact_memory_bytes = std::size_t{16} << 20;
    return o;
}

RunMetadata base_metadata(const PipelineInput& in, bool with_git = true) {
    RunMetadata m;
    m.host = hostname();
    m.pss_version = PSS_VERSION;
    m.fail_below = in.verdicts.fail_below;
    m.command_line = in.command_line;
    if (with_git) fill_git_metadata(m);
    return m;
}

// The checkout, commit and branch, asked of git while the tests run: a git
// process costs a few milliseconds of every run. Only the end of the run
// (history, alerts, reports) reads them.
std::future<RunMetadata> git_metadata_later() {
    return std::async(std::launch::async, [] {
        RunMetadata m;
        fill_git_metadata(m);
        return m;
    });
}

void take_git_metadata(RunMetadata& meta, std::future<RunMetadata>& git) {
    RunMetadata g = git.get();
    meta.repository_root = std::move(g.repository_root);
    meta.git_commit = std::move(g.git_commit);
    meta.git_branch = std::move(g.git_branch);
}

// Quarantine, history, order, gate, print, write: the end of every run and merge.
int finish(RunResults& results, const PipelineInput& in) {
    for (auto& t : results.tests) t.quarantined = quarantined(in.quarantine, t);
    const bool interrupted = runner::interrupted();
    // The run's PSS never reads better than the gate (results.hpp, aggregate):
    // once before history compares it, again after regressions changed verdicts.
    auto mark_and_aggregate = [&] {
        mark_gate_failures(results.tests, in.gate);
        results.overall = aggregate(results.tests);
        results.mean_pss = mean_pss(results.tests);
    };
    mark_and_aggregate();
    std::optional<std::string> history_error;
    if (!interrupted && (in.history.enabled() || in.alerts.enabled))
        history_error = compare_with_history(results, in.history);
    mark_and_aggregate();
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

    print_results(results, in.plan.shuffle ? fmt::format("shuffle seed: {}", in.plan.seed) : "");

    write_reports(results, in.reports);
    if (!interrupted) {
        std::string source;
        for (const auto& b : results.meta.binaries) source += (source.empty() ? "" : " ") + b;
        send_alerts(results, in.alerts, in.history, source);
        // A SIGTERM while alerting ends the alerts and the run, unstored.
        if (runner::interrupted()) return 128 + runner::interrupt_signal();
        // Written reports are kept; a run that was asked to be stored and
        // was not is an error, not a warning (issue 15, item 7).
        if (const auto error = store_in_history(results, in.history, source))
            throw CommandError(exit_cannot_run, *error);
    }
    return results.gate.exit_code;
}

}  // namespace

int run_pipeline(const PipelineInput& in) {
    runner::install_interrupt_handlers();
    ScratchDir scratch;
    const runner::NoiseProbe noise;
    auto git = git_metadata_later();
    RunResults results;
    results.meta = base_metadata(in, false);
    results.meta.started_at = now_epoch();
    results.meta.binaries = in.binaries;
    results.meta.repeat = in.plan.repeat;
    results.meta.warmup = in.plan.warmup;
    results.meta.shuffle = in.plan.shuffle;
    results.meta.seed = in.plan.seed;

    // Inspect everything first: a missing binary fails before any test runs.
    std::vector<runner::TestBinary> binaries;
    std::size_t global_index = 0;
    PipelineInput measured = in;
    for (const auto& path : in.binaries) {
        const auto listing_start = std::chrono::steady_clock::now();
        runner::TestBinary b = runner::inspect_binary(path, in.plan.filter);
        // Listing the tests starts the binary once: what a process costs besides its tests.
        measured.process_seconds = std::max(
            measured.process_seconds,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - listing_start).count());
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
        // A new file per run; only a regular file is replaced (never a
        // device or a pipe such as /dev/stdout that the user named).
        std::error_code ec;
        if (fs::is_regular_file(fs::symlink_status(in.traces_file, ec))) fs::remove(in.traces_file, ec);
        try {
            traces = std::make_unique<TraceWriter>(in.traces_file);
        } catch (const std::system_error& e) {
            throw CommandError(exit_cannot_run, e.what());
        }
    }

    std::unique_ptr<RunPublisher> publisher;
    if (!in.collect.collector.empty())
        publisher = std::make_unique<RunPublisher>(in.collect, in.shard_index, in.shard_count);
    RunSession session(scratch.path, traces.get(), publisher.get());
    for (const auto& b : binaries)
        if (b.tests.empty()) results.notes.push_back(fmt::format("{}: no tests selected", b.path));
    if (in.adaptive) {
        results.meta.adaptive = true;
        results.meta.repeat = 0;
        const AdaptiveOutcome adaptive = run_adaptive(session, binaries, measured, in.adaptive_settings, results);
        results.tests = session.results(in.scoring, in.verdicts);
        mark_unconfident(results.tests, in.adaptive_settings, adaptive);
        results.notes.push_back(describe(adaptive, in.adaptive_settings));
    } else {
        for (const auto& b : binaries) {
            if (b.tests.empty()) continue;
            fmt::print(stderr, "pss: running {} ({} tests x {} runs, {} mode{})\n", b.path, b.tests.size(),
                       in.plan.repeat,
                       in.plan.mode == runner::DataMode::isolate  ? "isolate"
                       : in.plan.mode == runner::DataMode::native ? "native"
                       : b.has_listener                           ? "listener"
                                                                  : "native",
                       in.plan.jobs > 1 ? fmt::format(", {} processes", in.plan.jobs) : "");
            session.run(b, in.plan, true);
            if (runner::interrupted()) break;
        }
        results.tests = session.results(in.scoring, in.verdicts);
    }
    results.meta.modes = session.modes();
    for (auto& n : session.take_notes()) results.notes.push_back(std::move(n));
    results.process_failures = session.process_failures();
    for (const auto& f : results.process_failures)
        results.notes.push_back(fmt::format("{} {} outside its tests in {} process{} whose tests all passed (ctest "
                                            "would fail it; a sanitizer, a static destructor?){}",
                                            f.binary, f.what, f.processes, f.processes == 1 ? "" : "es",
                                            last_output_line(f.output)));
    results.meta.noise = noise.overall();
    for (auto& t : results.tests)  // the machine's noise can make a stable verdict on timing weak
        if (!t.confidence.weak) t.confidence = assess_confidence(t, in.verdicts, false, results.meta.noise);
    if (in.confirm && !runner::interrupted()) confirm_verdicts(results, binaries, in, noise, scratch.path);
    results.overall = aggregate(results.tests);
    if (publisher)
        if (auto dropped = publisher->finish()) results.notes.push_back(std::move(*dropped));
    take_git_metadata(results.meta, git);
    return finish(results, in);
}

int merge_traces(const std::vector<std::string>& trace_files, const PipelineInput& in) {
    RunResults results;
    results.meta = base_metadata(in);
    Analyzer analyzer(merge_analyzer_options());
    std::set<std::int64_t> runs;
    ReadOptions read_options;
    read_options.threads = 2;
    read_options.fields.assign(Analyzer::fields_read().begin(), Analyzer::fields_read().end());
    std::set<std::string> seen;  // the same shard twice would count its runs twice
    for (const auto& file : trace_files) {
        std::error_code ec;
        const auto canonical = fs::weakly_canonical(file, ec);
        if (!seen.insert(ec ? file : canonical.string()).second) {
            print_warning(fmt::format("'{}' was given more than once: read once", file));
            continue;
        }
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
    Analysis analysis = analyzer.finish(in.scoring, in.verdicts);
    results.tests = std::move(analysis.tests);
    results.overall = aggregate(results.tests);
    if (results.tests.empty())
        throw CommandError(exit_cannot_run, "no test records in the given trace files or collector; pass the files "
                                            "written by pss-run --traces on each shard, or --from the collector "
                                            "their --collector sent to (with their --run-id)");
    return finish(results, in);
}

}  // namespace pss::cli
