// open_collector: the URI's scheme chooses the collector.
#include "pss/collect/collector.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <random>
#include <system_error>

#include "batching_collector.hpp"
#include "file_collector.hpp"
#include "mapped_file_collector.hpp"
#include "plugin_loader.hpp"

namespace pss::collect {

namespace {

std::string default_source() {
    char host[256] = {0};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    std::random_device random;
    return std::string(host) + ":" + std::to_string(::getpid()) + ":" + std::to_string(random() % 1000000000u);
}

// The URI for messages: user:password@ becomes user:***@.
std::string redacted(const std::string& uri) {
    const auto scheme = uri.find("://");
    if (scheme == std::string::npos) return uri;
    const auto end = uri.find_first_of("/?#", scheme + 3);
    const auto at = uri.rfind('@', end);
    if (at == std::string::npos || at < scheme + 3) return uri;
    const auto colon = uri.find(':', scheme + 3);
    if (colon == std::string::npos || colon > at) return uri;
    return uri.substr(0, colon + 1) + "***" + uri.substr(at);
}

std::string with_thousands(std::uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

}  // namespace

std::unique_ptr<Collector> open_collector(const std::string& uri, const Identity& identity, std::string& error) {
    if (uri.rfind("file:", 0) == 0) {
        std::string path = uri.substr(5);
        if (path.rfind("//", 0) == 0) path = path.substr(2);  // file:///tmp/x as well as file:/tmp/x
        if (path.empty()) {
            error = "collector 'file:' needs a path: file:/path/to/traces.ndjson";
            return nullptr;
        }
        return open_file_collector(path, error);
    }
    const auto colon = uri.find("://");
    if (colon == std::string::npos || colon == 0) {
        error = "collector '" + redacted(uri) +
                "' is not a collector URI: use file:PATH, redis://host:port/N?stream=KEY or grpc://host:port";
        return nullptr;
    }
    const std::string scheme = uri.substr(0, colon);
    const pss_collector_plugin* plugin = load_collector_plugin(scheme, error);
    if (!plugin) return nullptr;
    Identity id = identity;
    if (id.source.empty()) id.source = default_source();
    const pss_collector_info info{uri.c_str(), id.source.c_str(), id.run_id.c_str()};
    char why[512] = {0};
    void* handle = plugin->open(&info, why, sizeof why);
    if (!handle) {
        error = "collector '" + redacted(uri) + "': " + (why[0] ? why : "the plugin refused the URI");
        return nullptr;
    }
    return std::make_unique<BatchingCollector>(plugin, handle, redacted(uri), std::move(id),
                                               batching_options_from_environment());
}

std::unique_ptr<Collector> open_file_collector(const std::string& path, std::string& error) {
    try {
        return std::make_unique<FileCollector>(path);
    } catch (const std::system_error& e) {
        error = e.what();
        return nullptr;
    }
}

std::unique_ptr<Collector> open_owned_file_collector(const std::string& path, std::string& error) {
    try {
        return std::make_unique<MappedFileCollector>(path);
    } catch (const std::system_error& e) {
        if (e.code().value() != EEXIST) error = e.what();
        return nullptr;
    }
}

std::string drop_summary(const CollectorStats& stats, const std::string& where) {
    if (stats.dropped == 0) return {};
    return with_thousands(stats.dropped) + (stats.dropped == 1 ? " record" : " records") + " dropped: " +
           (stats.drop_reason.empty() ? std::string("unknown reason") : stats.drop_reason) + " (" + where + ")";
}

std::string run_id_from_environment() {
    auto env = [](const char* name) -> std::string {
        const char* v = std::getenv(name);
        return v ? v : "";
    };
    if (auto v = env("PSS_RUN_ID"); !v.empty()) return v;
    if (auto v = env("GITHUB_RUN_ID"); !v.empty()) {
        const auto attempt = env("GITHUB_RUN_ATTEMPT");
        return "github-" + v + (attempt.empty() ? "" : "-" + attempt);
    }
    if (auto v = env("CI_PIPELINE_ID"); !v.empty()) return "gitlab-" + v;
    if (auto v = env("BUILDKITE_BUILD_ID"); !v.empty()) return "buildkite-" + v;
    if (auto v = env("CIRCLE_WORKFLOW_ID"); !v.empty()) return "circle-" + v;
    if (auto v = env("BUILD_TAG"); !v.empty()) return v;  // Jenkins
    return {};
}

}  // namespace pss::collect
