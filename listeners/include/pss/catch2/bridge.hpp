// Framework-neutral half of the Catch2 listener: the version-specific
// listener (v2_listener.hpp) translates Catch2's events into these calls.
#pragma once

#include <cstddef>
#include <string_view>

namespace pss::catch2 {

enum class FailureKind {
    assertion,  // a failed check, FAIL(), REQUIRE_THROWS that did not throw, ...
    exception,  // an unexpected exception; called while it is being handled
    fatal,      // Catch2's fatal-signal handler; `message` starts with "SIGSEGV - ..."
};

// The listener was created: Catch2 is about to set up a test run.
void listener_created();
// Catch2's testCaseStarting (reporters and trackers prepare the test case),
// then test_case_starting at its first section, where the test begins.
void test_case_announced();
void test_case_starting(std::string_view name, const char* file, std::size_t line);
void test_case_failure(FailureKind kind, std::string_view message, const char* file, std::size_t line);
void test_case_ended(bool failed);
// Catch2 ends the run (testRunEnded); `aborting`: it stops early (-a, -x).
void run_ended(bool aborting);
// Catch2 has torn the run down (the listener's destructor).
void run_finished();

}  // namespace pss::catch2
