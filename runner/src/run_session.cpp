#include "run_session.hpp"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <system_error>

#include <fmt/format.h>

#include "child_process.hpp"
#include "cli_support.hpp"
#include "progress.hpp"

namespace pss::cli {

namespace {

// The engine as run and merge use it: tests only, with their runs in order.
AnalyzerOptions session_analyzer_options() {
    AnalyzerOptions o;
    o.tests_only = true;
    o.keep_series = true;
    o.threads = 0;
    return o;
}

}  // namespace

RunSession::RunSession(const std::filesystem::path& work_dir, TraceWriter* traces, RunPublisher* publisher)
    : work_dir_(work_dir), traces_(traces), publisher_(publisher), analyzer_(session_analyzer_options()) {}

// The records one call of the executor may hold at once (about 1.4 KB
// each): a larger --repeat runs in chunks of repetitions, each handed to the
// engine, whose memory is bounded, before the next starts. 1,000 tests x
// 100,000 runs would otherwise need some 135 GB.
// PSS_MAX_RECORDS_HELD sets it (the tests use a small one).
std::size_t max_records_held() {
    if (const char* v = std::getenv("PSS_MAX_RECORDS_HELD"))
        if (const long n = std::atol(v); n > 0) return static_cast<std::size_t>(n);
    return 100'000;
}

void RunSession::run(const runner::TestBinary& b, const runner::RunPlan& base, bool progress,
                     const std::vector<std::string>& only) {
    runner::TestBinary binary = b;
    if (!only.empty()) binary.tests = only;
    const std::size_t tests = std::max<std::size_t>(1, binary.tests.size());
    const std::size_t planned = binary.tests.size() * static_cast<std::size_t>(std::max(0, base.repeat));
    const int chunk = static_cast<int>(std::clamp<std::size_t>(max_records_held() / tests, 1,
                                                               static_cast<std::size_t>(std::max(1, base.repeat))));
    // A bar on a terminal, a line every few seconds in a CI log (progress.hpp).
    std::optional<Progress> bar;
    if (progress) bar.emplace(std::filesystem::path(b.path).filename().string(), planned);
    std::size_t done_before = 0, failed_before = 0;
    for (int first = 0; first < base.repeat && (first == 0 || !runner::interrupted()); first += chunk) {
        runner::RunPlan plan = base;
        plan.first_run = base.first_run + first;
        plan.repeat = std::min(chunk, base.repeat - first);
        if (bar)
            plan.on_progress = [&](std::size_t done, std::size_t, std::size_t failed) {
                bar->update(done_before + done, failed_before + failed);
            };
        runner::BinaryOutcome outcome = runner::execute(binary, plan, work_dir_);
        done_before += outcome.records.size();
        for (const auto& r : outcome.records) failed_before += r.error ? 1 : 0;
        absorb(b, std::move(outcome));
    }
    if (bar) bar->finish();
}

void RunSession::absorb(const runner::TestBinary& b, runner::BinaryOutcome&& outcome) {
    const std::string& binary = b.path;
    processes_ += outcome.processes;
    if (seen_binaries_.insert(binary).second) modes_.push_back(outcome.mode);
    if (outcome.mode == "native" || (outcome.mode == "isolate" && !b.has_listener)) native_binaries_.insert(binary);
    // The output of a failed run is kept only where the engine keeps the
    // failure as a sample (the first few of each test), so that a test
    // failing in every one of 100,000 runs does not keep 100,000 outputs.
    std::set<std::pair<std::string, std::int64_t>> sampled;
    for (const auto& r : outcome.records) {
        if (traces_) {
            try {
                traces_->write(r);
            } catch (const std::system_error& e) {
                // A full disk loses the --traces file, not the run: the
                // table, reports and history still come from the engine.
                notes_.push_back(fmt::format("{}; the --traces file is incomplete, the results are not", e.what()));
                print_warning(notes_.back());
                traces_ = nullptr;
            }
        }
        if (publisher_) publisher_->publish(r);
        if (r.error && failures_seen_[{binary, r.name}]++ < AnalyzerOptions{}.max_failure_samples)
            sampled.insert({r.name, r.run});
        analyzer_.add(r, binary);
    }
    auto& outputs = outputs_by_binary_[binary];
    for (auto& o : outcome.outputs)
        if (sampled.count({o.name, o.run})) outputs[{o.name, o.run}] = std::move(o.output);
    for (auto& n : outcome.notes)
        if (std::find(notes_.begin(), notes_.end(), n) == notes_.end()) notes_.push_back(std::move(n));
    for (auto& f : outcome.process_failures) add_process_failure(process_failures_, std::move(f));
}

std::vector<TestResult> RunSession::results(const ScoringConfig& scoring, const VerdictConfig& verdicts) const {
    std::vector<TestResult> tests = analyzer_.result(scoring, verdicts).tests;
    for (auto& t : tests) {
        t.heap_measured = !native_binaries_.count(t.binary);
        const auto outputs = outputs_by_binary_.find(t.binary);
        if (outputs == outputs_by_binary_.end()) continue;
        for (auto& f : t.failure_samples)
            if (auto it = outputs->second.find({t.name, f.run}); it != outputs->second.end()) f.output = it->second;
    }
    return tests;
}

std::vector<std::string> RunSession::take_notes() {
    std::vector<std::string> out;
    out.swap(notes_);
    return out;
}

}  // namespace pss::cli
