// pss_http.so: serve_get (pss/board/get_server.hpp) over cpp-httplib, in a
// module of its own so that only a command that serves loads cpp-httplib and
// OpenSSL.
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <httplib.h>

#include "pss/board/get_server.hpp"

extern "C" __attribute__((visibility("default"))) int pss_http_serve_get(const pss::board::GetServer* options,
                                                                        std::string* error) {
    const pss::board::GetServer& o = *options;
    // SIGINT and SIGTERM go to one thread that stops the server: stop() is
    // not safe inside a signal handler.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    httplib::Server server;
    server.set_tcp_nodelay(true);  // small answers go out at once, not after a delayed ACK (40 ms)
    // cpp-httplib's default also sets SO_REUSEPORT, with which a second pss
    // board or exporter on a port in use started without a word and took
    // half its connections. SO_REUSEADDR alone: a restart may rebind at once.
    server.set_socket_options([](socket_t sock) {
        int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    server.Get(R"(/.*)", [&o](const httplib::Request& req, httplib::Response& res) {
        pss::board::GetRequest request;
        request.path = req.path;
        for (const auto& [key, value] : req.params) request.params.emplace(key, value);
        pss::board::GetAnswer answer;
        try {
            answer = o.answer(request);
        } catch (const std::exception& e) {
            answer = {500, "text/plain; charset=utf-8", std::string("pss: ") + e.what() + "\n"};
        }
        for (const auto& [name, value] : o.headers) res.set_header(name, value);
        res.status = answer.status;
        if (answer.status != 204) res.set_content(answer.body, answer.content_type);
    });

    int port = o.port;
    if (port == 0) port = server.bind_to_any_port(o.host);
    else if (!server.bind_to_port(o.host, port)) port = -1;
    if (port < 0) {
        *error = "cannot listen on " + o.host + (o.port != 0 ? ":" + std::to_string(o.port) : std::string()) +
                 " (in use, or not an address of this machine); choose another --port";
        return -1;
    }
    std::atomic<bool> done{false};
    std::thread stopper([&server, &done, stop_signals] {
        int sig = 0;
        sigwait(&stop_signals, &sig);
        // A signal may come before the server loop runs, when stop() does
        // nothing yet: ask again until the loop has ended.
        while (!done.load()) {
            server.stop();
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
    if (o.listening) o.listening(port);
    server.listen_after_bind();
    done.store(true);
    pthread_kill(stopper.native_handle(), SIGTERM);  // wakes the stopper when no signal came
    stopper.join();
    return 0;
}
