// The board's HTTP server (pss/board/server.hpp).
#include "pss/board/server.hpp"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include <httplib.h>

#include "pss/board/api.hpp"

namespace pss::board {

namespace {

void set_common_headers(httplib::Response& res) {
    // Everything is served from here: no inline script, no other origin.
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Cache-Control", "no-store");
}

}  // namespace

int serve(const Model& model, const ServerOptions& options, const std::function<void(int)>& listening) {
    // SIGINT and SIGTERM go to one thread that stops the server: stop() is
    // not safe inside a signal handler.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    httplib::Server server;
    server.set_tcp_nodelay(true);  // small JSON answers go out at once, not after a delayed ACK (40 ms)
    server.Get("/", [](const httplib::Request&, httplib::Response& res) {
        set_common_headers(res);
        res.set_content(page_html(), "text/html; charset=utf-8");
    });
    server.Get("/board.js", [](const httplib::Request&, httplib::Response& res) {
        set_common_headers(res);
        res.set_content(page_script(), "text/javascript; charset=utf-8");
    });
    server.Get("/board.css", [](const httplib::Request&, httplib::Response& res) {
        set_common_headers(res);
        res.set_content(page_style(), "text/css; charset=utf-8");
    });
    server.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) {
        set_common_headers(res);
        res.status = 204;  // none: browsers ask for one, and a 404 would be a console error
    });
    server.Get(R"(/api/[a-z]+)", [&model](const httplib::Request& req, httplib::Response& res) {
        set_common_headers(res);
        Params params;
        for (const auto& [key, value] : req.params) params.emplace(key, value);
        const auto answer = answer_api(model, req.path, params);
        if (!answer) {
            res.status = 404;
            res.set_content(R"({"error":"no such endpoint"})", "application/json");
            return;
        }
        res.status = answer->status;
        res.set_content(answer->body, "application/json");
    });

    int port = options.port;
    if (port == 0) {
        port = server.bind_to_any_port(options.host);
        if (port < 0) throw std::runtime_error("cannot listen on " + options.host);
    } else if (!server.bind_to_port(options.host, port)) {
        throw std::runtime_error("cannot listen on " + options.host + ":" + std::to_string(port) +
                                 " (in use, or not an address of this machine); choose another --port");
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
    if (listening) listening(port);
    server.listen_after_bind();
    done.store(true);
    pthread_kill(stopper.native_handle(), SIGTERM);  // wakes the stopper when no signal came
    stopper.join();
    return 0;
}

}  // namespace pss::board
