// `pss board`'s HTTP server (cpp-httplib): the page, its script and style
// sheet (embedded: nothing is loaded from elsewhere), and the JSON API. Only
// GET: the board never changes the history.
#pragma once

#include <functional>
#include <string>

#include "pss/board/model.hpp"

namespace pss::board {

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 8765;  // 0: any free port
};

// Serves until SIGINT or SIGTERM. `listening` is called with the bound port
// once connections are accepted. Returns 0, or throws std::runtime_error when
// the address cannot be bound.
int serve(const Model& model, const ServerOptions& options, const std::function<void(int port)>& listening);

// The embedded front end.
const std::string& page_html();
const std::string& page_script();
const std::string& page_style();

}  // namespace pss::board
