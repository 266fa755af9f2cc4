#include "servers.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "process.hpp"

namespace pss::test {

namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// fork + exec (no shell) as uid/gid, output appended to `log`; waits for the
// exit status unless `wait` is false (then returns the pid).
int spawn(const std::vector<std::string>& argv, const std::string& log, uid_t uid, gid_t gid, bool wait) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
        }
        const int null = ::open("/dev/null", O_RDONLY);
        if (null >= 0) ::dup2(null, 0);
        ::setpgid(0, 0);  // a Ctrl-C meant for the tests does not reach the server first
        if (::geteuid() == 0 && uid != 0) {
            if (::setgid(gid) != 0 || ::setuid(uid) != 0) _exit(126);
        }
        ::execv(args[0], args.data());
        _exit(127);
    }
    if (!wait) return pid;
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string find_program(const std::vector<std::string>& candidates) {
    for (const auto& c : candidates)
        if (::access(c.c_str(), X_OK) == 0) return c;
    return {};
}

std::string postgres_bindir() {
    std::vector<fs::path> dirs;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) dirs.push_back(e.path() / "bin");
    std::sort(dirs.rbegin(), dirs.rend());  // the newest version first
    for (const auto& d : dirs)
        if (::access((d / "initdb").c_str(), X_OK) == 0) return d.string();
    throw std::runtime_error("PostgreSQL's initdb was not found under /usr/lib/postgresql/*/bin: install the "
                             "'postgresql' package (setup.sh does)");
}

}  // namespace

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot find a free port on 127.0.0.1");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

bool wait_for_port(int port, double seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(static_cast<uint16_t>(port));
        bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        // A TCP socket connecting to a free port of the ephemeral range can
        // connect to itself (source port == destination port): not a server.
        sockaddr_in local{};
        socklen_t len = sizeof local;
        if (ok && ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0 && local.sin_port == addr.sin_port)
            ok = false;
        ::close(fd);
        if (ok) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

// --- A background process ------------------------------------------------

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
    dir_ = make_temp_dir("pss-bg");
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const std::string out = dir_ + "/out", err = dir_ + "/err";
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(o, 1);
        ::dup2(e, 2);
        for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
        ::execv(args[0], args.data());
        _exit(127);
    }
}

BackgroundProcess::~BackgroundProcess() {
    if (status_ < 0 && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        wait();
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

void BackgroundProcess::signal(int sig) {
    if (status_ < 0) ::kill(pid_, sig);
}

int BackgroundProcess::wait() {
    if (status_ >= 0) return status_;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return status_;
}

std::string BackgroundProcess::err() const { return slurp(dir_ + "/err"); }
std::string BackgroundProcess::out() const { return slurp(dir_ + "/out"); }

bool BackgroundProcess::wait_for_err(const std::string& text, double seconds) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        if (err().find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

// --- PostgreSQL ------------------------------------------------------------

PostgresServer::PostgresServer(bool durable)
    : bin_(postgres_bindir()), durable_(durable), uid_(::geteuid()), gid_(::getegid()) {
    dir_ = make_temp_dir("pss-postgres");
    if (uid_ == 0) {  // initdb refuses root: the cluster belongs to "nobody"
        const passwd* pw = ::getpwnam("nobody");
        if (!pw) throw std::runtime_error("no user 'nobody' to run PostgreSQL as");
        uid_ = pw->pw_uid;
        gid_ = pw->pw_gid;
        if (::chown(dir_.c_str(), uid_, gid_) != 0) throw std::runtime_error("cannot chown " + dir_);
    }
    port_ = free_port();
    const std::string log = dir_ + "/initdb.log";
    const int rc = spawn({bin_ + "/initdb", "-D", dir_ + "/data", "-U", "pss", "-A", "trust", "-E", "UTF8",
                          "--no-locale", "--no-sync"},
                         log, uid_, gid_, true);
    if (rc != 0) throw std::runtime_error("initdb failed (" + std::to_string(rc) + "):\n" + slurp(log));
    start();
}

PostgresServer::~PostgresServer() {
    try {
        pg_ctl("stop", "immediate");
    } catch (...) {
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

void PostgresServer::pg_ctl(const std::string& action, const std::string& mode) {
    const std::string log = dir_ + "/pg_ctl.log";
    std::vector<std::string> argv{bin_ + "/pg_ctl", "-D", dir_ + "/data", "-w", "-t", "60"};
    if (action == "start") {
        // Durability is not under test: no fsync keeps 16 writers fast on a busy machine.
        argv.insert(argv.end(), {"-l", dir_ + "/server.log", "-o",
                                 "-h 127.0.0.1 -p " + std::to_string(port_) + " -k " + dir_ +
                                     (durable_ ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off") +
                                     " -c max_connections=80"});
    }
    if (!mode.empty()) argv.insert(argv.end(), {"-m", mode});
    argv.push_back(action);
    const int rc = spawn(argv, log, uid_, gid_, true);
    if (rc != 0)
        throw std::runtime_error("pg_ctl " + action + " failed (" + std::to_string(rc) + "):\n" + slurp(log) +
                                 slurp(dir_ + "/server.log"));
}

void PostgresServer::start() {
    pg_ctl("start");
    if (!wait_for_port(port_, 30)) throw std::runtime_error("PostgreSQL did not listen:\n" + slurp(dir_ + "/server.log"));
}

void PostgresServer::stop() { pg_ctl("stop", "fast"); }

void PostgresServer::kill() {
    std::ifstream pidfile(dir_ + "/data/postmaster.pid");
    pid_t pid = 0;
    if (pidfile >> pid && pid > 0) ::kill(pid, SIGKILL);
    // The children notice their postmaster is gone; wait until the port is free.
    for (int i = 0; i < 200 && wait_for_port(port_, 0.01); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
}

std::string PostgresServer::uri(const std::string& database) const {
    return "postgresql://pss@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresServer::create_database(const std::string& name) {
    const std::string log = dir_ + "/createdb.log";
    const int rc =
        spawn({bin_ + "/createdb", "-h", "127.0.0.1", "-p", std::to_string(port_), "-U", "pss", name}, log, uid_, gid_,
              true);
    if (rc != 0) throw std::runtime_error("createdb " + name + " failed:\n" + slurp(log));
    return uri(name);
}

void PostgresServer::sql(const std::string& uri, const std::string& statement) const {
    const ProcessResult r = run_process({bin_ + "/psql", "-v", "ON_ERROR_STOP=1", uri, "-c", statement});
    if (r.exit_code != 0) throw std::runtime_error("psql: " + statement + ": " + r.err);
}

// --- Redis -------------------------------------------------------------------

RedisServer::RedisServer(const std::string& appendfsync) : appendfsync_(appendfsync) {
    if (find_program({"/usr/bin/redis-server"}).empty())
        throw std::runtime_error("/usr/bin/redis-server was not found: install the 'redis-server' package (setup.sh "
                                 "does)");
    dir_ = make_temp_dir("pss-redis");
    port_ = free_port();
    start();
}

RedisServer::~RedisServer() {
    kill();
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

void RedisServer::start() {
    if (pid_ > 0) return;
    pid_ = spawn({"/usr/bin/redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1", "--dir", dir_,
                  "--save", "", "--appendonly", "yes", "--appendfsync", appendfsync_, "--daemonize", "no",
                  "--protected-mode", "yes"},
                 dir_ + "/redis.log", 0, 0, false);
    if (!wait_for_port(port_, 20)) {
        kill();
        throw std::runtime_error("redis-server did not listen:\n" + slurp(dir_ + "/redis.log"));
    }
}

void RedisServer::kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

std::string RedisServer::uri(int db, const std::string& stream) const {
    return "redis://127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db) + "?stream=" + stream;
}

std::string RedisServer::cli(const std::string& a, const std::string& b, const std::string& c) const {
    std::vector<std::string> argv{"/usr/bin/redis-cli", "-h", "127.0.0.1", "-p", std::to_string(port_), a};
    for (const auto& x : {b, c})
        if (!x.empty()) argv.push_back(x);
    return run_process(argv).out;
}

// --- Prometheus and its Pushgateway ------------------------------------------

namespace {

void stop_child(pid_t& pid) {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {  // up to 5 s, then SIGKILL
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            pid = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    pid = -1;
}

}  // namespace

PushgatewayServer::PushgatewayServer() {
    const std::string bin = "/usr/bin/prometheus-pushgateway";
    if (find_program({bin}).empty())
        throw std::runtime_error(bin + " was not found: install the 'prometheus-pushgateway' package (setup.sh does)");
    dir_ = make_temp_dir("pss-pushgateway");
    port_ = free_port();
    pid_ = spawn({bin, "--web.listen-address=127.0.0.1:" + std::to_string(port_)}, dir_ + "/pushgateway.log", 0, 0,
                 false);
    if (!wait_for_port(port_, 30)) {
        stop_child(pid_);
        throw std::runtime_error("prometheus-pushgateway did not listen:\n" + slurp(dir_ + "/pushgateway.log"));
    }
}

PushgatewayServer::~PushgatewayServer() {
    stop_child(pid_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

PrometheusServer::PrometheusServer(const std::vector<std::pair<std::string, std::string>>& jobs_and_targets) {
    const std::string bin = "/usr/bin/prometheus";
    if (find_program({bin}).empty())
        throw std::runtime_error(bin + " was not found: install the 'prometheus' package (setup.sh does)");
    dir_ = make_temp_dir("pss-prometheus");
    port_ = free_port();
    {
        std::ofstream config(dir_ + "/prometheus.yml");
        config << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n";
        for (const auto& [job, target] : jobs_and_targets)
            config << "  - job_name: '" << job << "'\n    honor_labels: true\n    static_configs:\n      - targets: ['"
                   << target << "']\n";
    }
    pid_ = spawn({bin, "--config.file=" + dir_ + "/prometheus.yml", "--storage.tsdb.path=" + dir_ + "/data",
                  "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
                 dir_ + "/prometheus.log", 0, 0, false);
    if (!wait_for_port(port_, 60)) {
        stop_child(pid_);
        throw std::runtime_error("prometheus did not listen:\n" + slurp(dir_ + "/prometheus.log"));
    }
}

PrometheusServer::~PrometheusServer() {
    stop_child(pid_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

std::string PrometheusServer::log() const { return slurp(dir_ + "/prometheus.log"); }

}  // namespace pss::test
