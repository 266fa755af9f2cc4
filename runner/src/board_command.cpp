// pss board: the local web dashboard (board/): loads the history and/or a
// trace file into memory, then serves the page and its JSON API.
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli_support.hpp"
#include "commands.hpp"
#include "history_step.hpp"
#include "pss/board/model.hpp"
#include "pss/board/server.hpp"
#include "pss/ingest/trace_reader.hpp"

namespace pss::cli {

namespace {

struct BoardOptions {
    std::string db;
    std::string traces;
    int port = 8765;
    std::string host = "127.0.0.1";
    std::size_t max_runs = 1000;
    std::optional<std::string> config_file;
};

bool loopback(const std::string& host) { return host == "127.0.0.1" || host == "localhost" || host == "::1"; }

int run_board(const BoardOptions& opt) {
    std::optional<std::filesystem::path> explicit_config;
    if (opt.config_file) explicit_config = *opt.config_file;
    const Config config = resolve_config(explicit_config);
    for (const auto& w : config.warnings) print_warning(w);
    const std::string db = history_database(config, opt.db);

    const auto started = std::chrono::steady_clock::now();
    board::Model model;
    const bool have_history = ci::history_may_exist(db);
    if (!have_history && opt.traces.empty())
        throw CommandError(exit_cannot_run, fmt::format("no history in '{}' and no --traces file: nothing to show. "
                                                        "Store runs with pss-run --store-history, or give --db or "
                                                        "--traces FILE.",
                                                        ci::redact_uri(db)));
    if (have_history) {
        try {
            fmt::print(stderr, "pss board: reading the history in {}...\n", ci::redact_uri(db));
            const auto store = ci::open_history_store(db);
            board::load_history(model, *store, opt.max_runs);
        } catch (const ci::HistoryError& e) {
            throw CommandError(exit_cannot_run, e.what());
        }
    }
    if (!opt.traces.empty()) {
        try {
            board::load_traces(model, opt.traces, config);
        } catch (const TraceFileError& e) {
            throw CommandError(exit_cannot_run, e.what());
        }
    }
    board::finish(model);
    model.load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    board::ServerOptions server;
    server.host = opt.host;
    server.port = opt.port;
    try {
        return board::serve(model, server, [&](int port) {
            if (!loopback(opt.host))
                print_warning(fmt::format("--host {}: the board is reachable from other machines, without "
                                          "authentication; anyone who can connect sees every test name, failure "
                                          "message and source line",
                                          opt.host));
            const bool v6 = opt.host.find(':') != std::string::npos;
            fmt::print("pss board: {} runs, {} tests (loaded in {:.1f} s); serving http://{}{}{}:{}/ (Ctrl-C to stop)\n",
                       model.runs.size(), model.tests.size(), model.load_seconds, v6 ? "[" : "", opt.host,
                       v6 ? "]" : "", port);
            std::fflush(stdout);
        });
    } catch (const std::runtime_error& e) {
        throw CommandError(exit_cannot_run, e.what());
    }
}

}  // namespace

CommandRunner add_board_command(CLI::App& app) {
    auto opt = std::make_shared<BoardOptions>();
    CLI::App* cmd = app.add_subcommand("board", "Serve a local web dashboard of the history and a trace file");
    cmd->add_option("--db", opt->db,
                    "History: a SQLite file or postgresql://user@host:port/db (default: storage_uri, .pss/history.db)");
    cmd->add_option("--traces", opt->traces, "Also show this trace file (per-run durations, memory, failures)");
    cmd->add_option("--port", opt->port, "Port to listen on (default 8765; 0 for any free port)")
        ->check(CLI::Range(0, 65535));
    cmd->add_option("--host", opt->host,
                    "Address to listen on (default 127.0.0.1; anything else opens the board to the network)");
    cmd->add_option("--max-runs", opt->max_runs, "Newest history runs to load (default 1000)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
    cmd->add_option("--config", opt->config_file, "Config file (default: $PSS_CONFIG, or pss.toml found upward)");
    return [cmd, opt]() -> int { return cmd->parsed() ? run_board(*opt) : -1; };
}

}  // namespace pss::cli
