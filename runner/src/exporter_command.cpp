// pss exporter: Prometheus's pull mode. Serves /metrics (the text exposition
// of pss/ci/prometheus.hpp) from the history database on every scrape.
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli_support.hpp"
#include "commands.hpp"
#include "history_step.hpp"
#include "pss/board/get_server.hpp"
#include "pss/ci/prometheus.hpp"

namespace pss::cli {

namespace {

struct ExporterOptions {
    std::string db;
    std::optional<int> port;
    std::string host = "127.0.0.1";
    std::optional<std::string> config_file;
};

int run_exporter(const ExporterOptions& opt) {
    std::optional<std::filesystem::path> explicit_config;
    if (opt.config_file) explicit_config = *opt.config_file;
    const Config config = resolve_config(explicit_config);
    for (const auto& w : config.warnings) print_warning(w);
    const std::string db = history_database(config, opt.db);
    // The port: --port, else storage_uri with storage_backend "prometheus" and storage_mode "pull", else 8000.
    int port = 8000;
    if (opt.port) {
        port = *opt.port;
    } else if (config.history.storage_backend == "prometheus" && config.history.storage_mode == "pull") {
        const std::string& uri = config.history.storage_uri_as_written;
        const auto colon = uri.rfind(':');
        try {
            port = std::stoi(colon == std::string::npos ? uri : uri.substr(colon + 1));
        } catch (const std::exception&) {
            throw CommandError(exit_usage, fmt::format("storage_uri '{}' is not a port: with storage_mode \"pull\" "
                                                       "it is the exporter's port, such as \"8000\"",
                                                       uri));
        }
    }
    std::unique_ptr<ci::HistoryStore> store;
    try {
        store = ci::open_history_store(db);
    } catch (const ci::HistoryError& e) {
        throw CommandError(exit_cannot_run, e.what());
    }
    ci::ExpositionLimits limits;
    limits.max_tests = static_cast<std::size_t>(config.history.prometheus_max_tests);
    std::mutex store_mutex;  // one connection, scrapes one at a time
    board::GetServer server;
    server.host = opt.host;
    server.port = port;
    server.answer = [&](const board::GetRequest& request) -> board::GetAnswer {
        if (request.path == "/") return {200, "text/plain; charset=utf-8", "pss exporter: metrics at /metrics\n"};
        if (request.path != "/metrics") return {404, "text/plain; charset=utf-8", "Not Found"};
        try {
            std::lock_guard lock(store_mutex);
            return {200, "text/plain; version=0.0.4; charset=utf-8", ci::prometheus_exposition(*store, limits)};
        } catch (const std::exception& e) {
            return {500, "text/plain; charset=utf-8", std::string("pss exporter: ") + e.what() + "\n"};
        }
    };
    server.listening = [&](int bound) {
        if (opt.host != "127.0.0.1" && opt.host != "localhost" && opt.host != "::1")
            print_warning(fmt::format("--host {}: /metrics is reachable from other machines, without authentication",
                                      opt.host));
        fmt::print("pss exporter: serving http://{}:{}/metrics from {} (Ctrl-C to stop)\n", opt.host, bound,
                   store->location());
        std::fflush(stdout);
    };
    try {
        board::serve_get(server);
    } catch (const std::runtime_error& e) {
        throw CommandError(exit_cannot_run, e.what());
    }
    return exit_ok;
}

}  // namespace

CommandRunner add_exporter_command(CLI::App& app) {
    auto opt = std::make_shared<ExporterOptions>();
    CLI::App* cmd = app.add_subcommand("exporter", "Serve the history's newest results to Prometheus at /metrics");
    cmd->add_option("--port", opt->port,
                    "Port to listen on (default: storage_uri with storage_mode \"pull\", else 8000; 0 for any)")
        ->check(CLI::Range(0, 65535));
    cmd->add_option("--host", opt->host, "Address to listen on (default 127.0.0.1)");
    cmd->add_option("--db", opt->db,
                    "History: a SQLite file or postgresql://user@host:port/db (default: storage_uri, .pss/history.db)");
    cmd->add_option("--config", opt->config_file, "Config file (default: $PSS_CONFIG, or pss.toml found upward)");
    return [cmd, opt]() -> int { return cmd->parsed() ? run_exporter(*opt) : -1; };
}

}  // namespace pss::cli
