// Runs a program for end-to-end tests: argv (no shell), extra environment,
// captured stdout/stderr, exit code or terminating signal.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pss::test {

struct ProcessResult {
    int exit_code = -1;  // -1 when killed by a signal
    int signal = 0;      // the terminating signal, or 0
    std::string out, err;
};

struct ProcessOptions {
    std::map<std::string, std::string> env;  // added to (or replacing in) the current environment
    std::vector<std::string> unset_env;      // removed from the environment
    std::optional<std::string> cwd;
    std::string stdin_text;
    double timeout_seconds = 120;  // killed (SIGKILL) after this
    int send_signal = 0;           // sent once to the process after...
    double send_signal_after = 0;  // ...this many seconds (to test Ctrl-C handling)
};

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// A fresh, empty directory under $TMPDIR, removed by the caller (or left for inspection).
std::string make_temp_dir(const std::string& prefix = "pss-test");

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);

}  // namespace pss::test
