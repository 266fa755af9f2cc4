// From test binaries (or shards' trace files) to a gate decision: run, score
// with the one engine (pss::Analyzer), confirm, gate, report, remember.
#pragma once

#include <string>
#include <vector>

#include "adaptive.hpp"
#include "alert_step.hpp"
#include "collect_step.hpp"
#include "executor.hpp"
#include "history_step.hpp"
#include "pss/config/config.hpp"
#include "pss/scoring/gate.hpp"
#include "pss/scoring/results.hpp"
#include "pss/scoring/scoring.hpp"
#include "pss/scoring/verdicts.hpp"
#include "report_outputs.hpp"

namespace pss::cli {

struct PipelineInput {
    std::vector<std::string> binaries;
    runner::RunPlan plan;
    ScoringConfig scoring;
    VerdictConfig verdicts;
    GatePolicy gate;
    int shard_index = 0, shard_count = 1;
    bool adaptive = false;  // --repeat auto
    double process_seconds = 0;  // what starting a test process costs here (measured while listing tests)
    AdaptiveSettings adaptive_settings;
    bool confirm = true;   // re-run failed and unstable tests alone
    int confirm_runs = 20;  // runs of an unstable test re-run alone (warm-ups besides)
    std::vector<std::string> quarantine;  // names or globs
    std::string traces_file;
    CollectOptions collect;  // --collector: every record also goes there
    // pss merge --from: records read from a collector, as (where from, NDJSON)
    // inputs besides the trace files, and what the reading found (drops).
    std::vector<std::pair<std::string, std::string>> collected;
    std::vector<std::string> notes;
    ReportRequest reports;
    HistorySettings history;
    AlertConfig alerts;  // sent after the gate when alerts.enabled
    std::vector<std::string> command_line;
};

// Returns the exit code: 0 passed, 1 gate failed; throws CommandError otherwise.
int run_pipeline(const PipelineInput& in);

// pss merge: the results of several shards' --traces files, gated as one run.
int merge_traces(const std::vector<std::string>& trace_files, const PipelineInput& in);

}  // namespace pss::cli
