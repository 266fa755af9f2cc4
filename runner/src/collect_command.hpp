// Reading what collectors gathered (pss merge --from, pss analyze --from)
// and pss collect, the gRPC collector server.
#pragma once

#include <string>
#include <vector>

#include "collected_stream.hpp"
#include "commands.hpp"

namespace CLI {
class App;
}

namespace pss::cli {

struct PipelineInput;

// --from URI (repeatable) and --run-id ID.
void add_from_options(CLI::App& cmd, std::vector<std::string>& from, std::string& run_id);

// Reads one run's records from `uri` (redis://... or a file). `run_id`
// empty: $PSS_RUN_ID or the CI's id, else the only run in the stream.
// Throws CommandError saying what was found when the run has no records.
// Drops the run's processes reported are printed and kept in `notes`.
collect::CollectedRun read_collected_run(const std::string& uri, const std::string& run_id,
                                         std::vector<std::string>& notes);

// Every --from of pss merge into the pipeline's inputs.
void read_collected_runs(const std::vector<std::string>& from, const std::string& run_id, PipelineInput& in);

}  // namespace pss::cli
