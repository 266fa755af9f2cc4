#include "test_lists.hpp"

#include <nlohmann/json.hpp>

namespace pss::runner {

namespace {

// Catch2 trims the whitespace " \t\r\n" around names when it matches them and
// in its XML reporter.
std::string_view trim_catch2(std::string_view s) {
    constexpr std::string_view space = " \t\r\n";
    const auto begin = s.find_first_not_of(space);
    if (begin == std::string_view::npos) return {};
    return s.substr(begin, s.find_last_not_of(space) - begin + 1);
}

// The lines of `output`, without their '\n' (a last line without one too).
std::vector<std::string_view> lines_of(std::string_view output) {
    std::vector<std::string_view> lines;
    for (std::size_t pos = 0; pos < output.size();) {
        std::size_t nl = output.find('\n', pos);
        if (nl == std::string_view::npos) nl = output.size();
        lines.push_back(output.substr(pos, nl - pos));
        pos = nl + 1;
    }
    return lines;
}

}  // namespace

std::vector<std::string> parse_gtest_list(std::string_view output, bool include_disabled) {
    std::vector<std::string> tests;
    std::string suite;
    for (std::string_view line : lines_of(output)) {
        if (const auto hash = line.find("  #"); hash != std::string_view::npos) line = line.substr(0, hash);
        while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
        if (line.empty()) continue;
        if (line[0] != ' ') {
            if (line.back() == '.') suite = std::string(line.substr(0, line.size() - 1));
            else suite.clear();  // not list output (a banner, a warning)
            continue;
        }
        if (suite.empty()) continue;
        const std::string_view test = line.substr(line.find_first_not_of(' '));
        const bool disabled = test.rfind("DISABLED_", 0) == 0 || suite.rfind("DISABLED_", 0) == 0 ||
                              suite.find("/DISABLED_") != std::string::npos;
        if (disabled && !include_disabled) continue;
        tests.push_back(suite + "." + std::string(test));
    }
    return tests;
}

std::optional<std::vector<std::string>> parse_gtest_json_list(std::string_view text, bool include_disabled) {
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object() || !j.contains("testsuites") || !j["testsuites"].is_array()) return std::nullopt;
    std::vector<std::string> tests;
    for (const auto& suite : j["testsuites"]) {
        if (!suite.is_object() || !suite.contains("name") || !suite["name"].is_string() || !suite.contains("testsuite") ||
            !suite["testsuite"].is_array())
            return std::nullopt;
        const std::string suite_name = suite["name"].get<std::string>();
        for (const auto& test : suite["testsuite"]) {
            if (!test.is_object() || !test.contains("name") || !test["name"].is_string()) return std::nullopt;
            const std::string name = test["name"].get<std::string>();
            const bool disabled = name.rfind("DISABLED_", 0) == 0 || suite_name.rfind("DISABLED_", 0) == 0 ||
                                  suite_name.find("/DISABLED_") != std::string::npos;
            if (disabled && !include_disabled) continue;
            tests.push_back(suite_name + "." + name);
        }
    }
    return tests;
}

std::string catch2_exact_spec(std::string_view name) {
    // Catch2 test specs treat , [ ] " * \ and a leading ~ specially.
    std::string out;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        if (c == ',' || c == '[' || c == ']' || c == '"' || c == '*' || c == '\\' || (c == '~' && i == 0))
            out += '\\';
        out += c;
    }
    return out;
}

std::vector<std::string> catch2_list_lines(std::string_view output) {
    std::vector<std::string> lines;
    for (std::string_view line : lines_of(output)) {
        // Catch2 v2 lists a name that starts with '#' in quotes (so that the
        // list can be read back with -f, where '#' starts a comment).
        if (line.size() >= 3 && line.front() == '"' && line[1] == '#' && line.back() == '"')
            line = line.substr(1, line.size() - 2);
        lines.emplace_back(line);
    }
    return lines;
}

std::string catch2_trimmed(std::string_view name) { return std::string(trim_catch2(name)); }

std::vector<std::string> parse_catch2_list(std::string_view output) {
    std::vector<std::string> tests;
    for (const auto& line : catch2_list_lines(output))
        if (auto name = catch2_trimmed(line); !name.empty()) tests.push_back(std::move(name));
    return tests;
}

bool fits_catch2_input_file(std::string_view name) { return name.find('\n') == std::string_view::npos; }

std::string catch2_input_file_line(std::string_view name) {
    // A quoted name: Catch2 reads the line as one name pattern, whatever it
    // contains, once the characters its parser acts on are escaped (a comma
    // would end the pattern even inside quotes).
    return '"' + catch2_exact_spec(trim_catch2(name)) + '"';
}

}  // namespace pss::runner
