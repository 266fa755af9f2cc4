// Each subcommand registers its options on the shared CLI::App and returns
// the function that runs it once the command line is parsed.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace pss::cli {

using CommandRunner = std::function<int()>;

CommandRunner add_analyze_command(CLI::App& app);

}  // namespace pss::cli
