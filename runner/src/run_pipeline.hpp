// From test binaries to a gate decision: run, score, classify, report.
#pragma once

#include <string>
#include <vector>

#include "executor.hpp"
#include "pss/config.hpp"
#include "history_step.hpp"
#include "pss/reports/run_report.hpp"
#include "pss/results.hpp"
#include "pss/scoring.hpp"

namespace pss::cli {

struct PipelineInput {
    std::vector<std::string> binaries;
    runner::RunPlan plan;
    ScoringConfig scoring;
    VerdictConfig verdicts;
    bool allow_flaky = false;
    int shard_index = 0, shard_count = 1;
    bool confirm_failures = true;
    std::vector<std::string> quarantine;  // names or globs
    std::string traces_file, json_file;
    // Reports (reports/): JUnit XML, Markdown (also appended to
    // $GITHUB_STEP_SUMMARY when set), self-contained HTML.
    std::string junit_file, markdown_file, html_file;
    bool junit_flaky_as_failure = false;
    HistorySettings history;
    AlertConfig alerts;  // sent after the gate when alerts.enabled
    std::vector<std::string> command_line;
};

// Returns the exit code: 0 passed, 1 gate failed; throws CommandError otherwise.
int run_pipeline(const PipelineInput& in);

// Writes the --junit, --markdown and --html files of `in`, appends the
// Markdown to $GITHUB_STEP_SUMMARY and, under GITHUB_ACTIONS=true, prints
// annotations. Shared by run, merge and report.
void write_reports(const reports::RunReport& report, const PipelineInput& in);

// pss merge: the results of several shards' --traces files, gated as one run.
int merge_traces(const std::vector<std::string>& trace_files, const PipelineInput& in);

}  // namespace pss::cli
