#include "plugin_loader.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <vector>

namespace pss::collect {

namespace {

std::vector<std::string> search_path() {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("PSS_COLLECTOR_PATH")) {
        std::string list = env;
        std::size_t start = 0;
        while (start <= list.size()) {
            const auto colon = list.find(':', start);
            const std::string dir = list.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
            if (!dir.empty()) dirs.push_back(dir);
            if (colon == std::string::npos) break;
            start = colon + 1;
        }
    }
    char exe[4096];
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        std::string path(exe, static_cast<std::size_t>(n));
        const auto slash = path.rfind('/');
        if (slash != std::string::npos) dirs.push_back(path.substr(0, slash + 1) + PSS_COLLECTOR_EXE_RELDIR);
    }
    dirs.push_back(PSS_COLLECTOR_INSTALL_DIR);
    return dirs;
}

bool valid_scheme(const std::string& s) {
    if (s.empty() || s.size() > 32) return false;
    for (const char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    return true;
}

}  // namespace

const pss_collector_plugin* load_collector_plugin(const std::string& scheme, std::string& error) {
    static std::mutex mutex;
    static std::map<std::string, const pss_collector_plugin*> loaded;
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = loaded.find(scheme); it != loaded.end()) return it->second;
    if (!valid_scheme(scheme)) {
        error = "'" + scheme + "' is not a collector scheme (lower-case letters, digits, '-' and '_')";
        return nullptr;
    }
    const std::string file = "pss_collector_" + scheme + ".so";
    std::string looked;
    for (const std::string& dir : search_path()) {
        const std::string path = dir + "/" + file;
        looked += (looked.empty() ? "" : ", ") + dir;
        if (::access(path.c_str(), R_OK) != 0) continue;
        // Never unloaded: its threads and atexit handlers may still run.
        void* lib = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!lib) {
            const char* why = ::dlerror();
            error = "cannot load " + path + ": " + (why ? why : "unknown error");
            return nullptr;
        }
        const auto entry = reinterpret_cast<pss_collector_entry_fn>(::dlsym(lib, PSS_COLLECTOR_ENTRY));
        const pss_collector_plugin* plugin = entry ? entry() : nullptr;
        if (!plugin) {
            error = path + " is not a pss collector plugin (no " PSS_COLLECTOR_ENTRY ")";
            return nullptr;
        }
        if (plugin->abi_version != PSS_COLLECTOR_ABI_VERSION) {
            error = path + " was built for collector ABI " + std::to_string(plugin->abi_version) + ", this pss has " +
                    std::to_string(PSS_COLLECTOR_ABI_VERSION) + "; rebuild it";
            return nullptr;
        }
        loaded[scheme] = plugin;
        return plugin;
    }
    error = "no collector plugin " + file + " (looked in " + looked +
            "); install pss with its collectors, or set PSS_COLLECTOR_PATH to the directory that has it";
    return nullptr;
}

}  // namespace pss::collect
