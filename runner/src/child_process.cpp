#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>

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

}  // namespace

bool interrupted() { return g_interrupt.load() != 0; }
int interrupt_signal() { return g_interrupt.load(); }

void install_interrupt_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);
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

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (devnull >= 0) posix_spawn_file_actions_adddup2(&actions, devnull, 0);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    if (options.discard_stderr) posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    else posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Own process group, so a hang is killed with everything it started;
    // default signal handling, whatever the runner itself has.
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);

    std::vector<char*> args;
    for (const auto& a : options.argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const auto env_strings = merged_environment(options.env);
    std::vector<char*> envp;
    for (const auto& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    const auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, args[0], &actions, &attr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(pipe_fds[1]);
    if (devnull >= 0) ::close(devnull);
    if (rc != 0) {
        ::close(pipe_fds[0]);
        result.spawn_failed = true;
        result.spawn_error = std::strerror(rc);
        return result;
    }

    std::string pending;  // an incomplete line
    char buf[65536];
    bool open = true;
    std::optional<std::chrono::steady_clock::time_point> killed_at;
    while (open) {
        // A daemon that escaped the process group may hold the pipe open.
        if (killed_at && std::chrono::steady_clock::now() - *killed_at > std::chrono::seconds(2)) break;
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
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    // Grandchildren that kept no pipe open may still run: end the group.
    ::kill(-pid, SIGKILL);
    if (result.output_tail.size() > options.tail_bytes)
        result.output_tail.erase(0, result.output_tail.size() - options.tail_bytes);
    result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    return result;
}

}  // namespace pss::runner
