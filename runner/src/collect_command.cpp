// pss merge --from / pss analyze --from: one run's records out of a collector;
// pss collect, which runs the pss-collect program.
#include "collect_command.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli_support.hpp"
#include "collect_options.hpp"
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

CommandRunner add_collect_command(CLI::App& app) {
    auto opt = std::make_shared<CollectServerOptions>();
    CLI::App* cmd = app.add_subcommand(
        "collect", "Serve pss's gRPC collector (grpc://HOST:PORT): write the records test processes send to a file, "
                   "or relay them to another collector");
    add_collect_options(*cmd, *opt);
    return [cmd, opt]() -> int { return cmd->parsed() ? exec_collect_server(*opt) : -1; };
}

// The server is the program pss-collect next to pss (gRPC is loaded there
// only): pss checks the command line, then becomes that program.
int exec_collect_server(const CollectServerOptions& opt) {
    char self[4096];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    std::string dir = n > 0 ? std::string(self, static_cast<std::size_t>(n)) : std::string();
    dir = dir.substr(0, dir.rfind('/') + 1);
    const std::string server = dir + "pss-collect";
    std::vector<std::string> args{server, "--listen", opt.listen, "--out", opt.out};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(server.c_str(), argv.data());
    throw CommandError(exit_cannot_run, fmt::format("cannot run '{}' ({}): pss collect is that program, installed "
                                                    "next to pss; reinstall pss",
                                                    server, std::strerror(errno)));
}

}  // namespace pss::cli
