// serve_get (pss/board/get_server.hpp): the server itself is in pss_http.so,
// opened here when a command first serves. A program that links the module's
// code (the board benchmark) uses it directly.
#include "pss/board/get_server.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

// The module's entry (get_server_module.cpp): 0, or -1 with `error` set.
// Defined here only where the module's code is linked in; null otherwise.
extern "C" __attribute__((weak)) int pss_http_serve_get(const pss::board::GetServer* server, std::string* error);

namespace pss::board {

namespace {

using ServeFn = int (*)(const GetServer*, std::string*);

// pss_http.so next to the collector plugins: relative to this program (the
// build tree and a relocated install), then where it was installed.
ServeFn load_module() {
    std::vector<std::string> dirs;
    char exe[4096];
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        const std::string path(exe, static_cast<std::size_t>(n));
        dirs.push_back(path.substr(0, path.rfind('/') + 1) + PSS_HTTP_MODULE_EXE_RELDIR);
    }
    dirs.push_back(PSS_HTTP_MODULE_INSTALL_DIR);
    std::string why;
    for (const std::string& dir : dirs) {
        const std::string file = dir + "/pss_http.so";
        if (::access(file.c_str(), R_OK) != 0) continue;
        void* module = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);  // never closed
        if (module == nullptr) {
            const char* error = ::dlerror();
            throw std::runtime_error("cannot load " + file + ": " + (error != nullptr ? error : "unknown error") +
                                     " (is libcpp-httplib installed? Debian: apt-get install libcpp-httplib0.11)");
        }
        if (auto* serve = reinterpret_cast<ServeFn>(::dlsym(module, "pss_http_serve_get"))) return serve;
        throw std::runtime_error(file + " is not pss's HTTP module (no pss_http_serve_get); reinstall pss");
    }
    throw std::runtime_error("pss_http.so is missing (looked in " + dirs.front() + " and " + dirs.back() +
                             "); install pss with its modules");
}

}  // namespace

void serve_get(const GetServer& server) {
    static const ServeFn serve = &pss_http_serve_get != nullptr ? &pss_http_serve_get : load_module();
    std::string error;
    if (serve(&server, &error) != 0) throw std::runtime_error(error);
}

}  // namespace pss::board
