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

// Colour on a stream: --color always|never, else NO_COLOR (set and not
// empty) turns it off, FORCE_COLOR or CLICOLOR_FORCE (set, not "0") turn it
// on (CI logs that render ANSI colours), else colour when it is a terminal.
enum class ColorChoice { automatic, always, never };
void set_color_choice(ColorChoice choice);
bool color_enabled(int fd);

// Columns of the terminal on `fd`, or $COLUMNS; 0 when neither is known.
std::size_t terminal_columns(int fd);

// `text` with every line longer than `width` wrapped at spaces, continuation
// lines indented under the first word after a leading "- " or indent; as it
// is when `width` is 0.
std::string fit_lines(const std::string& text, std::size_t width);

// Writes `content` to `path` (creating parent directories) via a temporary
// file and a rename, so a reader never sees half a report.
void write_output_file(const std::filesystem::path& path, std::string_view content, std::string_view what);

}  // namespace pss::cli
