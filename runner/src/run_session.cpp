#include "run_session.hpp"

#include <algorithm>
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

void RunSession::run(const runner::TestBinary& b, const runner::RunPlan& base, bool progress,
                     const std::vector<std::string>& only) {
    runner::TestBinary binary = b;
    if (!only.empty()) binary.tests = only;
    runner::RunPlan plan = base;
    const std::size_t planned = binary.tests.size() * static_cast<std::size_t>(plan.repeat);
    // A bar on a terminal, a line every few seconds in a CI log (progress.hpp).
    std::optional<Progress> bar;
    if (progress) {
        bar.emplace(std::filesystem::path(b.path).filename().string(), planned);
        plan.on_progress = [&bar](std::size_t done, std::size_t, std::size_t failed) { bar->update(done, failed); };
    }
    runner::BinaryOutcome outcome = runner::execute(binary, plan, work_dir_);
    if (bar) bar->finish();
    processes_ += outcome.processes;
    if (seen_binaries_.insert(b.path).second) modes_.push_back(outcome.mode);
    if (outcome.mode == "native" || (outcome.mode == "isolate" && !b.has_listener)) native_binaries_.insert(b.path);
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
        analyzer_.add(r, b.path);
    }
    auto& outputs = outputs_by_binary_[b.path];
    for (auto& o : outcome.outputs) outputs[{o.name, o.run}] = std::move(o.output);
    for (auto& n : outcome.notes) notes_.push_back(std::move(n));
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
