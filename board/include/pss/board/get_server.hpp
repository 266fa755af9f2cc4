// The HTTP server of `pss board` and `pss exporter`: GET requests only, each
// answered by one function. cpp-httplib, and the OpenSSL it links, live in a
// module of their own (pss_http.so, next to the collector plugins) opened
// when a server starts, so that no other pss command loads them: they made
// every command start in 5 ms instead of 2.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace pss::board {

struct GetRequest {
    std::string path;
    std::map<std::string, std::string> params;  // the query string's
};

struct GetAnswer {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
};

struct GetServer {
    std::string host = "127.0.0.1";
    int port = 0;                                              // 0: any free port
    std::vector<std::pair<std::string, std::string>> headers;  // on every answer
    std::function<GetAnswer(const GetRequest&)> answer;
    std::function<void(int port)> listening;  // once connections are accepted
};

// Serves until SIGINT or SIGTERM, then returns. Throws std::runtime_error
// when the address cannot be bound (what to do included) or pss_http.so
// cannot be loaded.
void serve_get(const GetServer& server);

}  // namespace pss::board
