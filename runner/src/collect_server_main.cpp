// pss-collect: the gRPC collector server that `pss collect` runs (pss checks
// the command line and becomes this program), so that gRPC is loaded by this
// program alone. Serves until SIGINT or SIGTERM, then stops taking calls and
// writes out what it has.
#include <pthread.h>
#include <signal.h>

#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli_support.hpp"
#include "collect_options.hpp"
#include "collect_server.hpp"

namespace {

using namespace pss::cli;

// The signals are blocked before the server's threads start, so they inherit
// the mask and this thread alone receives them.
int serve(const CollectServerOptions& opt) {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::unique_ptr<pss::collect::CollectServer> server;
    try {
        server = std::make_unique<pss::collect::CollectServer>(opt.listen, opt.out);
    } catch (const pss::collect::CollectServerError& e) {
        throw CommandError(exit_cannot_run, e.what());
    }
    const auto colon = opt.listen.rfind(':');
    fmt::print(stderr, "pss collect: listening on {}:{}, writing to {} (Ctrl-C or SIGTERM stops)\n",
               opt.listen.substr(0, colon), server->port(), opt.out);
    int signal = 0;
    sigwait(&signals, &signal);
    server->shutdown(10);
    const pss::collect::CollectServerStats s = server->stats();
    fmt::print(stderr, "pss collect: {} records from {} processes{}{}\n", s.records, s.sources,
               s.duplicates ? fmt::format(", {} sent twice kept once", s.duplicates) : "",
               s.dropped ? fmt::format("; the senders dropped {}", s.dropped) : "");
    return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"pss collect: pss's gRPC collector server (run it as `pss collect`)", "pss-collect"};
    CollectServerOptions opt;
    add_collect_options(app, opt);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? exit_ok : exit_usage;
    }
    try {
        return serve(opt);
    } catch (const CommandError& e) {
        print_error(e.what());
        return e.code();
    } catch (const std::exception& e) {
        print_error(e.what());
        return exit_cannot_run;
    }
}
