// Each subcommand registers its options on the shared CLI::App and returns
// the function that runs it once the command line is parsed.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace pss::cli {

using CommandRunner = std::function<int()>;

CommandRunner add_analyze_command(CLI::App& app);
// `binary_args` are the arguments after the second "--", for the test binaries.
CommandRunner add_run_command(CLI::App& app, std::vector<std::string>& binary_args,
                              const std::vector<std::string>& argv);
CommandRunner add_merge_command(CLI::App& app, const std::vector<std::string>& argv);
CommandRunner add_history_command(CLI::App& app);
// pss report --from results.json: renders saved results in any format.
CommandRunner add_report_command(CLI::App& app);
// pss collect: the gRPC collector server (collect_command.cpp).
CommandRunner add_collect_command(CLI::App& app);
// pss board: the web dashboard (board_command.cpp).
CommandRunner add_board_command(CLI::App& app);
// pss exporter: /metrics for Prometheus from the history (exporter_command.cpp).
CommandRunner add_exporter_command(CLI::App& app);

}  // namespace pss::cli
