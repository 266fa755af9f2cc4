// Help and usage as people read them: the program's name and the `--` form
// in every usage line, options with their values, descriptions wrapped to
// the terminal.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

namespace pss::cli {

// "pss-run [OPTIONS] -- BINARY... [-- ARGS...]" for `command` ("run", ...,
// or "" for pss itself), as `program` ("pss" or "pss-run") was invoked.
std::string usage_line(const std::string& program, const std::string& command);

// The name a command is invoked by: "pss-run" for run when called so, else "pss run".
std::string command_name(const std::string& program, const std::string& command);

class HelpFormatter : public CLI::FormatterBase {
public:
    explicit HelpFormatter(std::string program) : program_(std::move(program)) {}
    std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override;

private:
    std::string program_;
};

}  // namespace pss::cli
