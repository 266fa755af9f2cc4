// Reads a test binary's console output as it streams: which test is running,
// how each ended (native mode, no listener), and the output of each test.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "pss/record/trace_record.hpp"

namespace pss::runner {

struct TestEnd {
    std::string name;
    std::string file;  // where the test is defined (Catch2), when known
    std::int64_t line = 0;
    bool failed = false;
    bool skipped = false;
    std::string kind;     // "assertion" or "exception"
    std::string message;  // first failure
    std::string failure_file;
    std::int64_t failure_line = 0;
    double seconds = 0;  // measured by the runner between start and end lines
    std::string output;  // the test's own lines
};

// The record of a test end in native mode: outcome, time and where it failed
// as the framework printed them. CPU time is unknown without a listener, so
// it is the duration (no wait time is claimed). The caller sets the module
// and timestamp.
TraceRecord native_record(const TestEnd& e, std::int64_t run);

class OutputParser {
public:
    virtual ~OutputParser() = default;
    // Returns the test that ended on this line, if one did.
    virtual std::optional<TestEnd> feed(std::string_view line) = 0;
    // The test running now ("" between tests) and its output so far.
    const std::string& current() const { return current_; }
    const std::string& current_output() const { return output_; }
    // Repetition index inside one process (gtest's --gtest_repeat iteration).
    int iteration() const { return iteration_; }

protected:
    void start(std::string name);
    void capture(std::string_view line);
    double elapsed() const;
    // The end of the running test, from what was gathered since its start.
    TestEnd finish(double seconds, bool failed, bool skipped, std::string kind);

    std::string current_, output_;
    std::string message_, failure_file_;  // the first failure
    std::int64_t failure_line_ = 0;
    int iteration_ = 0;
    std::chrono::steady_clock::time_point started_{};
};

// "[ RUN      ] Suite.Test" ... "[       OK ] Suite.Test (0 ms)"
class GtestOutputParser final : public OutputParser {
public:
    std::optional<TestEnd> feed(std::string_view line) override;
    // GTEST_SKIP() in a global environment's SetUp: GoogleTest then runs no
    // test and prints none of their names, and the process passes.
    bool environment_skipped() const { return environment_skipped_; }

private:
    bool exception_ = false, seen_failure_ = false, collecting_ = false;
    bool in_environment_setup_ = false, environment_skipped_ = false;
};

// Catch2 v2's XML reporter (-r xml -d yes), one element a line.
class Catch2XmlOutputParser final : public OutputParser {
public:
    std::optional<TestEnd> feed(std::string_view line) override;

private:
    std::string file_, kind_;
    std::int64_t line_ = 0;
    bool want_text_ = false;
    std::string text_kind_;
    std::string open_tag_;  // a <TestCase start tag whose name holds a line break, so far
};

// The value of attribute `name` in an XML start tag, unescaped.
std::optional<std::string> xml_attribute(std::string_view tag, std::string_view name);
std::string xml_unescape(std::string_view text);

}  // namespace pss::runner
