// The board's HTTP server (pss/board/server.hpp): its routes, answered through
// serve_get (pss/board/get_server.hpp).
#include "pss/board/server.hpp"

#include "pss/board/api.hpp"
#include "pss/board/get_server.hpp"

namespace pss::board {

namespace {

bool is_api_path(const std::string& path) {
    constexpr std::string_view prefix = "/api/";
    if (path.size() <= prefix.size() || path.compare(0, prefix.size(), prefix) != 0) return false;
    for (std::size_t i = prefix.size(); i < path.size(); ++i)
        if (path[i] < 'a' || path[i] > 'z') return false;
    return true;
}

GetAnswer answer(const Model& model, const GetRequest& request) {
    if (request.path == "/") return {200, "text/html; charset=utf-8", page_html()};
    if (request.path == "/board.js") return {200, "text/javascript; charset=utf-8", page_script()};
    if (request.path == "/board.css") return {200, "text/css; charset=utf-8", page_style()};
    // None: browsers ask for one, and a 404 would be a console error.
    if (request.path == "/favicon.ico") return {204, "", ""};
    if (is_api_path(request.path)) {
        const Params params(request.params.begin(), request.params.end());
        if (const auto api = answer_api(model, request.path, params))
            return {api->status, "application/json", api->body};
        return {404, "application/json", R"({"error":"no such endpoint"})"};
    }
    return {404, "text/plain; charset=utf-8", "Not Found"};
}

}  // namespace

int serve(const Model& model, const ServerOptions& options, const std::function<void(int)>& listening) {
    GetServer server;
    server.host = options.host;
    server.port = options.port;
    // Everything is served from here: no inline script, no other origin.
    server.headers = {
        {"Content-Security-Policy",
         "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:"},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
        {"Cache-Control", "no-store"}};
    server.answer = [&model](const GetRequest& request) { return answer(model, request); };
    server.listening = listening;
    serve_get(server);
    return 0;
}

}  // namespace pss::board
