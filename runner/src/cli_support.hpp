// What the subcommands share: error reporting and writing output files.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "exit_codes.hpp"

namespace pss::cli {

// Thrown by a command to stop with a message and an exit code.
class CommandError : public std::runtime_error {
public:
    CommandError(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
    ExitCode code() const noexcept { return code_; }

private:
    ExitCode code_;
};

// "90s", "2m", "1h", "500ms", "1.5" (seconds) as seconds; nullopt when it is none of these.
std::optional<double> parse_duration(std::string_view text);

// "pss: error: ..." on stderr.
void print_error(std::string_view message);
void print_warning(std::string_view message);

// Writes `content` to `path` (creating parent directories) via a temporary
// file and a rename, so a reader never sees half a report.
void write_output_file(const std::filesystem::path& path, std::string_view content, std::string_view what);

}  // namespace pss::cli
