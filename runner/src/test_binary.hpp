// What a test binary is: GoogleTest or Catch2, with or without a pss
// listener, and which test cases it has.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pss::runner {

enum class Framework { gtest, catch2 };

struct TestBinary {
    std::string path;       // as given
    std::string name;       // basename, used in module names
    Framework framework = Framework::gtest;
    bool has_listener = false;    // links a pss listener (writes trace records)
    std::vector<std::string> tests;  // in the binary's own order
};

// Inspects and lists `path`, with `filter` (a gtest filter or a Catch2 test
// spec; empty for all tests). Throws CommandError with exit 3 when the binary
// is missing, not executable, or not a test binary.
TestBinary inspect_binary(const std::string& path, const std::string& filter);

// Parses `--gtest_list_tests` output into "Suite.Test" names.
std::vector<std::string> parse_gtest_list(std::string_view output, bool include_disabled);
// Parses the JSON list GoogleTest 1.10+ writes with --gtest_list_tests
// --gtest_output=json:FILE; nullopt when it is not such a list.
std::optional<std::vector<std::string>> parse_gtest_json_list(std::string_view json, bool include_disabled);

// Escapes a Catch2 test name so that a test spec matches exactly that test.
std::string catch2_exact_spec(std::string_view name);

// Parses `--list-test-names-only` output: one name a line, a name starting
// with '#' in quotes; names trimmed as Catch2 trims them when matching.
std::vector<std::string> parse_catch2_list(std::string_view output);

// One line of a Catch2 `-f` (--input-file) test list that selects exactly
// the test `name` (Catch2 ORs the lines; several test specs on the command
// line would be ANDed).
std::string catch2_input_file_line(std::string_view name);

}  // namespace pss::runner
