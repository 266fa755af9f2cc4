// A real HTTP server on 127.0.0.1 for tests of alert channels: records every
// request, and can answer errors or slowly to test retries and timeouts.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace pss::test {

struct ReceivedRequest {
    std::string method, path, content_type, body;
};

class HttpReceiver {
public:
    HttpReceiver();  // listening on a free port of 127.0.0.1
    ~HttpReceiver();
    HttpReceiver(const HttpReceiver&) = delete;
    HttpReceiver& operator=(const HttpReceiver&) = delete;

    int port() const;
    std::string url(const std::string& path) const;  // "http://127.0.0.1:PORT" + path

    // The next `count` requests get `status` (then 200 again).
    void fail_next(int count, int status, std::string body = "receiver says no");
    // Every answer waits this long first.
    void set_delay(double seconds);

    std::vector<ReceivedRequest> requests() const;
    std::vector<ReceivedRequest> requests_to(const std::string& path) const;
    // Waits until `count` requests have arrived, at most `timeout_seconds`.
    bool wait_for(std::size_t count, double timeout_seconds) const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

// GET http://127.0.0.1:PORT/PATH: the status and body, or status 0 when nothing answers.
struct HttpAnswer {
    int status = 0;
    std::string body;
};
HttpAnswer http_get(int port, const std::string& path);

// A port of 127.0.0.1 on which nothing listens (it was free a moment ago).
int closed_port();

}  // namespace pss::test
