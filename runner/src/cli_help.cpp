#include "cli_help.hpp"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "cli_support.hpp"
#include "pss/text/width.hpp"

namespace pss::cli {

namespace {

// What an option's value is, for "--json FILE".
std::string value_name(const CLI::Option* opt) {
    if (opt->get_expected_min() == 0) return {};
    static const char* const files[] = {"--json", "--junit", "--markdown", "--html", "--pr-comment", "--traces",
                                        "--quarantine", "--config", "--db", "--output", "--trace-file", "--from"};
    for (const char* f : files)
        if (opt->check_lname(f + 2)) return "FILE";
    const std::string type = opt->get_type_name();
    if (type.rfind("INT", 0) == 0 || type.rfind("UINT", 0) == 0) return "N";
    if (type.rfind("FLOAT", 0) == 0 || type.rfind("NUMBER", 0) == 0) return "NUM";
    if (opt->check_lname("mode")) return "auto|listener|native|isolate";
    if (opt->check_lname("color")) return "auto|always|never";
    if (opt->check_lname("export")) return "csv|json";
    return "VALUE";
}

std::string names_of(const CLI::Option* opt) {
    std::string out;
    for (const auto& s : opt->get_snames()) out += (out.empty() ? "-" : ", -") + s;
    for (const auto& l : opt->get_lnames()) out += (out.empty() ? "--" : ", --") + l;
    const std::string value = value_name(opt);
    return value.empty() ? out : out + " " + value;
}

// Two columns: names, then the description wrapped to the width.
void add_entry(std::string& out, const std::string& names, const std::string& what, std::size_t width) {
    constexpr std::size_t indent = 2, column = 30;
    std::string line = std::string(indent, ' ') + names;
    const std::size_t text_width = width > column + 20 ? width - column : 40;
    const auto lines = text::wrap(what, text_width);
    if (text::columns(line) + 2 > column) {
        out += line + "\n";
        line.clear();
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
        out += text::pad_to(i == 0 ? line : std::string(), column) + lines[i] + "\n";
    }
    if (lines.empty()) out += line + "\n";
}

}  // namespace

std::string command_name(const std::string& program, const std::string& command) {
    if (command.empty()) return program;
    if (program == "pss-run" && command == "run") return "pss-run";
    return "pss " + command;
}

std::string usage_line(const std::string& program, const std::string& command) {
    const std::string name = command_name(program, command);
    if (command.empty()) return name + " COMMAND [OPTIONS]";
    if (command == "run") return name + " [OPTIONS] -- BINARY... [-- ARGS for the binaries...]";
    if (command == "merge") return name + " [OPTIONS] TRACES...";
    if (command == "analyze") return name + " --trace-file FILE [OPTIONS]";
    if (command == "report") return name + " --from FILE [OPTIONS]";
    return name + " [OPTIONS]";
}

std::string HelpFormatter::make_help(const CLI::App* app, std::string, CLI::AppFormatMode) const {
    std::size_t width = terminal_columns(STDOUT_FILENO);
    if (width == 0) width = 80;
    width = std::clamp<std::size_t>(width, 50, 120);
    const bool top = app->get_parent() == nullptr;
    const std::string command = top ? "" : app->get_name();
    std::string out = "Usage: " + usage_line(program_, command) + "\n\n";
    for (const auto& l : text::wrap(app->get_description(), width)) out += l + "\n";
    if (top) {
        out += "\nCommands:\n";
        for (const CLI::App* sub : app->get_subcommands({})) add_entry(out, sub->get_name(), sub->get_description(), width);
    }
    std::vector<const CLI::Option*> options;
    auto seen = [&](const CLI::Option* opt) {
        return std::any_of(options.begin(), options.end(), [&](const CLI::Option* o) {
            return o->get_lnames() == opt->get_lnames() && o->get_snames() == opt->get_snames();
        });
    };
    for (const CLI::App* a = app; a; a = top ? nullptr : a->get_parent())
        for (const CLI::Option* opt : a->get_options())
            if (opt->nonpositional() && !seen(opt) && !(a != app && opt->check_lname("version"))) options.push_back(opt);
    out += "\nOptions:\n";
    for (const CLI::Option* opt : options) add_entry(out, names_of(opt), opt->get_description(), width);
    if (!top && command == "run") {
        out += "\n";
        for (const auto& l : text::wrap("Options may also follow the binaries. What follows a second -- goes to the "
                                        "binaries untouched.",
                                        width))
            out += l + "\n";
    }
    return out;
}

}  // namespace pss::cli
