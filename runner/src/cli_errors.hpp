// Command-line mistakes explained: an unknown command or option is named,
// with the nearest known one ("did you mean"), before CLI11 parses (it
// would blame a later argument); CLI11's own messages are rewritten to say
// what was wrong and what to do.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace pss::cli {

// A usage mistake; what() is the whole message.
class UsageError : public std::runtime_error {
public:
    UsageError(const std::string& message, std::string command)
        : std::runtime_error(message), command_(std::move(command)) {}
    const std::string& command() const { return command_; }

private:
    std::string command_;
};

// Checks `args` (without the program name) against `app`'s commands and
// options and returns them ready for CLI11. pss run's options may follow
// its binaries (`pss-run -- ./t --json r.json`): they are moved before the
// `--`. Throws UsageError.
std::vector<std::string> check_arguments(const CLI::App& app, std::vector<std::string> args);

// CLI11's parse error as a sentence that names the option and what it takes.
std::string explain(const CLI::ParseError& error);

// " Did you mean '--repeat'?" for the nearest candidate, or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace pss::cli
