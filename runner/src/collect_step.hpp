// The collection part of a run: pss-run --collector sends every record it
// scores (what --traces would hold, warm-up marks and fault records
// included) to a collector, tagged with the run id, so that shards on other
// machines end in one result (pss merge --from). pss-run sends them itself
// rather than its test processes, so a re-run that confirms a verdict is not
// counted twice and native-mode binaries are collected too.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "pss/collect/collector.hpp"
#include "pss/record/trace_record.hpp"

namespace CLI {
class App;
}

namespace pss::cli {

struct CollectOptions {
    std::string collector;  // --collector URI (default: pss.toml collector, $PSS_COLLECTOR)
    std::string run_id;     // --run-id (default: $PSS_RUN_ID or the CI's pipeline id)
};
void add_collect_options(CLI::App& cmd, CollectOptions& options);

// The options resolved: the command line, else pss.toml's `collector`, else
// $PSS_COLLECTOR (which pss-run then removes from its own environment, so
// the test processes it starts do not send the same records again).
CollectOptions collect_settings(const CollectOptions& given, const std::string& config_collector);

class RunPublisher {
public:
    // Throws CommandError (exit 2) when the URI or its plugin is unusable.
    RunPublisher(const CollectOptions& options, int shard_index, int shard_count);
    void publish(const TraceRecord& record);  // never blocks on the network
    // Sends what is buffered (waiting at most PSS_COLLECTOR_FLUSH_SECONDS,
    // default 10) and returns the note for the results when records were
    // dropped: "1,204 records dropped: collector unreachable (...)".
    std::optional<std::string> finish();

private:
    std::unique_ptr<collect::Collector> collector_;
    std::string run_id_;
};

}  // namespace pss::cli
