// pss: the command line. `pss-run` is `pss run`.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli_errors.hpp"
#include "cli_help.hpp"
#include "cli_support.hpp"
#include "commands.hpp"
#include "pss/config/config.hpp"

namespace {

// "-- BINARY... -- ARGS": what follows the second "--" goes to the test
// binaries untouched, so it is taken off before anything else looks.
std::vector<std::string> take_binary_args(std::vector<std::string>& args) {
    std::vector<std::string> binary_args;
    auto first = std::find(args.begin(), args.end(), "--");
    if (first != args.end()) {
        auto second = std::find(first + 1, args.end(), "--");
        if (second != args.end()) {
            binary_args.assign(second + 1, args.end());
            args.erase(second, args.end());
        }
    }
    return binary_args;
}

void print_usage_hint(const std::string& program, const std::string& command) {
    fmt::print(stderr, "Usage: {}\nRun '{} --help' for all options.\n", pss::cli::usage_line(program, command),
               pss::cli::command_name(program, command));
}

}  // namespace

int main(int argc, char** argv) {
    using namespace pss::cli;
    std::vector<std::string> args(argv + 1, argv + argc);
    const std::string program = std::filesystem::path(argv[0]).filename().string() == "pss-run" ? "pss-run" : "pss";
    if (program == "pss-run") args.insert(args.begin(), "run");
    std::vector<std::string> binary_args = take_binary_args(args);
    const std::vector<std::string> command_line(argv, argv + argc);

    CLI::App app{"pss: the C++ Program Stability Score. Scores how stable tests are, not only whether they pass.",
                 program};
    app.formatter(std::make_shared<HelpFormatter>(program));
    app.require_subcommand(1);
    app.fallthrough();  // --color after the command name too
    app.set_version_flag("--version", std::string("pss ") + PSS_VERSION);
    std::string color = "auto";
    app.add_option("--color", color, "Colour in the table and progress: auto (a terminal, FORCE_COLOR, NO_COLOR), "
                                     "always or never")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    std::vector<CommandRunner> commands{add_analyze_command(app), add_run_command(app, binary_args, command_line),
                                         add_merge_command(app, command_line), add_report_command(app),
                                         add_history_command(app), add_collect_command(app),
                                         add_board_command(app), add_exporter_command(app)};
    for (CLI::App* sub : app.get_subcommands({})) sub->formatter(app.get_formatter());

    std::string command;
    try {
        args = check_arguments(app, std::move(args));
        std::vector<std::string> names;
        for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
        for (const auto& a : args)
            if (command.empty() && std::find(names.begin(), names.end(), a) != names.end()) command = a;
        std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them reversed
        app.parse(reversed);
    } catch (const UsageError& e) {
        print_error(e.what());
        print_usage_hint(program, e.command());
        return exit_usage;
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
        print_error(explain(e));
        print_usage_hint(program, command);
        return exit_usage;
    }
    set_color_choice(color == "always" ? ColorChoice::always : color == "never" ? ColorChoice::never
                                                                                : ColorChoice::automatic);

    try {
        for (const auto& runner : commands)
            if (int code = runner(); code >= 0) return code;
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
