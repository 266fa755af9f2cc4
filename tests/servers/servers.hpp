// Real servers for the tests, started by the tests themselves on 127.0.0.1
// in a temporary directory and stopped (killed if need be) when the object
// goes: PostgreSQL (Debian's initdb and pg_ctl, as the unprivileged user
// "nobody" when the tests run as root, which PostgreSQL refuses), and
// redis-server. Each throws std::runtime_error with the server's log when it
// cannot start, so a missing package is a failing test that says so.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace pss::test {

// A program running in the background (no shell), its output in files.
class BackgroundProcess {
public:
    BackgroundProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});
    ~BackgroundProcess();  // SIGKILL if still running
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;

    void signal(int sig);
    int wait();  // the exit code, or 128 + signal
    std::string err() const;  // stderr so far
    std::string out() const;
    // Waits until stderr contains `text` (false after `seconds`).
    bool wait_for_err(const std::string& text, double seconds) const;

private:
    std::string dir_;
    int pid_ = -1;
    int status_ = -1;
};

// A TCP port on 127.0.0.1 that nothing listens on right now.
int free_port();

// Waits until something accepts connections on 127.0.0.1:port (false after `seconds`).
bool wait_for_port(int port, double seconds);

class PostgresServer {
public:
    // initdb + start; a few seconds. Not `durable`: no fsync (the tests
    // test pss, not the disk); durable: PostgreSQL's defaults (benchmarks).
    explicit PostgresServer(bool durable = false);
    ~PostgresServer();
    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;

    // postgresql://pss@127.0.0.1:PORT/DB (trust authentication, no password).
    std::string uri(const std::string& database = "postgres") const;
    // A new, empty database; returns its URI.
    std::string create_database(const std::string& name);
    // Runs one SQL statement with psql against `uri`; throws with psql's output when it fails.
    void sql(const std::string& uri, const std::string& statement) const;
    void stop();   // fast shutdown
    void kill();   // SIGKILL the postmaster, as a crash would
    void start();  // again, same data and port
    int port() const { return port_; }

private:
    void pg_ctl(const std::string& action, const std::string& extra = {});
    std::string dir_, bin_;
    int port_ = 0;
    bool durable_ = false;
    uid_t uid_;
    gid_t gid_;
};

class RedisServer {
public:
    // `appendfsync` "always": every write is on disk before it is answered,
    // so what it acknowledged survives kill() and start() (the tests);
    // "everysec": Redis's default, as a CI service runs it (benchmarks).
    explicit RedisServer(const std::string& appendfsync = "always");
    ~RedisServer();
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    std::string uri(int db = 0, const std::string& stream = "pss:records") const;
    int port() const { return port_; }
    void kill();   // SIGKILL
    void start();  // again, same port and data
    bool running() const { return pid_ > 0; }
    // redis-cli with these arguments, its output (for checks: XLEN, ...).
    std::string cli(const std::string& a, const std::string& b = {}, const std::string& c = {}) const;

private:
    std::string dir_, appendfsync_;
    int port_ = 0;
    pid_t pid_ = -1;
};

// Debian's prometheus-pushgateway on a free port, no persistence.
class PushgatewayServer {
public:
    PushgatewayServer();
    ~PushgatewayServer();
    PushgatewayServer(const PushgatewayServer&) = delete;
    PushgatewayServer& operator=(const PushgatewayServer&) = delete;
    int port() const { return port_; }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

private:
    std::string dir_;
    int port_ = 0;
    pid_t pid_ = -1;
};

// Debian's prometheus, scraping the given targets ("127.0.0.1:PORT") every
// second (each target its own job, labels kept as pushed: honor_labels),
// its data in a temporary directory.
class PrometheusServer {
public:
    explicit PrometheusServer(const std::vector<std::pair<std::string, std::string>>& jobs_and_targets);
    ~PrometheusServer();
    PrometheusServer(const PrometheusServer&) = delete;
    PrometheusServer& operator=(const PrometheusServer&) = delete;
    int port() const { return port_; }
    std::string log() const;

private:
    std::string dir_;
    int port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace pss::test
