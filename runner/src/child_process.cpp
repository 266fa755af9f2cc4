#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/format.h>

extern char** environ;

namespace pss::runner {

namespace {

std::atomic<int> g_interrupt{0};

void on_signal(int sig) { g_interrupt.store(sig); }

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra) {
    std::vector<std::string> out;
    for (char** e = environ; *e; ++e) {
        std::string_view kv(*e);
        const auto eq = kv.find('=');
        if (eq != std::string_view::npos && extra.count(std::string(kv.substr(0, eq)))) continue;
        out.emplace_back(kv);
    }
    for (const auto& [k, v] : extra) out.push_back(k + "=" + v);
    return out;
}

// The test processes running now; any other child of pss-run is an orphan
// of one of them (a setsid daemon), handed over by PR_SET_CHILD_SUBREAPER.
std::mutex g_children_mutex;
std::set<pid_t> g_children;
int g_spawning = 0;  // forks under way, whose pid is not in g_children yet

void spawning(bool starting) {
    std::lock_guard lock(g_children_mutex);
    g_spawning += starting ? 1 : -1;
}

void track_child(pid_t pid, bool running) {
    std::lock_guard lock(g_children_mutex);
    if (running) g_children.insert(pid);
    else g_children.erase(pid);
}

// Kills and reaps pss-run's children that it did not start itself. Only
// when no test runs: with -j, an orphan may still belong to a running test.
void end_orphans() {
    std::lock_guard lock(g_children_mutex);
    if (!g_children.empty() || g_spawning > 0) return;
    const pid_t self = ::getpid();
    std::error_code ec;
    std::vector<pid_t> orphans;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream stat(entry.path() / "stat");
        std::string line;
        std::getline(stat, line);
        const auto paren = line.rfind(')');  // the command may hold spaces and parentheses
        if (paren == std::string::npos) continue;
        std::istringstream rest(line.substr(paren + 1));
        char state = 0;
        long ppid = 0;
        rest >> state >> ppid;
        if (ppid == self) orphans.push_back(static_cast<pid_t>(std::stol(name)));
    }
    for (pid_t orphan : orphans) ::kill(orphan, SIGKILL);
    for (pid_t orphan : orphans)
        while (::waitpid(orphan, nullptr, 0) < 0 && errno == EINTR) {
        }
}

}  // namespace

bool interrupted() { return g_interrupt.load() != 0; }
int interrupt_signal() { return g_interrupt.load(); }

void install_interrupt_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);
    // Descendants that leave their test's process group (setsid) become
    // pss-run's children when their parent ends, so pss-run can end them.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
}

std::string signal_name(int sig) {
    switch (sig) {
        case SIGSEGV: return "SIGSEGV";
        case SIGABRT: return "SIGABRT";
        case SIGBUS: return "SIGBUS";
        case SIGFPE: return "SIGFPE";
        case SIGILL: return "SIGILL";
        case SIGKILL: return "SIGKILL";
        case SIGTERM: return "SIGTERM";
        case SIGINT: return "SIGINT";
        case SIGPIPE: return "SIGPIPE";
        case SIGTRAP: return "SIGTRAP";
        case SIGSYS: return "SIGSYS";
        case SIGHUP: return "SIGHUP";
        case SIGQUIT: return "SIGQUIT";
        case SIGALRM: return "SIGALRM";
        case SIGUSR1: return "SIGUSR1";
        case SIGUSR2: return "SIGUSR2";
        case SIGXCPU: return "SIGXCPU";
        case SIGXFSZ: return "SIGXFSZ";
        default: return fmt::format("signal {}", sig);
    }
}

ChildResult run_child(const ChildOptions& options, const LineHandler& on_line, const Watchdog& watchdog) {
    ChildResult result;
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
        result.spawn_failed = true;
        result.spawn_error = std::strerror(errno);
        return result;
    }
    const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);

    std::vector<char*> args;
    for (const auto& a : options.argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const auto env_strings = merged_environment(options.env);
    std::vector<char*> envp;
    for (const auto& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    // The child reports a failed exec through this pipe (closed by a good one).
    int exec_error[2];
    if (pipe2(exec_error, O_CLOEXEC) != 0) {
        ::close(pipe_fds[0]);
        ::close(pipe_fds[1]);
        if (devnull >= 0) ::close(devnull);
        result.spawn_failed = true;
        result.spawn_error = std::strerror(errno);
        return result;
    }

    const auto start = std::chrono::steady_clock::now();
    const pid_t parent = ::getpid();
    // fork + exec rather than posix_spawn, for what posix_spawn cannot set:
    // the test dies with pss-run (PR_SET_PDEATHSIG), even by SIGKILL. Only
    // async-signal-safe calls between fork and exec.
    spawning(true);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::setpgid(0, 0);  // own group, so a hang is killed with everything it started
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);  // pss-run already gone
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGHUP}) ::sigaction(sig, &dfl, nullptr);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        if (devnull >= 0) ::dup2(devnull, 0);
        ::dup2(pipe_fds[1], 1);
        if (options.discard_stderr) {
            const int null_out = ::open("/dev/null", O_WRONLY);
            if (null_out >= 0) ::dup2(null_out, 2);
        } else {
            ::dup2(pipe_fds[1], 2);
        }
        ::execve(args[0], args.data(), envp.data());
        const int e = errno;
        [[maybe_unused]] const ssize_t w = ::write(exec_error[1], &e, sizeof e);
        ::_exit(127);
    }
    const int fork_errno = errno;
    if (pid > 0) {
        ::setpgid(pid, pid);  // also here: no window where kill(-pid) finds no group
        track_child(pid, true);
    }
    spawning(false);
    ::close(exec_error[1]);
    ::close(pipe_fds[1]);
    if (devnull >= 0) ::close(devnull);
    int exec_errno = 0;
    if (pid < 0) {
        exec_errno = fork_errno;
    } else {
        ssize_t n;
        while ((n = ::read(exec_error[0], &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {
        }
        if (n != static_cast<ssize_t>(sizeof exec_errno)) exec_errno = 0;
    }
    ::close(exec_error[0]);
    if (exec_errno != 0) {
        if (pid > 0) {
            while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
            }
            track_child(pid, false);
        }
        ::close(pipe_fds[0]);
        result.spawn_failed = true;
        result.spawn_error = std::strerror(exec_errno);
        return result;
    }
    std::string pending;  // an incomplete line
    char buf[65536];
    bool open = true;
    std::optional<std::chrono::steady_clock::time_point> killed_at;
    int status = 0;
    bool reaped = false;
    std::optional<std::chrono::steady_clock::time_point> exited_at;
    while (open) {
        // A daemon that escaped the process group may hold the pipe open.
        if (killed_at && std::chrono::steady_clock::now() - *killed_at > std::chrono::seconds(2)) break;
        // The test exited but something it started keeps its stdout: read
        // what is there for a moment, not until the timeout.
        if (!reaped) {
            const pid_t w = ::waitpid(pid, &status, WNOHANG);
            if (w == pid) {
                reaped = true;
                exited_at = std::chrono::steady_clock::now();
            }
        }
        if (exited_at && std::chrono::steady_clock::now() - *exited_at > std::chrono::milliseconds(500)) break;
        pollfd pfd{pipe_fds[0], POLLIN, 0};
        const int ready = ::poll(&pfd, 1, 50);
        if (ready > 0) {
            const ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
            if (n > 0) {
                result.output_tail.append(buf, static_cast<std::size_t>(n));
                if (result.output_tail.size() > 2 * options.tail_bytes)
                    result.output_tail.erase(0, result.output_tail.size() - options.tail_bytes);
                pending.append(buf, static_cast<std::size_t>(n));
                std::size_t begin = 0;
                for (std::size_t nl; (nl = pending.find('\n', begin)) != std::string::npos; begin = nl + 1)
                    on_line(std::string_view(pending).substr(begin, nl - begin));
                pending.erase(0, begin);
                if (pending.size() > 64 * 1024) {
                    on_line(pending);
                    pending.clear();
                }
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                open = false;
            }
        }
        if (!result.killed_by_watchdog && (interrupted() || (watchdog && watchdog()))) {
            result.killed_by_watchdog = !interrupted();
            ::kill(-pid, SIGKILL);
            killed_at = std::chrono::steady_clock::now();
        }
    }
    if (!pending.empty()) on_line(pending);
    ::close(pipe_fds[0]);
    if (!reaped)
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    // Grandchildren may still run: end the group, and what left it
    // (setsid) and was handed to pss-run as their subreaper.
    ::kill(-pid, SIGKILL);
    track_child(pid, false);
    end_orphans();
    if (result.output_tail.size() > options.tail_bytes)
        result.output_tail.erase(0, result.output_tail.size() - options.tail_bytes);
    result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    return result;
}

}  // namespace pss::runner
