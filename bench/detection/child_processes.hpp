// Child processes of the detection benchmark: the programs it measures (run
// with fork/execvp, never through a shell) and the background load. None of
// them may outlive the driver, whether it ends normally, on an exception, on
// Ctrl-C/SIGTERM, or is killed outright.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace detection {

struct ChildOutcome {
    int exit_code = -1;    // when it exited
    int signal = 0;        // when a signal ended it
    double wall_seconds = 0;
};

// Runs argv[0] (looked up in PATH like execvp) with stdout and stderr to
// `log_path` (/dev/null when empty) and waits for it. Throws
// std::runtime_error when it cannot be started.
ChildOutcome run_child(const std::vector<std::string>& argv, const std::string& log_path);

// Ctrl-C and SIGTERM: forward the signal to the running child, kill the
// background load, and let the driver stop (see interrupted()).
void install_stop_handlers();

// The signal that asked the driver to stop, or 0.
int interrupted();

// `processes` children that spin on the CPU from construction until stop()
// or destruction (both kill and reap them).
class BackgroundLoad {
public:
    explicit BackgroundLoad(int processes);
    ~BackgroundLoad();
    BackgroundLoad(const BackgroundLoad&) = delete;
    BackgroundLoad& operator=(const BackgroundLoad&) = delete;
    void stop();

private:
    std::vector<pid_t> pids_;
};

}  // namespace detection
