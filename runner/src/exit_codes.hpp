// The exit codes every pss command uses (docs/ARCHITECTURE.md, "Exit codes").
#pragma once

namespace pss::cli {

enum ExitCode : int {
    exit_ok = 0,           // gate passed
    exit_gate_failed = 1,  // score, flaky, regression
    exit_usage = 2,        // usage or config error
    exit_cannot_run = 3,   // could not run what was asked (missing file or binary, not a test binary)
};

}  // namespace pss::cli
