// pss: the command line. `pss-run` is `pss run`.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli_support.hpp"
#include "commands.hpp"
#include "pss/config.hpp"

int main(int argc, char** argv) {
    using namespace pss::cli;
    CLI::App app{"pss: the C++ Program Stability Score. Scores how stable tests are, not only whether they pass."};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("pss ") + PSS_VERSION);
    std::vector<CommandRunner> commands{add_analyze_command(app)};

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
        print_error(e.what());
        fmt::print(stderr, "Run '{} --help' for usage.\n",
                   app.get_subcommands().empty() ? "pss" : "pss " + app.get_subcommands().front()->get_name());
        return exit_usage;
    }

    try {
        for (const auto& command : commands)
            if (int code = command(); code >= 0) return code;
    } catch (const CommandError& e) {
        print_error(e.what());
        return e.code();
    } catch (const pss::ConfigError& e) {
        print_error(fmt::format("{}\n  Fix the config file, or pass another with --config.", e.what()));
        return exit_usage;
    } catch (const std::exception& e) {
        print_error(e.what());
        return exit_cannot_run;
    }
    return exit_usage;
}
