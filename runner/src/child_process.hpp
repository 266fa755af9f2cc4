// Runs one test-binary process: argv without a shell, extra environment,
// stdout and stderr merged (through a file) and handed over line by line, only the last part
// of the output kept, a watchdog that can kill the whole process group.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pss::runner {

struct ChildOptions {
    std::vector<std::string> argv;
    std::map<std::string, std::string> env;  // added to the runner's environment
    std::size_t tail_bytes = 64 * 1024;      // output kept for reports
    bool discard_stderr = false;             // stdout only (a test list, where warnings are noise)
};

struct ChildResult {
    int exit_code = -1;  // -1 when killed by a signal
    int signal = 0;
    bool killed_by_watchdog = false;
    bool spawn_failed = false;
    std::string spawn_error;
    std::string output_tail;  // last `tail_bytes` of stdout+stderr
    double wall_seconds = 0;
};

// Called for every complete output line (without '\n'); a line longer than
// 64 KiB is delivered in pieces.
using LineHandler = std::function<void(std::string_view line)>;
// Called about every 20 ms; returning true kills the process group (timeout).
using Watchdog = std::function<bool()>;

ChildResult run_child(const ChildOptions& options, const LineHandler& on_line, const Watchdog& watchdog);

// Set by SIGINT/SIGTERM; running children are killed and the runner stops.
bool interrupted();
int interrupt_signal();
void install_interrupt_handlers();

// "SIGSEGV", "SIGABRT", ... for a signal number.
std::string signal_name(int sig);

}  // namespace pss::runner
