#include "child_processes.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace detection {

namespace {

// What the signal handler may touch: plain atomics, no allocation.
std::atomic<pid_t> g_child{0};
std::array<std::atomic<pid_t>, 64> g_load{};
volatile std::sig_atomic_t g_stop_signal = 0;

extern "C" void on_stop_signal(int sig) {
    g_stop_signal = sig;
    for (auto& slot : g_load)
        if (const pid_t pid = slot.load(); pid > 0) kill(pid, SIGKILL);
    if (const pid_t child = g_child.load(); child > 0) kill(child, sig);  // pss-run stops cleanly on it
}

// Blocks Ctrl-C/SIGTERM while a child is forked and its pid recorded, so the
// handler never misses a child that exists.
class StopSignalsBlocked {
public:
    StopSignalsBlocked() {
        sigset_t stop;
        sigemptyset(&stop);
        sigaddset(&stop, SIGINT);
        sigaddset(&stop, SIGTERM);
        sigprocmask(SIG_BLOCK, &stop, &previous_);
    }
    ~StopSignalsBlocked() { sigprocmask(SIG_SETMASK, &previous_, nullptr); }
    StopSignalsBlocked(const StopSignalsBlocked&) = delete;
    StopSignalsBlocked& operator=(const StopSignalsBlocked&) = delete;
    // In a forked child: default handlers, nothing blocked.
    void reset_in_child() const {
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
        sigprocmask(SIG_SETMASK, &previous_, nullptr);
    }

private:
    sigset_t previous_{};
};

// In a forked child: die with the driver, even if it is killed with SIGKILL.
void die_with_parent(pid_t parent, int signal) {
    prctl(PR_SET_PDEATHSIG, signal);
    if (getppid() != parent) _exit(127);  // the driver died before prctl
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

ChildOutcome run_child(const std::vector<std::string>& argv, const std::string& log_path) {
    // Everything the child needs is prepared before fork: after it, only
    // async-signal-safe calls.
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const char* log = log_path.empty() ? "/dev/null" : log_path.c_str();
    int exec_error[2];  // the child writes errno here when exec fails; close-on-exec otherwise
    if (pipe2(exec_error, O_CLOEXEC) != 0) throw std::runtime_error("pipe2: " + std::string(std::strerror(errno)));

    const pid_t parent = getpid();
    const auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    {
        StopSignalsBlocked blocked;
        pid = fork();
        if (pid == 0) {
            blocked.reset_in_child();
            setpgid(0, 0);  // a terminal's Ctrl-C reaches only the driver, which forwards it once
            die_with_parent(parent, SIGTERM);
            const int in = open("/dev/null", O_RDONLY);
            const int out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) {
                const int e = errno;
                (void)!write(exec_error[1], &e, sizeof e);
                _exit(127);
            }
            execvp(args[0], args.data());
            const int e = errno;
            (void)!write(exec_error[1], &e, sizeof e);
            _exit(127);
        }
        if (pid > 0) g_child = pid;
    }
    close(exec_error[1]);
    if (pid < 0) {
        close(exec_error[0]);
        throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
    }
    int child_errno = 0;
    ssize_t got = 0;
    do got = read(exec_error[0], &child_errno, sizeof child_errno);  // 0 bytes: exec succeeded
    while (got < 0 && errno == EINTR);
    const bool exec_failed = got == sizeof child_errno;
    close(exec_error[0]);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) break;  // EINTR: a stop signal was forwarded; the child ends soon
    g_child = 0;
    if (exec_failed) throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(child_errno));

    ChildOutcome outcome;
    outcome.wall_seconds = seconds_since(start);
    if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
    return outcome;
}

void install_stop_handlers() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: waitpid and sleeps return early
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

int interrupted() { return g_stop_signal; }

BackgroundLoad::BackgroundLoad(int processes) {
    const pid_t parent = getpid();
    for (int i = 0; i < processes && i < static_cast<int>(g_load.size()); ++i) {
        StopSignalsBlocked blocked;
        const pid_t pid = fork();
        if (pid == 0) {
            blocked.reset_in_child();  // the terminal's Ctrl-C ends it directly, too
            die_with_parent(parent, SIGKILL);
            volatile std::uint64_t spins = 0;
            for (;;) spins = spins + 1;  // pure CPU, no memory traffic or syscalls
        }
        if (pid < 0) {
            stop();
            throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
        }
        pids_.push_back(pid);
        g_load[static_cast<std::size_t>(i)] = pid;
    }
}

BackgroundLoad::~BackgroundLoad() { stop(); }

void BackgroundLoad::stop() {
    for (const pid_t pid : pids_) {
        kill(pid, SIGKILL);
        while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
    pids_.clear();
    for (auto& slot : g_load) slot = 0;
}

}  // namespace detection
