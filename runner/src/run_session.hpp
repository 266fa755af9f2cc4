// The runs of one `pss run`: each binary's processes (executor), their
// records into the engine and the --traces file, and the output of failed
// runs. The fixed repetition runs each binary once; adaptive repetition
// (adaptive.hpp) comes back for more runs of some tests.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "collect_step.hpp"
#include "executor.hpp"
#include "pss/record/trace_writer.hpp"
#include "pss/scoring/analyzer.hpp"

namespace pss::cli {

class RunSession {
public:
    // `traces` and `publisher` may be null (no --traces file, no --collector):
    // every record of the run goes to both.
    RunSession(const std::filesystem::path& work_dir, TraceWriter* traces, RunPublisher* publisher = nullptr);

    // Runs `binary`'s tests (all it lists, or those of `only` when given) as
    // `plan` says. `progress`: draw a progress line on a terminal.
    void run(const runner::TestBinary& binary, const runner::RunPlan& plan, bool progress,
             const std::vector<std::string>& only = {});

    // Every test so far, scored and judged by the engine, with the output of
    // its failed runs and whether its heap was measured.
    std::vector<TestResult> results(const ScoringConfig& scoring, const VerdictConfig& verdicts) const;

    std::vector<std::string> take_notes();
    // Processes that failed outside every test, per binary and kind of ending.
    const std::vector<ProcessFailure>& process_failures() const { return process_failures_; }
    const std::vector<std::string>& modes() const { return modes_; }  // per binary, in first-run order
    std::size_t processes() const { return processes_; }

private:
    // One call of the executor's records into the engine, --traces and the collector.
    void absorb(const runner::TestBinary& binary, runner::BinaryOutcome&& outcome);

    std::filesystem::path work_dir_;
    TraceWriter* traces_;
    RunPublisher* publisher_;
    Analyzer analyzer_;
    // binary -> (test, run) -> the last lines of a failed run's output
    std::map<std::string, std::map<std::pair<std::string, std::int64_t>, std::string>> outputs_by_binary_;
    std::map<std::pair<std::string, std::string>, std::size_t> failures_seen_;  // (binary, test) -> failed runs
    std::set<std::string> native_binaries_;
    std::set<std::string> seen_binaries_;
    std::vector<std::string> modes_, notes_;
    std::vector<ProcessFailure> process_failures_;
    std::size_t processes_ = 0;
};

}  // namespace pss::cli
