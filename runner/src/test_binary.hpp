// What a test binary is: GoogleTest or Catch2, with or without a pss
// listener, and which test cases it has.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "test_lists.hpp"  // the listings' parsers

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

}  // namespace pss::runner
