// pss: the command line. `pss-run` is `pss run`.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli_support.hpp"
#include "commands.hpp"
#include "pss/config/config.hpp"

namespace {

// pss-run is pss run; "-- BINARY... -- ARGS": what follows the second "--"
// goes to the test binaries untouched.
std::vector<std::string> split_arguments(int argc, char** argv, std::vector<std::string>& binary_args) {
    std::vector<std::string> args(argv, argv + argc);
    const std::string self = std::filesystem::path(args[0]).filename().string();
    if (self == "pss-run") args.insert(args.begin() + 1, "run");
    auto first = std::find(args.begin(), args.end(), "--");
    if (first != args.end()) {
        auto second = std::find(first + 1, args.end(), "--");
        if (second != args.end()) {
            binary_args.assign(second + 1, args.end());
            args.erase(second, args.end());
        }
    }
    return args;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace pss::cli;
    std::vector<std::string> binary_args;
    std::vector<std::string> args = split_arguments(argc, argv, binary_args);
    const std::vector<std::string> command_line(argv, argv + argc);
    CLI::App app{"pss: the C++ Program Stability Score. Scores how stable tests are, not only whether they pass."};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("pss ") + PSS_VERSION);
    std::vector<CommandRunner> commands{add_analyze_command(app), add_run_command(app, binary_args, command_line),
                                         add_merge_command(app, command_line), add_report_command(app),
                                         add_history_command(app), add_collect_command(app)};

    try {
        std::vector<std::string> reversed(args.rbegin(), args.rend() - 1);  // CLI11 takes them reversed
        app.parse(reversed);
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
