// Parsers of what a test binary lists (its tests' names): pure functions of
// the text, apart from running the binary, so that they can be tested and
// fuzzed alone (fuzz/fuzz_gtest_output.cpp, fuzz/fuzz_catch2_xml.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pss::runner {

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
// The same lines untrimmed (a name holding a line break spans two lines,
// the first ending in '\r' when the break was "\r\n"), quotes taken off.
std::vector<std::string> catch2_list_lines(std::string_view output);
// The name as Catch2 matches it: without the whitespace around it.
std::string catch2_trimmed(std::string_view name);

// Whether `name` can be one line of a `-f` test list (no line break in it).
bool fits_catch2_input_file(std::string_view name);

// One line of a Catch2 `-f` (--input-file) test list that selects exactly
// the test `name` (Catch2 ORs the lines; several test specs on the command
// line would be ANDed).
std::string catch2_input_file_line(std::string_view name);

}  // namespace pss::runner
