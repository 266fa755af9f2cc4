#include "collect_step.hpp"

#include <cstdlib>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli_support.hpp"
#include "pss/record/trace_writer.hpp"

namespace pss::cli {

void add_collect_options(CLI::App& cmd, CollectOptions& o) {
    cmd.add_option("--collector", o.collector,
                   "Also send every record to this collector: redis://host:port/N?stream=KEY, grpc://host:port or "
                   "file:PATH (pss.toml collector, $PSS_COLLECTOR); shards with one --run-id merge with pss merge --from");
    cmd.add_option("--run-id", o.run_id,
                   "The run the records belong to, shared by its shards (default: $PSS_RUN_ID, or the CI's pipeline "
                   "id: GITHUB_RUN_ID, CI_PIPELINE_ID, ...)");
}

CollectOptions collect_settings(const CollectOptions& given, const std::string& config_collector) {
    CollectOptions o = given;
    const char* env = std::getenv("PSS_COLLECTOR");
    if (o.collector.empty()) o.collector = config_collector;
    if (o.collector.empty() && env) o.collector = env;
    ::unsetenv("PSS_COLLECTOR");  // the children's records reach the collector through pss-run
    if (o.run_id.empty()) o.run_id = collect::run_id_from_environment();
    return o;
}

RunPublisher::RunPublisher(const CollectOptions& o, int shard_index, int shard_count) : run_id_(o.run_id) {
    std::string error;
    collect::Identity id;
    id.run_id = o.run_id;
    collector_ = collect::open_collector(o.collector, id, error);
    if (!collector_) throw CommandError(exit_usage, error);
    fmt::print(stderr, "pss: sending records to {} (run id '{}'{})\n", collector_->describe(), run_id_,
               shard_count > 1 ? fmt::format(", shard {} of {}", shard_index + 1, shard_count) : "");
    if (run_id_.empty() && shard_count > 1)
        print_warning("no run id (--run-id, PSS_RUN_ID or a CI pipeline id): pss merge --from will not tell this "
                      "run's shards from other runs' in a shared stream");
}

void RunPublisher::publish(const TraceRecord& record) { collector_->submit(to_json_line(record)); }

std::optional<std::string> RunPublisher::finish() {
    double seconds = 10;
    if (const char* v = std::getenv("PSS_COLLECTOR_FLUSH_SECONDS"); v && *v) seconds = std::strtod(v, nullptr);
    collector_->close(seconds);
    const collect::CollectorStats stats = collector_->stats();
    const std::string dropped = collect::drop_summary(stats, collector_->describe());
    if (dropped.empty()) {
        fmt::print(stderr, "pss: {} records sent to {}\n", stats.delivered, collector_->describe());
        return std::nullopt;
    }
    print_warning(dropped);
    return dropped;
}

}  // namespace pss::cli
