#include "http_receiver.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <httplib.h>

namespace pss::test {

struct HttpReceiver::State {
    httplib::Server server;
    std::thread thread;
    int port = 0;
    mutable std::mutex mutex;
    mutable std::condition_variable arrived;
    std::vector<ReceivedRequest> requests;
    int fail_count = 0, fail_status = 500;
    std::string fail_body = "receiver says no";
    double delay = 0;
};

HttpReceiver::HttpReceiver() : state_(std::make_unique<State>()) {
    State& s = *state_;
    auto handler = [&s](const httplib::Request& req, httplib::Response& res) {
        double delay = 0;
        int status = 200;
        std::string body = "ok";
        {
            std::lock_guard lock(s.mutex);
            s.requests.push_back({req.method, req.path, req.get_header_value("Content-Type"), req.body});
            delay = s.delay;
            if (s.fail_count > 0) {
                --s.fail_count;
                status = s.fail_status;
                body = s.fail_body;
            }
        }
        s.arrived.notify_all();
        if (delay > 0) std::this_thread::sleep_for(std::chrono::duration<double>(delay));
        res.status = status;
        res.set_content(body, "text/plain");
    };
    s.server.Post(".*", handler);
    s.server.Get(".*", handler);
    s.port = s.server.bind_to_any_port("127.0.0.1");
    if (s.port <= 0) throw std::runtime_error("HttpReceiver: cannot bind 127.0.0.1");
    s.thread = std::thread([&s] { s.server.listen_after_bind(); });
}

HttpReceiver::~HttpReceiver() {
    state_->server.stop();
    if (state_->thread.joinable()) state_->thread.join();
}

int HttpReceiver::port() const { return state_->port; }

std::string HttpReceiver::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(state_->port) + path;
}

void HttpReceiver::fail_next(int count, int status, std::string body) {
    std::lock_guard lock(state_->mutex);
    state_->fail_count = count;
    state_->fail_status = status;
    state_->fail_body = std::move(body);
}

void HttpReceiver::set_delay(double seconds) {
    std::lock_guard lock(state_->mutex);
    state_->delay = seconds;
}

std::vector<ReceivedRequest> HttpReceiver::requests() const {
    std::lock_guard lock(state_->mutex);
    return state_->requests;
}

std::vector<ReceivedRequest> HttpReceiver::requests_to(const std::string& path) const {
    std::vector<ReceivedRequest> out;
    for (auto& r : requests())
        if (r.path == path) out.push_back(std::move(r));
    return out;
}

bool HttpReceiver::wait_for(std::size_t count, double timeout_seconds) const {
    std::unique_lock lock(state_->mutex);
    return state_->arrived.wait_for(lock, std::chrono::duration<double>(timeout_seconds),
                                    [&] { return state_->requests.size() >= count; });
}

HttpAnswer http_get(int port, const std::string& path) {
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(2);
    client.set_read_timeout(5);
    const auto res = client.Get(path.c_str());
    if (!res) return {};
    return {res->status, res->body};
}

int closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);  // bound, never listening: connections are refused
    return ntohs(addr.sin_port);
}

}  // namespace pss::test
