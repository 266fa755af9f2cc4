// RunResults with fixed times, hosts and samples, so renderers can be
// compared with golden files byte for byte.
#pragma once

#include "pss/scoring/gate.hpp"
#include "pss/scoring/results.hpp"

namespace pss::test {

// Two suites; a failing, a flaky (with output), an unstable leaking and a
// stable test; one with a baseline.
RunResults sample_report();

// Names, messages and output built to break every format: markup, quotes,
// "]]>", control characters, invalid UTF-8, Markdown table syntax.
RunResults hostile_report();

// One failed run's sample.
FailureSample sample(std::int64_t run, std::string type, std::string message, std::string file, std::int64_t line,
                     std::string output);

// The hostile test name of the issue.
inline constexpr const char* script_name = "<script>alert(1)</script> & \"x\"";

}  // namespace pss::test
