// pss merge --from / pss analyze --from: one run's records out of a collector.
#include "collect_command.hpp"

#include <signal.h>

#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli_support.hpp"
#include "collect_server.hpp"
#include "pss/collect/collector.hpp"
#include "run_pipeline.hpp"
#include "stream_reader.hpp"

namespace pss::cli {

void add_from_options(CLI::App& cmd, std::vector<std::string>& from, std::string& run_id) {
    cmd.add_option("--from", from,
                   "Read the records a collector gathered: redis://host:port/N?stream=KEY, or the file a file: "
                   "collector or pss collect --out wrote");
    cmd.add_option("--run-id", run_id,
                   "With --from: the run to read (default: $PSS_RUN_ID or the CI's pipeline id, else the only run "
                   "in the stream)");
}

collect::CollectedRun read_collected_run(const std::string& uri, const std::string& given_run_id,
                                         std::vector<std::string>& notes) {
    std::string run_id = given_run_id.empty() ? collect::run_id_from_environment() : given_run_id;
    collect::CollectedRun run(run_id);
    try {
        collect::read_collected(uri, run);
    } catch (const collect::StreamError& e) {
        throw CommandError(exit_cannot_run, e.what());
    }
    if (run_id.empty() && run.runs_seen().size() > 1) {
        std::string ids;
        for (const auto& [id, n] : run.runs_seen())
            ids += fmt::format("{}'{}' ({} records)", ids.empty() ? "" : ", ", id, n);
        throw CommandError(exit_usage, fmt::format("{} holds several runs: {}. Pick one with --run-id.", uri, ids));
    }
    if (run.records() == 0) {
        std::string ids;
        for (const auto& [id, n] : run.runs_seen()) ids += fmt::format("{}'{}'", ids.empty() ? "" : ", ", id);
        throw CommandError(exit_cannot_run,
                           fmt::format("no records of run '{}' in {}{}", run_id, uri,
                                       ids.empty() ? " (it is empty)" : " (runs there: " + ids + "; pass --run-id)"));
    }
    fmt::print(stderr, "pss: {} records of run '{}' from {} ({} processes{})\n", run.records(), run_id, uri,
               run.sources(), run.duplicates() ? fmt::format(", {} sent twice kept once", run.duplicates()) : "");
    if (const std::string dropped = run.drop_note(); !dropped.empty()) {
        print_warning(dropped);
        notes.push_back(dropped);
    }
    return run;
}

void read_collected_runs(const std::vector<std::string>& from, const std::string& run_id, PipelineInput& in) {
    for (const auto& uri : from) {
        collect::CollectedRun run = read_collected_run(uri, run_id, in.notes);
        in.collected.emplace_back(uri, run.ndjson());
    }
}

}  // namespace pss::cli

namespace pss::cli {

namespace {

struct CollectCommandOptions {
    std::string listen = "127.0.0.1:50051";
    std::string out;
};

// Serves until SIGINT or SIGTERM, then stops taking calls and writes out
// what it has. The signals are blocked before the server's threads start,
// so they inherit the mask and this thread alone receives them.
int run_collect(const CollectCommandOptions& opt) {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::unique_ptr<collect::CollectServer> server;
    try {
        server = std::make_unique<collect::CollectServer>(opt.listen, opt.out);
    } catch (const collect::CollectServerError& e) {
        throw CommandError(exit_cannot_run, e.what());
    }
    const auto colon = opt.listen.rfind(':');
    fmt::print(stderr, "pss collect: listening on {}:{}, writing to {} (Ctrl-C or SIGTERM stops)\n",
               opt.listen.substr(0, colon), server->port(), opt.out);
    int signal = 0;
    sigwait(&signals, &signal);
    server->shutdown(10);
    const collect::CollectServerStats s = server->stats();
    fmt::print(stderr, "pss collect: {} records from {} processes{}{}\n", s.records, s.sources,
               s.duplicates ? fmt::format(", {} sent twice kept once", s.duplicates) : "",
               s.dropped ? fmt::format("; the senders dropped {}", s.dropped) : "");
    return exit_ok;
}

}  // namespace

CommandRunner add_collect_command(CLI::App& app) {
    auto opt = std::make_shared<CollectCommandOptions>();
    CLI::App* cmd = app.add_subcommand(
        "collect", "Serve pss's gRPC collector (grpc://HOST:PORT): write the records test processes send to a file, "
                   "or relay them to another collector");
    cmd->add_option("--listen", opt->listen,
                    "HOST:PORT to listen on (default 127.0.0.1:50051; 0.0.0.0:PORT takes other machines' records; "
                    "port 0 picks a free one)");
    cmd->add_option("--out", opt->out,
                    "Where records go: a file (NDJSON, for pss merge / pss analyze), or a collector URI to relay to "
                    "(redis://host:port/N?stream=KEY, grpc://...)")
        ->required();
    return [cmd, opt]() -> int { return cmd->parsed() ? run_collect(*opt) : -1; };
}

}  // namespace pss::cli
