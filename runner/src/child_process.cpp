#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
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

// pss-run's children, as the kernel lists them per thread (children are
// handed to a thread of the subreaper); nullopt where it does not
// (CONFIG_PROC_CHILDREN off).
std::optional<std::vector<pid_t>> listed_children() {
    std::error_code ec;
    std::vector<pid_t> pids;
    bool any = false;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
        std::ifstream in(task.path() / "children");
        if (!in) continue;
        any = true;
        for (long pid; in >> pid;) pids.push_back(static_cast<pid_t>(pid));
    }
    if (!any) return std::nullopt;
    return pids;
}

// Every process's parent, from /proc/PID/stat: the slow way, per process on
// the machine.
std::vector<pid_t> children_from_stat() {
    const pid_t self = ::getpid();
    std::error_code ec;
    std::vector<pid_t> pids;
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
        if (ppid == self) pids.push_back(static_cast<pid_t>(std::stol(name)));
    }
    return pids;
}

// Kills and reaps pss-run's children that it did not start itself. Only
// when no test runs: with -j, an orphan may still belong to a running test.
void end_orphans() {
    std::lock_guard lock(g_children_mutex);
    if (!g_children.empty() || g_spawning > 0) return;
    std::vector<pid_t> orphans;
    if (auto listed = listed_children()) orphans = std::move(*listed);
    else orphans = children_from_stat();
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

namespace {

// The file a test process writes its stdout and stderr to: unnamed, so
// nothing is left behind whatever happens to pss-run. A file rather than a
// pipe because frameworks flush often (Catch2's XML reporter writes 4,444
// times in SelfTest): to a pipe each write wakes pss-run, and the test ran
// almost twice as long (37 ms against 20 ms a process).
int output_file() {
    const std::string dir = std::filesystem::temp_directory_path().string();
    int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
    std::string tmpl = dir + "/pss-output-XXXXXX";  // a file system without O_TMPFILE
    fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd >= 0) ::unlink(tmpl.c_str());
    return fd;
}

// A descriptor that polls readable when `pid` ends, or -1 where the kernel
// has no pidfd (before 5.3): then the runner looks every few milliseconds.
int exit_notifier(pid_t pid) {
#ifdef SYS_pidfd_open
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
    (void)pid;
    return -1;
#endif
}

// Reads what the process wrote since the last call and hands it over line
// by line; keeps the tail for reports.
class OutputFollower {
public:
    OutputFollower(int fd, std::size_t tail_bytes, const LineHandler& on_line)
        : fd_(fd), tail_bytes_(tail_bytes), on_line_(on_line) {}

    void read_new(std::string& tail) {
        char buf[65536];
        for (;;) {
            const ssize_t n = ::pread(fd_, buf, sizeof buf, static_cast<off_t>(offset_));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            offset_ += static_cast<std::uint64_t>(n);
            tail.append(buf, static_cast<std::size_t>(n));
            if (tail.size() > 2 * tail_bytes_) tail.erase(0, tail.size() - tail_bytes_);
            pending_.append(buf, static_cast<std::size_t>(n));
            std::size_t begin = 0;
            for (std::size_t nl; (nl = pending_.find('\n', begin)) != std::string::npos; begin = nl + 1)
                on_line_(std::string_view(pending_).substr(begin, nl - begin));
            pending_.erase(0, begin);
            if (pending_.size() > 64 * 1024) {
                on_line_(pending_);
                pending_.clear();
            }
        }
        // What was read need not stay on disk (a test printing gigabytes).
        constexpr std::uint64_t release_step = 16u << 20;
        if (offset_ - released_ >= release_step) {
            const std::uint64_t upto = offset_ & ~(std::uint64_t{4095});
            if (::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, static_cast<off_t>(upto)) == 0)
                released_ = upto;
            else
                released_ = offset_;  // not supported here: the file goes with the process
        }
    }

    void finish() {
        if (!pending_.empty()) on_line_(pending_);
        pending_.clear();
    }

private:
    int fd_;
    std::size_t tail_bytes_;
    const LineHandler& on_line_;
    std::uint64_t offset_ = 0, released_ = 0;
    std::string pending_;  // an incomplete line
};

}  // namespace

ChildResult run_child(const ChildOptions& options, const LineHandler& on_line, const Watchdog& watchdog) {
    ChildResult result;
    const int out_fd = output_file();
    if (out_fd < 0) {
        result.spawn_failed = true;
        result.spawn_error = fmt::format("cannot create a file for its output in {}: {} (set TMPDIR to a writable "
                                         "directory)",
                                         std::filesystem::temp_directory_path().string(), std::strerror(errno));
        return result;
    }
    const int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);

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
        ::close(out_fd);
        if (devnull >= 0) ::close(devnull);
        result.spawn_failed = true;
        result.spawn_error = std::strerror(errno);
        return result;
    }

    const auto start = std::chrono::steady_clock::now();
    const pid_t parent = ::getpid();
    // vfork + exec rather than posix_spawn, for what posix_spawn cannot set:
    // the test dies with pss-run (PR_SET_PDEATHSIG), even by SIGKILL. vfork,
    // as posix_spawn does inside, so no page table of pss-run is copied. The
    // child shares pss-run's memory until exec: only system calls there, and
    // no signal handler of pss-run may run in it (all blocked meanwhile).
    sigset_t all, previous;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &previous);
    spawning(true);
    const pid_t pid = ::vfork();
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
        ::dup2(out_fd, 1);
        ::dup2(options.discard_stderr && devnull >= 0 ? devnull : out_fd, 2);
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
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    ::close(exec_error[1]);
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
        ::close(out_fd);
        result.spawn_failed = true;
        result.spawn_error = std::strerror(exec_errno);
        return result;
    }

    OutputFollower output(out_fd, options.tail_bytes, on_line);
    const int exited = exit_notifier(pid);
    int status = 0;
    for (;;) {
        const pid_t w = ::waitpid(pid, &status, WNOHANG);
        if (w == pid || (w < 0 && errno == ECHILD)) break;
        // Wake at its end, or every 20 ms for its output and the watchdog.
        if (exited >= 0) {
            pollfd pfd{exited, POLLIN, 0};
            ::poll(&pfd, 1, 20);
        } else {
            ::usleep(5000);
        }
        output.read_new(result.output_tail);
        if (!result.killed_by_watchdog && (interrupted() || (watchdog && watchdog()))) {
            result.killed_by_watchdog = !interrupted();
            ::kill(-pid, SIGKILL);
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            break;
        }
    }
    if (exited >= 0) ::close(exited);
    // Grandchildren may still run: end the group, and what left it
    // (setsid) and was handed to pss-run as their subreaper.
    ::kill(-pid, SIGKILL);
    track_child(pid, false);
    end_orphans();
    output.read_new(result.output_tail);
    output.finish();
    ::close(out_fd);
    if (result.output_tail.size() > options.tail_bytes)
        result.output_tail.erase(0, result.output_tail.size() - options.tail_bytes);
    result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    return result;
}

}  // namespace pss::runner
